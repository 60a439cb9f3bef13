package biz

import (
	"context"
	"fmt"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// attentionStates are the workload states that need a person: the reason they are given (the UI
// names it in the page's language) and what the message says of the object.
var attentionStates = map[string]struct{ reason, says string }{
	"notReady": {"unready", "is not ready"},
	"failed":   {"failed", "has failed"},
}

// workloadAttention is the item of a workload in state, if that state needs a person. The message
// names the type by its title (adapters.NewResource fills it: "StatefulSet db is not ready"),
// never by its id (apps-statefulset) or the raw state id.
func workloadAttention(info adapters.Info, namespace, name, state string) (AttentionItem, bool) {
	s, ok := attentionStates[state]
	if !ok {
		return AttentionItem{}, false
	}
	return AttentionItem{Kind: "workload", Type: info.Type, Namespace: namespace, Name: name, Reason: s.reason,
		Message: fmt.Sprintf("%s %s %s", info.Title, name, s.says)}, true
}

// Attention counts the workloads the person may list in every namespace and returns those not
// ready or failed (Cluster left for the caller). A type the person may list cluster-wide costs one
// access decision; otherwise each namespace is asked (decisions are cached).
func (uc *WorkloadUsecase) Attention(ctx context.Context) (total int, items []AttentionItem, err error) {
	ctx, span := uc.start(ctx, "Attention", AllNamespaces, "", "")
	defer span.End()
	if err := uc.cache.CoreReady(); err != nil {
		return 0, nil, err
	}
	namespaces, err := uc.namespaces.List()
	if err != nil {
		return 0, nil, FromKube(err, "namespaces")
	}
	for _, a := range uc.registry.All() {
		info := a.Info()
		if !info.Namespaced() || uc.cache.Ready(info) != nil {
			continue // a type not served (or not synced) has nothing to report
		}
		everywhere := Authorize(ctx, uc.access, attributesOf(a, "list", "", "")) == nil
		for _, ns := range namespaces {
			if !everywhere && Authorize(ctx, uc.access, attributesOf(a, "list", ns.Name, "")) != nil {
				continue
			}
			rows := uc.rows.Rows(info.Type, ns.Name)
			total += len(rows)
			for _, r := range rows {
				if it, ok := workloadAttention(info, ns.Name, r.Name, r.State); ok {
					items = append(items, it)
				}
			}
		}
	}
	return total, items, nil
}
