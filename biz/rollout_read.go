package biz

import (
	"context"
	"slices"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
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

// List returns the statuses of every Rollout of ns (of all namespaces for "_all"), active ones
// only when activeOnly: the JSON array the cache keeps per change, active releases first, in
// namespace/name order otherwise.
func (uc *RolloutUsecase) List(ctx context.Context, ns string, activeOnly bool) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "List", ns, "")
	defer span.End()
	scope, visible, err := uc.listScope(ctx, ns)
	if err != nil {
		return listing.Encoded{}, err
	}
	out, err := uc.rows.ListJSON(scope, activeOnly, visible)
	if err != nil {
		return listing.Encoded{}, FromKube(err, "rollouts")
	}
	span.SetAttributes(attribute.Int("bytes", len(out.JSON)))
	return out, nil
}

// statuses are the statuses of every Rollout of ns (as List), active releases first. Shared:
// read only.
func (uc *RolloutUsecase) statuses(ctx context.Context, ns string) ([]*RolloutStatus, error) {
	scope, visible, err := uc.listScope(ctx, ns)
	if err != nil {
		return nil, err
	}
	rows, err := uc.rows.Rows(scope)
	if err != nil {
		return nil, FromKube(err, "rollouts")
	}
	out := make([]*RolloutStatus, 0, len(rows))
	for _, r := range rows {
		if visible == nil || visible(r.Status.Namespace) {
			out = append(out, r.Status)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Active && !out[j].Active })
	return out, nil
}

// listScope validates and authorises a list of the Rollouts under the namespace segment ns: the
// namespace to read ("" for every one) and, when the user may not list Rollouts cluster-wide,
// which namespaces they may (nil: every one).
func (uc *RolloutUsecase) listScope(ctx context.Context, ns string) (string, func(string) bool, error) {
	scope := ns
	if ns == AllNamespaces {
		scope = ""
	} else if err := ValidateNamespace(ns); err != nil {
		return "", nil, err
	}
	// Every namespace: a user who may not list Rollouts cluster-wide sees those of the
	// namespaces where they may.
	var visible func(string) bool
	if err := Authorize(ctx, uc.access, rolloutAttributes("list", scope, "")); err != nil {
		if scope != "" || !IsForbidden(err) {
			return "", nil, err
		}
		visible = func(ns string) bool { return Authorize(ctx, uc.access, rolloutAttributes("list", ns, "")) == nil }
	}
	if scope != "" {
		// A namespace that does not exist is 404, as for workloads, not an empty list.
		if err := uc.cache.CoreReady(); err != nil {
			return "", nil, err
		}
		if _, err := uc.ns.Get(scope); err != nil {
			return "", nil, FromKube(err, "namespace "+scope)
		}
	}
	return scope, visible, nil
}

// Waiting returns every Rollout waiting for a person, in the namespaces the user may read, in
// namespace/name order.
func (uc *RolloutUsecase) Waiting(ctx context.Context) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "Waiting", AllNamespaces, "")
	defer span.End()
	_, visible, err := uc.listScope(ctx, AllNamespaces)
	if err != nil {
		return listing.Encoded{}, err
	}
	rows, err := uc.rows.Waiting()
	if err != nil {
		return listing.Encoded{}, FromKube(err, "rollouts")
	}
	if visible != nil {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r *RolloutRow) bool { return !visible(r.Status.Namespace) })
	}
	span.SetAttributes(attribute.Int("rollouts", len(rows)))
	return listing.NewEncoded(AppendRows(nil, rows)), nil
}
