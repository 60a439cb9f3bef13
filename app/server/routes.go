package server

import (
	"context"
	"net/http"
	"sync"

	"github.com/cespare/xxhash/v2"
	khttp "github.com/go-kratos/kratos/v2/transport/http"

	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/openapi"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// Routes are the services the route table dispatches to.
type Routes struct {
	Cluster    *service.ClusterService
	Namespaces *service.NamespaceService
	Workloads  *service.WorkloadService
	Rollouts   *service.RolloutService
	Traffic    *service.TrafficService
	Me         *service.MeService
	Auth       *auth.Authenticator
	Settings   biz.Settings
	Cache      *data.Cache
	Registry   *registry.Registry
	// Clusters serves the routes under /clusters/{cluster}; Fleet the views across clusters.
	// Both are the application's (the home's Routes carry them; a member's do not).
	Clusters Clusters
	Fleet    *service.FleetService
}

// Clusters finds a cluster's handler of a route (by its ID): the same route of that cluster's
// own table, or why the cluster cannot serve it (not registered, refused, not connected).
type Clusters interface {
	Handler(cluster, routeID string) (khttp.HandlerFunc, error)
}

// Handlers are the table's handlers by route ID (a member builds them once).
func (r Routes) Handlers() map[string]khttp.HandlerFunc {
	out := map[string]khttp.HandlerFunc{}
	for _, rt := range r.table() {
		if rt.Handler.serve != nil && !rt.Global {
			out[rt.ID] = rt.Handler.serve
		}
	}
	return out
}

// NewRoutes gathers the services (Wire fills it).
func NewRoutes(c *service.ClusterService, ns *service.NamespaceService, w *service.WorkloadService, ro *service.RolloutService, tr *service.TrafficService, me *service.MeService, authn *auth.Authenticator, settings biz.Settings, cache *data.Cache, reg *registry.Registry) Routes {
	return Routes{Cluster: c, Namespaces: ns, Workloads: w, Rollouts: ro, Traffic: tr, Me: me, Auth: authn, Settings: settings, Cache: cache, Registry: reg}
}

// readiness is GET /readyz?verbose: each check and its outcome. Refused declarations do not
// make the dashboard unready (the last good ones serve); they are listed here with their reasons.
type readiness struct {
	Cache        string             `json:"cache"`
	Declarations []registry.Refusal `json:"refusedDeclarations"`
}

// Route is one operation of /api/v1: what the server routes and what the OpenAPI document says
// of it. Its body's and answer's Go types are its handler's (handle), so they cannot disagree.
type Route struct {
	// Method and Path (under /api/v1, gorilla/mux variables in braces).
	Method, Path string
	// ID, Summary and Tag are the document's operationId, summary and tag.
	ID, Summary, Tag string
	Query            []openapi.Param
	// Public: no sign-in needed in any mode (the sign-in filter lets exactly these through).
	Public bool
	// Global: about the dashboard or the whole fleet, not one cluster (sign-in, this document,
	// the fleet views): not served again under /clusters/{cluster}.
	Global bool
	// Deprecated marks an operation kept for existing clients that the UI no longer uses.
	Deprecated bool
	// Answer, when set, is the data's schema where its Go type says less (an answer encoded ahead).
	Answer openapi.Schema
	// Nullable: the handler may answer a nil pointer (data null).
	Nullable bool
	// Raw: answers that are not enveloped (the document itself, the live stream).
	Raw openapi.Schema
	// Handler serves it; none: a server filter does (the live stream).
	Handler Endpoint
}

var (
	dryRun  = openapi.DryRun
	q       = openapi.Q
	objects = openapi.Ref(openapi.KubeObject)
	// rolloutStatuses are the Rollout lists, encoded by the cache once per change.
	rolloutStatuses = openapi.Schema{"type": "array", "items": openapi.Ref("RolloutStatus")}
)

// table is the route table, the single source of the API: the server serves it (register) and
// the OpenAPI document is written from it (Document). gorilla/mux matches in registration
// order, so literal segments come before variables of the same shape.
func (r Routes) table() []Route {
	return []Route{
		{Method: "GET", Path: "/auth/config", Global: true, ID: "getAuthConfig", Public: true, Tag: "auth", Summary: "The sign-in mode and the read-only switch (no sign-in needed)",
			Handler: handle(r.Auth.Config(r.Settings.ReadOnly))},
		{Method: "POST", Path: "/auth/login", Global: true, ID: "login", Public: true, Tag: "auth", Summary: "Sign in with a Kubernetes bearer token: reviewed, then a sealed session cookie",
			Handler: handle(r.Auth.Login)},
		{Method: "POST", Path: "/auth/logout", Global: true, ID: "logout", Public: true, Tag: "auth", Summary: "Clear the session cookie",
			Handler: handle(r.Auth.Logout)},
		{Method: "GET", Path: "/auth/oidc/login", Global: true, ID: "oidcLogin", Public: true, Tag: "auth", Summary: "Start OpenID Connect sign-in (redirect to the provider)",
			Query: []openapi.Param{q("redirect", "string", "a path on this site to return to")}, Handler: handle(r.Auth.OIDCLogin)},
		{Method: "GET", Path: "/auth/oidc/callback", Global: true, ID: "oidcCallback", Public: true, Tag: "auth", Summary: "The provider's redirect back (code, state)",
			Query: []openapi.Param{q("code", "string", ""), q("state", "string", "")}, Handler: handle(r.Auth.OIDCCallback)},
		{Method: "GET", Path: "/me", ID: "me", Tag: "auth", Summary: "Who the user is; with a namespace, which actions they may take",
			Query: []openapi.Param{q("namespace", "string", "")}, Handler: handle(r.Me.Me)},
		{Method: "GET", Path: "/openapi.json", Global: true, ID: "openapi", Public: true, Tag: "meta", Summary: "This document (no sign-in needed)",
			Raw:     openapi.Schema{"200": openapi.Schema{"description": "the OpenAPI 3 document", "content": openapi.Schema{"application/json": openapi.Schema{"schema": openapi.Schema{"type": "object"}}}}},
			Handler: raw(document)},

		{Method: "GET", Path: "/clusters", Global: true, ID: "listClusters", Tag: "fleet", Summary: "Every registered cluster: the home first, reachable or since when not, the last error, the versions found, refused ones with the reason (no RBAC needed)",
			Handler: handle(r.Fleet.Clusters)},
		{Method: "GET", Path: "/fleet/inbox", Global: true, ID: "getFleetInbox", Tag: "fleet", Summary: "Every release waiting for a person in every cluster, in the namespaces the person may read there, with the evidence's verdict; and what each cluster contributed or why not",
			Handler: handle(r.Fleet.Inbox)},
		{Method: "GET", Path: "/fleet/summary", Global: true, ID: "getFleetSummary", Tag: "fleet", Summary: "A card per cluster: state, versions, and how many releases wait, things need attention, Rollouts and workloads the person may see there",
			Handler: handle(r.Fleet.Summary)},
		{Method: "GET", Path: "/fleet/attention", Global: true, ID: "getFleetAttention", Tag: "fleet", Summary: "What needs a person across clusters: workloads not ready or failed, releases paused, stuck or worse than stable",
			Handler: handle(r.Fleet.Attention)},
		{Method: "POST", Path: "/fleet/approve-many", Global: true, ID: "fleetApproveMany", Tag: "fleet", Summary: "Approve each item's step in its cluster if it is still the one waiting, as the person there; a result per item",
			Handler: handle(r.Fleet.ApproveMany)},

		{Method: "GET", Path: "/cluster/metrics", ID: "getClusterMetrics", Tag: "cluster", Summary: "Node counts, usage (metrics.k8s.io) and requests over allocatable",
			Handler: handle(r.Cluster.Metrics)},
		{Method: "GET", Path: "/summary/{namespace}", ID: "getSummary", Tag: "cluster", Summary: "What the overview shows: counts per type and state, releases in flight, cluster figures",
			Handler: handle(r.Cluster.Summary)},
		{Method: "GET", Path: "/namespaces", ID: "listNamespaces", Tag: "cluster", Summary: "Namespaces the user may see, sorted",
			Handler: handle(r.Namespaces.List)},
		{Method: "GET", Path: "/workload-types", ID: "listWorkloadTypes", Tag: "workloads", Summary: "The registry: every type with its capabilities, scope, columns and actions",
			Handler: handle(r.Workloads.Types)},
		// Served by the live stream's filter (app/stream), outside the routes' request timeout.
		{Method: "GET", Path: "/watch", Global: true, ID: "watch", Tag: "cluster", Summary: "The live stream of changes (Server-Sent Events: ready, change, reset, heartbeat)",
			Query: []openapi.Param{q("namespace", "string", "a namespace or _all"), q("type", "string", "a workload type or rollout"), q("name", "string", ""), q("lastEventId", "string", "resume after this id"),
				q("cluster", "string", "a registered cluster (GET /clusters); absent: the home")},
			Raw: openapi.Schema{"200": openapi.Schema{"description": "text/event-stream", "content": openapi.Schema{"text/event-stream": openapi.Schema{"schema": openapi.Schema{"type": "string"}}}}}},

		{Method: "GET", Path: "/workload/{namespace}", ID: "listAllWorkloads", Tag: "workloads", Summary: "Every type's objects, keyed by plural",
			Answer:  openapi.Schema{"type": "object", "additionalProperties": openapi.Schema{"type": "array", "items": objects}},
			Handler: handle(r.Workloads.ListAll)},
		{Method: "GET", Path: "/workload/{namespace}/{type}", ID: "listWorkloads", Tag: "workloads", Summary: "Objects of one type by name; with any query parameter, a page",
			Query: []openapi.Param{q("view", "string", "compact (default) or full", "compact", "full"), q("q", "string", "a case-insensitive substring of the name"),
				q("labelSelector", "string", "as kubectl -l"), q("state", "string", "a workload state"),
				q("sort", "string", "", "name", "-name", "created", "-created"), q("limit", "integer", "1..1000"), q("continue", "string", "the previous page's token")},
			Answer:  openapi.Schema{"oneOf": []any{openapi.Schema{"type": "array", "items": objects}, openapi.Ref(openapi.WorkloadPage)}},
			Handler: handle(r.Workloads.List)},
		{Method: "GET", Path: "/workload/{namespace}/{type}/{name}", ID: "getWorkload", Tag: "workloads", Summary: "The object (without managedFields)",
			Handler: handle(r.Workloads.Get)},
		{Method: "DELETE", Path: "/workload/{namespace}/{type}/{name}", ID: "deleteWorkload", Tag: "workloads", Summary: "Delete with background propagation",
			Handler: handle(r.Workloads.Delete)},
		{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/pods", ID: "getWorkloadPods", Tag: "workloads", Summary: "The pods the workload controls, by controller UID",
			Handler: handle(r.Workloads.Pods)},
		{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/events", ID: "getWorkloadEvents", Tag: "workloads", Summary: "The object's Events, newest first",
			Handler: handle(r.Workloads.Events)},
		{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/rollout", ID: "getWorkloadRollout", Tag: "workloads", Summary: "The Rollout governing the workload, or null",
			Nullable: true, Handler: handle(r.Workloads.Rollout)},
		{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/pods/{pod}/log", ID: "getPodLog", Tag: "workloads", Summary: "The last lines of a container's log",
			Query: []openapi.Param{q("container", "string", ""), q("tailLines", "integer", "default 200, at most 5000")}, Handler: handle(r.Workloads.PodLogs)},
		{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/image", ID: "setImage", Tag: "workloads", Summary: "Set container images (one guarded JSON patch)",
			Query: []openapi.Param{dryRun}, Handler: handle(r.Workloads.SetImage)},
		{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/scale", ID: "scaleWorkload", Tag: "workloads", Summary: "Merge patch of the /scale subresource",
			Query: []openapi.Param{q("replicas", "integer", "plain digits, at most the configured maximum")}, Handler: handle(r.Workloads.Scale)},
		{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/restart", ID: "restartWorkload", Tag: "workloads", Summary: "Stamp the pod template's restartedAt annotation",
			Handler: handle(r.Workloads.Restart)},
		{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/action/{action}", ID: "runAction", Tag: "workloads", Summary: "A declared type's named action",
			Query: []openapi.Param{dryRun}, Handler: handle(r.Workloads.Act)},

		// Literal second segments first: /rollout/{namespace}/{name} has the same shape.
		{Method: "GET", Path: "/rollout/status/{namespace}/{name}", ID: "getRolloutStatus", Tag: "rollouts", Summary: "The normalised status",
			Handler: handle(r.Rollouts.Status)},
		{Method: "GET", Path: "/rollout/history/{namespace}/{name}", ID: "getRolloutHistory", Tag: "rollouts", Summary: "The workload's revisions, oldest first",
			Handler: handle(r.Rollouts.History)},
		{Method: "GET", Path: "/rollout/evidence/{namespace}/{name}", ID: "getRolloutEvidence", Tag: "rollouts", Summary: "The release's evidence: canary pods against stable pods from Prometheus, and the verdict (409 without a release in progress)",
			Handler: handle(r.Rollouts.Evidence)},
		{Method: "GET", Path: "/rollout/timeline/{namespace}/{name}", ID: "getRolloutTimeline", Tag: "rollouts", Summary: "The release's timeline: start, steps (who approved when, why), end; from the status and the dashboard's record on the Rollout",
			Handler: handle(r.Rollouts.Timeline)},
		{Method: "GET", Path: "/rollout/traffic/{namespace}/{name}", ID: "getRolloutTraffic", Tag: "rollouts", Summary: "The traffic per step as planned, and the weights and matches the controller wrote (canary Ingress annotations, HTTPRoute backends), read as the user",
			Handler: handle(r.Traffic.Traffic)},
		{Method: "GET", Path: "/rollout/events/{namespace}/{name}", ID: "getRolloutEvents", Tag: "rollouts", Summary: "The Rollout's Events, newest first",
			Handler: handle(r.Rollouts.Events)},
		{Method: "GET", Path: "/rollout/list/{namespace}", ID: "listRollouts", Tag: "rollouts", Summary: "Rollouts' statuses (namespace may be _all)",
			Answer: rolloutStatuses, Handler: handle(r.Rollouts.List)},
		{Method: "GET", Path: "/rollout/active/{namespace}", ID: "listActiveRollouts", Tag: "rollouts", Summary: "Releases in flight (namespace may be _all)",
			Answer: rolloutStatuses, Handler: handle(r.Rollouts.Active)},
		{Method: "GET", Path: "/rollout/waiting", ID: "listWaitingRollouts", Tag: "rollouts", Summary: "Every release waiting for a person, in namespaces the user may read",
			Answer: rolloutStatuses, Handler: handle(r.Rollouts.Waiting)},
		{Method: "POST", Path: "/rollout/approve-many", ID: "approveMany", Tag: "rollouts", Summary: "Approve each item's step if it is still the one waiting",
			Handler: handle(r.Rollouts.ApproveMany)},
		{Method: "POST", Path: "/rollout/pause/{namespace}/{name}", ID: "pauseRollout", Tag: "rollouts", Summary: "Pause the release",
			Handler: handle(r.Rollouts.Pause)},
		{Method: "POST", Path: "/rollout/resume/{namespace}/{name}", ID: "resumeRollout", Tag: "rollouts", Summary: "Resume the release",
			Handler: handle(r.Rollouts.Resume)},
		{Method: "POST", Path: "/rollout/approve/{namespace}/{name}", ID: "approveRollout", Tag: "rollouts", Summary: "Approve the waiting step (409 if the Rollout is no longer at step)",
			Query: []openapi.Param{q("step", "integer", "the step seen waiting, from 1; absent: whichever step waits now"),
				q("reason", "string", "the approver's reason, at most 500 characters (required for a worse verdict when the policy is on: 409 REASON_REQUIRED)")}, Handler: handle(r.Rollouts.Approve)},
		{Method: "POST", Path: "/rollout/promote/{namespace}/{name}", ID: "promoteRollout", Tag: "rollouts", Summary: "Deprecated: to the next step the same as approve; to another step (default the last) a jump",
			Query: []openapi.Param{q("to", "integer", "1-based step")}, Deprecated: true, Handler: handle(r.Rollouts.Promote)},
		{Method: "POST", Path: "/rollout/undo/{namespace}/{name}", ID: "undoRollout", Tag: "rollouts", Summary: "Roll the workload's template back to the previous (or given) revision",
			Query: []openapi.Param{q("revision", "integer", ""), dryRun}, Handler: handle(r.Rollouts.Undo)},
		{Method: "POST", Path: "/rollout/restart/{namespace}/{name}", ID: "restartRollout", Tag: "rollouts", Summary: "Restart the workload's containers as its update strategy honours",
			Query: []openapi.Param{dryRun}, Handler: handle(r.Rollouts.Restart)},
		{Method: "POST", Path: "/rollout/enable/{namespace}/{name}", ID: "enableRollout", Tag: "rollouts", Summary: "spec.disabled false",
			Handler: handle(r.Rollouts.Enable)},
		{Method: "POST", Path: "/rollout/disable/{namespace}/{name}", ID: "disableRollout", Tag: "rollouts", Summary: "spec.disabled true",
			Handler: handle(r.Rollouts.Disable)},
		{Method: "GET", Path: "/rollout/{namespace}/{name}", ID: "getRollout", Tag: "rollouts", Summary: "The Rollout object",
			Handler: handle(r.Rollouts.Get)},
	}
}

// register serves the probes and the route table. Whatever answers GET answers HEAD the same
// way: the same handler, whose body net/http drops.
func (r Routes) register(srv *khttp.Server) {
	serve := func(rt *khttp.Router, method, path string, h khttp.HandlerFunc) {
		rt.Handle(method, path, h)
		if method == http.MethodGet {
			rt.Handle(http.MethodHead, path, h)
		}
	}
	// The probes: outside the API, undocumented.
	root := srv.Route("/")
	serve(root, http.MethodGet, "/healthz", handle(func(context.Context, service.Input, service.None) (string, error) { return "ok", nil }).serve)
	serve(root, http.MethodGet, "/readyz", handle(func(_ context.Context, in service.Input, _ service.None) (any, error) {
		if err := r.Cache.Synced(); err != nil {
			return nil, err
		}
		if _, verbose := in.Query["verbose"]; verbose {
			return readiness{Cache: "ok", Declarations: append([]registry.Refusal{}, r.Registry.Refused()...)}, nil
		}
		return "ok", nil
	}).serve)

	api := srv.Route("/api/v1")
	for _, rt := range r.table() {
		if rt.Handler.serve == nil {
			continue
		}
		// The cluster's form first: /clusters/{cluster}/… never collides with an existing path,
		// and /clusters itself is a literal route.
		if !rt.Global {
			serve(api, rt.Method, ClusterPrefix+rt.Path, r.inCluster(rt.ID))
		}
		serve(api, rt.Method, rt.Path, rt.Handler.serve)
	}
}

// ClusterPrefix is the path segment naming a cluster; the unprefixed routes are the home's.
const ClusterPrefix = "/clusters/{cluster}"

// inCluster serves route id of the cluster the path names, with that cluster's own handler: the
// same route → service → biz → data chain as the home's, over that cluster's data.
func (r Routes) inCluster(id string) khttp.HandlerFunc {
	return func(kctx khttp.Context) error {
		h, err := r.Clusters.Handler(kctx.Vars().Get("cluster"), id)
		if err != nil {
			name(kctx)
			return err
		}
		return h(kctx)
	}
}

// op is what the document says of the route.
func (rt Route) op() openapi.Op {
	op := openapi.Op{Method: rt.Method, Path: rt.Path, ID: rt.ID, Summary: rt.Summary, Tag: rt.Tag, Query: rt.Query,
		Body: rt.Handler.body, Answer: rt.Handler.answer, Nullable: rt.Nullable, Schema: rt.Answer, Raw: rt.Raw, Public: rt.Public, Deprecated: rt.Deprecated}
	if rt.Handler.answer == redirectType {
		op.Raw = openapi.Redirect
	}
	return op
}

// Operations are the route table's operations, in its order.
func Operations() []openapi.Op {
	var ops []openapi.Op
	for _, rt := range (Routes{}).table() {
		ops = append(ops, rt.op())
	}
	// Every cluster's form after the home's (the document's order is the UI types' order).
	for _, rt := range (Routes{}).table() {
		if rt.Global {
			continue
		}
		op := rt.op()
		op.Path, op.ID = ClusterPrefix+op.Path, op.ID+"InCluster"
		op.Summary = "In the named cluster: " + op.Summary
		ops = append(ops, op)
	}
	return ops
}

var built struct {
	once sync.Once
	doc  []byte
	sum  uint64
}

// Document is the OpenAPI document of the route table, as JSON (written once).
func Document() []byte {
	built.once.Do(func() {
		built.doc = openapi.Build(Operations())
		built.sum = xxhash.Sum64(built.doc)
	})
	return built.doc
}

// document serves the OpenAPI document as it is (tools read it directly, so no envelope),
// conditional and compressible like every answer.
func document(ctx khttp.Context) error {
	doc := Document()
	ctx.Response().Header().Set("Content-Type", "application/json")
	return writeRepresentation(ctx.Response(), ctx.Request(), built.sum, doc)
}
