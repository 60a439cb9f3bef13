package biz

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// The controller's side, played between the use case's reads (onFetch hooks).

// moveOn: the controller honours an approval, starting the next step.
func moveOn(m *memRollouts, key string, _ int) {
	if sub := subStatus(m.stored(key)); sub == nil || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady {
		return
	}
	m.write(key, func(ro *rolloutsv1beta1.Rollout) {
		sub := subStatus(ro)
		sub.CurrentStepIndex, sub.CurrentStepState, sub.NextStepIndex = sub.CurrentStepIndex+1, rolloutsv1beta1.CanaryStepStateUpgrade, sub.CurrentStepIndex+2
	})
}

// overwrite: the controller writes its whole status from a copy read before the approval,
// putting the step back in StepPaused (docs/semantics.md §3.2).
func overwrite(m *memRollouts, key string, _ int) {
	if sub := subStatus(m.stored(key)); sub == nil || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady {
		return
	}
	m.write(key, func(ro *rolloutsv1beta1.Rollout) {
		subStatus(ro).CurrentStepState = rolloutsv1beta1.CanaryStepStatePaused
	})
}

// touch: a status write that leaves the step as it is (the controller's periodic update).
func touch(m *memRollouts, key string, n int) {
	m.write(key, func(ro *rolloutsv1beta1.Rollout) { ro.Status.Message = fmt.Sprintf("reconciled %d", n) })
}

// approvedByAnother: another person's approval lands between this request's read and its write.
func approvedByAnother(m *memRollouts, key string, n int) {
	if n == 0 {
		m.write(key, func(ro *rolloutsv1beta1.Rollout) {
			subStatus(ro).CurrentStepState = rolloutsv1beta1.CanaryStepStateReady
		})
	}
}

// approval is the status patch of an approval carrying resourceVersion rv.
func approval(rv int, field string) string {
	return fmt.Sprintf(`{"metadata":{"resourceVersion":"%d"},"status":{"%s":{"currentStepState":"StepReady"}}}`, rv, field)
}

func blueGreen(ro *rolloutsv1beta1.Rollout) {
	ro.Spec.Strategy = rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: steps("100%")}}
	ro.Status.BlueGreenStatus = &rolloutsv1beta1.BlueGreenStatus{CommonStatus: ro.Status.CanaryStatus.CommonStatus}
	ro.Status.CanaryStatus = nil
}

