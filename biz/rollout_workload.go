package biz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// The Rollout actions that act on the referenced workload, as kubectl-kruise does: Kruise
// Rollout itself has no history, undo or restart; the Rollout object is not touched.

// HistoryEntry is one revision of the referenced workload.
type HistoryEntry struct {
	adapters.Revision
	// Current: the workload's pod template is this revision's (what it is moving to).
	Current bool `json:"current"`
	// Stable: while a release is in flight, the Rollout's stable revision; otherwise the
	// revision every pod runs. Canary: the revision being released, only while one is.
	Stable bool `json:"stable"`
	Canary bool `json:"canary"`
	// Pods is how many of the workload's pods run this revision now.
	Pods int `json:"pods"`
}

// History is the answer of GET /rollout/history.
type History struct {
	Workload  WorkloadRef    `json:"workload"`
	Revisions []HistoryEntry `json:"revisions"`
}

// UndoResult is the answer of POST /rollout/undo.
type UndoResult struct {
	Workload     WorkloadRef `json:"workload"`
	FromRevision int64       `json:"fromRevision"`
	ToRevision   int64       `json:"toRevision"`
	ToName       string      `json:"toName"`
	Changed      bool        `json:"changed"`
	Message      string      `json:"message"`
	// DryRun: a preview computed by the API server; nothing was changed.
	DryRun bool `json:"dryRun"`
	// Images are the target revision's, by container.
	Images map[string]string `json:"images"`
	Diff   []Change          `json:"diff"`
	Effect
}

// RestartResult is the answer of POST /rollout/restart.
type RestartResult struct {
	Workload WorkloadRef    `json:"workload"`
	Object   runtime.Object `json:"object"`
	Message  string         `json:"message"`
	DryRun   bool           `json:"dryRun"`
	Diff     []Change       `json:"diff"`
	Effect
}

// Effect is what a change of the workload's template does under its Rollout.
type Effect struct {
	StartsRelease bool       `json:"startsRelease"`
	Explanation   string     `json:"explanation"`
	Steps         []StepPlan `json:"steps"`
}

func effectOf(p *ReleasePlan) Effect {
	return Effect{StartsRelease: p.StartsRelease, Explanation: p.Explanation, Steps: p.Steps}
}

