// Package openapi is the OpenAPI 3 document of /api/v1, served at /api/v1/openapi.json. Its
// operations are listed here once; their answers' schemas are derived from the Go types the
// handlers return (what encoding/json writes), so the document follows the code. The
// integration tests validate every answer they receive against it, a test checks its
// operations against the route table, and the UI's TypeScript types are generated from it.
package openapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Names of the schemas written here rather than derived.
const (
	KubeObject      = "KubeObject"
	CompactWorkload = "CompactWorkload"
	WorkloadPage    = "WorkloadPage"
	Error           = "Error"
)

// renamed are Go types whose name says less than the API's.
var renamed = map[reflect.Type]string{
	reflect.TypeFor[adapters.Info]():      "WorkloadType",
	reflect.TypeFor[biz.ApproveOutcome](): "ApproveItemResult",
	reflect.TypeFor[biz.Event]():          "KubeEvent",
	reflect.TypeFor[biz.WorkloadPods]():   "WorkloadWithPods",
	reflect.TypeFor[biz.ObjectChange]():   "WatchChange",
}

// Extra are types the API sends outside the JSON answers: a live stream's change event.
var Extra = []any{biz.ObjectChange{}}

// Op is one operation: the answer's type (a Go value of it), the body's, and the query.
type Op struct {
	Method, Path, ID, Summary, Tag string
	Query                          []Param
	Body                           any
	// Answer is a Go value of the data's type, or a Schema.
	Answer any
	// Raw: the answer is not enveloped (the document itself, the event stream, redirects).
	Raw Schema
	// Public: no sign-in needed in any mode.
	Public bool
}

// Param is a query parameter.
type Param struct {
	Name, Type, Description string
	Enum                    []string
}

func q(name, typ, desc string, enum ...string) Param {
	return Param{Name: name, Type: typ, Description: desc, Enum: enum}
}

var dryRun = q("dryRun", "boolean", "true: run it through the API server's admission and store nothing (the preview)")

// Authentication answers.
type (
	authConfig struct {
		Mode     string `json:"mode" enum:"none,token,oidc"`
		ReadOnly bool   `json:"readOnly"`
	}
	signedOut struct {
		SignedOut bool `json:"signedOut"`
	}
	workloadRollout struct {
		Name   string             `json:"name"`
		Status *biz.RolloutStatus `json:"status" openapi:"nonnull"`
	}
)

