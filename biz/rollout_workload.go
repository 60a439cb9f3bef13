package biz

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// The Rollout actions that act on the referenced workload, as kubectl-kruise does: Kruise
// Rollout itself has no history, undo or restart; the Rollout object is not touched.

// Effect is what a change of the workload's template does under its Rollout.
type Effect struct {
	StartsRelease bool `json:"startsRelease"`
	// Case is ReleasePlan.Case (absent when nothing would change).
	Case        string     `json:"case,omitempty" enum:"new,restart,cancel,rollbackInBatches,refused,disabled"`
	Explanation string     `json:"explanation"`
	Steps       []StepPlan `json:"steps"`
}

func effectOf(p *ReleasePlan) Effect {
	return Effect{StartsRelease: p.StartsRelease, Case: p.Case, Explanation: p.Explanation, Steps: p.Steps}
}

// sameRevision matches a revision the Rollout names: the controller writes either the whole
// ControllerRevision name or only its hash suffix (name = <workload>-<hash>).
func sameRevision(r adapters.Revision, named string) bool {
	return named != "" && (r.Hash == named || strings.HasSuffix(r.Name, "-"+named))
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
		return nil, ref, nil, cacheError(err, "read %s %s/%s from cache", ref.Type, r.Namespace, ref.Name)
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
