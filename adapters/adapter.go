// Package adapters holds one adapter per workload type the dashboard serves.
//
// This file is the contract: Adapter, which every type implements, and the optional capability
// interfaces (Scaler, Restarter, Templated, Revisioner, ContainerRestarter, Actor) that match the
// flags it declares. The registry checks flags against interfaces at start-up, each kind's file
// asserts at compile time what it implements, and the HTTP layer never switches on a type.
//
// # Adding a workload type
//
//  1. Write one file here, e.g. uniteddeployment.go: a struct embedding Resource and a
//     constructor that fills it with NewResource — type name, plural, GroupVersionKind,
//     capability flags, informer, and what the kind is: its list Columns (titles in English and
//     Chinese), the States its objects take and the State rule reading them, and the Commands
//     kubectl users would type for its actions (Info.KubectlCommands gives the usual ones); then
//     Pods, and Scale/RestartPatch/TemplateOf when the flags say the type supports them, with a
//     compile-time assertion of each interface.
//  2. Add the constructor to All in provider.go.
//  3. Grant the dashboard list and watch (and the verbs of its actions) on the resource in
//     configs/clusterrole.yaml and the chart's templates/rbac.yaml (a chart test requires them
//     equal); TestClusterRoleCoversRegistry names a kind whose rules are missing.
//
// Routes, use cases, the UI (tabs, columns, state filter, commands) and the cache pick it up.
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
	GVK        schema.GroupVersionKind `json:"-"`
	APIVersion string                  `json:"apiVersion"`
	Kind       string                  `json:"kind"`
	// Title is the type's name as people should read it, unambiguous among the types ("Advanced
	// StatefulSet" for Kruise's, "StatefulSet" for apps/v1's); the kind when not said. Titles are
	// the name in other languages, by language tag (zh-CN), when it differs.
	Title        string            `json:"title" openapi:"required"`
	Titles       map[string]string `json:"titles,omitempty"`
	Capabilities Capabilities      `json:"capabilities"`
	// Source is builtin (a Go adapter) or declared (a YAML declaration, File); refused is a
	// declaration not served, Refusal saying why (the last good one of its type, if any, is).
	Source string `json:"source" enum:"builtin,declared,refused"`
	File   string `json:"file,omitempty"`
	// Origin says where a declaration came from without the server's paths: shipped (built into
	// the dashboard), folder (the types folder, KD_TYPES_DIR), or configmap (ConfigMap, as
	// namespace/name); FileName is its file's name (or the ConfigMap's key) there.
	Origin    string `json:"origin,omitempty" enum:"shipped,folder,configmap"`
	ConfigMap string `json:"configMap,omitempty"`
	FileName  string `json:"fileName,omitempty"`
	Refusal   string `json:"refusal,omitempty"`
	// Scope is Namespaced, or Cluster for a cluster-scoped kind (served under _cluster).
	Scope string `json:"scope" enum:"Namespaced,Cluster"`
	// Columns are what a list shows of each object between its state and its age (Detail ones
	// only on the object's page); every compact row carries their values.
	Columns []Column `json:"columns"`
	// States are the states the type's objects can be in (the list's state filter).
	States []string `json:"states"`
	// State reads an object's state, one of States (a Go kind's; declared types use CEL).
	State func(Object) string `json:"-"`
	// Commands are the kubectl commands equivalent to the built-in actions.
	Commands Commands `json:"commands"`
	// Actions of a declared type.
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
	// Summarize returns an object's column values and state (content is its JSON).
	Summarize(content map[string]any) (columns map[string]any, state string)
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

// Revisioner is implemented by types whose revisions are kept and can be rolled back to.
type Revisioner interface {
	// Revisions returns obj's revisions, oldest first.
	Revisions(obj metav1.Object) ([]Revision, error)
	// TemplateOf (comparable with Revision.Template).
	Templated
}

// ContainerRestarter is implemented by types that can restart their containers in the way their
// update strategy honours (the Rollout restart). The template annotation is enough where pods are
// recreated on any template change; where Kruise updates in place, a metadata change would only
// relabel pods, so the RESTARTED_AT variable is changed in every container instead, as
// kubectl-kruise does.
type ContainerRestarter interface {
	ContainerRestartPatch(obj runtime.Object, at time.Time) (Patch, error)
}

// Lifecycle is implemented by types whose informers are their own rather than the shared
// factories' (declared types, which may be removed or changed while the dashboard runs): the
// cache starts them once registered, and stops them when the type leaves the registry.
type Lifecycle interface {
	Start()
	Stop()
}

// Related is implemented by types whose columns or state read other cached objects rather than
// trust a controller's summary of them (an AdvancedCronJob's running jobs are its Jobs' own
// conditions): the cache computes an object's row again when an object it controls changes in
// one of these informers. served tells which resources the cluster serves (an informer of a
// resource not served must not be registered).
type Related interface {
	RelatedInformers(served func(schema.GroupVersionResource) bool) []cache.SharedIndexInformer
}

// Actor is implemented by types with named actions.
type Actor interface {
	// ActionPatch builds the patch of action for obj with the parameters as given (JSON values).
	ActionPatch(obj runtime.Object, action string, params map[string]any) (Patch, error)
}
