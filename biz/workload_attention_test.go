package biz

import (
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// The message names the type by its title and says the state in words: never the type's id
// (apps-statefulset) or the state's (notReady).
func TestWorkloadAttentionNamesTheTypeByItsTitle(t *testing.T) {
	apps := adapters.Info{Type: "apps-statefulset", Kind: "StatefulSet", Title: "StatefulSet"}
	kruise := adapters.Info{Type: "statefulset", Kind: "StatefulSet", Title: "Advanced StatefulSet"}
	for _, c := range []struct {
		info         adapters.Info
		state        string
		reason, says string
		needsAPerson bool
	}{
		{apps, "notReady", "unready", "StatefulSet db is not ready", true},
		{kruise, "failed", "failed", "Advanced StatefulSet db has failed", true},
		{apps, "ready", "", "", false},
		{apps, "updating", "", "", false},
	} {
		it, ok := workloadAttention(c.info, "ns", "db", c.state)
		if ok != c.needsAPerson {
			t.Errorf("%s %s: needs a person %v, want %v", c.info.Type, c.state, ok, c.needsAPerson)
			continue
		}
		if !ok {
			continue
		}
		want := AttentionItem{Kind: "workload", Type: c.info.Type, Namespace: "ns", Name: "db", Reason: c.reason, Message: c.says}
		if it != want {
			t.Errorf("%s %s: %+v, want %+v", c.info.Type, c.state, it, want)
		}
	}
}
