package biz

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// RestartResult is the answer of POST /rollout/restart.
type RestartResult struct {
	Workload WorkloadRef    `json:"workload"`
	Object   runtime.Object `json:"object"`
	Message  string         `json:"message"`
	DryRun   bool           `json:"dryRun"`
	Diff     []Change       `json:"diff"`
	Effect
}

// Restart restarts the containers of the Rollout's workload in the way its update strategy
// honours. It is refused while a release is in flight: the template change would become a new
// release on top of the one waiting.
func (uc *RolloutUsecase) Restart(ctx context.Context, ns, name string, dryRun bool) (*RestartResult, error) {
	ctx, span := uc.start(ctx, "Restart", ns, name)
	defer span.End()
	cached, err := uc.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	a, ref, _, err := uc.workload(cached)
	if err != nil {
		return nil, err
	}
	if err := authorizeWrite(ctx, uc.access, attributesOf(a, "patch", ns, ref.Name), ""); err != nil {
		return nil, err
	}
	ro, err := uc.fetch(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	if isActive(ro.Rollout) {
		st := uc.status(ro)
		return nil, Conflict(nil, "rollout %s/%s has a release in flight (step %d of %d, %s): approve, undo or wait for it to finish before restarting",
			ns, name, st.CurrentStepIndex, len(st.Steps), st.CurrentStepState)
	}
	if a, ref, _, err = uc.workload(ro); err != nil {
		return nil, err
	}
	restarter, ok := a.(adapters.ContainerRestarter)
	if !ok {
		return nil, BadRequest("%s does not support restart", ref.Kind)
	}
	var before runtime.Object
	updated, err := applyGuarded(ctx, a, ns, ref, func(obj runtime.Object) (*adapters.Patch, error) {
		before = obj
		patch, err := restarter.ContainerRestartPatch(obj, uc.clock.Now())
		if errors.Is(err, adapters.ErrRestartRefused) {
			return nil, Conflict(err, "%v", err)
		} else if err != nil {
			return nil, Internal(err, "build restart patch: %v", err)
		}
		patch.DryRun = dryRun
		return &patch, nil
	})
	if err != nil {
		return nil, err
	}
	res := &RestartResult{Workload: ref, Object: updated, DryRun: dryRun, Effect: effectOf(planFor(ro.Rollout, false))}
	if res.Diff, err = templateDiff(before, updated); err != nil {
		return nil, Internal(err, "compare pod templates: %v", err)
	}
	res.Message = fmt.Sprintf("%s %s/%s restarted. %s", ref.Kind, ns, ref.Name, res.Explanation)
	if dryRun {
		res.Message = "preview (nothing changed) — " + res.Message
	} else {
		uc.recorded(ctx, ro, "RestartedByDashboard", "%s %s restarted", ref.Kind, ref.Name)
	}
	return res, nil
}
