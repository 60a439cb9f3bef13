package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// object is the part of a served workload the tests read.
type object struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       map[string]any    `json:"spec"`
	Status     map[string]any    `json:"status"`
}

type podsAnswer struct {
	Workload object   `json:"workload"`
	Pods     []object `json:"pods"`
}

func gvrOf(typ string) schema.GroupVersionResource {
	for _, a := range adapters.All(&adapters.Cluster{}) {
		if a.Info().Type == typ {
			return a.Info().GVR()
		}
	}
	panic("unknown type " + typ)
}

func dynamicClient(t testing.TB) dynamic.Interface {
	cfg, err := clientcmd.BuildConfigFromFlags("", shared.cluster.Kubeconfig)
	must(t, "kubeconfig", err)
	cfg.QPS, cfg.Burst = 500, 1000
	dyn, err := dynamic.NewForConfig(cfg)
	must(t, "dynamic client", err)
	return dyn
}

// fromAPIServer reads an object straight from the API server (not through the dashboard).
func fromAPIServer(t testing.TB, typ, ns, name string) (*unstructured.Unstructured, error) {
	return dynamicClient(t).Resource(gvrOf(typ)).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
}

// waitServed waits until the dashboard's cache serves the object at the given resourceVersion
// or later (objects are read from informers, which trail the API server by a moment).
func waitServed(t testing.TB, typ, ns, name string) object {
	t.Helper()
	return waitServedBy(t, shared.dash, typ, ns, name)
}

// waitServedBy is waitServed for a given dashboard.
func waitServedBy(t testing.TB, d *dashboard, typ, ns, name string) object {
	t.Helper()
	var got object
	apiclient.Eventually(t, fmt.Sprintf("%s %s/%s in the dashboard", typ, ns, name), 10*time.Second, func() error {
		status, e := d.Call(t, http.MethodGet, fmt.Sprintf("/workload/%s/%s/%s", ns, typ, name), &got)
		if status != http.StatusOK {
			return fmt.Errorf("%d %s", status, e.Message)
		}
		return nil
	})
	return got
}

