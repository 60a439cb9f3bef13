package server

import (
	"context"

	khttp "github.com/go-kratos/kratos/v2/transport/http"

	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
)

// Routes are the services the route table dispatches to.
type Routes struct {
	Cluster    *service.ClusterService
	Namespaces *service.NamespaceService
	Workloads  *service.WorkloadService
	Rollouts   *service.RolloutService
	Me         *service.MeService
	Auth       *auth.Authenticator
	Settings   biz.Settings
	Cache      *data.Cache
}

// NewRoutes gathers the services (Wire fills it).
func NewRoutes(c *service.ClusterService, ns *service.NamespaceService, w *service.WorkloadService, ro *service.RolloutService, me *service.MeService, authn *auth.Authenticator, settings biz.Settings, cache *data.Cache) Routes {
	return Routes{Cluster: c, Namespaces: ns, Workloads: w, Rollouts: ro, Me: me, Auth: authn, Settings: settings, Cache: cache}
}

// register is the one route table. gorilla/mux matches in registration order, so literal
// segments come before variables of the same shape.
func (r Routes) register(srv *khttp.Server) {
	srv.Route("/").GET("/healthz", handle(func(context.Context, service.Input) (any, error) { return "ok", nil }))
	srv.Route("/").GET("/readyz", handle(func(context.Context, service.Input) (any, error) {
		if err := r.Cache.Synced(); err != nil {
			return nil, err
		}
		return "ok", nil
	}))

	api := srv.Route("/api/v1")
	// Sign-in: the only API routes that need no identity.
	api.GET("/auth/config", r.Auth.Config(r.Settings.ReadOnly))
	api.POST("/auth/login", r.Auth.Login)
	api.POST("/auth/logout", r.Auth.Logout)
	api.GET("/auth/oidc/login", r.Auth.OIDCLogin)
	api.GET("/auth/oidc/callback", r.Auth.OIDCCallback)
	api.GET("/me", handle(r.Me.Me))
	api.GET("/openapi.json", document())

	api.GET("/cluster/metrics", handle(r.Cluster.Metrics))
	api.GET("/summary/{namespace}", handle(r.Cluster.Summary))
	api.GET("/namespaces", handle(r.Namespaces.List))
	api.GET("/workload-types", handle(r.Workloads.Types))

	api.GET("/workload/{namespace}", handle(r.Workloads.ListAll))
	api.GET("/workload/{namespace}/{type}", handle(r.Workloads.List))
	api.GET("/workload/{namespace}/{type}/{name}", handle(r.Workloads.Get))
	api.DELETE("/workload/{namespace}/{type}/{name}", handle(r.Workloads.Delete))
	api.GET("/workload/{namespace}/{type}/{name}/pods", handle(r.Workloads.Pods))
	api.GET("/workload/{namespace}/{type}/{name}/events", handle(r.Workloads.Events))
	api.GET("/workload/{namespace}/{type}/{name}/rollout", handle(r.Workloads.Rollout))
	api.GET("/workload/{namespace}/{type}/{name}/pods/{pod}/log", handle(r.Workloads.PodLogs))
	api.POST("/workload/{namespace}/{type}/{name}/image", handle(r.Workloads.SetImage))
	api.POST("/workload/{namespace}/{type}/{name}/scale", handle(r.Workloads.Scale))
	api.POST("/workload/{namespace}/{type}/{name}/restart", handle(r.Workloads.Restart))
	api.POST("/workload/{namespace}/{type}/{name}/action/{action}", handle(r.Workloads.Act))

	// Literal second segments first: /rollout/{namespace}/{name} has the same shape.
	api.GET("/rollout/status/{namespace}/{name}", handle(r.Rollouts.Status))
	api.GET("/rollout/history/{namespace}/{name}", handle(r.Rollouts.History))
	api.GET("/rollout/events/{namespace}/{name}", handle(r.Rollouts.Events))
	api.GET("/rollout/list/{namespace}", handle(r.Rollouts.List))
	api.GET("/rollout/active/{namespace}", handle(r.Rollouts.Active))
	api.GET("/rollout/waiting", handle(r.Rollouts.Waiting))
	api.POST("/rollout/approve-many", handle(r.Rollouts.ApproveMany))
	for action, h := range map[string]service.Handler{
		"pause": r.Rollouts.Pause, "resume": r.Rollouts.Resume, "approve": r.Rollouts.Approve,
		"promote": r.Rollouts.Promote, "undo": r.Rollouts.Undo, "restart": r.Rollouts.Restart,
		"enable": r.Rollouts.Enable, "disable": r.Rollouts.Disable,
	} {
		api.POST("/rollout/"+action+"/{namespace}/{name}", handle(h))
	}
	api.GET("/rollout/{namespace}/{name}", handle(r.Rollouts.Get))
}
