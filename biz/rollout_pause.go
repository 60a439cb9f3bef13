package biz

import (
	"context"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// SetPaused sets spec.strategy.paused, as `kubectl-kruise rollout pause|resume`; asking for the
// state it is already in changes nothing and says so.
func (uc *RolloutUsecase) SetPaused(ctx context.Context, ns, name string, paused bool) (*ActionResult, error) {
	action := map[bool]string{true: "pause", false: "resume"}[paused]
	ctx, span := uc.start(ctx, "SetPaused", ns, name)
	defer span.End()
	return uc.setSpecFlag(ctx, ns, name, action, paused, func(ro *rolloutsv1beta1.Rollout) bool { return ro.Spec.Strategy.Paused },
		map[string]any{"spec": map[string]any{"strategy": map[string]any{"paused": paused}}})
}