// TestWorkloadsReadEveryType creates one object of every type and reads it back through the
// list, per-type list and get endpoints.
func TestWorkloadsReadEveryType(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "read")
	oneOfEach(t, ns)

	cases := []struct{ typ, plural, name, apiVersion, kind string }{
		{"deployment", "deployments", "web", "apps/v1", "Deployment"},
		{"cloneset", "clonesets", "shop", "apps.kruise.io/v1alpha1", "CloneSet"},
		{"statefulset", "statefulsets", "ledger", "apps.kruise.io/v1beta1", "StatefulSet"},
		{"daemonset", "daemonsets", "agent", "apps.kruise.io/v1alpha1", "DaemonSet"},
		{"broadcastjob", "broadcastjobs", "warm", "apps.kruise.io/v1alpha1", "BroadcastJob"},
		{"advancedcronjob", "advancedcronjobs", "nightly", "apps.kruise.io/v1alpha1", "AdvancedCronJob"},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			got := waitServed(t, c.typ, ns, c.name)
			if got.APIVersion != c.apiVersion || got.Kind != c.kind {
				t.Errorf("get: apiVersion/kind = %s/%s, want %s/%s", got.APIVersion, got.Kind, c.apiVersion, c.kind)
			}
			if got.Metadata.Name != c.name || got.Metadata.UID == "" || got.Spec == nil {
				t.Errorf("get: want metadata and spec of %s, got %+v", c.name, got)
			}
			if len(got.Metadata.ManagedFields) != 0 {
				t.Errorf("get: managedFields must be stripped, got %d entries", len(got.Metadata.ManagedFields))
			}
			var list []object
			shared.dash.MustOK(t, http.MethodGet, fmt.Sprintf("/workload/%s/%s", ns, c.typ), &list)
			if len(list) != 1 || list[0].Metadata.Name != c.name || list[0].Kind != c.kind {
				t.Errorf("list %s: want exactly %s, got %+v", c.typ, c.name, list)
			}
		})
	}

	t.Run("all types keyed by plural", func(t *testing.T) {
		var all map[string][]object
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns, &all)
		for _, c := range cases {
			items, ok := all[c.plural]
			if !ok || len(items) != 1 || items[0].Metadata.Name != c.name {
				t.Errorf("%s: want [%s], got %+v (present: %v)", c.plural, c.name, items, ok)
			}
		}
		// The built-in types and the namespaced declared ones (empty here), nothing else.
		declared := 0
		for _, ty := range adapterTypes(t) {
			if ty["source"] == adapters.SourceDeclared && ty["scope"] == adapters.ScopeNamespaced {
				declared++
			}
		}
		if len(all) != len(cases)+declared {
			t.Errorf("want exactly %d keys, got %d: %v", len(cases)+declared, len(all), keys(all))
		}
	})

	t.Run("empty namespace has every key with an empty list", func(t *testing.T) {
		empty := newNamespace(t, "empty")
		status, body := shared.dash.Raw(http.MethodGet, "/api/v1/workload/"+empty, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		for _, c := range cases {
			if !strings.Contains(string(body), fmt.Sprintf(`"%s":[]`, c.plural)) {
				t.Errorf("want %q as an empty list in %s", c.plural, body)
			}
		}
	})

	t.Run("types endpoint lists the registry with capabilities", func(t *testing.T) {
		var types []adapters.Info
		shared.dash.MustOK(t, http.MethodGet, "/workload-types", &types)
		want := map[string]adapters.Capabilities{
			"deployment": {Scalable: true, Restartable: true, ImageSettable: true}, "cloneset": {Scalable: true, Restartable: true, ImageSettable: true},
			"statefulset": {Scalable: true, Restartable: true, ImageSettable: true}, "daemonset": {Restartable: true, ImageSettable: true},
			"broadcastjob": {}, "advancedcronjob": {},
		}
		var builtin []adapters.Info
		for _, info := range types {
			if info.Source == adapters.SourceBuiltin {
				builtin = append(builtin, info)
			}
		}
		if len(builtin) != len(want) {
			t.Fatalf("want %d built-in types, got %+v", len(want), builtin)
		}
		for _, info := range builtin {
			if caps, ok := want[info.Type]; !ok || caps != info.Capabilities {
				t.Errorf("%s: capabilities %+v, want %+v", info.Type, info.Capabilities, caps)
			}
		}
	})
}

// typedName is a workload by its :type and name.
type typedName struct{ typ, name string }

