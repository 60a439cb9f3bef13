package biz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

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
	registry *registry.Registry
	cache    Cache
	ns       NamespaceRepo
	access   Access
	events   *EventUsecase
	tracer   trace.Tracer
	now      func() time.Time
}

// NewRolloutUsecase builds the Rollout use cases.
func NewRolloutUsecase(repo RolloutRepo, reg *registry.Registry, c Cache, ns NamespaceRepo, access Access, events *EventUsecase, tp trace.TracerProvider) *RolloutUsecase {
	return &RolloutUsecase{repo: repo, registry: reg, cache: c, ns: ns, access: access, events: events, tracer: tp.Tracer("biz"), now: time.Now}
}

// ActionResult is the answer of a Rollout action: what changed and the status read back after it.
type ActionResult struct {
	Action  string         `json:"action"`
	Changed bool           `json:"changed"`
	Message string         `json:"message"`
	Warning string         `json:"warning,omitempty"`
	Status  *RolloutStatus `json:"status" openapi:"nonnull"`
}

// Get returns the Rollout as served.
func (uc *RolloutUsecase) Get(ctx context.Context, ns, name string) (runtime.Object, error) {
	ctx, span := uc.start(ctx, "Get", ns, name)
	defer span.End()
	obj, err := uc.find(ctx, ns, name)
	return obj.Raw, err
}

// Status returns the normalised status.
func (uc *RolloutUsecase) Status(ctx context.Context, ns, name string) (*RolloutStatus, error) {
	ctx, span := uc.start(ctx, "Status", ns, name)
	defer span.End()
	obj, err := uc.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	st := uc.status(obj)
	if st.Active {
		// Where the pods stand; a workload that cannot be read leaves it out, not the status.
		if a, _, workload, err := uc.workload(obj); err == nil && Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "pods", Namespace: ns}) == nil {
			if pods, err := a.Pods(workload.(metav1.Object)); err == nil {
				st.Pods = releasePods(st, workload, pods)
			}
		}
	}
	return st, nil
}

// List returns every Rollout of ns (or of all namespaces for "_all") with its status; active
// ones only when activeOnly.
func (uc *RolloutUsecase) List(ctx context.Context, ns string, activeOnly bool) ([]*RolloutStatus, error) {
	ctx, span := uc.start(ctx, "List", ns, "")
	defer span.End()
	scope := ns
	if ns == AllNamespaces {
		scope = ""
	} else if err := ValidateNamespace(ns); err != nil {
		return nil, err
	}
	// Every namespace: a user who may not list Rollouts cluster-wide sees those of the
	// namespaces where they may.
	visible := func(string) bool { return true }
	if err := Authorize(ctx, uc.access, rolloutAttributes("list", scope, "")); err != nil {
		if scope != "" || !IsForbidden(err) {
			return nil, err
		}
		visible = func(ns string) bool { return Authorize(ctx, uc.access, rolloutAttributes("list", ns, "")) == nil }
	}
	if scope != "" {
		// A namespace that does not exist is 404, as for workloads, not an empty list.
		if err := uc.cache.CoreReady(); err != nil {
			return nil, err
		}
		if _, err := uc.ns.Get(scope); err != nil {
			return nil, FromKube(err, "namespace "+scope)
		}
	}
	objs, err := uc.repo.List(scope)
	if err != nil {
		return nil, FromKube(err, "rollouts")
	}
	out := make([]*RolloutStatus, 0, len(objs))
	for _, obj := range objs {
		if activeOnly && !isActive(obj.Rollout) || !visible(obj.Rollout.Namespace) {
			continue
		}
		out = append(out, uc.status(obj))
	}
	// Active releases first; the repository's namespace/name order otherwise.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Active && !out[j].Active })
	span.SetAttributes(attribute.Int("rollouts", len(out)))
	return out, nil
}