// TestApprove drives Approve against the in-memory API server with the controller played
// between its reads, on an injected clock: every settle and retry path of docs/semantics.md
// §4.5, with the patches sent, the answer, the Event and the time waited.
func TestApprove(t *testing.T) {
	type hook = func(*memRollouts, string, int)
	const canary = "canaryStatus"
	cases := []struct {
		name        string
		ro          *rolloutsv1beta1.Rollout
		target      string // the Rollout asked for; "shop" unless set
		shown       int32  // the step the person saw waiting (0: none given)
		ctx         func() context.Context
		beforeWrite hook
		afterWrite  func(cancel context.CancelFunc) hook
		onFetch     hook
		stall       bool

		code    string   // "" for success
		says    string   // in the answer's message or the error's
		patches []string // bodies sent, in order
		landed  []bool
		changed bool
		step    int32
		state   rolloutsv1beta1.CanaryStepState
		waited  time.Duration // on the injected clock
		fetches int           // -1: not checked
		event   bool
		warning string
	}{
		{
			name: "the controller moves on at its next reconcile", ro: waitingRollout("shop"), onFetch: moveOn,
			patches: []string{approval(11, canary)}, landed: []bool{true}, changed: true, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 approved; now step 2 in state StepUpgrade", waited: approvePoll, fetches: 2, event: true,
		},
		{
			name: "overwritten once by the controller: approved again on the version read back", ro: waitingRollout("shop"),
			onFetch: func(m *memRollouts, key string, n int) {
				if n == 1 {
					overwrite(m, key, n)
				} else {
					moveOn(m, key, n)
				}
			},
			// read rv 11; approval → 12; overwritten → 13; approval → 14; moved on → 15
			patches: []string{approval(11, canary), approval(13, canary)}, landed: []bool{true, true}, changed: true, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 approved", waited: 2 * approvePoll, fetches: 3, event: true,
		},
		{
			name: "overwritten every time: at most three writes, then the state as read", ro: waitingRollout("shop"), onFetch: overwrite,
			patches: []string{approval(11, canary), approval(13, canary), approval(15, canary)}, landed: []bool{true, true, true},
			changed: true, step: 1, state: rolloutsv1beta1.CanaryStepStatePaused,
			says: "step 1 approved; now step 1 in state StepPaused", waited: 3 * approvePoll, fetches: 4, event: true,
		},
		{
			name: "the controller does not reconcile: gives up after the settle time", ro: waitingRollout("shop"),
			patches: []string{approval(11, canary)}, landed: []bool{true}, changed: true, step: 1, state: rolloutsv1beta1.CanaryStepStateReady,
			says: "now step 1 in state StepReady", waited: approveSettle, fetches: 1 + int(approveSettle/approvePoll), event: true,
		},
		{
			name: "409 from a concurrent status write of the controller: retried on the new version", ro: waitingRollout("shop"),
			beforeWrite: func(m *memRollouts, key string, n int) {
				if n == 0 {
					touch(m, key, n)
				}
			},
			onFetch: moveOn,
			// read rv 11; the controller writes 12; 409; re-read 12, still waiting; approval → 13; moved on → 14
			patches: []string{approval(11, canary), approval(12, canary)}, landed: []bool{false, true}, changed: true, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 approved", waited: approvePoll, fetches: 3, event: true,
		},
		{
			name: "409 because someone else approved first: not approved again, changed false", ro: waitingRollout("shop"),
			beforeWrite: approvedByAnother, onFetch: moveOn,
			patches: []string{approval(11, canary)}, landed: []bool{false}, changed: false, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 was approved by someone else first; now step 2 in state StepUpgrade", fetches: 2,
		},
		{
			name: "409 on every write: gives up after three with a conflict", ro: waitingRollout("shop"), beforeWrite: touch,
			patches: []string{approval(11, canary), approval(12, canary), approval(13, canary)}, landed: []bool{false, false, false},
			code: CodeConflict, says: "conflict on rollout demo/shop status", fetches: 3,
		},
		{
			name: "blue-green: the approval is written to blueGreenStatus", ro: waitingRollout("shop", blueGreen), onFetch: moveOn,
			patches: []string{approval(11, "blueGreenStatus")}, landed: []bool{true}, changed: true, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 approved", waited: approvePoll, fetches: 2, event: true,
		},
		{
			name:    "paused by a person: approved, with a warning that nothing advances until resume",
			ro:      waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonPaused), func(ro *rolloutsv1beta1.Rollout) { ro.Spec.Strategy.Paused = true }),
			patches: []string{approval(11, canary)}, landed: []bool{true}, changed: true, step: 1, state: rolloutsv1beta1.CanaryStepStateReady,
			says: "step 1 approved", waited: approveSettle, fetches: -1, event: true, warning: "paused",
		},
		{
			name: "the request ends while settling: 503, the approval stays written", ro: waitingRollout("shop"), stall: true,
			afterWrite: func(cancel context.CancelFunc) hook { return func(*memRollouts, string, int) { cancel() } },
			patches:    []string{approval(11, canary)}, landed: []bool{true},
			code: CodeUnavailable, says: "approved, but the request ended before the new state was read", fetches: 1,
		},
		{
			name: "the step shown is the one waiting: approved", ro: waitingRollout("shop"), shown: 1, onFetch: moveOn,
			patches: []string{approval(11, canary)}, landed: []bool{true}, changed: true, step: 2, state: rolloutsv1beta1.CanaryStepStateUpgrade,
			says: "step 1 approved; now step 2 in state StepUpgrade", waited: approvePoll, fetches: 2, event: true,
		},
		// Refusals: nothing is written.
		{name: "shown step 1, the Rollout has moved on to step 2 (waiting there): 409, step 2 not approved", ro: waitingRollout("shop", at(2, rolloutsv1beta1.CanaryStepStatePaused)),
			shown: 1, code: CodeConflict, fetches: 1, says: "rollout demo/shop is no longer at step 1 (now step 2 in state StepPaused): not approved"},
		{name: "shown step 1, the release was cancelled at step 1 since: 409", ro: waitingRollout("shop", cancelled), shown: 1, code: CodeConflict, fetches: 1,
			says: "rollout demo/shop is no longer at step 1 (no release in progress): not approved"},
		{name: "shown step 1, no release any more: 409", ro: waitingRollout("shop", noRelease), shown: 1, code: CodeConflict, fetches: 1,
			says: "is no longer at step 1 (no release in progress)"},
		{name: "a step below 1: 400, nothing read", ro: waitingRollout("shop"), shown: -1, code: CodeBadRequest, fetches: 0, says: "got -1"},
		{name: "no release in progress", ro: waitingRollout("shop", noRelease), code: CodeConflict, fetches: 1,
			says: "rollout demo/shop is not waiting for approval: no canary or blue-green release in progress (phase Healthy)"},
		{name: "the step is still upgrading", ro: waitingRollout("shop", at(1, rolloutsv1beta1.CanaryStepStateUpgrade)), code: CodeConflict, fetches: 1,
			says: "step 1 of 3 is in state StepUpgrade (phase Progressing, progressing: InRolling)"},
		{name: "already approved, the controller not yet moved on", ro: waitingRollout("shop", at(1, rolloutsv1beta1.CanaryStepStateReady)), code: CodeConflict, fetches: 1,
			says: "is in state StepReady"},
		{name: "a release being cancelled", ro: waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonCancelling)), code: CodeConflict, fetches: 1,
			says: "progressing: Cancelling"},
		{name: "a release completed in its last reconcile", ro: waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonCompleted)), code: CodeConflict, fetches: 1,
			says: "progressing: Completed"},
		{name: "a Rollout that does not exist", ro: waitingRollout("shop"), target: "gone", code: CodeNotFound, says: "rollout demo/gone not found", fetches: 1},
		{name: "an invalid name: nothing read", ro: waitingRollout("shop"), target: "Not_A_Name", code: CodeBadRequest, fetches: 0},
		{name: "a user who may not patch rollouts/status: nothing read", ro: waitingRollout("shop"), ctx: signedIn, code: CodeForbidden,
			says: `user "alice" may not patch rollouts/status (rollouts.kruise.io) in namespace demo`, fetches: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixture(t, c.ro)
			f.clock.stall = c.stall
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx()
			}
			// A loop waiting on the wall clock instead of the injected one fails here, not hangs.
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			f.repo.beforeWrite, f.repo.onFetch = c.beforeWrite, c.onFetch
			if c.afterWrite != nil {
				f.repo.afterWrite = c.afterWrite(cancel)
			}
			target := c.target
			if target == "" {
				target = "shop"
			}

			began := time.Now()
			res, err := f.uc.Approve(ctx, "demo", target, c.shown)
			if real := time.Since(began); real > time.Second {
				t.Errorf("took %v of real time: the settle loop must wait on the injected clock", real)
			}

			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
				if want := map[string]int{CodeConflict: http.StatusConflict, CodeNotFound: http.StatusNotFound, CodeBadRequest: http.StatusBadRequest,
					CodeForbidden: http.StatusForbidden, CodeUnavailable: http.StatusServiceUnavailable}[c.code]; e.Status != want {
					t.Errorf("status %d, want %d", e.Status, want)
				}
			} else {
				if res.Action != "approve" || res.Changed != c.changed || !strings.Contains(res.Message, c.says) {
					t.Errorf("answer %+v, want changed=%t saying %q", res, c.changed, c.says)
				}
				if res.Status == nil || res.Status.CurrentStepIndex != c.step || res.Status.CurrentStepState != string(c.state) {
					t.Errorf("status read back %+v, want step %d in %s", res.Status, c.step, c.state)
				}
				if (c.warning == "") != (res.Warning == "") || !strings.Contains(res.Warning, c.warning) {
					t.Errorf("warning %q, want one saying %q", res.Warning, c.warning)
				}
			}

			sent := statusPatches(f.repo.sent())
			if len(sent) != len(c.patches) {
				t.Fatalf("sent %d patches %+v, want %d", len(sent), sent, len(c.patches))
			}
			for i, p := range sent {
				if p.Body != c.patches[i] || !p.Status || p.Landed != c.landed[i] {
					t.Errorf("patch %d: %s (status subresource %t, landed %t), want %s to the status subresource, landed %t", i+1, p.Body, p.Status, p.Landed, c.patches[i], c.landed[i])
				}
			}
			if got := f.clock.elapsed(); got != c.waited {
				t.Errorf("waited %v on the clock, want %v", got, c.waited)
			}
			if fetches, _ := f.repo.counts(); c.fetches >= 0 && fetches != c.fetches {
				t.Errorf("%d reads from the API server, want %d", fetches, c.fetches)
			}
			wantEvents := []string(nil)
			if c.event {
				wantEvents = []string{"ApprovedByDashboard"}
			}
			if got := f.events.got(); fmt.Sprint(got) != fmt.Sprint(wantEvents) {
				t.Errorf("events %v, want %v", got, wantEvents)
			}
		})
	}
}
