package biz

import (
	"context"
	"fmt"
)

// attentionStates are the workload states that need a person, and the reason they are given.
var attentionStates = map[string]string{"notReady": "unready", "failed": "failed"}

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
				if reason := attentionStates[r.State]; reason != "" {
					items = append(items, AttentionItem{Kind: "workload", Type: info.Type, Namespace: ns.Name, Name: r.Name,
						Reason: reason, Message: fmt.Sprintf("%s %s is %s", info.Kind, r.Name, r.State)})
				}
			}
		}
	}
	return total, items, nil
}