// SetPaused sets spec.strategy.paused, as `kubectl-kruise rollout pause|resume`; asking for the
// state it is already in changes nothing and says so.
func (uc *RolloutUsecase) SetPaused(ctx context.Context, ns, name string, paused bool) (*ActionResult, error) {
	action := map[bool]string{true: "pause", false: "resume"}[paused]
	ctx, span := uc.start(ctx, "SetPaused", ns, name)
	defer span.End()
	return uc.setSpecFlag(ctx, ns, name, action, paused, func(ro *rolloutsv1beta1.Rollout) bool { return ro.Spec.Strategy.Paused },
		map[string]any{"spec": map[string]any{"strategy": map[string]any{"paused": paused}}})
}

// SetDisabled sets spec.disabled (enable/disable).
func (uc *RolloutUsecase) SetDisabled(ctx context.Context, ns, name string, disabled bool) (*ActionResult, error) {
	action := map[bool]string{true: "disable", false: "enable"}[disabled]
	ctx, span := uc.start(ctx, "SetDisabled", ns, name)
	defer span.End()
	return uc.setSpecFlag(ctx, ns, name, action, disabled, func(ro *rolloutsv1beta1.Rollout) bool { return ro.Spec.Disabled },
		map[string]any{"spec": map[string]any{"disabled": disabled}})
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

// Approve moves the step waiting in StepPaused to StepReady in the status subresource, as
// `kubectl-kruise rollout approve`; the controller then starts the next step. The write carries
// the resourceVersion read, so it cannot overwrite a newer status; the state is read back after.
func (uc *RolloutUsecase) Approve(ctx context.Context, ns, name string) (*ActionResult, error) {
	ctx, span := uc.start(ctx, "Approve", ns, name)
	defer span.End()
	if err := uc.authorizeWrite(ctx, ns, name, "status"); err != nil {
		return nil, err
	}
	obj, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	ro := obj.Rollout
	sub := subStatus(ro)
	if sub == nil {
		return nil, Conflict(nil, "rollout %s/%s is not waiting for approval: no canary or blue-green release in progress (phase %s)", ns, name, phaseOf(ro))
	}
	if !approvable(ro) {
		return nil, Conflict(nil, "rollout %s/%s is not waiting for approval: step %d of %d is in state %s (phase %s, %s)",
			ns, name, sub.CurrentStepIndex, len(ro.Spec.Strategy.GetSteps()), sub.CurrentStepState, phaseOf(ro), reasonOf(ro))
	}
	step := sub.CurrentStepIndex
	after, changed, err := uc.approveStep(ctx, obj, step)
	if err != nil {
		return nil, err
	}
	st := uc.status(after)
	if !changed {
		return &ActionResult{Action: "approve", Status: st,
			Message: fmt.Sprintf("rollout %s/%s: step %d was approved by someone else first; now step %d in state %s", ns, name, step, st.CurrentStepIndex, st.CurrentStepState)}, nil
	}
	uc.recorded(ctx, after, "ApprovedByDashboard", "step %d approved", step)
	res := &ActionResult{Action: "approve", Changed: true, Status: st,
		Message: fmt.Sprintf("rollout %s/%s: step %d approved; now step %d in state %s", ns, name, step, st.CurrentStepIndex, st.CurrentStepState)}
	if ro.Spec.Strategy.Paused {
		res.Warning = "the rollout is paused: the next step starts only after resume, and the controller may discard an approval given while paused (approve again after resume if it waits)"
	}
	return res, nil
}

// Approval settling: the controller (v0.6) writes its whole status from a copy read before it
// reconciles, so an approval landing in that window is overwritten and the step is StepPaused
// again. Approve watches for that briefly and approves again, a bounded number of times.
const (
	approveAttempts = 3
	approveSettle   = 1500 * time.Millisecond
	approvePoll     = 150 * time.Millisecond
)

// approveStep writes StepReady for the waiting step (carrying the resourceVersion read) and
// returns the Rollout read back once the controller moved on, or the settle time passed, and
// whether this request's write is the one that approved it (of concurrent approvals exactly one
// lands: the others meet a newer resourceVersion and find the step no longer waiting).
func (uc *RolloutUsecase) approveStep(ctx context.Context, obj RolloutObject, step int32) (RolloutObject, bool, error) {
	ns, name := obj.Rollout.Namespace, obj.Rollout.Name
	landed := false
	for attempt := 1; ; attempt++ {
		patch := map[string]any{
			"metadata": map[string]any{"resourceVersion": obj.Rollout.ResourceVersion},
			"status":   map[string]any{subStatusField(obj.Rollout): map[string]any{"currentStepState": rolloutsv1beta1.CanaryStepStateReady}},
		}
		if _, err := uc.patch(ctx, ns, name, patch, true); err != nil {
			// The status was written since it was read: approve again on the new version if the
			// same step still waits (the controller's write); otherwise someone else approved.
			if !apierrors.IsConflict(err) || attempt == approveAttempts {
				return obj, landed, err
			}
			if obj, err = uc.fetch(ctx, ns, name); err != nil {
				return obj, landed, err
			}
			if sub := subStatus(obj.Rollout); sub == nil || sub.CurrentStepIndex != step || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused || !approvable(obj.Rollout) {
				return obj, landed, nil
			}
			continue
		}
		landed = true
		deadline := time.Now().Add(approveSettle)
		for {
			select {
			case <-ctx.Done():
				return obj, landed, Unavailable(ctx.Err(), "rollout %s/%s: approved, but the request ended before the new state was read", ns, name)
			case <-time.After(approvePoll):
			}
			var err error
			if obj, err = uc.fetch(ctx, ns, name); err != nil {
				return obj, landed, err
			}
			sub := subStatus(obj.Rollout)
			switch {
			case sub == nil || sub.CurrentStepIndex != step || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused && sub.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady:
				return obj, landed, nil // the controller moved on
			case sub.CurrentStepState == rolloutsv1beta1.CanaryStepStatePaused && attempt < approveAttempts:
				// Overwritten by the controller: approve again on the version just read.
			case time.Now().Before(deadline) && sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateReady:
				continue
			default:
				return obj, landed, nil
			}
			break
		}
	}
}

// Promote jumps to step `to` (1-based; empty: the last step) by setting nextStepIndex in the
// status subresource. The controller jumps when nextStepIndex differs from the step after the
// current one; for that step itself, promoting is approving the current one.
func (uc *RolloutUsecase) Promote(ctx context.Context, ns, name, to string) (*ActionResult, error) {
	ctx, span := uc.start(ctx, "Promote", ns, name)
	defer span.End()
	if err := uc.authorizeWrite(ctx, ns, name, "status"); err != nil {
		return nil, err
	}
	obj, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	ro := obj.Rollout
	steps := len(ro.Spec.Strategy.GetSteps())
	target := steps
	if to != "" {
		n, err := strconv.Atoi(to)
		if err != nil || n < 1 || n > steps {
			return nil, BadRequest("to must be a step number from 1 to %d, got %q", steps, to)
		}
		target = n
	}
	sub := subStatus(ro)
	if sub == nil || !isActive(ro) {
		return nil, Conflict(nil, "rollout %s/%s has no release in progress to promote (phase %s)", ns, name, phaseOf(ro))
	}
	if int32(target) == sub.CurrentStepIndex+1 {
		return uc.Approve(ctx, ns, name)
	}
	if int32(target) == sub.CurrentStepIndex {
		return nil, Conflict(nil, "rollout %s/%s is already at step %d (%s)", ns, name, target, sub.CurrentStepState)
	}
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": ro.ResourceVersion},
		"status":   map[string]any{subStatusField(ro): map[string]any{"nextStepIndex": target}},
	}
	updated, err := uc.patch(ctx, ns, name, patch, true)
	if err != nil {
		return nil, err
	}
	uc.recorded(ctx, updated, "PromotedByDashboard", "promoted from step %d to step %d", sub.CurrentStepIndex, target)
	return &ActionResult{Action: "promote", Changed: true, Status: uc.status(updated),
		Message: fmt.Sprintf("rollout %s/%s: jumping from step %d to step %d", ns, name, sub.CurrentStepIndex, target)}, nil
}

