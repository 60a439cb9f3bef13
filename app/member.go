package main

import (
	"fmt"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/transport"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/fleet"
	"github.com/kruise-dashboard/kruise-dashboard/app/server"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/app/stream"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/data/clusters"
	"github.com/kruise-dashboard/kruise-dashboard/data/typesource"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// memberConf is what one cluster's stack is built from besides its clients: its registration
// and the settings, as they apply to it.
type memberConf struct {
	Registration clusters.Registration
	Server       *conf.Server
	Kubernetes   *conf.Kubernetes
	Limits       *conf.Limits
	Auth         *conf.Auth
	Metrics      *conf.Metrics
}

// newMember gathers what wireMember built into the member.
func newMember(c memberConf, routes server.Routes, cache *data.Cache, types *typesource.Source, reg *registry.Registry, rows *data.RowStore,
	changes *data.Changes, access *data.Access, reviewer *data.TokenReviewer, ro *biz.RolloutUsecase, w *biz.WorkloadUsecase, cl *biz.ClusterUsecase, ev *biz.EvidenceUsecase, watch *biz.WatchUsecase) *fleet.Member {
	return &fleet.Member{Registration: c.Registration, Routes: routes, Cache: cache, Rows: rows, Changes: changes, Access: access, Reviewer: reviewer,
		Rollouts: ro, Workloads: w, Cluster: cl, Evidence: ev, Watch: watch, Servers: []transport.Server{cache, types.Keep(reg)},
		Handlers: routes.Handlers()}
}

// newHome is the home cluster's member, built by the same injector as every other cluster's.
func newHome(b *conf.Bootstrap, clients *data.Clients, logger log.Logger, tp trace.TracerProvider, set AdapterSet, authn *auth.Authenticator) (*fleet.Member, func(), error) {
	reg := clusters.Registration{Name: homeName(b), Server: clients.Host, Origin: fleet.OriginHome, Source: "the dashboard's own configuration"}
	if ctx, path := data.HomeContext(b.Kubernetes); ctx != "" {
		reg.Context, reg.Source = ctx, fmt.Sprintf("the current context %q of %s", ctx, path)
	}
	return wireMember(clients, memberConf{Registration: reg, Server: b.Server, Kubernetes: b.Kubernetes, Limits: b.Limits, Auth: b.Auth, Metrics: b.Metrics}, logger, tp, set, authn)
}

// homeName is fleet.home_name, else the current context's name, else "home".
func homeName(b *conf.Bootstrap) string {
	if b.Fleet != nil && b.Fleet.HomeName != "" {
		return b.Fleet.HomeName
	}
	if ctx, _ := data.HomeContext(b.Kubernetes); ctx != "" && clusters.UsableName(ctx) {
		return ctx
	}
	return "home"
}

// newFleet is the home and the clusters registered in the fleet section; each member is built by
// wireMember from its registration's clients, with its own health interval, its own Prometheus
// (none: its evidence is unavailable, never another cluster's) and no declaration ConfigMaps
// (declared types come from the shipped set and the folder).
func newFleet(b *conf.Bootstrap, clients *data.Clients, home *fleet.Member, logger log.Logger, tp trace.TracerProvider, set AdapterSet, authn *auth.Authenticator) (*fleet.Fleet, error) {
	f := b.Fleet
	if f == nil || (len(f.Contexts) == 0 && f.SecretsSelector == "" && f.ArgoCDNamespace == "") {
		return fleet.New(home, nil, nil, fleet.Options{}, logger), nil
	}
	cfg := clusters.Config{ArgoCDNamespace: f.ArgoCDNamespace, Selector: f.SecretsSelector, Namespace: f.SecretsNamespace}
	if cfg.Namespace == "" {
		cfg.Namespace = typesource.OwnNamespace()
	}
	if len(f.Contexts) > 0 {
		_, path := data.HomeContext(b.Kubernetes)
		only := f.Contexts
		if len(only) == 1 && only[0] == "*" {
			only = nil
		}
		static, err := clusters.LoadKubeconfig(path, only)
		if err != nil {
			return nil, fmt.Errorf("fleet.contexts: %w", err)
		}
		for _, r := range static {
			if r.Context != home.Registration.Context { // the current context is the home
				cfg.Static = append(cfg.Static, r)
			}
		}
	}
	registrations, err := clusters.New(cfg, clients.Plain, logger)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	kube := *b.Kubernetes
	kube.HealthInterval, kube.TypesSelector = f.HealthInterval, ""
	build := func(r clusters.Registration) (*fleet.Member, func(), error) {
		rc, err := r.RESTConfig()
		if err != nil {
			return nil, nil, err
		}
		mc, err := data.ClientsFor(rc, &kube, tp)
		if err != nil {
			return nil, nil, fmt.Errorf("cluster %s: %w", r.Name, err)
		}
		mc.PodsIdle = f.PodsIdle
		return wireMember(mc, memberConf{Registration: r, Server: b.Server, Kubernetes: &kube, Limits: b.Limits, Auth: b.Auth, Metrics: memberMetrics(b.Metrics, r)}, logger, tp, set, authn)
	}
	return fleet.New(home, registrations, build, fleet.Options{Retry: f.Retry, Recheck: b.Auth.Recheck}, logger), nil
}

// memberMetrics is the metrics section as it applies to a registered cluster: the same evidence
// templates and policy, and the registration's own Prometheus (none: unavailable).
func memberMetrics(m *conf.Metrics, r clusters.Registration) *conf.Metrics {
	if m == nil || m.Evidence == nil {
		return m
	}
	out := &conf.Metrics{Evidence: m.Evidence, Prometheus: &conf.Prometheus{URL: r.Prometheus}}
	if m.Prometheus != nil {
		out.Prometheus.Timeout = m.Prometheus.Timeout
	}
	return out
}

// newRoutes is the home's routes with what only the application has: the other clusters' and
// the fleet views.
func newRoutes(home *fleet.Member, f *fleet.Fleet, tp trace.TracerProvider) server.Routes {
	r := home.Routes
	r.Clusters, r.Fleet = f, service.NewFleetService(biz.NewFleetUsecase(f, tp))
	return r
}

// newStream is the live stream of the home, and of any cluster named by ?cluster=.
func newStream(c *conf.Server, home *fleet.Member, f *fleet.Fleet) *stream.Server {
	s := server.NewStream(c, home.Watch)
	s.InClusters(f.Watch)
	return s
}
