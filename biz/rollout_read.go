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

// List returns every Rollout of ns (or of all namespaces for "_all") with its status, active
// ones only when activeOnly: active releases first, in namespace/name order otherwise. The
// statuses are the cache's, computed once per change: read only.
func (uc *RolloutUsecase) List(ctx context.Context, ns string, activeOnly bool) ([]*RolloutStatus, error) {
	ctx, span := uc.start(ctx, "List", ns, "")
	defer span.End()
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
		if activeOnly && !r.Status.Active || visible != nil && !visible(r.Status.Namespace) {
			continue
		}
		out = append(out, r.Status)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Active && !out[j].Active })
	span.SetAttributes(attribute.Int("rollouts", len(out)))
	return out, nil
}

// ListJSON is List as the JSON array the cache keeps per change: what GET /rollout/list and
// /rollout/active answer, without encoding anything per request.
func (uc *RolloutUsecase) ListJSON(ctx context.Context, ns string, activeOnly bool) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "ListJSON", ns, "")
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
// namespace/name order. The statuses are the cache's: read only.
func (uc *RolloutUsecase) Waiting(ctx context.Context) ([]*RolloutStatus, error) {
	rows, err := uc.waiting(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*RolloutStatus, len(rows))
	for i, r := range rows {
		out[i] = r.Status
	}
	return out, nil
}

// WaitingJSON is Waiting as JSON, joined from the rows the cache encoded.
func (uc *RolloutUsecase) WaitingJSON(ctx context.Context) (listing.Encoded, error) {
	rows, err := uc.waiting(ctx)
	if err != nil {
		return listing.Encoded{}, err
	}
	return listing.NewEncoded(AppendRows(nil, rows)), nil
}

func (uc *RolloutUsecase) waiting(ctx context.Context) ([]*RolloutRow, error) {
	ctx, span := uc.start(ctx, "Waiting", AllNamespaces, "")
	defer span.End()
	_, visible, err := uc.listScope(ctx, AllNamespaces)
	if err != nil {
		return nil, err
	}
	rows, err := uc.rows.Waiting()
	if err != nil {
		return nil, FromKube(err, "rollouts")
	}
	if visible != nil {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r *RolloutRow) bool { return !visible(r.Status.Namespace) })
	}
	span.SetAttributes(attribute.Int("rollouts", len(rows)))
	return rows, nil
}
