package biz

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// UndoResult is the answer of POST /rollout/undo.
type UndoResult struct {
	Workload     WorkloadRef `json:"workload"`
	FromRevision int64       `json:"fromRevision"`
	ToRevision   int64       `json:"toRevision"`
	ToName       string      `json:"toName"`
	Changed      bool        `json:"changed"`
	Message      string      `json:"message"`
	// DryRun: a preview computed by the API server; nothing was changed.
	DryRun bool `json:"dryRun"`
	// Images are the target revision's, by container.
	Images map[string]string `json:"images"`
	// Warning: rolled back, but not in the Rollout's release timeline (rollout_record.go).
	Warning string   `json:"warning,omitempty"`
	Diff    []Change `json:"diff"`
	Effect
}

// Undo rolls the Rollout's workload back to its previous revision, or to revision rawTo, by
// replacing the whole pod template with the revision's (a JSON patch guarded by the
// resourceVersion read). A revision already in place changes nothing.
func (uc *RolloutUsecase) Undo(ctx context.Context, ns, name, rawTo string, dryRun bool) (*UndoResult, error) {
	ctx, span := uc.start(ctx, "Undo", ns, name)
	defer span.End()
	var to int64
	if rawTo != "" {
		n, err := strconv.ParseInt(rawTo, 10, 64)
		if err != nil || n < 1 {
			return nil, BadRequest("revision must be a positive whole number, got %q", rawTo)
		}
		to = n
	}
	ro, ref, _, revisioner, err := uc.workloadWithHistory(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	a, _ := uc.registry.Get(ref.Type)
	if err := authorizeWrite(ctx, uc.access, attributesOf(a, "patch", ns, ref.Name), ""); err != nil {
		return nil, err
	}
	var res *UndoResult
	var before runtime.Object
	toStable := false
	updated, err := applyGuarded(ctx, a, ns, ref, func(obj runtime.Object) (*adapters.Patch, error) {
		before = obj
		revs, current, err := revisionsOf(revisioner, obj, ref)
		if err != nil {
			return nil, err
		}
		target, err := undoTarget(revs, current, to, ref)
		if err != nil {
			return nil, err
		}
		res = &UndoResult{Workload: ref, ToRevision: target.Number, ToName: target.Name, DryRun: dryRun, Images: containerImages(target.Template), Diff: []Change{}}
		if sub := subStatus(ro.Rollout); sub != nil {
			toStable = sameRevision(target, sub.StableRevision)
		}
		res.Effect = effectOf(planFor(ro.Rollout, toStable))
		if current != nil {
			res.FromRevision = current.Number
			if current.Name == target.Name {
				res.Message = fmt.Sprintf("%s %s/%s already runs revision %d; nothing to undo", ref.Kind, ns, ref.Name, target.Number)
				res.Effect = Effect{Steps: []StepPlan{}}
				return nil, nil
			}
		}
		patch, err := adapters.RollbackPatch(obj.(metav1.Object).GetResourceVersion(), target)
		if err != nil {
			return nil, Internal(err, "build rollback patch: %v", err)
		}
		res.Changed = true // with dryRun: would change
		res.Message = fmt.Sprintf("%s %s/%s rolled back to revision %d (%s, %s). %s", ref.Kind, ns, ref.Name, target.Number, target.Name, imagesText(res.Images), res.Explanation)
		if dryRun {
			res.Message = "preview (nothing changed) — " + res.Message
		}
		return &adapters.Patch{Type: types.JSONPatchType, Data: patch, DryRun: dryRun}, nil
	})
	if err != nil {
		return nil, err
	}
	if updated != nil {
		if res.Diff, err = templateDiff(before, updated); err != nil {
			return nil, Internal(err, "compare pod templates: %v", err)
		}
	}
	if res.Changed && !dryRun {
		uc.recorded(ctx, ro, "RolledBackByDashboard", "%s %s rolled back from revision %d to revision %d", ref.Kind, ref.Name, res.FromRevision, res.ToRevision)
		res.Warning = uc.recordUndo(ctx, ro.Rollout, res.Images, updated)
	}
	return res, nil
}

// undoTarget picks revision `to`, or (to == 0) the newest revision older than the current one.
func undoTarget(revs []adapters.Revision, current *adapters.Revision, to int64, ref WorkloadRef) (adapters.Revision, error) {
	if to != 0 {
		known := make([]int64, len(revs))
		for i, r := range revs {
			if r.Number == to {
				return r, nil
			}
			known[i] = r.Number
		}
		return adapters.Revision{}, NotFound("revision %d of %s %s not found (revisions: %v)", to, ref.Kind, ref.Name, known)
	}
	for i := len(revs) - 1; i >= 0; i-- {
		if current == nil || revs[i].Number < current.Number {
			if current == nil && i == len(revs)-1 {
				continue // without a known current revision, previous means second newest, as kubectl
			}
			return revs[i], nil
		}
	}
	return adapters.Revision{}, Conflict(nil, "%s %s has no previous revision to roll back to (%d revisions)", ref.Kind, ref.Name, len(revs))
}

// imagesText lists images by container, e.g. "web=nginx:1.27".
func imagesText(images map[string]string) string {
	parts := make([]string, 0, len(images))
	for c, img := range images {
		parts = append(parts, c+"="+img)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