// oneOfEach creates one object of every built-in type in ns.
func oneOfEach(t testing.TB, ns string) []typedName {
	createDeployment(t, ns, "web", 1)
	createCloneSet(t, ns, "shop", 1)
	createStatefulSet(t, ns, "ledger", 1)
	createDaemonSet(t, ns, "agent")
	createBroadcastJob(t, ns, "warm")
	createAdvancedCronJob(t, ns, "nightly", false)
	return []typedName{{"deployment", "web"}, {"cloneset", "shop"}, {"statefulset", "ledger"},
		{"daemonset", "agent"}, {"broadcastjob", "warm"}, {"advancedcronjob", "nightly"}}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestWorkloadPodsExactlyOwned checks, for every type, that the pods endpoint returns exactly
// the pods the workload controls (through ReplicaSets, Jobs or BroadcastJobs where the controller
// works that way), and not pods that only share its labels or belong to a sibling.
func TestWorkloadPodsExactlyOwned(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "pods")
	appsGVK := func(kind string) schema.GroupVersionKind { return gvrOf("cloneset").GroupVersion().WithKind(kind) }

	cases := []struct {
		typ, name string
		setup     func(t *testing.T) (owned []string)
	}{
		{"deployment", "web", func(t *testing.T) []string {
			d := createDeployment(t, ns, "web", 2)
			current, old := createReplicaSet(t, d, "new"), createReplicaSet(t, d, "old")
			rsGVK := appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
			a, b := ownerRef(current, rsGVK), ownerRef(old, rsGVK)
			createPod(t, ns, "web-new-1", "web", &a)
			createPod(t, ns, "web-old-1", "web", &b)
			// A ReplicaSet with the same labels that the Deployment does not control.
			stray := createDeployment(t, ns, "web-twin", 1)
			strayRS := createReplicaSet(t, stray, "x")
			c := ownerRef(strayRS, rsGVK)
			createPod(t, ns, "web-twin-1", "web", &c)
			return []string{"web-new-1", "web-old-1"}
		}},
		{"cloneset", "shop", func(t *testing.T) []string {
			cs := createCloneSet(t, ns, "shop", 2)
			ref := ownerRef(cs, appsGVK("CloneSet"))
			createPod(t, ns, "shop-a", "shop", &ref)
			createPod(t, ns, "shop-b", "shop", &ref)
			createPod(t, ns, "shop-orphan", "shop", nil) // same labels, no owner
			return []string{"shop-a", "shop-b"}
		}},
		{"statefulset", "ledger", func(t *testing.T) []string {
			s := createStatefulSet(t, ns, "ledger", 2)
			ref := ownerRef(s, appsGVK("StatefulSet"))
			ref.APIVersion = "apps.kruise.io/v1beta1"
			createPod(t, ns, "ledger-0", "ledger", &ref)
			createPod(t, ns, "ledger-1", "ledger", &ref)
			return []string{"ledger-0", "ledger-1"}
		}},
		{"daemonset", "agent", func(t *testing.T) []string {
			d := createDaemonSet(t, ns, "agent")
			ref := ownerRef(d, appsGVK("DaemonSet"))
			createPod(t, ns, "agent-x", "agent", &ref)
			return []string{"agent-x"}
		}},
		{"broadcastjob", "warm", func(t *testing.T) []string {
			j := createBroadcastJob(t, ns, "warm")
			ref := ownerRef(j, appsGVK("BroadcastJob"))
			createPod(t, ns, "warm-n1", "warm", &ref)
			createPod(t, ns, "warm-n2", "warm", &ref)
			return []string{"warm-n1", "warm-n2"}
		}},
		{"advancedcronjob", "nightly", func(t *testing.T) []string {
			acj := createAdvancedCronJob(t, ns, "nightly", false)
			jobGVK := schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}
			first, second := createJob(t, acj, "1000"), createJob(t, acj, "2000")
			a, b := ownerRef(first, jobGVK), ownerRef(second, jobGVK)
			createPod(t, ns, "nightly-1000-p", "nightly", &a)
			createPod(t, ns, "nightly-2000-p", "nightly", &b)
			return []string{"nightly-1000-p", "nightly-2000-p"}
		}},
		{"advancedcronjob", "fanout", func(t *testing.T) []string {
			acj := createAdvancedCronJob(t, ns, "fanout", true)
			child := createChildBroadcastJob(t, acj, "3000")
			ref := ownerRef(child, appsGVK("BroadcastJob"))
			createPod(t, ns, "fanout-3000-n1", "fanout", &ref)
			return []string{"fanout-3000-n1"}
		}},
	}
	for _, c := range cases {
		t.Run(c.typ+"/"+c.name, func(t *testing.T) {
			want := c.setup(t)
			sort.Strings(want)
			var got podsAnswer
			apiclient.Eventually(t, fmt.Sprintf("pods %v of %s %s", want, c.typ, c.name), 15*time.Second, func() error {
				path := fmt.Sprintf("/workload/%s/%s/%s/pods", ns, c.typ, c.name)
				if status, e := shared.dash.Call(t, http.MethodGet, path, &got); status != http.StatusOK {
					return fmt.Errorf("%d %s", status, e.Message)
				}
				names := make([]string, len(got.Pods))
				for i, p := range got.Pods {
					names[i] = p.Metadata.Name
				}
				if !slices.Equal(names, want) {
					return fmt.Errorf("got pods %v", names)
				}
				return nil
			})
			if got.Workload.Metadata.Name != c.name || got.Pods[0].Kind != "Pod" {
				t.Errorf("want the workload %s and typed pods, got %s / %s", c.name, got.Workload.Metadata.Name, got.Pods[0].Kind)
			}
		})
	}
}

