package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

var (
	sidecarSetGVR = schema.GroupVersionResource{Group: "apps.kruise.io", Version: "v1alpha1", Resource: "sidecarsets"}
	unitedGVR     = schema.GroupVersionResource{Group: "apps.kruise.io", Version: "v1alpha1", Resource: "uniteddeployments"}
)

func typesByName(t *testing.T, d *dashboard) map[string]adapters.Info {
	var types []adapters.Info
	d.MustOK(t, http.MethodGet, "/workload-types", &types)
	out := map[string]adapters.Info{}
	for _, i := range types {
		out[i.Type] = i
	}
	return out
}

func createSidecarSet(t *testing.T, name, app string) {
	t.Helper()
	_, err := shared.kruise.AppsV1alpha1().SidecarSets().Create(ctx, &kruiseappsv1alpha1.SidecarSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: kruiseappsv1alpha1.SidecarSetSpec{
			Selector:   &metav1.LabelSelector{MatchLabels: labelsFor(app)},
			Containers: []kruiseappsv1alpha1.SidecarContainer{{Container: corev1.Container{Name: "log", Image: "busybox:1.36"}}},
		},
	}, metav1.CreateOptions{})
	must(t, "create sidecarset", err)
	t.Cleanup(func() { _ = shared.kruise.AppsV1alpha1().SidecarSets().Delete(ctx, name, metav1.DeleteOptions{}) })
}

func sidecarSetSpec(t *testing.T, name string) map[string]any {
	t.Helper()
	u, err := dynamicClient(t).Resource(sidecarSetGVR).Get(ctx, name, metav1.GetOptions{})
	must(t, "read sidecarset", err)
	return u.Object["spec"].(map[string]any)
}

