package adapters

import (
	"context"
	"encoding/json"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	kruiseinformers "github.com/openkruise/kruise-api/client/informers/externalversions"
)

// OwnerIndex indexes objects by the UID of their controller, so "what does X own" is a lookup.
const OwnerIndex = "controller-uid"

// Cluster is what adapters read and write through. The data layer builds it.
type Cluster struct {
	Kube   kubeinformers.SharedInformerFactory
	Kruise kruiseinformers.SharedInformerFactory
	// Dynamic serves the declared types; each has its own informers (Declared.Start).
	Dynamic dynamic.Interface
	// Scheme turns objects read with the dynamic client into the typed objects the cache holds.
	Scheme *runtime.Scheme
	// Pods, when set, gives the pods instead of the factory's informer: a fleet cluster caches its
	// pods only while they are read (data.OnDemandPods). Nil: the factory's, always cached.
	Pods PodSource
}

// PodSource gives a pod informer started on demand.
type PodSource interface {
	// Informer is the pod informer (indexed by owner and namespace), started and synced by this
	// call if it was not running; an error when it could not sync in time.
	Informer() (cache.SharedIndexInformer, error)
}

// PodCache is the pod informer to read: the on-demand source's, or the factory's.
func (c *Cluster) PodCache() (cache.SharedIndexInformer, error) {
	if c.Pods != nil {
		return c.Pods.Informer()
	}
	return c.PodInformer(), nil
}

// Indexed adds the owner index to inf (once) and returns it. Every informer the adapters use
// goes through here before the factory starts it.
func Indexed(inf cache.SharedIndexInformer) cache.SharedIndexInformer {
	if _, ok := inf.GetIndexer().GetIndexers()[OwnerIndex]; !ok {
		// The only error is a conflicting index name, which the check above rules out.
		_ = inf.AddIndexers(cache.Indexers{OwnerIndex: indexByController})
	}
	return inf
}

func indexByController(obj any) ([]string, error) {
	meta, err := metaOf(obj)
	if err != nil {
		return nil, err
	}
	if ref := metav1.GetControllerOfNoCopy(meta); ref != nil {
		return []string{string(ref.UID)}, nil
	}
	return nil, nil
}

func metaOf(obj any) (metav1.Object, error) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	meta, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("object %T has no metadata", obj)
	}
	return meta, nil
}

// PodInformer is the factory's pod informer, indexed by owner (read through PodCache).
func (c *Cluster) PodInformer() cache.SharedIndexInformer {
	return Indexed(c.Kube.Core().V1().Pods().Informer())
}

// PodsOwnedBy returns the pods whose controller is one of uids.
func (c *Cluster) PodsOwnedBy(uids ...types.UID) ([]*corev1.Pod, error) {
	inf, err := c.PodCache()
	if err != nil {
		return nil, err
	}
	objs, err := ownedBy(inf, uids...)
	if err != nil {
		return nil, err
	}
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		if pod, ok := o.(*corev1.Pod); ok {
			pods = append(pods, pod)
		}
	}
	return pods, nil
}

// OwnedUIDs returns the UIDs of the objects in inf whose controller is owner.
func OwnedUIDs(inf cache.SharedIndexInformer, owner types.UID) ([]types.UID, error) {
	objs, err := ownedBy(Indexed(inf), owner)
	if err != nil {
		return nil, err
	}
	uids := make([]types.UID, 0, len(objs))
	for _, o := range objs {
		if meta, err := metaOf(o); err == nil {
			uids = append(uids, meta.GetUID())
		}
	}
	return uids, nil
}

