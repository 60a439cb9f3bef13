package biz

import (
	"encoding/json"
	"fmt"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// RolloutRow is one Rollout's normalised status (what the lists answer) and its JSON, computed
// when the Rollout changes or the registry names its workload's type differently — nothing else
// goes into a list item's status (AutoResumeAt is a point in time, not a countdown; pods are only
// on GET /rollout/status). Shared: read only.
type RolloutRow struct {
	Status *RolloutStatus
	JSON   []byte
}

// RolloutRows reads the Rollouts the cache keeps normalised and encoded, as RowStore keeps the
// workloads. Each method fails as the cache does when it cannot answer (Rollouts not served, not
// synced, the API server unreachable).
type RolloutRows interface {
	// Rows are the rows of namespace ("" for every namespace) in namespace/name order.
	Rows(namespace string) ([]*RolloutRow, error)
	// ListJSON is the JSON array of the rows of namespace ("" for every namespace) whose namespace
	// visible admits (nil: every one): the active ones first (only them when activeOnly), each
	// part in namespace/name order. Built once per change when visible is nil.
	ListJSON(namespace string, activeOnly bool, visible func(ns string) bool) (listing.Encoded, error)
	// Waiting are the rows of every namespace waiting for a person, in namespace/name order.
	Waiting() ([]*RolloutRow, error)
}

// NewRolloutRow normalises obj, its workload's type named by reg, and encodes the status as the
// lists answer it.
// A Rollout it cannot normalise is an error, not a panic: the cache calls it from an informer's
// handler.
func NewRolloutRow(reg *registry.Registry, obj RolloutObject) (row *RolloutRow, err error) {
	defer func() {
		if p := recover(); p != nil {
			row, err = nil, fmt.Errorf("normalise rollout %s/%s: %v", obj.Rollout.Namespace, obj.Rollout.Name, p)
		}
	}()
	st := normaliseStatus(obj, WorkloadTypeOf(reg, obj.Rollout))
	raw, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	return &RolloutRow{Status: st, JSON: raw}, nil
}

// WorkloadTypeOf is the registry's :type of the workload ro releases, "" when the dashboard does
// not serve that kind.
func WorkloadTypeOf(reg *registry.Registry, ro *rolloutsv1beta1.Rollout) string {
	if a, ok := adapterIn(reg, ro); ok {
		return a.Info().Type
	}
	return ""
}

func adapterIn(reg *registry.Registry, ro *rolloutsv1beta1.Rollout) (adapters.Adapter, bool) {
	gv, err := schema.ParseGroupVersion(ro.Spec.WorkloadRef.APIVersion)
	if err != nil {
		return nil, false
	}
	return reg.ByGroupKind(gv.Group, ro.Spec.WorkloadRef.Kind)
}

// AppendRows appends the JSON array of rows to out.
func AppendRows(out []byte, rows []*RolloutRow) []byte {
	out = append(out, '[')
	for i, r := range rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, r.JSON...)
	}
	return append(out, ']')
}