// TestDeclaredTypes drives the shipped declarations through the same routes as the built-in
// types: listed with their columns, pods found by their rule, scale and restart, and actions.
func TestDeclaredTypes(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "declared")
	types := typesByName(t, shared.dash)
	for name, want := range map[string]string{"uniteddeployment": "Namespaced", "sidecarset": "Cluster", "imagepulljob": "Namespaced", "apps-statefulset": "Namespaced", "apps-daemonset": "Namespaced"} {
		if i, ok := types[name]; !ok || i.Source != adapters.SourceDeclared || i.Scope != want || len(i.Columns) == 0 || i.File == "" {
			t.Errorf("%s: %+v", name, i)
		}
	}
	if types["cloneset"].Source != adapters.SourceBuiltin || len(types["sidecarset"].Actions) != 3 || types["sidecarset"].Actions[0].Patch != "" {
		t.Errorf("sources or actions: cloneset %q, sidecarset actions %+v", types["cloneset"].Source, types["sidecarset"].Actions)
	}

	t.Run("UnitedDeployment: pods through its subsets, columns, scale and restart", func(t *testing.T) {
		ud := createUnitedDeployment(t, ns, "united", 2, "zone-a", "zone-b")
		// What the controller would make: a subset ASTS owned by it, owning two pods.
		subset, err := shared.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: "united-zone-a", Namespace: ns, OwnerReferences: []metav1.OwnerReference{ownerRef(ud, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("UnitedDeployment"))}},
			Spec:       kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labelsFor("united")}, Template: podTemplate("united")},
		}, metav1.CreateOptions{})
		must(t, "create subset", err)
		owner := ownerRef(subset, kruiseappsv1beta1.SchemeGroupVersion.WithKind("StatefulSet"))
		createPod(t, ns, "united-zone-a-0", "united", &owner)
		createPod(t, ns, "united-zone-a-1", "united", &owner)
		createPod(t, ns, "stray", "united", nil)

		apiclient.Eventually(t, "the subset's pods as the UnitedDeployment's", 10*time.Second, func() error {
			var pods podsAnswer
			if status, e := shared.dash.Call(t, http.MethodGet, "/workload/"+ns+"/uniteddeployment/united/pods", &pods); status != http.StatusOK {
				return fmt.Errorf("%d %s", status, e.Message)
			}
			if len(pods.Pods) != 2 {
				return fmt.Errorf("%d pods", len(pods.Pods))
			}
			return nil
		})
		var p page
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/uniteddeployment?view=compact", &p)
		if len(p.Items) != 1 || fmt.Sprint(p.Items[0]["columns"]) != "map[ready:0 replicas:2 subsets:zone-a, zone-b updated:0]" || p.Items[0]["state"] != "updating" {
			t.Errorf("compact columns: %+v", p.Items)
		}
		var all map[string][]object
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns, &all)
		if len(all["uniteddeployments"]) != 1 || all["sidecarsets"] != nil {
			t.Errorf("namespace answer: %d uniteddeployments, sidecarsets %v", len(all["uniteddeployments"]), all["sidecarsets"])
		}
		shared.dash.MustOK(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/scale?replicas=3", nil)
		shared.dash.MustOK(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/restart", nil)
		u, err := dynamicClient(t).Resource(unitedGVR).Namespace(ns).Get(ctx, "united", metav1.GetOptions{})
		must(t, "read uniteddeployment", err)
		replicas, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
		stamp, _, _ := unstructured.NestedString(u.Object, "spec", "template", "advancedStatefulSetTemplate", "spec", "template", "metadata", "annotations", adapters.RestartedAtAnnotation)
		if replicas != 3 || stamp == "" {
			t.Errorf("after scale and restart: replicas %d, restartedAt %q", replicas, stamp)
		}
	})

	t.Run("SidecarSet: cluster-scoped under _cluster, matched pods, pause, resume, partition", func(t *testing.T) {
		createSidecarSet(t, ns+"-logs", "sidecar-"+ns)
		createPod(t, ns, "matched", "sidecar-"+ns, nil)
		createPod(t, ns, "other", "web", nil)
		base := "/workload/" + biz.ClusterScope + "/sidecarset/" + ns + "-logs"
		apiclient.Eventually(t, "the matched pod", 10*time.Second, func() error {
			var pods podsAnswer
			if status, e := shared.dash.Call(t, http.MethodGet, base+"/pods", &pods); status != http.StatusOK || len(pods.Pods) != 1 {
				return fmt.Errorf("%d %s %d pods", status, e.Message, len(pods.Pods))
			}
			return nil
		})
		if status, e := shared.dash.Call(t, http.MethodGet, "/workload/"+ns+"/sidecarset", nil); status != http.StatusBadRequest || !strings.Contains(e.Message, "cluster-scoped") {
			t.Errorf("a cluster-scoped type under a namespace: %d %s", status, e.Message)
		}
		shared.dash.MustOKBody(t, http.MethodPost, base+"/action/pause", "")
		if paused := sidecarSetSpec(t, ns+"-logs")["updateStrategy"].(map[string]any)["paused"]; paused != true {
			t.Errorf("after pause: paused %v", paused)
		}
		shared.dash.MustOKBody(t, http.MethodPost, base+"/action/resume", `{}`)
		shared.dash.MustOKBody(t, http.MethodPost, base+"/action/partition", `{"params":{"partition":2}}`)
		strategy := sidecarSetSpec(t, ns+"-logs")["updateStrategy"].(map[string]any)
		if strategy["paused"] != false || fmt.Sprint(strategy["partition"]) != "2" {
			t.Errorf("after resume and partition 2: %v", strategy)
		}
		var events []biz.Event
		apiclient.Eventually(t, "the action's event", 10*time.Second, func() error {
			if err := shared.dash.Get(t, base+"/events", &events); err != nil {
				return err
			}
			for _, e := range events {
				if e.Reason == "ActionByDashboard" && strings.Contains(e.Message, "action partition (partition=2)") {
					return nil
				}
			}
			return fmt.Errorf("%d events", len(events))
		})
		for _, c := range []struct{ path, body, want string }{
			{base + "/action/partition", `{"params":{}}`, "partition is required"},
			{base + "/action/partition", `{"params":{"partition":-1}}`, "partition must be within [0, ∞]"},
			{base + "/action/partition", `{"params":{"partition":"2"}}`, "partition must be a whole number"},
			{base + "/action/partition", `{"params":{"partition":1,"x":1}}`, `unknown parameter "x"`},
			{base + "/action/explode", "", `sidecarset has no action "explode" (actions: pause, resume, partition)`},
			{"/workload/" + ns + "/cloneset/x/action/pause", "", "cloneset has no action"},
			{base + "/action/pause", `{"params":`, "the body must be JSON"},
		} {
			status, e := shared.dash.SendBody(t, http.MethodPost, c.path, nil, c.body)
			if status != http.StatusBadRequest || !strings.Contains(e.Message, c.want) {
				t.Errorf("%s %s: %d %q, want 400 with %q", c.path, c.body, status, e.Message, c.want)
			}
		}
	})

	t.Run("apps/v1 StatefulSet beside Kruise's", func(t *testing.T) {
		createAppsStatefulSet(t, ns, "plain")
		waitServedBy(t, shared.dash, "apps-statefulset", ns, "plain")
		// The lists are fed by the informers' handlers, a moment after the object is cached.
		apiclient.Eventually(t, "both statefulsets listed", 10*time.Second, func() error {
			var all map[string][]object
			shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns, &all)
			// Kruise's statefulsets here are the UnitedDeployment's subset only.
			if len(all["apps-statefulsets"]) != 1 || len(all["statefulsets"]) != 1 || all["statefulsets"][0].Metadata.Name == "plain" {
				return fmt.Errorf("apps-statefulsets %v, Kruise statefulsets %v", all["apps-statefulsets"], all["statefulsets"])
			}
			return nil
		})
		shared.dash.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/apps-statefulset/plain/action/partition?dryRun=true", `{"params":{"partition":1}}`)
		shared.dash.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/apps-statefulset/plain/action/partition", `{"params":{"partition":2}}`)
		sts, err := shared.kube.AppsV1().StatefulSets(ns).Get(ctx, "plain", metav1.GetOptions{})
		must(t, "read statefulset", err)
		if p := sts.Spec.UpdateStrategy.RollingUpdate; p == nil || p.Partition == nil || *p.Partition != 2 {
			t.Errorf("partition after the action: %+v", sts.Spec.UpdateStrategy)
		}
	})
}