func ownedBy(inf cache.SharedIndexInformer, uids ...types.UID) ([]any, error) {
	var out []any
	for _, uid := range uids {
		objs, err := inf.GetIndexer().ByIndex(OwnerIndex, string(uid))
		if err != nil {
			return nil, fmt.Errorf("look up objects owned by %s: %w", uid, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// Resource is the part every adapter shares: its description, its informer, and writes through
// the dynamic client (merge patches only; never a read-modify-write of the whole object).
// Adapters embed it; it implements Info, Informer, Delete and Patch.
type Resource struct {
	info     Info
	cluster  *Cluster
	informer func() cache.SharedIndexInformer
}

// NewResource describes a type: informer returns its shared informer from one of c's factories
// (it is called only once the cluster is known to serve the type).
func NewResource(c *Cluster, info Info, informer func() cache.SharedIndexInformer) Resource {
	info.APIVersion, info.Kind = info.GVK.GroupVersion().String(), info.GVK.Kind
	if info.Title == "" {
		info.Title = info.Kind
	}
	if info.Source == "" {
		info.Source = SourceBuiltin
	}
	if info.Scope == "" {
		info.Scope = ScopeNamespaced
	}
	return Resource{info: info, cluster: c, informer: informer}
}

func (r Resource) Info() Info { return r.info }

// Summarize computes the kind's columns and state (Info.Columns, Info.State).
func (r Resource) Summarize(content map[string]any) (map[string]any, string) {
	o := Object(content)
	cols := make(map[string]any, len(r.info.Columns))
	for _, c := range r.info.Columns {
		if c.Value != nil {
			cols[c.Name] = c.Value(o)
		}
	}
	state := ""
	if r.info.State != nil {
		state = r.info.State(o)
	}
	return cols, state
}

func (r Resource) Informer() cache.SharedIndexInformer { return Indexed(r.informer()) }

// Dynamic is the type's resource through the dynamic client, in namespace (none for a
// cluster-scoped type).
func (r Resource) Dynamic(namespace string) dynamic.ResourceInterface {
	if !r.info.Namespaced() {
		namespace = "" // the API's _cluster segment
	}
	return r.cluster.Dynamic.Resource(r.info.GVR()).Namespace(namespace)
}

// Fetch reads the object from the API server, typed as the cache holds it: for decisions that
// must not act on a cached copy a controller's status write has already made stale.
func (r Resource) Fetch(ctx context.Context, namespace, name string) (runtime.Object, error) {
	u, err := r.Dynamic(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	obj, err := r.cluster.Scheme.New(r.info.GVK)
	if err != nil {
		return nil, fmt.Errorf("new %s: %w", r.info.GVK, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.UnstructuredContent(), obj); err != nil {
		return nil, fmt.Errorf("decode %s %s/%s: %w", r.info.Kind, namespace, name, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(r.info.GVK)
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

func (r Resource) Delete(ctx context.Context, namespace, name string) error {
	background := metav1.DeletePropagationBackground
	return r.Dynamic(namespace).Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &background})
}

// Patch sends a JSON merge patch (CRDs do not accept strategic merge).
func (r Resource) Patch(ctx context.Context, namespace, name string, patch []byte) (runtime.Object, error) {
	return r.Apply(ctx, namespace, name, Patch{Type: types.MergePatchType, Data: patch})
}

// Apply sends a patch of any type and strips managedFields from the answer, as the cache does.
func (r Resource) Apply(ctx context.Context, namespace, name string, p Patch) (runtime.Object, error) {
	opts := metav1.PatchOptions{}
	if p.DryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	var sub []string
	if p.Subresource != "" {
		sub = []string{p.Subresource}
	}
	obj, err := r.Dynamic(namespace).Patch(ctx, name, p.Type, p.Data, opts, sub...)
	if err != nil {
		return nil, err
	}
	obj.SetManagedFields(nil)
	return obj, nil
}

// Cluster is what the adapter reads from.
func (r Resource) Cluster() *Cluster { return r.cluster }

// ScaleSubresource merge-patches spec.replicas of the /scale subresource, as `kubectl scale`
// does. Scalable adapters call it from Scale.
func (r Resource) ScaleSubresource(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": replicas}})
	obj, err := r.Dynamic(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "scale")
	if err != nil {
		return nil, err
	}
	var s autoscalingv1.Scale
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.UnstructuredContent(), &s); err != nil {
		return nil, fmt.Errorf("decode scale of %s %s/%s: %w", r.info.Kind, namespace, name, err)
	}
	s.ManagedFields = nil
	return &s, nil
}

// TemplateAnnotationPatch is the merge patch `kubectl rollout restart` sends: it stamps the pod
// template, which makes the controller roll every pod.
func TemplateAnnotationPatch(at string) []byte {
	patch, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{RestartedAtAnnotation: at}},
	}}})
	return patch
}

// RestartedAtAnnotation is the pod-template annotation `kubectl rollout restart` sets.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
