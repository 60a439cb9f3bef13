package biz

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// What a change of a workload's pod template does under the Rollout that governs it, so that a
// person sees it before it runs (docs/semantics.md §4.6, §4.8, §4.10: the Rollout controller's webhook turns a
// template change into a release through the steps).

// StepPlan is one step of the release a change starts.
type StepPlan struct {
	Index    int    `json:"index"`
	Replicas string `json:"replicas"`
	Traffic  string `json:"traffic,omitempty"`
	// Pause is "manual", a duration like "60s", or "" for none.
	Pause string `json:"pause"`
	// WaitsForPerson: the release stops at this step until someone approves.
	WaitsForPerson bool `json:"waitsForPerson"`
}

// ReleasePlan says what a template change does under the governing Rollout.
type ReleasePlan struct {
	Name string `json:"name"`
	// StartsRelease: the change is released through the steps (and waits where they say).
	StartsRelease bool `json:"startsRelease"`
	// Case names which of planFor's cases the explanation is, so that a reader can tell whether
	// it says more than "a new release through the steps" (new).
	Case        string     `json:"case" enum:"new,restart,cancel,rollbackInBatches,refused,disabled"`
	Explanation string     `json:"explanation"`
	Steps       []StepPlan `json:"steps"`
}

// RollbackInBatchAnnotation asks the Rollout controller to release a rollback through the steps
// instead of rolling back at once.
const RollbackInBatchAnnotation = "rollouts.kruise.io/rollback-in-batch"

// stepsOf is the Rollout's step plan.
func stepsOf(ro *rolloutsv1beta1.Rollout) []StepPlan {
	steps := ro.Spec.Strategy.GetSteps()
	out := make([]StepPlan, 0, len(steps))
	for i, s := range steps {
		p := StepPlan{Index: i + 1}
		if s.Replicas != nil {
			p.Replicas = s.Replicas.String()
		}
		if s.Traffic != nil {
			p.Traffic = *s.Traffic
		}
		switch {
		case s.Pause.Duration == nil:
			p.Pause = "manual"
			// The final 100% step completes the release without waiting.
			p.WaitsForPerson = !(i == len(steps)-1 && p.Replicas == "100%")
		case *s.Pause.Duration > 0:
			p.Pause = strconv.Itoa(int(*s.Pause.Duration)) + "s"
		}
		out = append(out, p)
	}
	return out
}

// planFor says what a new pod template does under ro. toStable is true for a rollback to the
// release's stable revision (undo in the middle of a release).
func planFor(ro *rolloutsv1beta1.Rollout, toStable bool) *ReleasePlan {
	p := &ReleasePlan{Name: ro.Name, Steps: stepsOf(ro)}
	var waits []string
	for _, s := range p.Steps {
		if s.WaitsForPerson {
			waits = append(waits, strconv.Itoa(s.Index))
		}
	}
	through := fmt.Sprintf("released through the Rollout's %d steps", len(p.Steps))
	if len(waits) > 0 {
		through += ", waiting for approval at step " + strings.Join(waits, ", ")
	}
	switch {
	case ro.Spec.Disabled:
		p.Case = "disabled"
		p.Explanation = fmt.Sprintf("Rollout %s is disabled: the workload's own strategy updates every pod at once", ro.Name)
		p.Steps = []StepPlan{}
	case isActive(ro) && toStable && ro.Annotations[RollbackInBatchAnnotation] != "true":
		p.Case = "cancel"
		p.Explanation = fmt.Sprintf("a release is in progress: going back to its stable revision makes Rollout %s cancel it, and the workload rolls back at once by its own strategy", ro.Name)
		p.Steps = []StepPlan{}
	case isActive(ro) && toStable:
		p.StartsRelease, p.Case = true, "rollbackInBatches"
		p.Explanation = fmt.Sprintf("a release is in progress and Rollout %s rolls back in batches (%s): the rollback is %s, from step 1", ro.Name, RollbackInBatchAnnotation, through)
	case isActive(ro) && ro.Spec.Strategy.BlueGreen != nil:
		p.Case = "refused"
		p.Explanation = fmt.Sprintf("a blue-green release is in progress: Rollout %s refuses a new version until it is finished or rolled back", ro.Name)
		p.Steps = []StepPlan{}
	case isActive(ro):
		p.StartsRelease, p.Case = true, "restart"
		p.Explanation = fmt.Sprintf("a release is in progress: Rollout %s restarts it from step 1 with this version, %s", ro.Name, through)
	default:
		p.StartsRelease, p.Case = true, "new"
		p.Explanation = fmt.Sprintf("Rollout %s starts a new release: the change is %s", ro.Name, through)
	}
	return p
}

// governing is the Rollout whose workloadRef is the workload (kind, group, name) in ns, if any.
func governing(repo RolloutRepo, ns string, gvk schema.GroupVersionKind, name string) (*RolloutObject, error) {
	objs, err := repo.List(ns)
	if errors.Is(err, ErrNotInstalled) {
		return nil, nil // no Rollout API, no Rollout
	}
	if err != nil {
		return nil, FromKube(err, "rollouts")
	}
	for _, o := range objs {
		ref := o.Rollout.Spec.WorkloadRef
		gv, err := schema.ParseGroupVersion(ref.APIVersion)
		if err == nil && gv.Group == gvk.Group && ref.Kind == gvk.Kind && ref.Name == name {
			return &o, nil
		}
	}
	return nil, nil
}

// Change is one difference between two pod templates, by path (e.g. spec.containers[0].image).
type Change struct {
	Path string `json:"path"`
	From string `json:"from"`
	To   string `json:"to"`
}

// templateDiff is what differs between the pod templates of two objects (typed or unstructured).
func templateDiff(before, after runtime.Object) ([]Change, error) {
	a, err := templateMap(before)
	if err != nil {
		return nil, err
	}
	b, err := templateMap(after)
	if err != nil {
		return nil, err
	}
	var out []Change
	diffValues("", a, b, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func templateMap(obj runtime.Object) (map[string]any, error) {
	var content map[string]any
	if u, ok := obj.(runtime.Unstructured); ok {
		content = u.UnstructuredContent()
	} else {
		var err error
		if content, err = runtime.DefaultUnstructuredConverter.ToUnstructured(obj); err != nil {
			return nil, fmt.Errorf("read pod template: %w", err)
		}
	}
	spec, _ := content["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	return tmpl, nil
}

// diffValues appends the leaf differences of a and b under path.
func diffValues(path string, a, b any, out *[]Change) {
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if aMap && bMap {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			diffValues(join(path, k), am[k], bm[k], out)
		}
		return
	}
	as, aList := a.([]any)
	bs, bList := b.([]any)
	if aList && bList && len(as) == len(bs) {
		for i := range as {
			diffValues(fmt.Sprintf("%s[%d]", path, i), as[i], bs[i], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Change{Path: path, From: show(a), To: show(b)})
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func show(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// containerImages maps a pod template's containers (and init containers) to their images.
func containerImages(tmpl corev1.PodTemplateSpec) map[string]string {
	out := map[string]string{}
	for _, c := range append(tmpl.Spec.InitContainers, tmpl.Spec.Containers...) {
		out[c.Name] = c.Image
	}
	return out
}
