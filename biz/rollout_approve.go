package biz

import (
	"context"
	"fmt"
	"strings"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Approve moves the step waiting in StepPaused to StepReady in the status subresource, as
// `kubectl-kruise rollout approve`; the controller then starts the next step. step is the step
// the person was shown waiting (from 1; 0: whichever step waits now): a Rollout that has moved
// on from it is not approved (409), so an approval is never given to a step nobody saw. The
// write carries the resourceVersion read, so it cannot overwrite a newer status; the state is
// read back after.
func (uc *RolloutUsecase) Approve(ctx context.Context, ns, name string, step int32) (*ActionResult, error) {
	return uc.ApproveWithReason(ctx, ns, name, step, "")
}

// ApproveWithReason is Approve with the approver's written reason (may be empty), which goes in
// the Event and the release record; with the reason policy on (rollout_reason.go) a step whose
// evidence is worse is approved only with one.
func (uc *RolloutUsecase) ApproveWithReason(ctx context.Context, ns, name string, step int32, reason string) (*ActionResult, error) {
	ctx, span := uc.start(ctx, "Approve", ns, name)
	defer span.End()
	if step < 0 {
		return nil, BadRequest("step must be the step number seen waiting (from 1), got %d", step)
	}
	if err := validReason(reason); err != nil {
		return nil, err
	}
	if err := uc.authorizeWrite(ctx, ns, name, "status"); err != nil {
		return nil, err
	}
	obj, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	ro := obj.Rollout
	sub := subStatus(ro)
	if step > 0 && (sub == nil || sub.CurrentStepIndex != step || !isActive(ro)) {
		now := "no release in progress"
		if sub != nil && isActive(ro) {
			now = fmt.Sprintf("now step %d in state %s", sub.CurrentStepIndex, sub.CurrentStepState)
		}
		return nil, Conflict(nil, "rollout %s/%s is no longer at step %d (%s): not approved", ns, name, step, now)
	}
	if sub == nil {
		return nil, Conflict(nil, "rollout %s/%s is not waiting for approval: no canary or blue-green release in progress (phase %s)", ns, name, phaseOf(ro))
	}
	if !approvable(ro) {
		return nil, Conflict(nil, "rollout %s/%s is not waiting for approval: step %d of %d is in state %s (phase %s, %s)",
			ns, name, sub.CurrentStepIndex, len(ro.Spec.Strategy.GetSteps()), sub.CurrentStepState, phaseOf(ro), reasonOf(ro))
	}
	step = sub.CurrentStepIndex
	verdict, err := uc.reasonPolicy(ctx, obj, step, reason)
	if err != nil {
		return nil, err
	}
	after, changed, err := uc.approveStep(ctx, obj, step)
	if err != nil {
		return nil, err
	}
	st := uc.status(after)
	if !changed {
		return &ActionResult{Action: "approve", Status: st,
			Message: fmt.Sprintf("rollout %s/%s: step %d was approved by someone else first; now step %d in state %s", ns, name, step, st.CurrentStepIndex, st.CurrentStepState)}, nil
	}
	uc.recorded(ctx, after, "ApprovedByDashboard", "step %d approved%s", step, reasonText(verdict, reason))
	res := &ActionResult{Action: "approve", Changed: true, Status: st,
		Message: fmt.Sprintf("rollout %s/%s: step %d approved; now step %d in state %s", ns, name, step, st.CurrentStepIndex, st.CurrentStepState)}
	var warnings []string
	if ro.Spec.Strategy.Paused {
		warnings = append(warnings, "the rollout is paused: the next step starts only after resume, and the controller may discard an approval given while paused (approve again after resume if it waits)")
	}
	if w := uc.recordApproval(ctx, ro, after.Rollout, step, reason, verdict); w != "" {
		warnings = append(warnings, w)
	}
	res.Warning = strings.Join(warnings, "; ")
	return res, nil
}

// Approval settling: the controller (v0.6) writes its whole status from a copy read before it
// reconciles, so an approval landing in that window is overwritten and the step is StepPaused
// again. Approve watches for that briefly and approves again, a bounded number of times.
const (
	approveAttempts = 3
	approveSettle   = 1500 * time.Millisecond
	approvePoll     = 150 * time.Millisecond
)

// approveStep writes StepReady for the waiting step (carrying the resourceVersion read) and
// returns the Rollout read back once the controller moved on, or the settle time passed, and
// whether this request's write is the one that approved it (of concurrent approvals exactly one
// lands: the others meet a newer resourceVersion and find the step no longer waiting).
func (uc *RolloutUsecase) approveStep(ctx context.Context, obj RolloutObject, step int32) (RolloutObject, bool, error) {
	ns, name := obj.Rollout.Namespace, obj.Rollout.Name
	landed := false
	for attempt := 1; ; attempt++ {
		patch := map[string]any{
			"metadata": map[string]any{"resourceVersion": obj.Rollout.ResourceVersion},
			"status":   map[string]any{subStatusField(obj.Rollout): map[string]any{"currentStepState": rolloutsv1beta1.CanaryStepStateReady}},
		}
		if _, err := uc.patch(ctx, ns, name, patch, true); err != nil {
			// The status was written since it was read: approve again on the new version if the
			// same step still waits (the controller's write); otherwise someone else approved.
			if !apierrors.IsConflict(err) || attempt == approveAttempts {
				return obj, landed, err
			}
			if obj, err = uc.fetch(ctx, ns, name); err != nil {
				return obj, landed, err
			}
			if sub := subStatus(obj.Rollout); sub == nil || sub.CurrentStepIndex != step || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused || !approvable(obj.Rollout) {
				return obj, landed, nil
			}
			continue
		}
		landed = true
		deadline := uc.clock.Now().Add(approveSettle)
		for {
			select {
			case <-ctx.Done():
				return obj, landed, Unavailable(ctx.Err(), "rollout %s/%s: approved, but the request ended before the new state was read", ns, name)
			case <-uc.clock.After(approvePoll):
			}
			var err error
			if obj, err = uc.fetch(ctx, ns, name); err != nil {
				return obj, landed, err
			}
			sub := subStatus(obj.Rollout)
			switch {
			case sub == nil || sub.CurrentStepIndex != step || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused && sub.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady:
				return obj, landed, nil // the controller moved on
			case sub.CurrentStepState == rolloutsv1beta1.CanaryStepStatePaused && attempt < approveAttempts:
				// Overwritten by the controller: approve again on the version just read.
			case uc.clock.Now().Before(deadline) && sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateReady:
				continue
			default:
				return obj, landed, nil
			}
			break
		}
	}
}
