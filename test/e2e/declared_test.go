package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestDeclaredUnitedDeployment: the shipped UnitedDeployment declaration against the real Kruise
// controller — its pods found through the subsets the controller makes, scaled (the pods
// follow) and restarted (every pod replaced).
func TestDeclaredUnitedDeployment(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-united")
	_, err := env.kruise.AppsV1alpha1().UnitedDeployments(ns).Create(ctx, &kruiseappsv1alpha1.UnitedDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: "united", Namespace: ns},
		Spec: kruiseappsv1alpha1.UnitedDeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labelsFor("united")},
			Template: kruiseappsv1alpha1.SubsetTemplate{AdvancedStatefulSetTemplate: &kruiseappsv1alpha1.AdvancedStatefulSetTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labelsFor("united")},
				Spec: kruiseappsv1beta1.StatefulSetSpec{
					Selector: &metav1.LabelSelector{MatchLabels: labelsFor("united")}, Template: podTemplate("united", "nginx:1.27"),
					PodManagementPolicy: appsv1.ParallelPodManagement,
				},
			}},
			Topology: kruiseappsv1alpha1.Topology{Subsets: []kruiseappsv1alpha1.Subset{{Name: "zone-a"}, {Name: "zone-b"}}},
		},
	}, metav1.CreateOptions{})
	must(t, "create uniteddeployment", err)
	before := map[types.UID]bool{}
	for _, p := range waitReadyPods(t, ns, "uniteddeployment", "united", 2, 2*time.Minute, nil) {
		before[p.Metadata.UID] = true
	}
	env.dash.MustOK(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/scale?replicas=4", nil)
	pods := waitReadyPods(t, ns, "uniteddeployment", "united", 4, 2*time.Minute, nil)
	for _, p := range pods {
		before[p.Metadata.UID] = true
	}
	env.dash.MustOK(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/restart", nil)
	waitReadyPods(t, ns, "uniteddeployment", "united", 4, 3*time.Minute, func(p pod) bool { return !before[p.Metadata.UID] })
}

// TestDeclaredSidecarSet: a SidecarSet's matched pods, its update progress from the real
// controller, and its update paused and resumed from the dashboard.
func TestDeclaredSidecarSet(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-sidecar")
	name := "e2e-logs"
	_, err := env.kruise.AppsV1alpha1().SidecarSets().Create(ctx, &kruiseappsv1alpha1.SidecarSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: kruiseappsv1alpha1.SidecarSetSpec{
			Selector:   &metav1.LabelSelector{MatchLabels: labelsFor("sidecar-e2e")},
			Containers: []kruiseappsv1alpha1.SidecarContainer{{Container: corev1.Container{Name: "log", Image: "busybox:1.36"}}},
		},
	}, metav1.CreateOptions{})
	must(t, "create sidecarset", err)
	t.Cleanup(func() { _ = env.kruise.AppsV1alpha1().SidecarSets().Delete(ctx, name, metav1.DeleteOptions{}) })
	createCloneSet(t, ns, "sidecar-e2e", 2, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	base := "/workload/_cluster/sidecarset/" + name
	pods := waitReadyPods(t, "_cluster", "sidecarset", name, 2, 2*time.Minute, nil)
	for _, p := range pods {
		if len(p.Spec.Containers) != 2 || p.Metadata.Namespace != ns {
			t.Errorf("pod %s/%s: %d containers (the sidecar injected by Kruise's webhook?)", p.Metadata.Namespace, p.Metadata.Name, len(p.Spec.Containers))
		}
	}
	apiclient.Eventually(t, "the controller's matched count in the compact list", time.Minute, func() error {
		var page struct {
			Items []struct {
				Columns map[string]any `json:"columns"`
				State   string         `json:"state"`
			} `json:"items"`
		}
		env.dash.MustOK(t, http.MethodGet, "/workload/_cluster/sidecarset?q="+name, &page)
		if len(page.Items) != 1 || fmt.Sprint(page.Items[0].Columns["matched"]) != "2" {
			return fmt.Errorf("%+v", page.Items)
		}
		return nil
	})
	paused := func() bool {
		ss, err := env.kruise.AppsV1alpha1().SidecarSets().Get(ctx, name, metav1.GetOptions{})
		must(t, "read sidecarset", err)
		return ss.Spec.UpdateStrategy.Paused
	}
	env.dash.MustOKBody(t, http.MethodPost, base+"/action/pause", "")
	if !paused() {
		t.Error("not paused after the pause action")
	}
	env.dash.MustOKBody(t, http.MethodPost, base+"/action/resume", "")
	if paused() {
		t.Error("still paused after the resume action")
	}
}

// TestDeclaredActionWithParameter: the apps/v1 StatefulSet declaration's partition action, then
// a set image from the dashboard: kube-controller-manager updates only the ordinals at or above
// the partition.
func TestDeclaredActionWithParameter(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-partition")
	_, err := env.kube.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](3), ServiceName: "db", PodManagementPolicy: appsv1.ParallelPodManagement,
			Selector: &metav1.LabelSelector{MatchLabels: labelsFor("db")}, Template: podTemplate("db", "redis:7")},
	}, metav1.CreateOptions{})
	must(t, "create statefulset", err)
	waitReadyPods(t, ns, "apps-statefulset", "db", 3, 2*time.Minute, nil)
	env.dash.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/apps-statefulset/db/action/partition", `{"params":{"partition":2}}`)
	env.dash.MustOKBody(t, http.MethodPost, "/workload/"+ns+"/apps-statefulset/db/image", `{"images":{"main":"redis:7.4"}}`)
	apiclient.Eventually(t, "only db-2 on the new image", 2*time.Minute, func() error {
		pods, err := dashboardPods(t, ns, "apps-statefulset", "db")
		if err != nil {
			return err
		}
		images := map[string]string{}
		for _, p := range pods {
			if ready(p) {
				images[p.Metadata.Name] = p.Spec.Containers[0].Image
			}
		}
		if images["db-0"] != "redis:7" || images["db-1"] != "redis:7" || images["db-2"] != "redis:7.4" {
			return fmt.Errorf("images %v", images)
		}
		return nil
	})
}