// status of a RolloutObject with its workload type resolved.
func (uc *RolloutUsecase) status(obj RolloutObject) *RolloutStatus {
	typ := ""
	if a, ok := uc.adapterOf(obj.Rollout); ok {
		typ = a.Info().Type
	}
	return normaliseStatus(obj, typ)
}

func (uc *RolloutUsecase) adapterOf(ro *rolloutsv1beta1.Rollout) (adapters.Adapter, bool) {
	gv, err := schema.ParseGroupVersion(ro.Spec.WorkloadRef.APIVersion)
	if err != nil {
		return nil, false
	}
	return uc.registry.ByGroupKind(gv.Group, ro.Spec.WorkloadRef.Kind)
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

// Waiting returns every Rollout waiting for a person, in the namespaces the user may read.
func (uc *RolloutUsecase) Waiting(ctx context.Context) ([]*RolloutStatus, error) {
	all, err := uc.List(ctx, AllNamespaces, true)
	if err != nil {
		return nil, err
	}
	out := make([]*RolloutStatus, 0, len(all))
	for _, st := range all {
		if st.WaitingForApproval {
			out = append(out, st)
		}
	}
	return out, nil
}

// ApproveItem is one release of a bulk approval: the step the person saw waiting.
type ApproveItem struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Step      int32  `json:"step"`
}

