package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// plain is an adapter with no optional capability; scaler and restarter add one each.
type plain struct{ adapters.Resource }

func (plain) Pods(metav1.Object) ([]*corev1.Pod, error) { return nil, nil }

type scaler struct{ plain }

func (scaler) Scale(context.Context, string, string, int32) (*autoscalingv1.Scale, error) {
	return nil, nil
}

type restarter struct{ plain }

func (restarter) RestartPatch(runtime.Object, time.Time) ([]byte, error) { return nil, nil }

func info(typ, plural string, caps adapters.Capabilities) adapters.Info {
	return adapters.Info{Type: typ, Plural: plural, GVK: schema.GroupVersionKind{Group: "example.io", Version: "v1", Kind: "Thing"}, Capabilities: caps,
		States: adapters.ReplicaStates, State: adapters.ReplicaRule{}.State}
}

func resource(typ, plural string, caps adapters.Capabilities) adapters.Resource {
	return adapters.NewResource(&adapters.Cluster{}, info(typ, plural, caps), func() cache.SharedIndexInformer { return nil })
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		name    string
		list    []adapters.Adapter
		wantErr string
	}{
		{"the built-in six", adapters.All(&adapters.Cluster{}), ""},
		{"flags match interfaces", []adapters.Adapter{
			scaler{plain{resource("a", "as", adapters.Capabilities{Scalable: true})}},
			restarter{plain{resource("b", "bs", adapters.Capabilities{Restartable: true})}},
			plain{resource("c", "cs", adapters.Capabilities{})},
		}, ""},
		{"scalable flag without Scaler", []adapters.Adapter{plain{resource("a", "as", adapters.Capabilities{Scalable: true})}}, `"a": Scalable=true but implements adapters.Scaler=false`},
		{"Scaler without the flag", []adapters.Adapter{scaler{plain{resource("a", "as", adapters.Capabilities{})}}}, `"a": Scalable=false but implements adapters.Scaler=true`},
		{"restartable flag without Restarter", []adapters.Adapter{plain{resource("a", "as", adapters.Capabilities{Restartable: true})}}, `Restartable=true but implements adapters.Restarter=false`},
		{"duplicate type", []adapters.Adapter{plain{resource("a", "as", adapters.Capabilities{})}, plain{resource("a", "others", adapters.Capabilities{})}}, `"a" registered twice`},
		{"duplicate plural", []adapters.Adapter{plain{resource("a", "as", adapters.Capabilities{})}, plain{resource("b", "as", adapters.Capabilities{})}}, `plural "as"`},
		{"empty type", []adapters.Adapter{plain{resource("", "as", adapters.Capabilities{})}}, "type, plural and GVK are required"},
		{"no states", []adapters.Adapter{plain{adapters.NewResource(&adapters.Cluster{}, adapters.Info{Type: "a", Plural: "as", GVK: schema.GroupVersionKind{Version: "v1", Kind: "A"}}, nil)}}, "Info.States must list"},
		{"no state rule", []adapters.Adapter{plain{adapters.NewResource(&adapters.Cluster{}, adapters.Info{Type: "a", Plural: "as", GVK: schema.GroupVersionKind{Version: "v1", Kind: "A"}, States: []string{"ready"}}, nil)}}, "Info.State must read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg, err := registry.New(c.list)
			if c.wantErr == "" {
				if err != nil || len(reg.All()) != len(c.list) {
					t.Fatalf("want a registry of %d, got %v", len(c.list), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("want error containing %q, got %v", c.wantErr, err)
			}
		})
	}
}

// TestBuiltInTypes pins the type table (docs/semantics.md §6.1): Wire ignores an unused provider silently, so
// the registered list is asserted here.
func TestBuiltInTypes(t *testing.T) {
	reg, err := registry.New(adapters.All(&adapters.Cluster{}))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ, apiVersion, kind string
		scalable, restartable bool
	}{
		{"deployment", "apps/v1", "Deployment", true, true},
		{"cloneset", "apps.kruise.io/v1alpha1", "CloneSet", true, true},
		{"statefulset", "apps.kruise.io/v1beta1", "StatefulSet", true, true},
		{"daemonset", "apps.kruise.io/v1alpha1", "DaemonSet", false, true},
		{"broadcastjob", "apps.kruise.io/v1alpha1", "BroadcastJob", false, false},
		{"advancedcronjob", "apps.kruise.io/v1alpha1", "AdvancedCronJob", false, false},
	}
	if got := reg.Types(); len(got) != len(want) {
		t.Fatalf("types %v", got)
	}
	for i, w := range want {
		a, ok := reg.Get(w.typ)
		if !ok {
			t.Fatalf("%s not registered", w.typ)
		}
		got := a.Info()
		if reg.Types()[i] != w.typ || got.APIVersion != w.apiVersion || got.Kind != w.kind ||
			got.Capabilities.Scalable != w.scalable || got.Capabilities.Restartable != w.restartable {
			t.Errorf("%s: got %+v at %d", w.typ, got, i)
		}
	}
	if _, ok := reg.Get("replicaset"); ok {
		t.Error("unregistered type found")
	}
}