// Operations is every operation of /api/v1, in the route table's order.
var Operations = []Op{
	{Method: "GET", Path: "/auth/config", ID: "getAuthConfig", Public: true, Tag: "auth", Summary: "The sign-in mode and the read-only switch (no sign-in needed)", Answer: authConfig{}},
	{Method: "POST", Path: "/auth/login", ID: "login", Public: true, Tag: "auth", Summary: "Sign in with a Kubernetes bearer token: reviewed, then a sealed session cookie",
		Body: struct {
			Token string `json:"token"`
		}{}, Answer: biz.Me{}},
	{Method: "POST", Path: "/auth/logout", ID: "logout", Public: true, Tag: "auth", Summary: "Clear the session cookie", Answer: signedOut{}},
	{Method: "GET", Path: "/auth/oidc/login", ID: "oidcLogin", Public: true, Tag: "auth", Summary: "Start OpenID Connect sign-in (redirect to the provider)",
		Query: []Param{q("redirect", "string", "a path on this site to return to")}, Raw: redirect},
	{Method: "GET", Path: "/auth/oidc/callback", ID: "oidcCallback", Public: true, Tag: "auth", Summary: "The provider's redirect back (code, state)",
		Query: []Param{q("code", "string", ""), q("state", "string", "")}, Raw: redirect},
	{Method: "GET", Path: "/me", ID: "me", Tag: "auth", Summary: "Who the user is; with a namespace, which actions they may take",
		Query: []Param{q("namespace", "string", "")}, Answer: biz.Me{}},
	{Method: "GET", Path: "/openapi.json", ID: "openapi", Public: true, Tag: "meta", Summary: "This document (no sign-in needed)",
		Raw: Schema{"200": Schema{"description": "the OpenAPI 3 document", "content": Schema{"application/json": Schema{"schema": Schema{"type": "object"}}}}}},

	{Method: "GET", Path: "/cluster/metrics", ID: "getClusterMetrics", Tag: "cluster", Summary: "Node counts, usage (metrics.k8s.io) and requests over allocatable", Answer: biz.ClusterMetrics{}},
	{Method: "GET", Path: "/summary/{namespace}", ID: "getSummary", Tag: "cluster", Summary: "What the overview shows: counts per type and state, releases in flight, cluster figures", Answer: biz.Summary{}},
	{Method: "GET", Path: "/namespaces", ID: "listNamespaces", Tag: "cluster", Summary: "Namespaces the user may see, sorted", Answer: []string{}},
	{Method: "GET", Path: "/workload-types", ID: "listWorkloadTypes", Tag: "workloads", Summary: "The registry: every type with its capabilities, scope, columns and actions", Answer: []adapters.Info{}},
	{Method: "GET", Path: "/watch", ID: "watch", Tag: "cluster", Summary: "The live stream of changes (Server-Sent Events: ready, change, reset, heartbeat)",
		Query: []Param{q("namespace", "string", "a namespace or _all"), q("type", "string", "a workload type or rollout"), q("name", "string", ""), q("lastEventId", "string", "resume after this id")},
		Raw:   Schema{"200": Schema{"description": "text/event-stream", "content": Schema{"text/event-stream": Schema{"schema": Schema{"type": "string"}}}}}},

	{Method: "GET", Path: "/workload/{namespace}", ID: "listAllWorkloads", Tag: "workloads", Summary: "Every type's objects, keyed by plural",
		Answer: Schema{"type": "object", "additionalProperties": Schema{"type": "array", "items": ref(KubeObject)}}},
	{Method: "GET", Path: "/workload/{namespace}/{type}", ID: "listWorkloads", Tag: "workloads", Summary: "Objects of one type by name; with any query parameter, a page",
		Query: []Param{q("view", "string", "compact (default) or full", "compact", "full"), q("q", "string", "a case-insensitive substring of the name"),
			q("labelSelector", "string", "as kubectl -l"), q("state", "string", "a workload state"),
			q("sort", "string", "", "name", "-name", "created", "-created"), q("limit", "integer", "1..1000"), q("continue", "string", "the previous page's token")},
		Answer: Schema{"oneOf": []any{Schema{"type": "array", "items": ref(KubeObject)}, ref(WorkloadPage)}}},
	{Method: "GET", Path: "/workload/{namespace}/{type}/{name}", ID: "getWorkload", Tag: "workloads", Summary: "The object (without managedFields)", Answer: ref(KubeObject)},
	{Method: "DELETE", Path: "/workload/{namespace}/{type}/{name}", ID: "deleteWorkload", Tag: "workloads", Summary: "Delete with background propagation", Answer: biz.Deleted{}},
	{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/pods", ID: "getWorkloadPods", Tag: "workloads", Summary: "The pods the workload controls, by controller UID", Answer: biz.WorkloadPods{Pods: []*corev1.Pod{}}},
	{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/events", ID: "getWorkloadEvents", Tag: "workloads", Summary: "The object's Events, newest first", Answer: []biz.Event{}},
	{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/rollout", ID: "getWorkloadRollout", Tag: "workloads", Summary: "The Rollout governing the workload, or null", Answer: &workloadRollout{}},
	{Method: "GET", Path: "/workload/{namespace}/{type}/{name}/pods/{pod}/log", ID: "getPodLog", Tag: "workloads", Summary: "The last lines of a container's log",
		Query: []Param{q("container", "string", ""), q("tailLines", "integer", "default 200, at most 5000")}, Answer: biz.PodLog{}},
	{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/image", ID: "setImage", Tag: "workloads", Summary: "Set container images (one guarded JSON patch)",
		Query: []Param{dryRun}, Body: struct {
			Images map[string]string `json:"images"`
		}{}, Answer: biz.SetImageResult{}},
	{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/scale", ID: "scaleWorkload", Tag: "workloads", Summary: "Merge patch of the /scale subresource",
		Query: []Param{q("replicas", "integer", "plain digits, at most the configured maximum")}, Answer: autoscalingv1.Scale{}},
	{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/restart", ID: "restartWorkload", Tag: "workloads", Summary: "Stamp the pod template's restartedAt annotation", Answer: ref(KubeObject)},
	{Method: "POST", Path: "/workload/{namespace}/{type}/{name}/action/{action}", ID: "runAction", Tag: "workloads", Summary: "A declared type's named action",
		Query: []Param{dryRun}, Body: struct {
			Params map[string]any `json:"params"`
		}{}, Answer: ref(KubeObject)},

	{Method: "GET", Path: "/rollout/status/{namespace}/{name}", ID: "getRolloutStatus", Tag: "rollouts", Summary: "The normalised status", Answer: biz.RolloutStatus{}},
	{Method: "GET", Path: "/rollout/history/{namespace}/{name}", ID: "getRolloutHistory", Tag: "rollouts", Summary: "The workload's revisions, oldest first", Answer: biz.History{}},
	{Method: "GET", Path: "/rollout/events/{namespace}/{name}", ID: "getRolloutEvents", Tag: "rollouts", Summary: "The Rollout's Events, newest first", Answer: []biz.Event{}},
	{Method: "GET", Path: "/rollout/list/{namespace}", ID: "listRollouts", Tag: "rollouts", Summary: "Rollouts' statuses (namespace may be _all)", Answer: []*biz.RolloutStatus{}},
	{Method: "GET", Path: "/rollout/active/{namespace}", ID: "listActiveRollouts", Tag: "rollouts", Summary: "Releases in flight (namespace may be _all)", Answer: []*biz.RolloutStatus{}},
	{Method: "GET", Path: "/rollout/waiting", ID: "listWaitingRollouts", Tag: "rollouts", Summary: "Every release waiting for a person, in namespaces the user may read", Answer: []*biz.RolloutStatus{}},
	{Method: "POST", Path: "/rollout/approve-many", ID: "approveMany", Tag: "rollouts", Summary: "Approve each item's step if it is still the one waiting",
		Body: struct {
			Items []biz.ApproveItem `json:"items"`
		}{}, Answer: []biz.ApproveOutcome{}},
	{Method: "POST", Path: "/rollout/pause/{namespace}/{name}", ID: "pauseRollout", Tag: "rollouts", Summary: "Pause the release", Answer: biz.ActionResult{}},
	{Method: "POST", Path: "/rollout/resume/{namespace}/{name}", ID: "resumeRollout", Tag: "rollouts", Summary: "Resume the release", Answer: biz.ActionResult{}},
	{Method: "POST", Path: "/rollout/approve/{namespace}/{name}", ID: "approveRollout", Tag: "rollouts", Summary: "Approve the waiting step", Answer: biz.ActionResult{}},
	{Method: "POST", Path: "/rollout/promote/{namespace}/{name}", ID: "promoteRollout", Tag: "rollouts", Summary: "Jump to step N (default the last)",
		Query: []Param{q("to", "integer", "1-based step")}, Answer: biz.ActionResult{}},
	{Method: "POST", Path: "/rollout/undo/{namespace}/{name}", ID: "undoRollout", Tag: "rollouts", Summary: "Roll the workload's template back to the previous (or given) revision",
		Query: []Param{q("revision", "integer", ""), dryRun}, Answer: biz.UndoResult{}},
	{Method: "POST", Path: "/rollout/restart/{namespace}/{name}", ID: "restartRollout", Tag: "rollouts", Summary: "Restart the workload's containers as its update strategy honours",
		Query: []Param{dryRun}, Answer: biz.RestartResult{}},
	{Method: "POST", Path: "/rollout/enable/{namespace}/{name}", ID: "enableRollout", Tag: "rollouts", Summary: "spec.disabled false", Answer: biz.ActionResult{}},
	{Method: "POST", Path: "/rollout/disable/{namespace}/{name}", ID: "disableRollout", Tag: "rollouts", Summary: "spec.disabled true", Answer: biz.ActionResult{}},
	{Method: "GET", Path: "/rollout/{namespace}/{name}", ID: "getRollout", Tag: "rollouts", Summary: "The Rollout object", Answer: ref(KubeObject)},
}

var redirect = Schema{"302": Schema{"description": "a redirect (to the provider, or back to the page)"}}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

var built struct {
	once sync.Once
	doc  []byte
}

// Document is the OpenAPI document as JSON (built once).
func Document() []byte {
	built.once.Do(func() { built.doc = build() })
	return built.doc
}

func build() []byte {
	s := newSchemas()
	paths := map[string]Schema{}
	for _, op := range Operations {
		operation := Schema{"operationId": op.ID, "summary": op.Summary, "tags": []string{op.Tag}}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, Schema{"name": m[1], "in": "path", "required": true, "schema": Schema{"type": "string"}})
		}
		for _, p := range op.Query {
			schema := Schema{"type": p.Type}
			if len(p.Enum) > 0 {
				schema["enum"] = p.Enum
			}
			param := Schema{"name": p.Name, "in": "query", "schema": schema}
			if p.Description != "" {
				param["description"] = p.Description
			}
			params = append(params, param)
		}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		if op.Body != nil {
			operation["requestBody"] = Schema{"required": true, "content": Schema{"application/json": Schema{"schema": s.answer(op.Body)}}}
		}
		responses := Schema{"default": Schema{"$ref": "#/components/responses/Error"}}
		if op.Raw != nil {
			for code, r := range op.Raw {
				responses[code] = r
			}
		} else {
			responses["200"] = Schema{"description": "OK", "content": Schema{"application/json": Schema{"schema": Schema{
				"type": "object", "required": []string{"data"}, "properties": Schema{"data": s.answer(op.Answer)}}}}}
			if op.Method == "GET" {
				responses["304"] = Schema{"description": "Not Modified (If-None-Match matched the ETag)"}
			}
		}
		operation["responses"] = responses
		if op.Public {
			operation["security"] = []any{}
		}
		item := paths["/api/v1"+op.Path]
		if item == nil {
			item = Schema{}
			paths["/api/v1"+op.Path] = item
		}
		item[strings.ToLower(op.Method)] = operation
	}
	for _, v := range Extra {
		s.of(reflect.TypeOf(v))
	}
	s.written()
	doc := Schema{
		"openapi": "3.0.3",
		"info": Schema{"title": "Kruise Dashboard API", "version": "v1",
			"description": "OpenKruise workloads and Kruise Rollouts. Every answer is {\"data\": …}; every error {\"trace_id\",\"message\",\"code\"}. In auth modes token and oidc, sign in (session cookie) or send Authorization: Bearer <token>; in mode none (loopback only) nothing is needed. Kubernetes RBAC decides every action."},
		"paths": paths,
		"components": Schema{
			"schemas":   s.components,
			"responses": Schema{"Error": Schema{"description": "an error", "content": Schema{"application/json": Schema{"schema": ref(Error)}}}},
			"securitySchemes": Schema{
				"bearer":  Schema{"type": "http", "scheme": "bearer", "description": "a Kubernetes bearer token"},
				"session": Schema{"type": "apiKey", "in": "cookie", "name": "kd_session"},
			},
		},
		"security": []any{Schema{"bearer": []string{}}, Schema{"session": []string{}}},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("openapi: " + err.Error())
	}
	return append(out, '\n')
}

// answer is the schema of an operation's data or body: a Schema as it is, else derived.
func (s *schemas) answer(v any) Schema {
	if schema, ok := v.(Schema); ok {
		return schema
	}
	return s.of(reflect.TypeOf(v))
}

// written adds the schemas written here rather than derived: a Kubernetes object (whatever its
// kind: spec and status are the CRD's), a page's compact item, a page, and the error body.
func (s *schemas) written() {
	open := Schema{"type": "object", "additionalProperties": true, "x-kubernetes-preserve-unknown-fields": true}
	meta := s.of(reflect.TypeFor[metav1.ObjectMeta]())
	// What the API server gives every object it stores, though the Go type may omit them.
	objectMeta := s.components["ObjectMeta"]
	objectMeta["required"] = []string{"creationTimestamp", "name", "resourceVersion", "uid"}
	s.components[KubeObject] = Schema{"type": "object", "required": []string{"apiVersion", "kind", "metadata"}, "additionalProperties": true,
		"properties": Schema{"apiVersion": Schema{"type": "string"}, "kind": Schema{"type": "string"}, "metadata": meta, "spec": open, "status": open}}
	s.components[CompactWorkload] = Schema{"type": "object", "required": []string{"apiVersion", "kind", "metadata"}, "additionalProperties": true,
		"description": "view compact: the object pruned to what a list shows, with the state and the column values its type computes; view full: the whole object",
		"properties": Schema{"apiVersion": Schema{"type": "string"}, "kind": Schema{"type": "string"}, "metadata": meta, "spec": open, "status": open,
			"state": Schema{"type": "string"}, "columns": Schema{"type": "object", "additionalProperties": true}}}
	s.components[WorkloadPage] = Schema{"type": "object", "required": []string{"items", "total"},
		"properties": Schema{"items": Schema{"type": "array", "items": ref(CompactWorkload)},
			"total": Schema{"type": "integer"}, "continue": Schema{"type": "string", "description": "the next page's token; empty on the last page"}}}
	s.components[Error] = Schema{"type": "object", "required": []string{"trace_id", "message", "code"},
		"properties": Schema{"trace_id": Schema{"type": "string"}, "message": Schema{"type": "string"}, "code": Schema{"type": "string"}}}
}

// Paths lists "METHOD /api/v1/path" of every operation, sorted (the route table must serve the same).
func Paths() []string {
	var out []string
	for _, op := range Operations {
		out = append(out, op.Method+" /api/v1"+op.Path)
	}
	sort.Strings(out)
	return out
}
