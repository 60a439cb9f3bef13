package adapters

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// RestartedAtEnv is the container variable kubectl-kruise sets to restart Kruise workloads whose
// update strategy would apply a metadata-only template change in place.
const RestartedAtEnv = "RESTARTED_AT"

// Patch is a patch body with its type; a DryRun patch is checked and answered by the API server
// (admission, webhooks, validation) and not stored.
type Patch struct {
	Type   types.PatchType
	Data   []byte
	DryRun bool
	// Subresource, when set, is patched instead of the object (status, scale).
	Subresource string
}

// Update styles a restart can meet.
type restartStyle int

const (
	recreatesPods  restartStyle = iota // any template change recreates pods
	updatesInPlace                     // metadata changes are applied in place
	refusesRestart                     // no template change restarts containers (reason given)
)

// restartPatchFor builds the restart patch for a style; reason explains a refusal.
func restartPatchFor(style restartStyle, reason, kind string, obj metav1.Object, tmpl corev1.PodTemplateSpec, at time.Time) (Patch, error) {
	switch style {
	case recreatesPods:
		return Patch{Type: types.MergePatchType, Data: TemplateAnnotationPatch(at.Format(time.RFC3339))}, nil
	case updatesInPlace:
		data, err := envRestartPatch(obj.GetResourceVersion(), tmpl, at)
		return Patch{Type: types.JSONPatchType, Data: data}, err
	default:
		return Patch{}, fmt.Errorf("%w: %s %s/%s: %s", ErrRestartRefused, kind, obj.GetNamespace(), obj.GetName(), reason)
	}
}

// envRestartPatch sets RESTARTED_AT in every container with a JSON patch guarded by the
// resourceVersion read, so the change lands exactly on the object that was inspected.
func envRestartPatch(resourceVersion string, tmpl corev1.PodTemplateSpec, at time.Time) ([]byte, error) {
	value := at.Format(time.RFC3339)
	ops := []map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": resourceVersion}}
	for i, c := range tmpl.Spec.Containers {
		base := "/spec/template/spec/containers/" + strconv.Itoa(i) + "/env"
		idx := -1
		for j, e := range c.Env {
			if e.Name == RestartedAtEnv {
				idx = j
			}
		}
		switch {
		case c.Env == nil:
			ops = append(ops, map[string]any{"op": "add", "path": base, "value": []corev1.EnvVar{{Name: RestartedAtEnv, Value: value}}})
		case idx >= 0:
			ops = append(ops, map[string]any{"op": "replace", "path": base + "/" + strconv.Itoa(idx), "value": corev1.EnvVar{Name: RestartedAtEnv, Value: value}})
		default:
			ops = append(ops, map[string]any{"op": "add", "path": base + "/-", "value": corev1.EnvVar{Name: RestartedAtEnv, Value: value}})
		}
	}
	return json.Marshal(ops)
}

// as asserts the concrete type of an object read from this adapter's informer.
func as[T runtime.Object](obj runtime.Object) (T, error) {
	typed, ok := obj.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("unexpected object %T, want %T", obj, zero)
	}
	return typed, nil
}
