package biz

import (
	"context"
	"fmt"
	"strconv"
)

// Promote jumps to step `to` (1-based; empty: the last step) by setting nextStepIndex in the
// status subresource. The controller jumps when nextStepIndex differs from the step after the
// current one; for that step itself, promoting is approving the current one.
func (uc *RolloutUsecase) Promote(ctx context.Context, ns, name, to string) (*ActionResult, error) {
	ctx, span := uc.start(ctx, "Promote", ns, name)
	defer span.End()
	if err := uc.authorizeWrite(ctx, ns, name, "status"); err != nil {
		return nil, err
	}
	obj, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	ro := obj.Rollout
	steps := len(ro.Spec.Strategy.GetSteps())
	target := steps
	if to != "" {
		n, err := strconv.Atoi(to)
		if err != nil || n < 1 || n > steps {
			return nil, BadRequest("to must be a step number from 1 to %d, got %q", steps, to)
		}
		target = n
	}
	sub := subStatus(ro)
	if sub == nil || !isActive(ro) {
		return nil, Conflict(nil, "rollout %s/%s has no release in progress to promote (phase %s)", ns, name, phaseOf(ro))
	}
	if int32(target) == sub.CurrentStepIndex+1 {
		return uc.Approve(ctx, ns, name, sub.CurrentStepIndex)
	}
	if int32(target) == sub.CurrentStepIndex {
		return nil, Conflict(nil, "rollout %s/%s is already at step %d (%s)", ns, name, target, sub.CurrentStepState)
	}
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": ro.ResourceVersion},
		"status":   map[string]any{subStatusField(ro): map[string]any{"nextStepIndex": target}},
	}
	updated, err := uc.patch(ctx, ns, name, patch, true)
	if err != nil {
		return nil, err
	}
	uc.recorded(ctx, updated, "PromotedByDashboard", "promoted from step %d to step %d", sub.CurrentStepIndex, target)
	return &ActionResult{Action: "promote", Changed: true, Status: uc.status(updated),
		Message: fmt.Sprintf("rollout %s/%s: jumping from step %d to step %d", ns, name, sub.CurrentStepIndex, target)}, nil
}