// TestDeclaredActionAuthorization: the action needs patch on the resource as the signed-in user;
// a viewer gets 403 and nothing changes, and /me says why before they try.
func TestDeclaredActionAuthorization(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	name := fmt.Sprintf("authz-%d", time.Now().UnixNano()%100000)
	createSidecarSet(t, name, name)
	d := startSignedIn(t, "token", filepath.Join(t.TempDir(), "audit.log"))
	path := "/workload/" + biz.ClusterScope + "/sidecarset/" + name + "/action/pause"
	apiclient.Eventually(t, "the SidecarSet in the dashboard", 10*time.Second, func() error {
		if status, e := as(d, "viewer").Call(t, http.MethodGet, "/workload/"+biz.ClusterScope+"/sidecarset/"+name, nil); status != http.StatusOK {
			return fmt.Errorf("%d %s", status, e.Message)
		}
		return nil
	})
	before, err := dynamicClient(t).Resource(sidecarSetGVR).Get(ctx, name, metav1.GetOptions{})
	must(t, "read sidecarset", err)
	status, e := as(d, "viewer").SendBody(t, http.MethodPost, path, nil, "")
	if status != http.StatusForbidden || !strings.Contains(e.Message, `"viewer" may not patch sidecarsets (apps.kruise.io) in every namespace`) {
		t.Errorf("viewer: %d %q", status, e.Message)
	}
	after, err := dynamicClient(t).Resource(sidecarSetGVR).Get(ctx, name, metav1.GetOptions{})
	must(t, "read sidecarset", err)
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Error("a refused action changed the SidecarSet")
	}
	var me biz.Me
	as(d, "viewer").MustOK(t, http.MethodGet, "/me?namespace=default", &me)
	if p := me.Workloads["sidecarset"]["action:pause"]; p.Allowed || !strings.Contains(p.Reason, "patch sidecarsets") {
		t.Errorf("/me for the viewer: %+v", p)
	}
	as(d, "editor").MustOKBody(t, http.MethodPost, path, "")
	if paused := sidecarSetSpec(t, name)["updateStrategy"].(map[string]any)["paused"]; paused != true {
		t.Errorf("editor's pause: paused %v", paused)
	}
}

