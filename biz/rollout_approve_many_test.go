package biz

import (
	"context"
	"fmt"
	"strings"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// TestApproveMany: each item is approved only if its step is still the one waiting; a repeated
// item is answered once; every item has its own outcome (docs/semantics.md §4.5).
func TestApproveMany(t *testing.T) {
	f := newRolloutFixture(t,
		waitingRollout("shop"),
		waitingRollout("moved", at(2, rolloutsv1beta1.CanaryStepStateUpgrade)),
		waitingRollout("cart", at(2, rolloutsv1beta1.CanaryStepStatePaused)),
	)
	f.repo.onFetch = moveOn
	items := []ApproveItem{
		{"demo", "shop", 1},
		{"demo", "moved", 1},
		{"demo", "shop", 1},
		{"demo", "shop", 0},
		{"demo", "gone", 1},
		{"demo", "cart", 2},
	}
	out, err := f.uc.ApproveMany(context.Background(), items, "")
	apiError(t, err, "")
	want := []struct {
		changed bool
		code    string
		says    string
	}{
		{true, "OK", "rollout demo/shop: step 1 approved; now step 2 in state StepUpgrade"},
		{false, CodeConflict, "rollout demo/moved is no longer at step 1 (now step 2 in state StepUpgrade): not approved"},
		{false, CodeConflict, "the same release as item 1; approved once"},
		{false, CodeBadRequest, "step must be the step number seen waiting (from 1), got 0"},
		{false, CodeNotFound, "rollout demo/gone not found"},
		{true, "OK", "rollout demo/cart: step 2 approved; now step 3 in state StepUpgrade"},
	}
	if len(out) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(out), len(want))
	}
	for i, w := range want {
		if o := out[i]; o.ApproveItem != items[i] || o.Changed != w.changed || o.Code != w.code || o.Message != w.says {
			t.Errorf("item %d: %+v, want changed=%t code %s %q", i+1, o, w.changed, w.code, w.says)
		}
	}
	written := map[string]int{}
	for _, p := range statusPatches(f.repo.sent()) {
		if !p.Landed || p.Body != approval(11+map[string]int{"shop": 0, "moved": 1, "cart": 2}[p.Name], "canaryStatus") {
			t.Errorf("patch %+v: want a landed approval carrying the resourceVersion read", p)
		}
		written[p.Name]++
	}
	if fmt.Sprint(written) != "map[cart:1 shop:1]" {
		t.Errorf("writes by Rollout %v, want one approval each of shop and cart, none of moved", written)
	}
	if got := f.events.got(); len(got) != 2 || got[0] != "ApprovedByDashboard" || got[1] != "ApprovedByDashboard" {
		t.Errorf("events %v, want two approvals", got)
	}
	if sub := subStatus(f.repo.stored("demo/moved")); sub.CurrentStepIndex != 2 || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStateUpgrade {
		t.Errorf("moved: %+v, want untouched", sub)
	}
}

func TestApproveManyBounds(t *testing.T) {
	f := newRolloutFixture(t, waitingRollout("shop"))
	for _, n := range []int{0, maxBulkApprovals + 1} {
		items := make([]ApproveItem, n)
		for i := range items {
			items[i] = ApproveItem{"demo", "shop", 1}
		}
		_, err := f.uc.ApproveMany(context.Background(), items, "")
		if e := apiError(t, err, CodeBadRequest); !strings.Contains(e.Message, fmt.Sprintf("got %d", n)) {
			t.Errorf("%d items: %q", n, e.Message)
		}
	}
	if len(f.repo.sent()) != 0 {
		t.Errorf("a refused bulk approval wrote %+v", f.repo.sent())
	}
}
