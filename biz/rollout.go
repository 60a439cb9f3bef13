package biz

import (
	"context"
	"encoding/json"
	"fmt"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// The Rollout use case, one verb per file: rollout_read.go (get, status, list, waiting),
// rollout_pause.go (pause, resume), rollout_enable.go (enable, disable), rollout_approve.go,
// rollout_approve_many.go, rollout_promote.go, and on the referenced workload (rollout_workload.go)
// rollout_history.go, rollout_undo.go, rollout_restart.go. This file holds the type, its
// constructor, the repository it needs and the helpers they share.

// AllNamespaces is the :namespace value that lists Rollouts of every namespace.
const AllNamespaces = "_all"

// RolloutRepo reads Rollouts from the cache and writes them with merge patches.
type RolloutRepo interface {
	// List returns the Rollouts of a namespace ("" for all), sorted by namespace and name.
	List(namespace string) ([]RolloutObject, error)
	Get(namespace, name string) (RolloutObject, error)
	// Fetch reads from the API server, for decisions that must not act on a stale cache.
	Fetch(ctx context.Context, namespace, name string) (RolloutObject, error)
	// Patch sends a JSON merge patch to the object, or to its status subresource.
	Patch(ctx context.Context, namespace, name string, patch []byte, status bool) (RolloutObject, error)
}

// RolloutUsecase serves the /rollout endpoints with the semantics of kubectl-kruise and the
// Kruise Rollout controller (v0.6).
type RolloutUsecase struct {
	repo     RolloutRepo
	rows     RolloutRows
	registry *registry.Registry
	cache    Cache
	ns       NamespaceRepo
	access   Access
	events   *EventUsecase
	tracer   trace.Tracer
	// clock times approve's settling (rollout_approve.go), stamps restarts, the release record
	// and the evidence answered without a measurement (rollout_evidence.go); the wall clock
	// unless a test sets another.
	clock Clock
	// verdict, set by NewEvidenceUsecase when the reason policy is on, is the evidence's verdict
	// of a release (rollout_reason.go); nil: the policy is off.
	verdict func(context.Context, RolloutObject) string
}

// NewRolloutUsecase builds the Rollout use cases.
func NewRolloutUsecase(repo RolloutRepo, rows RolloutRows, reg *registry.Registry, c Cache, ns NamespaceRepo, access Access, events *EventUsecase, tp trace.TracerProvider) *RolloutUsecase {
	return &RolloutUsecase{repo: repo, rows: rows, registry: reg, cache: c, ns: ns, access: access, events: events, tracer: tp.Tracer("biz"), clock: wallClock{}}
}

// ActionResult is the answer of a Rollout action: what changed and the status read back after it.
type ActionResult struct {
	Action  string         `json:"action"`
	Changed bool           `json:"changed"`
	Message string         `json:"message"`
	Warning string         `json:"warning,omitempty"`
	Status  *RolloutStatus `json:"status" openapi:"nonnull"`
}

// actionReasons are the Event reasons of the spec flag actions.
var actionReasons = map[string]string{
	"pause": "PausedByDashboard", "resume": "ResumedByDashboard",
	"disable": "DisabledByDashboard", "enable": "EnabledByDashboard",
}

func (uc *RolloutUsecase) setSpecFlag(ctx context.Context, ns, name, action string, want bool, current func(*rolloutsv1beta1.Rollout) bool, patch map[string]any) (*ActionResult, error) {
	if err := uc.authorizeWrite(ctx, ns, name, ""); err != nil {
		return nil, err
	}
	obj, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	if current(obj.Rollout) == want {
		return &ActionResult{Action: action, Message: fmt.Sprintf("rollout %s/%s: nothing to %s, already in that state", ns, name, action), Status: uc.status(obj)}, nil
	}
	updated, err := uc.patch(ctx, ns, name, patch, false)
	if err != nil {
		return nil, err
	}
	uc.recorded(ctx, updated, actionReasons[action], "%sd", action)
	return &ActionResult{Action: action, Changed: true, Message: fmt.Sprintf("rollout %s/%s: %sd", ns, name, action), Status: uc.status(updated)}, nil
}

// status of a RolloutObject with its workload type resolved.
func (uc *RolloutUsecase) status(obj RolloutObject) *RolloutStatus {
	return normaliseStatus(obj, WorkloadTypeOf(uc.registry, obj.Rollout))
}

func (uc *RolloutUsecase) adapterOf(ro *rolloutsv1beta1.Rollout) (adapters.Adapter, bool) {
	return adapterIn(uc.registry, ro)
}

// reasonOf names the Progressing condition's reason for messages.
func reasonOf(ro *rolloutsv1beta1.Rollout) string {
	if r := progressingReason(ro); r != "" {
		return "progressing: " + r
	}
	return "no release in progress"
}

func phaseOf(ro *rolloutsv1beta1.Rollout) string {
	if ro.Status.Phase == "" {
		return "not observed yet"
	}
	return string(ro.Status.Phase)
}

func (uc *RolloutUsecase) start(ctx context.Context, op, ns, name string) (context.Context, trace.Span) {
	attrs := []attribute.KeyValue{attribute.String("k8s.namespace.name", ns)}
	if name != "" {
		attrs = append(attrs, attribute.String("rollout.name", name))
	}
	return uc.tracer.Start(ctx, "RolloutUsecase."+op, trace.WithAttributes(attrs...))
}

func validateRolloutPath(ns, name string) error {
	if err := ValidateNamespace(ns); err != nil {
		return err
	}
	return ValidateName(name)
}

// find reads a Rollout from the cache, once the user may get it.
func (uc *RolloutUsecase) find(ctx context.Context, ns, name string) (RolloutObject, error) {
	if err := validateRolloutPath(ns, name); err != nil {
		return RolloutObject{}, err
	}
	if err := Authorize(ctx, uc.access, rolloutAttributes("get", ns, name)); err != nil {
		return RolloutObject{}, err
	}
	obj, err := uc.repo.Get(ns, name)
	return obj, FromKube(err, fmt.Sprintf("rollout %s/%s", ns, name))
}

// fetch reads a Rollout from the API server.
func (uc *RolloutUsecase) fetch(ctx context.Context, ns, name string) (RolloutObject, error) {
	if err := validateRolloutPath(ns, name); err != nil {
		return RolloutObject{}, err
	}
	obj, err := uc.repo.Fetch(ctx, ns, name)
	return obj, FromKube(err, fmt.Sprintf("rollout %s/%s", ns, name))
}

// recorded records a successful action as an Event on the Rollout.
func (uc *RolloutUsecase) recorded(ctx context.Context, obj RolloutObject, reason, format string, args ...any) {
	uc.events.Recorded(ctx, obj.Raw.GetObjectKind().GroupVersionKind(), obj.Rollout, reason, format, args...)
}

// authorizeWrite refuses a Rollout action the user may not take (patch of the Rollout or of its
// status subresource) before anything is read.
func (uc *RolloutUsecase) authorizeWrite(ctx context.Context, ns, name, subresource string) error {
	if err := validateRolloutPath(ns, name); err != nil {
		return err
	}
	return authorizeWrite(ctx, uc.access, rolloutAttributes("patch", ns, name), subresource)
}

// rolloutAttributes is the access question for verb on Rollouts.
func rolloutAttributes(verb, ns, name string) Attributes {
	return Attributes{Verb: verb, Group: rolloutsv1beta1.GroupVersion.Group, Resource: "rollouts", Namespace: ns, Name: name}
}

func (uc *RolloutUsecase) patch(ctx context.Context, ns, name string, patch map[string]any, status bool) (RolloutObject, error) {
	body, err := json.Marshal(patch)
	if err != nil {
		return RolloutObject{}, Internal(err, "encode patch: %v", err)
	}
	what := fmt.Sprintf("rollout %s/%s", ns, name)
	if status {
		what += " status"
	}
	obj, err := uc.repo.Patch(ctx, ns, name, body, status)
	return obj, FromKube(err, what)
}