// History lists the revisions of the Rollout's workload, oldest first.
func (uc *RolloutUsecase) History(ctx context.Context, ns, name string) (*History, error) {
	ctx, span := uc.start(ctx, "History", ns, name)
	defer span.End()
	ro, ref, obj, revisioner, err := uc.workloadWithHistory(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	revs, current, err := revisionsOf(revisioner, obj, ref)
	if err != nil {
		return nil, err
	}
	pods, err := revisioner.(adapters.Adapter).Pods(obj.(metav1.Object))
	if err != nil {
		return nil, Internal(err, "pods of %s %s: %v", ref.Kind, ref.Name, err)
	}
	h := &History{Workload: ref, Revisions: make([]HistoryEntry, 0, len(revs))}
	sub := subStatus(ro.Rollout)
	inFlight := sub != nil && isActive(ro.Rollout)
	canary := uc.status(ro).CanaryRevision
	for _, r := range revs {
		e := HistoryEntry{Revision: r, Current: current != nil && r.Name == current.Name, Pods: podsOn(r, pods)}
		if inFlight {
			// The status of a finished release keeps naming its revisions: trusted only in flight.
			e.Stable = sameRevision(r, sub.StableRevision)
			e.Canary = sameRevision(r, canary) || sameRevision(r, sub.PodTemplateHash)
		} else {
			e.Stable = e.Current && e.Pods == len(pods) && len(pods) > 0
		}
		h.Revisions = append(h.Revisions, e)
	}
	return h, nil
}

// podsOn counts the pods whose revision label (pod-template-hash for a Deployment's ReplicaSet,
// controller-revision-hash for the Kruise kinds) names r.
func podsOn(r adapters.Revision, pods []*corev1.Pod) int {
	n := 0
	for _, p := range pods {
		for _, label := range []string{"pod-template-hash", "controller-revision-hash"} {
			if v := p.Labels[label]; v != "" && (v == r.Hash || v == r.Name || sameRevision(r, v)) {
				n++
				break
			}
		}
	}
	return n
}

// imagesText lists images by container, e.g. "web=nginx:1.27".
func imagesText(images map[string]string) string {
	parts := make([]string, 0, len(images))
	for c, img := range images {
		parts = append(parts, c+"="+img)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// sameRevision matches a revision the Rollout names: the controller writes either the whole
// ControllerRevision name or only its hash suffix (name = <workload>-<hash>).
func sameRevision(r adapters.Revision, named string) bool {
	return named != "" && (r.Hash == named || strings.HasSuffix(r.Name, "-"+named))
}

// Undo rolls the Rollout's workload back to its previous revision, or to revision rawTo, by
// replacing the whole pod template with the revision's (a JSON patch guarded by the
// resourceVersion read). A revision already in place changes nothing.
func (uc *RolloutUsecase) Undo(ctx context.Context, ns, name, rawTo string, dryRun bool) (*UndoResult, error) {
	ctx, span := uc.start(ctx, "Undo", ns, name)
	defer span.End()
	var to int64
	if rawTo != "" {
		n, err := strconv.ParseInt(rawTo, 10, 64)
		if err != nil || n < 1 {
			return nil, BadRequest("revision must be a positive whole number, got %q", rawTo)
		}
		to = n
	}
	ro, ref, _, revisioner, err := uc.workloadWithHistory(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	a, _ := uc.registry.Get(ref.Type)
	if err := authorizeWrite(ctx, uc.access, attributesOf(a, "patch", ns, ref.Name), ""); err != nil {
		return nil, err
	}
	var res *UndoResult
	var before runtime.Object
	toStable := false
	updated, err := applyGuarded(ctx, a, ns, ref, func(obj runtime.Object) (*adapters.Patch, error) {
		before = obj
		revs, current, err := revisionsOf(revisioner, obj, ref)
		if err != nil {
			return nil, err
		}
		target, err := undoTarget(revs, current, to, ref)
		if err != nil {
			return nil, err
		}
		res = &UndoResult{Workload: ref, ToRevision: target.Number, ToName: target.Name, DryRun: dryRun, Images: containerImages(target.Template), Diff: []Change{}}
		if sub := subStatus(ro.Rollout); sub != nil {
			toStable = sameRevision(target, sub.StableRevision)
		}
		res.Effect = effectOf(planFor(ro.Rollout, toStable))
		if current != nil {
			res.FromRevision = current.Number
			if current.Name == target.Name {
				res.Message = fmt.Sprintf("%s %s/%s already runs revision %d; nothing to undo", ref.Kind, ns, ref.Name, target.Number)
				res.Effect = Effect{Steps: []StepPlan{}}
				return nil, nil
			}
		}
		patch, err := adapters.RollbackPatch(obj.(metav1.Object).GetResourceVersion(), target)
		if err != nil {
			return nil, Internal(err, "build rollback patch: %v", err)
		}
		res.Changed = true // with dryRun: would change
		res.Message = fmt.Sprintf("%s %s/%s rolled back to revision %d (%s, %s). %s", ref.Kind, ns, ref.Name, target.Number, target.Name, imagesText(res.Images), res.Explanation)
		if dryRun {
			res.Message = "preview (nothing changed) — " + res.Message
		}
		return &adapters.Patch{Type: types.JSONPatchType, Data: patch, DryRun: dryRun}, nil
	})
	if err != nil {
		return nil, err
	}
	if updated != nil {
		if res.Diff, err = templateDiff(before, updated); err != nil {
			return nil, Internal(err, "compare pod templates: %v", err)
		}
	}
	if res.Changed && !dryRun {
		uc.recorded(ctx, ro, "RolledBackByDashboard", "%s %s rolled back from revision %d to revision %d", ref.Kind, ref.Name, res.FromRevision, res.ToRevision)
	}
	return res, nil
}

// Restart restarts the containers of the Rollout's workload in the way its update strategy
// honours. It is refused while a release is in flight: the template change would become a new
// release on top of the one waiting.
func (uc *RolloutUsecase) Restart(ctx context.Context, ns, name string, dryRun bool) (*RestartResult, error) {
	ctx, span := uc.start(ctx, "Restart", ns, name)
	defer span.End()
	cached, err := uc.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	a, ref, _, err := uc.workload(cached)
	if err != nil {
		return nil, err
	}
	if err := authorizeWrite(ctx, uc.access, attributesOf(a, "patch", ns, ref.Name), ""); err != nil {
		return nil, err
	}
	ro, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	if isActive(ro.Rollout) {
		st := uc.status(ro)
		return nil, Conflict(nil, "rollout %s/%s has a release in flight (step %d of %d, %s): approve, undo or wait for it to finish before restarting",
			ns, name, st.CurrentStepIndex, len(st.Steps), st.CurrentStepState)
	}
	if a, ref, _, err = uc.workload(ro); err != nil {
		return nil, err
	}
	restarter, ok := a.(adapters.ContainerRestarter)
	if !ok {
		return nil, BadRequest("%s does not support restart", ref.Kind)
	}
	var before runtime.Object
	updated, err := applyGuarded(ctx, a, ns, ref, func(obj runtime.Object) (*adapters.Patch, error) {
		before = obj
		patch, err := restarter.ContainerRestartPatch(obj, uc.now())
		if errors.Is(err, adapters.ErrRestartRefused) {
			return nil, Conflict(err, "%v", err)
		} else if err != nil {
			return nil, Internal(err, "build restart patch: %v", err)
		}
		patch.DryRun = dryRun
		return &patch, nil
	})
	if err != nil {
		return nil, err
	}
	res := &RestartResult{Workload: ref, Object: updated, DryRun: dryRun, Effect: effectOf(planFor(ro.Rollout, false))}
	if res.Diff, err = templateDiff(before, updated); err != nil {
		return nil, Internal(err, "compare pod templates: %v", err)
	}
	res.Message = fmt.Sprintf("%s %s/%s restarted. %s", ref.Kind, ns, ref.Name, res.Explanation)
	if dryRun {
		res.Message = "preview (nothing changed) — " + res.Message
	} else {
		uc.recorded(ctx, ro, "RestartedByDashboard", "%s %s restarted", ref.Kind, ref.Name)
	}
	return res, nil
}

// workload resolves the Rollout's workloadRef to an adapter and the object in the cache.
func (uc *RolloutUsecase) workload(ro RolloutObject) (adapters.Adapter, WorkloadRef, runtime.Object, error) {
	r := ro.Rollout
	ref := WorkloadRef{APIVersion: r.Spec.WorkloadRef.APIVersion, Kind: r.Spec.WorkloadRef.Kind, Name: r.Spec.WorkloadRef.Name}
	a, ok := uc.adapterOf(r)
	if !ok {
		return nil, ref, nil, BadRequest("rollout %s/%s references %s %s, a kind the dashboard does not manage", r.Namespace, r.Name, ref.APIVersion, ref.Kind)
	}
	ref.Type = a.Info().Type
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, ref, nil, err
	}
	item, exists, err := uc.cache.Get(a.Info(), r.Namespace+"/"+ref.Name)
	if err != nil {
		return nil, ref, nil, Internal(err, "read %s %s/%s from cache: %v", ref.Type, r.Namespace, ref.Name, err)
	}
	if !exists {
		return nil, ref, nil, NotFound("%s %s/%s referenced by rollout %s/%s not found", ref.Kind, r.Namespace, ref.Name, r.Namespace, r.Name)
	}
	return a, ref, item, nil
}

// workloadWithHistory is workload for kinds that keep revisions.
func (uc *RolloutUsecase) workloadWithHistory(ctx context.Context, ns, name string) (RolloutObject, WorkloadRef, runtime.Object, adapters.Revisioner, error) {
	ro, err := uc.find(ctx, ns, name)
	if err != nil {
		return ro, WorkloadRef{}, nil, nil, err
	}
	a, ref, obj, err := uc.workload(ro)
	if err != nil {
		return ro, ref, nil, nil, err
	}
	revisioner, ok := a.(adapters.Revisioner)
	if !ok {
		return ro, ref, nil, nil, BadRequest("%s keeps no revision history", ref.Kind)
	}
	if err := uc.cache.CoreReady(); err != nil {
		return ro, ref, nil, nil, err
	}
	return ro, ref, obj, revisioner, nil
}

// revisionsOf returns the revisions and the one whose template the workload runs (nil if none).
func revisionsOf(r adapters.Revisioner, obj runtime.Object, ref WorkloadRef) ([]adapters.Revision, *adapters.Revision, error) {
	revs, err := r.Revisions(obj.(metav1.Object))
	if err != nil {
		return nil, nil, Internal(err, "revisions of %s %s: %v", ref.Kind, ref.Name, err)
	}
	tmpl, err := r.TemplateOf(obj)
	if err != nil {
		return nil, nil, Internal(err, "template of %s %s: %v", ref.Kind, ref.Name, err)
	}
	var current *adapters.Revision
	for i := len(revs) - 1; i >= 0; i-- { // newest first: a rollback may leave equal templates
		if adapters.SameTemplate(revs[i].Template, tmpl) {
			current = &revs[i]
			break
		}
	}
	return revs, current, nil
}

// undoTarget picks revision `to`, or (to == 0) the newest revision older than the current one.
func undoTarget(revs []adapters.Revision, current *adapters.Revision, to int64, ref WorkloadRef) (adapters.Revision, error) {
	if to != 0 {
		known := make([]int64, len(revs))
		for i, r := range revs {
			if r.Number == to {
				return r, nil
			}
			known[i] = r.Number
		}
		return adapters.Revision{}, NotFound("revision %d of %s %s not found (revisions: %v)", to, ref.Kind, ref.Name, known)
	}
	for i := len(revs) - 1; i >= 0; i-- {
		if current == nil || revs[i].Number < current.Number {
			if current == nil && i == len(revs)-1 {
				continue // without a known current revision, previous means second newest, as kubectl
			}
			return revs[i], nil
		}
	}
	return adapters.Revision{}, Conflict(nil, "%s %s has no previous revision to roll back to (%d revisions)", ref.Kind, ref.Name, len(revs))
}

// guardedAttempts bounds how often applyGuarded rebuilds a patch the object outran.
const guardedAttempts = 5

// applyGuarded builds a patch from the object as the API server has it now and applies it. Such
// patches carry a test of the resourceVersion they were built from; a workload's controller
// writes its status often, so when the object moved on in between (the test fails: 409 or 422)
// and a fresh read shows a newer version, the patch is rebuilt from that, a few times. A nil
// patch means there is nothing to do.
func applyGuarded(ctx context.Context, a adapters.Adapter, ns string, ref WorkloadRef, build func(runtime.Object) (*adapters.Patch, error)) (runtime.Object, error) {
	what := fmt.Sprintf("%s %s/%s", ref.Kind, ns, ref.Name)
	obj, err := a.Fetch(ctx, ns, ref.Name)
	for attempt := 1; ; attempt++ {
		if err != nil {
			return nil, FromKube(err, what)
		}
		patch, err := build(obj)
		if err != nil || patch == nil {
			return nil, err
		}
		updated, err := a.Apply(ctx, ns, ref.Name, *patch)
		if err == nil {
			return updated, nil
		}
		if attempt == guardedAttempts || !(apierrors.IsConflict(err) || apierrors.IsInvalid(err)) {
			return nil, FromKube(err, what)
		}
		fresh, fetchErr := a.Fetch(ctx, ns, ref.Name)
		if fetchErr == nil && fresh.(metav1.Object).GetResourceVersion() == obj.(metav1.Object).GetResourceVersion() {
			return nil, FromKube(err, what) // the object did not move: a real refusal
		}
		obj, err = fresh, fetchErr
	}
}
