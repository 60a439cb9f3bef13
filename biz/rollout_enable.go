package biz

import (
	"context"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// SetDisabled sets spec.disabled (enable/disable).
func (uc *RolloutUsecase) SetDisabled(ctx context.Context, ns, name string, disabled bool) (*ActionResult, error) {
	action := map[bool]string{true: "disable", false: "enable"}[disabled]
	ctx, span := uc.start(ctx, "SetDisabled", ns, name)
	defer span.End()
	return uc.setSpecFlag(ctx, ns, name, action, disabled, func(ro *rolloutsv1beta1.Rollout) bool { return ro.Spec.Disabled },
		map[string]any{"spec": map[string]any{"disabled": disabled}})
}
