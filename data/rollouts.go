package data

import (
	"context"
	"fmt"
	"sort"

	rolloutsv1alpha1 "github.com/openkruise/kruise-rollout-api/rollouts/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// RolloutRepo reads Rollouts from the cache (v1beta1, or v1alpha1 where v1beta1 is not served)
// and writes them with merge patches through the typed clients.
type RolloutRepo struct {
	cache   *Cache
	clients *Clients
}

// NewRolloutRepo builds the Rollout repository.
func NewRolloutRepo(c *Cache, clients *Clients) *RolloutRepo {
	return &RolloutRepo{cache: c, clients: clients}
}

// List implements biz.RolloutRepo; namespace "" lists every namespace.
func (r *RolloutRepo) List(namespace string) ([]biz.RolloutObject, error) {
	inf, _, err := r.cache.Rollouts()
	if err != nil {
		return nil, err
	}
	var items []any
	if namespace == "" {
		items = inf.GetIndexer().List()
	} else if items, err = inf.GetIndexer().ByIndex(cache.NamespaceIndex, namespace); err != nil {
		return nil, fmt.Errorf("list rollouts in %s from cache: %w", namespace, err)
	}
	out := make([]biz.RolloutObject, 0, len(items))
	for _, item := range items {
		if obj, ok := item.(runtime.Object); ok {
			out = append(out, normalise(obj))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Rollout, out[j].Rollout
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
	return out, nil
}

// Rows implements biz.RolloutRows.
func (r *RolloutRepo) Rows(namespace string) ([]*biz.RolloutRow, error) {
	if _, _, err := r.cache.Rollouts(); err != nil {
		return nil, err
	}
	return r.cache.rolloutRows.Rows(namespace), nil
}

// ListJSON implements biz.RolloutRows.
func (r *RolloutRepo) ListJSON(namespace string, activeOnly bool, visible func(string) bool) (listing.Encoded, error) {
	if _, _, err := r.cache.Rollouts(); err != nil {
		return listing.Encoded{}, err
	}
	return r.cache.rolloutRows.List(namespace, activeOnly, visible), nil
}

// Waiting implements biz.RolloutRows.
func (r *RolloutRepo) Waiting() ([]*biz.RolloutRow, error) {
	if _, _, err := r.cache.Rollouts(); err != nil {
		return nil, err
	}
	return r.cache.rolloutRows.Waiting(), nil
}

// Get implements biz.RolloutRepo; a missing Rollout is a Kubernetes NotFound error.
func (r *RolloutRepo) Get(namespace, name string) (biz.RolloutObject, error) {
	inf, _, err := r.cache.Rollouts()
	if err != nil {
		return biz.RolloutObject{}, err
	}
	item, exists, err := inf.GetIndexer().GetByKey(namespace + "/" + name)
	if err != nil {
		return biz.RolloutObject{}, fmt.Errorf("read rollout %s/%s from cache: %w", namespace, name, err)
	}
	if !exists {
		return biz.RolloutObject{}, biz.NotFound("rollout %s/%s not found", namespace, name)
	}
	return normalise(item.(runtime.Object)), nil
}

// Fetch implements biz.RolloutRepo: a read from the API server, for decisions that must not act
// on a stale cache and to report the state after a write.
func (r *RolloutRepo) Fetch(ctx context.Context, namespace, name string) (biz.RolloutObject, error) {
	_, version, err := r.cache.Rollouts()
	if err != nil {
		return biz.RolloutObject{}, err
	}
	var obj runtime.Object
	if version == "v1beta1" {
		obj, err = r.clients.Rollouts.RolloutsV1beta1().Rollouts(namespace).Get(ctx, name, metav1.GetOptions{})
	} else {
		obj, err = r.clients.Rollouts.RolloutsV1alpha1().Rollouts(namespace).Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return biz.RolloutObject{}, err
	}
	return normalise(forServing(r.clients.Scheme, obj)), nil
}

// Patch implements biz.RolloutRepo: a JSON merge patch of the object, or of its status
// subresource when status is true. The paths the dashboard writes are the same in both versions.
func (r *RolloutRepo) Patch(ctx context.Context, namespace, name string, patch []byte, status bool) (biz.RolloutObject, error) {
	_, version, err := r.cache.Rollouts()
	if err != nil {
		return biz.RolloutObject{}, err
	}
	var sub []string
	if status {
		sub = []string{"status"}
	}
	var obj runtime.Object
	if version == "v1beta1" {
		obj, err = r.clients.Rollouts.RolloutsV1beta1().Rollouts(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, sub...)
	} else {
		obj, err = r.clients.Rollouts.RolloutsV1alpha1().Rollouts(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, sub...)
	}
	if err != nil {
		return biz.RolloutObject{}, err
	}
	return normalise(forServing(r.clients.Scheme, obj)), nil
}

// forServing strips what the cache strips from an object read or written directly.
func forServing(scheme *runtime.Scheme, obj runtime.Object) runtime.Object {
	out, _ := stripForCache(scheme)(obj)
	return out.(runtime.Object)
}

// normalise pairs the served object with its v1beta1 view.
func normalise(obj runtime.Object) biz.RolloutObject {
	switch ro := obj.(type) {
	case *rolloutsv1beta1.Rollout:
		return biz.RolloutObject{Raw: ro, Rollout: ro}
	case *rolloutsv1alpha1.Rollout:
		return biz.RolloutObject{Raw: ro, Rollout: alphaToBeta(ro)}
	}
	return biz.RolloutObject{Raw: obj, Rollout: &rolloutsv1beta1.Rollout{}}
}

// alphaToBeta maps the v1alpha1 fields the dashboard reads onto the v1beta1 shape: the workload
// ref moves from spec.objectRef.workloadRef, step weight becomes traffic, and the rolling style
// comes from an annotation instead of enableExtraWorkloadForCanary. v1alpha1 has no blue-green.
func alphaToBeta(a *rolloutsv1alpha1.Rollout) *rolloutsv1beta1.Rollout {
	b := &rolloutsv1beta1.Rollout{ObjectMeta: a.ObjectMeta}
	b.SetGroupVersionKind(a.GroupVersionKind())
	if ref := a.Spec.ObjectRef.WorkloadRef; ref != nil {
		b.Spec.WorkloadRef = rolloutsv1beta1.ObjectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Name: ref.Name}
	}
	b.Spec.Disabled = a.Spec.Disabled
	b.Spec.Strategy.Paused = a.Spec.Strategy.Paused
	if c := a.Spec.Strategy.Canary; c != nil {
		canary := &rolloutsv1beta1.CanaryStrategy{
			EnableExtraWorkloadForCanary: a.Annotations[rolloutsv1alpha1.RolloutStyleAnnotation] == "canary",
		}
		for _, s := range c.Steps {
			step := rolloutsv1beta1.CanaryStep{Replicas: s.Replicas, Pause: rolloutsv1beta1.RolloutPause{Duration: s.Pause.Duration}}
			if s.Weight != nil {
				step.Traffic = ptr.To(fmt.Sprintf("%d%%", *s.Weight))
			}
			canary.Steps = append(canary.Steps, step)
		}
		b.Spec.Strategy.Canary = canary
	}
	s := a.Status
	b.Status = rolloutsv1beta1.RolloutStatus{ObservedGeneration: s.ObservedGeneration, Phase: rolloutsv1beta1.RolloutPhase(s.Phase), Message: s.Message}
	for _, c := range s.Conditions {
		b.Status.Conditions = append(b.Status.Conditions, rolloutsv1beta1.RolloutCondition{
			Type: rolloutsv1beta1.RolloutConditionType(c.Type), Status: c.Status, LastUpdateTime: c.LastUpdateTime,
			LastTransitionTime: c.LastTransitionTime, Reason: c.Reason, Message: c.Message})
	}
	if c := s.CanaryStatus; c != nil {
		b.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{
			CommonStatus: rolloutsv1beta1.CommonStatus{
				ObservedWorkloadGeneration: c.ObservedWorkloadGeneration, ObservedRolloutID: c.ObservedRolloutID,
				RolloutHash: c.RolloutHash, StableRevision: c.StableRevision, PodTemplateHash: c.PodTemplateHash,
				NextStepIndex: c.NextStepIndex, CurrentStepIndex: c.CurrentStepIndex,
				CurrentStepState: rolloutsv1beta1.CanaryStepState(c.CurrentStepState), Message: c.Message,
				LastUpdateTime: c.LastUpdateTime, FinalisingStep: rolloutsv1beta1.FinalisingStepType(c.FinalisingStep),
			},
			CanaryRevision: c.CanaryRevision, CanaryReplicas: c.CanaryReplicas, CanaryReadyReplicas: c.CanaryReadyReplicas,
		}
		b.Status.CurrentStepIndex, b.Status.CurrentStepState = c.CurrentStepIndex, rolloutsv1beta1.CanaryStepState(c.CurrentStepState)
	}
	return b
}