// TestScale scales each scalable type through the /scale subresource and reads the result back
// from the API server.
func TestScale(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "scale")
	createDeployment(t, ns, "web", 1)
	createCloneSet(t, ns, "shop", 1)
	createStatefulSet(t, ns, "ledger", 1)
	for _, c := range []struct {
		typ, name string
		replicas  int64
	}{{"deployment", "web", 4}, {"cloneset", "shop", 5}, {"statefulset", "ledger", 0}} {
		t.Run(c.typ, func(t *testing.T) {
			waitServed(t, c.typ, ns, c.name)
			var scale struct {
				Kind string `json:"kind"`
				Spec struct {
					Replicas int64 `json:"replicas"`
				} `json:"spec"`
			}
			shared.dash.MustOK(t, http.MethodPost, fmt.Sprintf("/workload/%s/%s/%s/scale?replicas=%d", ns, c.typ, c.name, c.replicas), &scale)
			if scale.Kind != "Scale" || scale.Spec.Replicas != c.replicas {
				t.Errorf("answer: want Scale with %d replicas, got %+v", c.replicas, scale)
			}
			obj, err := fromAPIServer(t, c.typ, ns, c.name)
			must(t, "read back", err)
			if got, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); got != c.replicas {
				t.Errorf("API server has spec.replicas=%d, want %d", got, c.replicas)
			}
		})
	}
}

// TestRestart checks the template annotation `kubectl rollout restart` uses, and the refusals.
func TestRestart(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "restart")
	createDeployment(t, ns, "web", 1)
	createCloneSet(t, ns, "shop", 1)
	createStatefulSet(t, ns, "ledger", 1)
	createDaemonSet(t, ns, "agent")
	for _, c := range []struct{ typ, name string }{{"deployment", "web"}, {"cloneset", "shop"}, {"statefulset", "ledger"}, {"daemonset", "agent"}} {
		t.Run(c.typ, func(t *testing.T) {
			waitServed(t, c.typ, ns, c.name)
			before := time.Now().Add(-time.Second)
			var answer object
			shared.dash.MustOK(t, http.MethodPost, fmt.Sprintf("/workload/%s/%s/%s/restart", ns, c.typ, c.name), &answer)
			obj, err := fromAPIServer(t, c.typ, ns, c.name)
			must(t, "read back", err)
			stamp, _, _ := unstructured.NestedString(obj.Object, "spec", "template", "metadata", "annotations", adapters.RestartedAtAnnotation)
			at, err := time.Parse(time.RFC3339, stamp)
			if err != nil || at.Before(before.Truncate(time.Second)) {
				t.Errorf("want a fresh RFC3339 %s on the pod template, got %q (%v)", adapters.RestartedAtAnnotation, stamp, err)
			}
			if answer.Metadata.Name != c.name || len(answer.Metadata.ManagedFields) != 0 {
				t.Errorf("want the updated object without managedFields, got %+v", answer.Metadata)
			}
		})
	}
	t.Run("paused deployment is refused", func(t *testing.T) {
		d := createDeployment(t, ns, "paused", 1)
		_, err := shared.kube.AppsV1().Deployments(ns).Patch(ctx, d.Name, types.MergePatchType, []byte(`{"spec":{"paused":true}}`), metav1.PatchOptions{})
		must(t, "pause", err)
		apiclient.Eventually(t, "paused deployment in cache", 10*time.Second, func() error {
			got := waitServed(t, "deployment", ns, "paused")
			if got.Spec["paused"] != true {
				return fmt.Errorf("not paused yet")
			}
			return nil
		})
		status, e := shared.dash.Call(t, http.MethodPost, "/workload/"+ns+"/deployment/paused/restart", nil)
		if status != http.StatusConflict || e.Code != "CONFLICT" || !strings.Contains(e.Message, "paused") {
			t.Errorf("want 409 CONFLICT naming the pause, got %d %s %q", status, e.Code, e.Message)
		}
		obj, err := fromAPIServer(t, "deployment", ns, "paused")
		must(t, "read back", err)
		if _, found, _ := unstructured.NestedString(obj.Object, "spec", "template", "metadata", "annotations", adapters.RestartedAtAnnotation); found {
			t.Error("a refused restart must not change the object")
		}
	})
}