// startWithTypes starts a dashboard whose types folder holds the given files.
func startWithTypes(t *testing.T, files map[string]string) (*dashboard, error) {
	dir := t.TempDir()
	for name, body := range files {
		must(t, "write "+name, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	return startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Kubernetes.TypesDir = dir })
}

// TestDeclarationsCheckedAgainstTheCluster: what only the cluster can tell stops start-up too.
func TestDeclarationsCheckedAgainstTheCluster(t *testing.T) {
	skipShort(t)
	pull := "type: imagepulljob\nplural: imagepulljobs\ngroup: apps.kruise.io\nversion: v1alpha1\nkind: ImagePullJob\npods: {owned: true}\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"scalable without /scale", strings.Replace(pull, "pods:", "capabilities: {scalable: true}\npods:", 1), "imagepulljob.yaml: capabilities.scalable: apps.kruise.io/v1alpha1 imagepulljobs has no /scale subresource in this cluster"},
		{"wrong kind", strings.Replace(pull, "kind: ImagePullJob", "kind: ImagePull", 1), "imagepulljob.yaml: kind: apps.kruise.io/v1alpha1 serves imagepulljobs as kind ImagePullJob, not ImagePull"},
		{"wrong scope", strings.Replace(pull, "pods:", "scope: Cluster\npods:", 1), "imagepulljob.yaml: scope: apps.kruise.io/v1alpha1 imagepulljobs is namespaced=true, the declaration says Cluster"},
		{"no such resource", strings.Replace(pull, "plural: imagepulljobs", "plural: imagepulls", 1), `imagepulljob.yaml: plural: apps.kruise.io/v1alpha1 serves no resource "imagepulls"`},
		{"broken file", "type: [", "imagepulljob.yaml: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := startWithTypes(t, map[string]string{"imagepulljob.yaml": c.yaml})
			if err == nil {
				d.stop()
				t.Fatal("started with the declaration")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nwant %q", err, c.want)
			}
		})
	}
}

// TestDeclaredCostLimit: an action whose expression runs over its cost limit on this object is
// refused with 422 and changes nothing.
func TestDeclaredCostLimit(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "cost")
	costly := `type: apps-statefulset
plural: apps-statefulsets
resource: statefulsets
group: apps
version: v1
kind: StatefulSet
pods: {owned: true}
costLimit: 1000
actions:
  - name: spin
    patch: >-
      {"metadata": {"labels": {"spun": string(object.spec.template.spec.containers.all(c,
        [1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(d, a + b + d > 0)))))}}}
`
	d, err := startWithTypes(t, map[string]string{"apps-statefulset.yaml": costly})
	must(t, "start with the costly declaration", err)
	defer d.stop()
	_, err = shared.kube.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "spin", Namespace: ns},
		Spec:       appsv1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor("spin")}, Template: podTemplate("spin")},
	}, metav1.CreateOptions{})
	must(t, "create statefulset", err)
	waitServedBy(t, d, "apps-statefulset", ns, "spin")
	status, e := d.SendBody(t, http.MethodPost, "/workload/"+ns+"/apps-statefulset/spin/action/spin", nil, "")
	if status != http.StatusUnprocessableEntity || e.Code != biz.CodeInvalid || !strings.Contains(e.Message, "CEL cost limit exceeded (1000)") {
		t.Errorf("costly action: %d %s %q", status, e.Code, e.Message)
	}
	sts, err := shared.kube.AppsV1().StatefulSets(ns).Get(ctx, "spin", metav1.GetOptions{})
	must(t, "read statefulset", err)
	if _, spun := sts.Labels["spun"]; spun {
		t.Error("the refused action changed the object")
	}
	raw, _ := json.Marshal(typesByName(t, d)["apps-statefulset"].Actions)
	if !strings.Contains(string(raw), `"name":"spin"`) || strings.Contains(string(raw), "all(") {
		t.Errorf("the folder's declaration replaces the shipped one and hides its expressions: %s", raw)
	}
}
