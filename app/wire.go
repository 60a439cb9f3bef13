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
	"github.com/kruise-dashboard/kruise-dashboard/app/server"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// wireApp assembles the application; `go tool wire ./app` generates wire_gen.go from it. The
// adapter set is an argument so that tests can serve an extra type; main passes adapters.All.
func wireApp(*conf.Bootstrap, log.Logger, trace.TracerProvider, AdapterSet) (*kratos.App, func(), error) {
	panic(wire.Build(
		wire.FieldsOf(new(*conf.Bootstrap), "Server", "Kubernetes", "Limits", "Auth", "Audit", "Metrics"),
		newLimits,
		newEvidence,
		newApprovalPolicy,
		newSettings,
		newMetrics,
		auth.New,
		audit.New,
		wire.Bind(new(auth.Reviewer), new(*data.TokenReviewer)),
		wire.Bind(new(auth.SignOuts), new(*data.SignOuts)),
		server.ProviderSet,
		service.ProviderSet,
		biz.ProviderSet,
		data.ProviderSet,
		registry.ProviderSet,
		buildAdapters,
		newTypeSource,
		newApp,
	))
}