// ApproveOutcome is the result of one item of a bulk approval.
type ApproveOutcome struct {
	ApproveItem
	Changed bool   `json:"changed"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// maxBulkApprovals bounds one bulk approval.
const maxBulkApprovals = 100

// ApproveMany approves each item's step, if that step is still the one waiting: a release that
// moved on since the person looked is not approved again (nothing is approved twice; a repeated
// item is answered once). Items run a few at a time; each has its own outcome.
func (uc *RolloutUsecase) ApproveMany(ctx context.Context, items []ApproveItem) ([]ApproveOutcome, error) {
	ctx, span := uc.start(ctx, "ApproveMany", "", "")
	defer span.End()
	if len(items) == 0 || len(items) > maxBulkApprovals {
		return nil, BadRequest("items must list 1 to %d releases to approve, got %d", maxBulkApprovals, len(items))
	}
	out := make([]ApproveOutcome, len(items))
	seen := map[ApproveItem]int{}
	var g errgroup.Group
	g.SetLimit(4)
	for i, it := range items {
		out[i] = ApproveOutcome{ApproveItem: it}
		if first, dup := seen[it]; dup {
			out[i].Code, out[i].Message = CodeConflict, fmt.Sprintf("the same release as item %d; approved once", first+1)
			continue
		}
		seen[it] = i
		g.Go(func() error {
			out[i].Changed, out[i].Code, out[i].Message = uc.approveIfAt(ctx, it)
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}

// approveIfAt approves it.Step if it is still the step waiting, and says what happened.
func (uc *RolloutUsecase) approveIfAt(ctx context.Context, it ApproveItem) (bool, string, string) {
	outcome := func(err error) (bool, string, string) {
		var e *Error
		if errors.As(err, &e) {
			return false, e.Code, e.Message
		}
		return false, CodeInternal, "internal error"
	}
	if it.Step < 1 {
		return outcome(BadRequest("step must be the step number seen waiting (from 1), got %d", it.Step))
	}
	if err := uc.authorizeWrite(ctx, it.Namespace, it.Name, "status"); err != nil {
		return outcome(err)
	}
	obj, err := uc.fetch(ctx, it.Namespace, it.Name)
	if err != nil {
		return outcome(err)
	}
	if sub := subStatus(obj.Rollout); sub == nil || sub.CurrentStepIndex != it.Step {
		return outcome(Conflict(nil, "rollout %s/%s is no longer at step %d (%s): not approved", it.Namespace, it.Name, it.Step, uc.status(obj).CurrentStepState))
	}
	res, err := uc.Approve(ctx, it.Namespace, it.Name)
	if err != nil {
		return outcome(err)
	}
	return res.Changed, "OK", res.Message
}
