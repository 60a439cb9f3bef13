// Package adapters holds one adapter per workload type the dashboard serves.
//
// An adapter describes its type (Info), gives the shared informer the type is read from, finds
// the pods an object owns, and implements the optional capability interfaces (Scaler, Restarter)
// that match the flags it declares. The registry checks flags against interfaces at start-up, and
// the HTTP layer never switches on a type: it asks the registry.
//
// # Adding a workload type
//
//  1. Write one file here, e.g. uniteddeployment.go: a struct embedding Resource, a constructor
//     that fills it with NewResource (type name, plural, GroupVersionKind, capability flags,
//     informer), a Pods method, and Scale/RestartPatch when the flags say the type supports them.
//  2. Add the constructor to All in provider.go.
//
// Nothing else changes: routes, use cases, the UI's capability table and the cache pick it up.
package adapters

import (
	"context"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"
)

// Capabilities tell the HTTP layer and the UI which actions a type supports.
type Capabilities struct {
	// Scalable types serve the /scale subresource; the adapter implements Scaler.
	Scalable bool `json:"scalable"`
	// Restartable types roll their pods on a pod-template change; the adapter implements Restarter.
	Restartable bool `json:"restartable"`
	// ImageSettable types keep one pod template at spec.template whose container images can be
	// set; the adapter implements Templated.
	ImageSettable bool `json:"imageSettable"`
}

// Info describes a workload type as the API and the UI see it.
type Info struct {
	// Type is the :type path segment, e.g. "cloneset".
	Type string `json:"type"`
	// Plural is the key in GET /workload/:ns and, unless Resource says otherwise, the resource
	// name, e.g. "clonesets".
	Plural string `json:"plural"`
	// Resource is the resource name when the plural must differ from it (apps/v1 statefulsets
	// beside Kruise's statefulsets).
	Resource string `json:"resource,omitempty"`
	// GVK is the Kubernetes group, version and kind served.
	GVK          schema.GroupVersionKind `json:"-"`
	APIVersion   string                  `json:"apiVersion"`
	Kind         string                  `json:"kind"`
	Capabilities Capabilities            `json:"capabilities"`
	// Source is builtin (a Go adapter) or declared (a YAML declaration, File).
	Source string `json:"source" enum:"builtin,declared"`
	File   string `json:"file,omitempty"`
	// Scope is Namespaced, or Cluster for a cluster-scoped kind (served under _cluster).
	Scope string `json:"scope" enum:"Namespaced,Cluster"`
	// Columns and Actions of a declared type (the UI lists and offers them; built-in types'
	// columns are known to the UI).
	Columns []Column `json:"columns,omitempty"`
	Actions []Action `json:"actions,omitempty"`
}

// Namespaced reports whether the type's objects live in namespaces.
func (i Info) Namespaced() bool { return i.Scope != ScopeCluster }

// GVR is the resource the type is served as: Resource, or the plural when they are the same.
func (i Info) GVR() schema.GroupVersionResource {
	if i.Resource != "" {
		return i.GVK.GroupVersion().WithResource(i.Resource)
	}
	return i.GVK.GroupVersion().WithResource(i.Plural)
}

// Adapter is one workload type.
type Adapter interface {
	Info() Info
	// Informer returns the shared informer the type is read from, registering it with the
	// factory on first call. The cache calls it only once the type's API is known to be served.
	Informer() cache.SharedIndexInformer
	// Pods returns the pods that obj (an object of this type from the informer) owns.
	Pods(obj metav1.Object) ([]*corev1.Pod, error)
	// Delete deletes the object with background propagation, as kubectl does by default.
	Delete(ctx context.Context, namespace, name string) error
	// Fetch reads the object from the API server rather than the cache.
	Fetch(ctx context.Context, namespace, name string) (runtime.Object, error)
	// Apply sends a patch (merge or JSON patch) and returns the updated object.
	Apply(ctx context.Context, namespace, name string, p Patch) (runtime.Object, error)
}

// Scaler is implemented by types with the /scale subresource.
type Scaler interface {
	Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error)
}

// Templated is implemented by types whose pod template is spec.template.
type Templated interface {
	// TemplateOf returns obj's current pod template.
	TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error)
}

// TemplatePath is the JSON pointer of a Templated type's pod template.
const TemplatePath = "/spec/template"

// Restarter is implemented by types whose pods a template annotation rolls.
type Restarter interface {
	// RestartPatch returns the merge patch that restarts obj's pods at the given time, or an
	// error (ErrRestartRefused) when obj cannot be restarted in its current state.
	RestartPatch(obj runtime.Object, at time.Time) ([]byte, error)
	// Patch applies a merge patch to the object and returns the result.
	Patch(ctx context.Context, namespace, name string, patch []byte) (runtime.Object, error)
}
