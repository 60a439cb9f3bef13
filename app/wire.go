//go:build wireinject

package main

import (
	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/google/wire"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/fleet"
	"github.com/kruise-dashboard/kruise-dashboard/app/server"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// wireApp assembles the application; `go tool wire ./app` generates wire_gen.go from it. The
// adapter set is an argument so that tests can serve an extra type; main passes adapters.All.
// The home cluster's stack is a member like every other cluster's (newHome → wireMember); what
// is global is built here: sign-in, audit, the HTTP server, the fleet.
func wireApp(*conf.Bootstrap, log.Logger, trace.TracerProvider, AdapterSet) (*kratos.App, func(), error) {
	panic(wire.Build(
		wire.FieldsOf(new(*conf.Bootstrap), "Server", "Kubernetes", "Auth", "Audit"),
		wire.FieldsOf(new(*fleet.Member), "Rows", "Changes", "Access"),
		data.NewClients,
		data.NewTokenReviewer,
		data.NewSignOuts,
		newHome,
		newFleet,
		newMetrics,
		auth.New,
		audit.New,
		wire.Bind(new(auth.Reviewer), new(*data.TokenReviewer)),
		wire.Bind(new(auth.SignOuts), new(*data.SignOuts)),
		server.NewHTTPServer, server.NewGuard, server.NewMetricsServer,
		newStream,
		newRoutes,
		newApp,
	))
}

// wireMember assembles one cluster's stack over its clients: the same providers for the home
// and every registered cluster, so they cannot drift.
func wireMember(*data.Clients, memberConf, log.Logger, trace.TracerProvider, AdapterSet, *auth.Authenticator) (*fleet.Member, func(), error) {
	panic(wire.Build(
		wire.FieldsOf(new(memberConf), "Server", "Kubernetes", "Limits", "Auth", "Metrics"),
		newLimits,
		newEvidence,
		newApprovalPolicy,
		newSettings,
		server.NewRoutes,
		service.ProviderSet,
		biz.ProviderSet,
		data.ProviderSet,
		registry.ProviderSet,
		data.NewTokenReviewer,
		buildAdapters,
		newTypeSource,
		newMember,
	))
}
