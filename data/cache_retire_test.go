package data

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	kruisefake "github.com/openkruise/kruise-api/client/clientset/versioned/fake"
	rolloutfake "github.com/openkruise/kruise-rollout-api/client/clientset/versioned/fake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/adapters/declared"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// A declared kind, example.com/v1 <Kind> (plural <plural>), with pods it owns.
const retireDecl = `
type: %[1]s
plural: %[1]ss
group: example.com
version: v1
kind: %[2]s
pods: {owned: true}
`

// retireFixture is a Cache over fake clients serving two declared kinds, widgets and gadgets,
// one object of each; its discovery and informers run as Start runs them, without the probe
// loop (refresh is called directly, as the registry's OnReplace does).
type retireFixture struct {
	cache   *Cache
	cluster *adapters.Cluster
	reg     *registry.Registry
}

func newRetireFixture(t *testing.T) *retireFixture {
	t.Helper()
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	gvrs := map[schema.GroupVersionResource]string{}
	var objs []runtime.Object
	var resources []metav1.APIResource
	for _, kind := range []string{"Widget", "Gadget"} {
		plural := strings.ToLower(kind) + "s"
		gvrs[schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: plural}] = kind + "List"
		resources = append(resources, metav1.APIResource{Name: plural, Namespaced: true, Kind: kind})
		objs = append(objs, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": kind,
			"metadata": map[string]any{"namespace": "demo", "name": "one"}}})
	}
	kube := kubefake.NewSimpleClientset()
	kube.Discovery().(*fakediscovery.FakeDiscovery).Resources = []*metav1.APIResourceList{{GroupVersion: "example.com/v1", APIResources: resources}}
	clients := &Clients{Kube: kube, Kruise: kruisefake.NewSimpleClientset(), Rollouts: rolloutfake.NewSimpleClientset(),
		Dynamic: dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), gvrs, objs...), Discovery: kube.Discovery(), Scheme: scheme}
	f := &retireFixture{cluster: NewCluster(clients)}
	f.reg, err = registry.New([]adapters.Adapter{f.declare(t, "widget"), f.declare(t, "gadget")})
	if err != nil {
		t.Fatal(err)
	}
	f.cache = NewCache(clients, f.cluster, f.reg, NewRowStore(), NewChanges(), &conf.Kubernetes{}, log.NewStdLogger(testWriter{t}))
	// Start without its probe and loop: Stop waits for the loop, which never ran.
	f.cache.stop, f.cache.done = make(chan struct{}), make(chan struct{})
	close(f.cache.done)
	f.reg.OnReplace(f.cache.refresh)
	t.Cleanup(func() { _ = f.cache.Stop(context.Background()) })
	return f
}

// declare builds a new adapter of the declared type typ ("widget" or "gadget").
func (f *retireFixture) declare(t *testing.T, typ string) adapters.Adapter {
	t.Helper()
	d, err := declared.Parse(typ+".yaml", []byte(fmt.Sprintf(retireDecl, typ, strings.ToUpper(typ[:1])+typ[1:])))
	if err != nil {
		t.Fatal(err)
	}
	a, err := declared.New(f.cluster, d)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// running waits for a's informer to have synced, and returns it.
func (f *retireFixture) running(t *testing.T, a adapters.Adapter) cache.SharedIndexInformer {
	t.Helper()
	inf := a.Informer()
	deadline := time.Now().Add(5 * time.Second)
	for !inf.HasSynced() {
		if time.Now().After(deadline) {
			t.Fatalf("%s's informer did not sync", a.Info().Type)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if inf.IsStopped() {
		t.Fatalf("%s's informer stopped", a.Info().Type)
	}
	return inf
}

// watched is the adapter the cache runs an informer for, by type, and the rows it holds.
func (f *retireFixture) watched() (map[string]adapters.Adapter, map[string]int) {
	f.cache.mu.RLock()
	defer f.cache.mu.RUnlock()
	out := map[string]adapters.Adapter{}
	for typ, a := range f.cache.adapters {
		out[typ] = a
	}
	return out, f.cache.encoded.Counts()
}

// TestRetiredInformerStops: when a declared type leaves the registry, or its declaration
// changes (a new adapter of the same type), its informer stops, its rows are dropped and it is
// no longer watched; the types left as they were keep their running informer
// (docs/configuration.md §4).
func TestRetiredInformerStops(t *testing.T) {
	f := newRetireFixture(t)
	widget, _ := f.reg.Get("widget")
	gadget, _ := f.reg.Get("gadget")
	f.cache.refresh() // what Start does
	oldWidget, gadgets := f.running(t, widget), f.running(t, gadget)
	deadline := time.Now().Add(5 * time.Second)
	for _, rows := f.watched(); rows["widget"] != 1 || rows["gadget"] != 1; _, rows = f.watched() {
		if time.Now().After(deadline) {
			t.Fatalf("rows %v, want one widget and one gadget", rows)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The widget's declaration changes: a new adapter of the same type.
	newWidget := f.declare(t, "widget")
	if err := f.reg.Replace([]adapters.Adapter{newWidget, gadget}, nil); err != nil {
		t.Fatal(err)
	}
	if !oldWidget.IsStopped() {
		t.Error("the replaced widget adapter's informer still runs")
	}
	newInf := f.running(t, newWidget)
	if newInf == oldWidget {
		t.Fatal("the new widget adapter reuses the old informer")
	}
	if gadgets.IsStopped() {
		t.Error("the gadget's informer stopped, though its declaration did not change")
	}
	if got, _ := f.watched(); got["widget"] != newWidget || got["gadget"] != gadget {
		t.Errorf("watching %v, want the new widget adapter and the same gadget one", got)
	}

	// The widget's declaration is removed.
	if err := f.reg.Replace([]adapters.Adapter{gadget}, nil); err != nil {
		t.Fatal(err)
	}
	if !newInf.IsStopped() {
		t.Error("the removed widget type's informer still runs")
	}
	got, rows := f.watched()
	if _, ok := got["widget"]; ok || rows["widget"] != 0 {
		t.Errorf("still watching the removed widget type (%v), %d rows of it", got, rows["widget"])
	}
	if gadgets.IsStopped() || got["gadget"] != gadget || rows["gadget"] != 1 {
		t.Errorf("gadget: stopped %t, watched by %v, %d rows; want running, the same adapter, 1 row", gadgets.IsStopped(), got["gadget"], rows["gadget"])
	}
}

// testWriter sends the cache's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