// TestDelete deletes one object of every type and checks it is gone from the API server.
func TestDelete(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "delete")
	for _, c := range oneOfEach(t, ns) {
		t.Run(c.typ, func(t *testing.T) {
			waitServed(t, c.typ, ns, c.name)
			var answer map[string]string
			shared.dash.MustOK(t, http.MethodDelete, fmt.Sprintf("/workload/%s/%s/%s", ns, c.typ, c.name), &answer)
			if answer["name"] != c.name || answer["propagationPolicy"] != "Background" {
				t.Errorf("answer %v", answer)
			}
			if _, err := fromAPIServer(t, c.typ, ns, c.name); !apierrors.IsNotFound(err) {
				t.Errorf("want NotFound from the API server after delete, got %v", err)
			}
			status, e := shared.dash.Call(t, http.MethodDelete, fmt.Sprintf("/workload/%s/%s/%s", ns, c.typ, c.name), nil)
			if status != http.StatusNotFound || e.Code != "NOT_FOUND" {
				t.Errorf("second delete: want 404 NOT_FOUND, got %d %s", status, e.Code)
			}
		})
	}
}

// TestBadInput is the table of inputs that must be refused with the right status and code, and
// leave the object untouched.
func TestBadInput(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "bad")
	createCloneSet(t, ns, "shop", 2)
	createDaemonSet(t, ns, "agent")
	createBroadcastJob(t, ns, "warm")
	createAdvancedCronJob(t, ns, "nightly", false)
	waitServed(t, "cloneset", ns, "shop")
	waitServed(t, "advancedcronjob", ns, "nightly")
	long := strings.Repeat("a", 64)

	cases := []struct {
		name, method, path string
		status             int
		code, mention      string
	}{
		{"unknown type", "GET", "/workload/" + ns + "/replicaset", 400, "BAD_REQUEST", "replicaset"},
		{"unknown type on get", "GET", "/workload/" + ns + "/pod/x", 400, "BAD_REQUEST", "pod"},
		{"namespace not DNS-1123", "GET", "/workload/Not_Valid/cloneset", 400, "BAD_REQUEST", "Not_Valid"},
		{"namespace too long", "GET", "/workload/" + long, 400, "BAD_REQUEST", "namespace"},
		{"name not DNS-1123", "GET", "/workload/" + ns + "/cloneset/Shop!", 400, "BAD_REQUEST", "Shop!"},
		{"missing namespace", "GET", "/workload/no-such-ns/cloneset", 404, "NOT_FOUND", "no-such-ns"},
		{"missing namespace, all types", "GET", "/workload/no-such-ns", 404, "NOT_FOUND", "no-such-ns"},
		{"missing object", "GET", "/workload/" + ns + "/cloneset/nope", 404, "NOT_FOUND", "nope"},
		{"missing object pods", "GET", "/workload/" + ns + "/cloneset/nope/pods", 404, "NOT_FOUND", "nope"},
		{"replicas missing", "POST", "/workload/" + ns + "/cloneset/shop/scale", 400, "BAD_REQUEST", "replicas"},
		{"replicas empty", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=", 400, "BAD_REQUEST", "replicas"},
		{"replicas not a number", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=three", 400, "BAD_REQUEST", "three"},
		{"replicas fractional", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=1.5", 400, "BAD_REQUEST", "1.5"},
		{"replicas negative", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=-1", 400, "BAD_REQUEST", "negative"},
		{"replicas over maximum", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=1001", 400, "BAD_REQUEST", "maximum"},
		{"replicas overflow", "POST", "/workload/" + ns + "/cloneset/shop/scale?replicas=99999999999", 400, "BAD_REQUEST", "replicas"},
		{"scale missing object", "POST", "/workload/" + ns + "/cloneset/nope/scale?replicas=1", 404, "NOT_FOUND", "nope"},
		{"scale daemonset", "POST", "/workload/" + ns + "/daemonset/agent/scale?replicas=2", 400, "BAD_REQUEST", "daemonset"},
		{"scale broadcastjob", "POST", "/workload/" + ns + "/broadcastjob/warm/scale?replicas=2", 400, "BAD_REQUEST", "broadcastjob"},
		{"scale advancedcronjob", "POST", "/workload/" + ns + "/advancedcronjob/nightly/scale?replicas=2", 400, "BAD_REQUEST", "advancedcronjob"},
		{"restart broadcastjob", "POST", "/workload/" + ns + "/broadcastjob/warm/restart", 400, "BAD_REQUEST", "broadcastjob"},
		{"restart advancedcronjob", "POST", "/workload/" + ns + "/advancedcronjob/nightly/restart", 400, "BAD_REQUEST", "advancedcronjob"},
		{"restart missing object", "POST", "/workload/" + ns + "/cloneset/nope/restart", 404, "NOT_FOUND", "nope"},
		{"unknown route", "GET", "/nothing/here", 404, "NOT_FOUND", "/api/v1/nothing/here"},
		{"trailing slash", "GET", "/namespaces/", 404, "NOT_FOUND", "namespaces/"},
		{"wrong method", "PUT", "/workload/" + ns + "/cloneset/shop", 405, "METHOD_NOT_ALLOWED", "PUT"},
		{"GET on an action", "GET", "/workload/" + ns + "/cloneset/shop/scale", 405, "METHOD_NOT_ALLOWED", "GET"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, e := shared.dash.Call(t, c.method, c.path, nil)
			if status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.mention) {
				t.Errorf("%s %s: got %d %s %q; want %d %s mentioning %q", c.method, c.path, status, e.Code, e.Message, c.status, c.code, c.mention)
			}
		})
	}

	obj, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read back", err)
	if replicas, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); replicas != 2 || obj.GetGeneration() != 1 {
		t.Errorf("refused requests changed the object: replicas %d generation %d", replicas, obj.GetGeneration())
	}
}

// TestConcurrentWrites: two scales and a restart at once all land, and neither loses the other
// (patches, not read-modify-write of the whole object).
func TestConcurrentWrites(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "concurrent")
	createCloneSet(t, ns, "shop", 1)
	waitServed(t, "cloneset", ns, "shop")

	var wg sync.WaitGroup
	statuses := make([]int, 3)
	paths := []string{"/scale?replicas=3", "/scale?replicas=5", "/restart"}
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = shared.dash.Raw(http.MethodPost, "/api/v1/workload/"+ns+"/cloneset/shop"+p, nil)
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("%s: status %d", paths[i], s)
		}
	}
	obj, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read back", err)
	replicas, _, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas")
	stamp, _, _ := unstructured.NestedString(obj.Object, "spec", "template", "metadata", "annotations", adapters.RestartedAtAnnotation)
	if (replicas != 3 && replicas != 5) || stamp == "" {
		t.Errorf("want replicas 3 or 5 and the restart stamp, got replicas %d stamp %q", replicas, stamp)
	}
	// Each write is its own generation: three writes on top of generation 1. (Two scales that
	// land in the order 3 then 5 or 5 then 3 each bump it; none was lost.)
	if obj.GetGeneration() != 4 {
		raw, _ := json.Marshal(obj.Object["spec"])
		t.Errorf("want generation 4 after three writes, got %d (spec %s)", obj.GetGeneration(), raw)
	}
}
