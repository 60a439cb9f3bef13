package biz

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// ContainerImage is one container's image before and after.
type ContainerImage struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// SetImageResult is the answer of POST /workload/:ns/:type/:name/image.
type SetImageResult struct {
	DryRun bool `json:"dryRun"`
	// Changed: the template changed (with dryRun: would change; nothing is stored).
	Changed    bool             `json:"changed"`
	Message    string           `json:"message"`
	Containers []ContainerImage `json:"containers"`
	// Diff is what the API server (with its admission webhooks) makes of the pod template.
	Diff []Change `json:"diff"`
	// Rollout is the governing Rollout and what the change does under it, or null.
	Rollout *ReleasePlan `json:"rollout"`
	// Warning: the change is made but not in the Rollout's release timeline (rollout_record.go).
	Warning string `json:"warning,omitempty"`
}

// maxImageLength bounds an image reference (the registry limit for a repository name is 255,
// plus tag and digest).
const maxImageLength = 512

// SetImage sets container images of a workload's pod template, as `kubectl-kruise set image`
// (which, unlike kubectl, works on Kruise kinds): one JSON patch that tests the resourceVersion
// and each container's current image, so nothing is set on a template that changed meanwhile.
// dryRun asks the API server to run it through admission without storing it: the preview.
func (uc *WorkloadUsecase) SetImage(ctx context.Context, ns, workloadType, name string, images map[string]string, dryRun bool) (*SetImageResult, error) {
	ctx, span := uc.start(ctx, "SetImage", ns, workloadType, name)
	defer span.End()
	a, err := uc.writable(ctx, ns, workloadType, name, "patch", "")
	if err != nil {
		return nil, err
	}
	templated, ok := a.(adapters.Templated)
	if !ok {
		return nil, BadRequest("%s does not support set image (types with one pod template: %s)", workloadType, uc.typesWith(func(c adapters.Capabilities) bool { return c.ImageSettable }))
	}
	if err := validImages(images); err != nil {
		return nil, err
	}
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, err
	}
	ref := WorkloadRef{Type: workloadType, APIVersion: a.Info().APIVersion, Kind: a.Info().Kind, Name: name}
	res := &SetImageResult{DryRun: dryRun, Containers: []ContainerImage{}, Diff: []Change{}}
	var before runtime.Object
	after, err := applyGuarded(ctx, a, ns, ref, func(obj runtime.Object) (*adapters.Patch, error) {
		before = obj
		tmpl, err := templated.TemplateOf(obj)
		if err != nil {
			return nil, Internal(err, "read the pod template of %s %s/%s: %v", workloadType, ns, name, err)
		}
		changes, ops, err := imagePatch(obj.(metav1.Object).GetResourceVersion(), tmpl, images)
		if err != nil {
			return nil, err
		}
		res.Containers = changes
		if len(ops) == 1 { // only the resourceVersion test: every image is already as asked
			return nil, nil
		}
		data, err := json.Marshal(ops)
		if err != nil {
			return nil, Internal(err, "encode patch: %v", err)
		}
		return &adapters.Patch{Type: types.JSONPatchType, Data: data, DryRun: dryRun}, nil
	})
	if err != nil {
		return nil, err
	}
	what := objectLabel(a, ns, name)
	if after == nil {
		res.Message = what + ": every container already runs the image asked for; nothing to change"
		return res, nil
	}
	res.Changed = true // stored, or with dryRun: would be
	if res.Diff, err = templateDiff(before, after); err != nil {
		return nil, Internal(err, "compare pod templates: %v", err)
	}
	gov, err := governing(uc.rollouts, ns, a.Info().GVK, name)
	if err != nil {
		return nil, err
	}
	if gov != nil {
		res.Rollout = planFor(gov.Rollout, false)
	}
	res.Message = describeImages(what, res, dryRun)
	if !dryRun {
		uc.events.Recorded(ctx, a.Info().GVK, after.(metav1.Object), "ImageSetByDashboard", "%s", imageList(res.Containers))
		if gov != nil {
			res.Warning = recordStart(ctx, uc.rollouts, gov.Rollout, uc.now(), imagesOf(res.Containers), after.(metav1.Object).GetGeneration())
		}
	}
	return res, nil
}

