package biz

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// Act runs a declared type's named action on one object: the user must be allowed to patch the
// resource (or the action's subresource); the patch is what the action's expression gives for
// the object and the parameters. dryRun runs it through the API server's admission only.
func (uc *WorkloadUsecase) Act(ctx context.Context, ns, workloadType, name, action string, params map[string]any, dryRun bool) (runtime.Object, error) {
	ctx, span := uc.start(ctx, "Act", ns, workloadType, name)
	defer span.End()
	a, err := uc.adapter(workloadType)
	if err != nil {
		return nil, err
	}
	actor, ok := a.(adapters.Actor)
	var decl *adapters.Action
	for i, act := range a.Info().Actions {
		if act.Name == action {
			decl = &a.Info().Actions[i]
		}
	}
	if !ok || decl == nil {
		return nil, BadRequest("%s has no action %q (actions: %s)", workloadType, action, actionNames(a))
	}
	if _, err := uc.writable(ctx, ns, workloadType, name, "patch", decl.Subresource); err != nil {
		return nil, err
	}
	_, obj, err := uc.find(ctx, ns, workloadType, name)
	if err != nil {
		return nil, err
	}
	patch, err := actor.ActionPatch(obj, action, params)
	switch {
	case errors.Is(err, adapters.ErrBadParams):
		return nil, BadRequest("action %s: %v", action, err)
	case errors.Is(err, adapters.ErrCostLimit):
		return nil, newError(http.StatusUnprocessableEntity, CodeInvalid, err, "action %s: %v: the declaration's expression is too costly for this object", action, err)
	case err != nil:
		return nil, newError(http.StatusUnprocessableEntity, CodeInvalid, err, "action %s: the declaration's expression failed: %v", action, err)
	}
	patch.DryRun = dryRun
	updated, err := a.Apply(ctx, ns, name, patch)
	if err != nil {
		return nil, FromKube(err, objectLabel(a, ns, name))
	}
	if !dryRun {
		uc.events.Recorded(ctx, a.Info().GVK, updated.(metav1.Object), "ActionByDashboard", "action %s%s", action, describeParams(params))
	}
	return updated, nil
}

func actionNames(a adapters.Adapter) string {
	var names []string
	for _, act := range a.Info().Actions {
		names = append(names, act.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func describeParams(params map[string]any) string {
	if len(params) == 0 {
		return ""
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, params[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
