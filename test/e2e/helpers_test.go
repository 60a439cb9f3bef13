package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

var ctx = context.Background()

func labelsFor(name string) map[string]string { return map[string]string{"app": name} }

func podTemplate(name, image string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labelsFor(name)},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: image}}},
	}
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// logControllerLines logs the last lines the Kruise managers wrote about the namespace: a failed
// test's controller side, which CI keeps nowhere else.
func logControllerLines(t *testing.T, ns string) {
	for _, component := range []string{"kruise-rollout", "kruise-manager"} {
		data, err := os.ReadFile(filepath.Join(env.cluster.Dir, component+".log"))
		if err != nil {
			t.Logf("%s's log: %v", component, err)
			continue
		}
		var lines []string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, ns+"/") || strings.Contains(line, `"namespace"="`+ns+`"`) {
				lines = append(lines, line)
			}
		}
		if len(lines) > 40 {
			lines = lines[len(lines)-40:]
		}
		t.Logf("%s's last %d lines naming %s:\n%s", component, len(lines), ns, strings.Join(lines, "\n"))
	}
}

func newNamespace(t *testing.T, name string) string {
	t.Helper()
	_, err := env.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	must(t, "create namespace", err)
	t.Cleanup(func() {
		if t.Failed() {
			logControllerLines(t, name)
		}
	})
	apiclient.Eventually(t, "namespace "+name+" in the dashboard and its default ServiceAccount", 30*time.Second, func() error {
		if _, err := env.kube.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{}); err != nil {
			return err
		}
		if status, _ := env.dash.Raw(http.MethodGet, "/api/v1/workload/"+name, nil); status != http.StatusOK {
			return fmt.Errorf("dashboard answers %d", status)
		}
		return nil
	})
	return name
}

// pod is the part of a served pod the tests read.
type pod struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Spec     corev1.PodSpec    `json:"spec"`
	Status   corev1.PodStatus  `json:"status"`
}

func ready(p pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// dashboardPods is what GET .../pods answers, alive pods only (not being deleted).
func dashboardPods(t testing.TB, ns, typ, name string) ([]pod, error) {
	var answer struct {
		Pods []pod `json:"pods"`
	}
	status, e := env.dash.Call(t, http.MethodGet, fmt.Sprintf("/workload/%s/%s/%s/pods", ns, typ, name), &answer)
	if status != http.StatusOK {
		return nil, fmt.Errorf("%d %s", status, e.Message)
	}
	alive := answer.Pods[:0]
	for _, p := range answer.Pods {
		if p.Metadata.DeletionTimestamp == nil {
			alive = append(alive, p)
		}
	}
	return alive, nil
}

// waitReadyPods waits until the dashboard shows exactly n ready pods of the workload, all
// matching accept (nil accepts any), and returns them.
func waitReadyPods(t testing.TB, ns, typ, name string, n int, timeout time.Duration, accept func(pod) bool) []pod {
	t.Helper()
	var pods []pod
	apiclient.Eventually(t, fmt.Sprintf("%d ready pods of %s %s/%s", n, typ, ns, name), timeout, func() error {
		var err error
		if pods, err = dashboardPods(t, ns, typ, name); err != nil {
			return err
		}
		ok := 0
		for _, p := range pods {
			if ready(p) && (accept == nil || accept(p)) {
				ok++
			}
		}
		if len(pods) != n || ok != n {
			return fmt.Errorf("%d pods, %d ready and accepted: %v", len(pods), ok, podNames(pods))
		}
		return nil
	})
	return pods
}

func podNames(pods []pod) []string {
	names := make([]string, len(pods))
	for i, p := range pods {
		names[i] = p.Metadata.Name + "(" + string(p.Status.Phase) + ")"
	}
	sort.Strings(names)
	return names
}

// controlledBy lists, from the API server, the live pods whose controller is one of owners.
func controlledBy(t testing.TB, ns string, owners map[types.UID]bool) []string {
	list, err := env.kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	must(t, "list pods", err)
	var names []string
	for _, p := range list.Items {
		if ref := metav1.GetControllerOf(&p); ref != nil && owners[ref.UID] && p.DeletionTimestamp == nil {
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return names
}

func uids(objs ...metav1.Object) map[types.UID]bool {
	out := map[types.UID]bool{}
	for _, o := range objs {
		out[o.GetUID()] = true
	}
	return out
}

func imageIs(image string) func(pod) bool {
	return func(p pod) bool { return len(p.Spec.Containers) > 0 && p.Spec.Containers[0].Image == image }
}

func createCloneSet(t *testing.T, ns, name string, replicas int32, strategy kruiseappsv1alpha1.CloneSetUpdateStrategyType) *kruiseappsv1alpha1.CloneSet {
	cs, err := newCloneSet(ns, name, replicas, strategy)
	must(t, "create cloneset", err)
	return cs
}

func newCloneSet(ns, name string, replicas int32, strategy kruiseappsv1alpha1.CloneSetUpdateStrategyType) (*kruiseappsv1alpha1.CloneSet, error) {
	return env.kruise.AppsV1alpha1().CloneSets(ns).Create(ctx, &kruiseappsv1alpha1.CloneSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1alpha1.CloneSetSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: podTemplate(name, "nginx:1.27"), UpdateStrategy: kruiseappsv1alpha1.CloneSetUpdateStrategy{Type: strategy}},
	}, metav1.CreateOptions{})
}

func createDeployment(t *testing.T, ns, name string, replicas int32) *appsv1.Deployment {
	d, err := env.kube.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: podTemplate(name, "nginx:1.27")},
	}, metav1.CreateOptions{})
	must(t, "create deployment", err)
	return d
}

func setCloneSetImage(t *testing.T, ns, name, image string) {
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"main","image":%q}]}}}}`, image)
	_, err := env.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	must(t, "set image", err)
}