// imageReference is the grammar of an image reference: [registry[:port]/]path[:tag][@digest],
// path components lower case. The API server does not check it (any non-empty string is stored,
// and the pods fail to pull later), so the dashboard does.
var imageReference = func() *regexp.Regexp {
	const (
		domain    = `(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?`
		component = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
		tag       = `(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?`
		digest    = `(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?`
	)
	return regexp.MustCompile(`^` + domain + component + `(?:/` + component + `)*` + tag + digest + `$`)
}()

// validImages refuses an empty request, an empty container name, and anything that is not an
// image reference.
func validImages(images map[string]string) error {
	if len(images) == 0 {
		return BadRequest(`images is required: {"images": {"<container>": "<image>"}}`)
	}
	for c, img := range images {
		switch {
		case c == "":
			return BadRequest("a container name is empty")
		case len(img) > maxImageLength || !imageReference.MatchString(img):
			return BadRequest("the image of container %s must be an image reference such as nginx:1.29 or registry.example.com:5000/team/app@sha256:<hex> (at most %d characters), got %q", c, maxImageLength, img)
		}
	}
	return nil
}

// imagePatch is the JSON patch setting images on tmpl (at adapters.TemplatePath), guarded by the
// resourceVersion and each container's current image, and the changes it makes.
func imagePatch(resourceVersion string, tmpl corev1.PodTemplateSpec, images map[string]string) ([]ContainerImage, []map[string]any, error) {
	ops := []map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": resourceVersion}}
	var changes []ContainerImage
	names := make([]string, 0, len(images))
	for c := range images {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		path, from, ok := containerPath(tmpl, c)
		if !ok {
			return nil, nil, BadRequest("no container %q in the pod template (containers: %s)", c, strings.Join(containerNames(tmpl), ", "))
		}
		if from == images[c] {
			continue
		}
		changes = append(changes, ContainerImage{Name: c, From: from, To: images[c]})
		ops = append(ops,
			map[string]any{"op": "test", "path": path, "value": from},
			map[string]any{"op": "replace", "path": path, "value": images[c]})
	}
	if changes == nil {
		changes = []ContainerImage{}
	}
	return changes, ops, nil
}

func containerPath(tmpl corev1.PodTemplateSpec, name string) (path, image string, ok bool) {
	for field, list := range map[string][]corev1.Container{"containers": tmpl.Spec.Containers, "initContainers": tmpl.Spec.InitContainers} {
		for i, c := range list {
			if c.Name == name {
				return adapters.TemplatePath + "/spec/" + field + "/" + strconv.Itoa(i) + "/image", c.Image, true
			}
		}
	}
	return "", "", false
}

func containerNames(tmpl corev1.PodTemplateSpec) []string {
	var names []string
	for _, c := range append(tmpl.Spec.InitContainers, tmpl.Spec.Containers...) {
		names = append(names, c.Name)
	}
	return names
}

func imageList(cs []ContainerImage) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("container %s: %s → %s", c.Name, c.From, c.To)
	}
	return strings.Join(parts, "; ")
}

func describeImages(what string, res *SetImageResult, dryRun bool) string {
	msg := what + ": " + imageList(res.Containers)
	if dryRun {
		msg = "preview (nothing changed) — " + msg
	}
	if res.Rollout != nil {
		msg += ". " + res.Rollout.Explanation
	}
	return msg
}

// Rollout returns the Rollout governing a workload with its status, or nil.
func (uc *WorkloadUsecase) Rollout(ctx context.Context, ns, workloadType, name string) (*RolloutStatus, error) {
	ctx, span := uc.start(ctx, "Rollout", ns, workloadType, name)
	defer span.End()
	a, _, err := uc.find(ctx, ns, workloadType, name)
	if err != nil {
		return nil, err
	}
	if err := Authorize(ctx, uc.access, rolloutAttributes("list", ns, "")); err != nil {
		return nil, err
	}
	gov, err := governing(uc.rollouts, ns, a.Info().GVK, name)
	if err != nil || gov == nil {
		return nil, err
	}
	return normaliseStatus(*gov, workloadType), nil
}
