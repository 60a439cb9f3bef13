package biz

import (
	"context"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

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
