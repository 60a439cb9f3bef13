package biz

import (
	"context"
	"fmt"
	"strings"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// TestPromote: ?to=N jumps by nextStepIndex in the status subresource; the next step is an
// approval; the current step, a step out of range, or no release in flight is refused
// (docs/semantics.md §4.9).
func TestPromote(t *testing.T) {
	jump := func(rv, to int) string {
		return fmt.Sprintf(`{"metadata":{"resourceVersion":"%d"},"status":{"canaryStatus":{"nextStepIndex":%d}}}`, rv, to)
	}
	cases := []struct {
		name        string
		ro          *rolloutsv1beta1.Rollout
		to          string
		ctx         func() context.Context
		beforeWrite func(*memRollouts, string, int)

		code    string
		says    string
		action  string
		patches []string
		landed  []bool
		event   string
		next    int32 // the stored nextStepIndex after
	}{
		{name: "default: the last step", ro: waitingRollout("shop"), action: "promote", patches: []string{jump(11, 3)}, landed: []bool{true},
			says: "rollout demo/shop: jumping from step 1 to step 3", event: "PromotedByDashboard", next: 3},
		{name: "a later step while upgrading", ro: waitingRollout("shop", at(1, rolloutsv1beta1.CanaryStepStateUpgrade)), to: "3", action: "promote",
			patches: []string{jump(11, 3)}, landed: []bool{true}, says: "jumping from step 1 to step 3", event: "PromotedByDashboard", next: 3},
		{name: "back to an earlier step", ro: waitingRollout("shop", at(3, rolloutsv1beta1.CanaryStepStateUpgrade)), to: "1", action: "promote",
			patches: []string{jump(11, 1)}, landed: []bool{true}, says: "jumping from step 3 to step 1", event: "PromotedByDashboard", next: 1},
		{name: "the next step is an approval of the current one", ro: waitingRollout("shop"), to: "2", action: "approve",
			patches: []string{approval(11, "canaryStatus")}, landed: []bool{true}, says: "step 1 approved; now step 2", event: "ApprovedByDashboard", next: 3},
		{name: "the current step", ro: waitingRollout("shop"), to: "1", code: CodeConflict, says: "rollout demo/shop is already at step 1 (StepPaused)", next: 2},
		{name: "step 0", ro: waitingRollout("shop"), to: "0", code: CodeBadRequest, says: `to must be a step number from 1 to 3, got "0"`, next: 2},
		{name: "beyond the last step", ro: waitingRollout("shop"), to: "4", code: CodeBadRequest, says: `got "4"`, next: 2},
		{name: "not a number", ro: waitingRollout("shop"), to: "last", code: CodeBadRequest, says: `got "last"`, next: 2},
		{name: "no release in flight", ro: waitingRollout("shop", noRelease), code: CodeConflict, says: "rollout demo/shop has no release in progress to promote (phase Healthy)"},
		{name: "a release completed in its last reconcile", ro: waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonCompleted)), code: CodeConflict,
			says: "no release in progress to promote", next: 2},
		{name: "the status written in between: 409, not retried", ro: waitingRollout("shop"), beforeWrite: touch,
			code: CodeConflict, says: "conflict on rollout demo/shop status", patches: []string{jump(11, 3)}, landed: []bool{false}, next: 2},
		{name: "a user who may not patch rollouts/status", ro: waitingRollout("shop"), ctx: signedIn, code: CodeForbidden, says: "may not patch rollouts/status", next: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixture(t, c.ro)
			f.repo.onFetch, f.repo.beforeWrite = moveOn, c.beforeWrite
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx()
			}
			res, err := f.uc.Promote(ctx, "demo", "shop", c.to)
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
			} else if res.Action != c.action || !res.Changed || !strings.Contains(res.Message, c.says) {
				t.Errorf("answer %+v, want %s saying %q", res, c.action, c.says)
			}
			sent := statusPatches(f.repo.sent())
			if len(sent) != len(c.patches) {
				t.Fatalf("sent %+v, want %v", sent, c.patches)
			}
			for i, p := range sent {
				if p.Body != c.patches[i] || !p.Status || p.Landed != c.landed[i] {
					t.Errorf("patch %d: %+v, want %s to the status subresource, landed %t", i+1, p, c.patches[i], c.landed[i])
				}
			}
			if c.ctx != nil {
				if _, reads := f.repo.counts(); reads != 0 {
					t.Errorf("a refused user's request read the Rollout %d times", reads)
				}
			}
			if sub := subStatus(f.repo.stored("demo/shop")); sub != nil && sub.NextStepIndex != c.next {
				t.Errorf("stored nextStepIndex %d, want %d", sub.NextStepIndex, c.next)
			}
			want := []string(nil)
			if c.event != "" {
				want = []string{c.event}
			}
			if got := f.events.got(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("events %v, want %v", got, want)
			}
		})
	}
}
