package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data/clusters"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestFleet serves a second real control plane ("b") registered by a cluster Secret next to the
// home one, in token mode: the registration comes and goes while running, every route answers
// under /clusters/{name} with that cluster's objects, each cluster's RBAC decides for the person
// it knows the token as, a token only home accepts is "not signed in here" on b, and a frozen b
// is marked unreachable while home keeps answering.
func TestFleet(t *testing.T) {
	skipShort(t)
	b, err := localcluster.Start(ctx, localcluster.Options{Dir: t.TempDir()})
	must(t, "start cluster b", err)
	t.Cleanup(b.Stop)
	kubeB, _, err := clientsFor(b.Kubeconfig)
	must(t, "clients of b", err)

	// The same namespace on both, with a Deployment only b has.
	ns := newNamespace(t, "fleet")
	_, err = kubeB.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, "namespace on b", err)
	createDeploymentIn(t, kubeB, ns, "only-in-b")

	// The person "viewer": home's viewer token is accepted by b too (added to b's token file),
	// as "viewer" there; "approver"'s home token is not. viewer may read only on home.
	acceptOnB(t, b, shared.cluster.Tokens["viewer"], "viewer")
	grantReadOnly(t, "viewer")

	regs, argo := newNamespace(t, "kd-clusters"), newNamespace(t, "argocd")
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	d, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) {
		bc.Auth.Mode, bc.Auth.SessionKey, bc.Audit.Path = "token", testSessionKey, auditPath
		bc.Fleet.HomeName, bc.Fleet.SecretsNamespace, bc.Fleet.ArgoCDNamespace = "home", regs, argo
		bc.Fleet.HealthInterval, bc.Fleet.Retry = 300*time.Millisecond, time.Second
		bc.Auth.DecisionTTL = time.Millisecond // the test changes bindings on b between requests
		bc.Fleet.PodsIdle = 2 * time.Second
	})
	must(t, "start dashboard", err)
	t.Cleanup(d.stop)
	viewer := as(d, "viewer")
	approver := as(d, "approver")

	state := func(t *testing.T, name string) biz.ClusterInfo {
		var list []biz.ClusterInfo
		viewer.MustOK(t, http.MethodGet, "/clusters", &list)
		if len(list) == 0 || list[0].Name != "home" || !list[0].Home {
			t.Fatalf("the home cluster must come first: %+v", list)
		}
		for _, c := range list {
			if c.Name == name {
				return c
			}
		}
		return biz.ClusterInfo{}
	}
	waitState := func(t *testing.T, name, want string) biz.ClusterInfo {
		var got biz.ClusterInfo
		apiclient.Eventually(t, "cluster "+name+" "+want, 30*time.Second, func() error {
			if got = state(t, name); got.State != want {
				return fmt.Errorf("cluster %s is %q (%+v)", name, got.State, got)
			}
			return nil
		})
		return got
	}
	if got := state(t, "b"); got.Name != "" {
		t.Fatalf("b is listed before it is registered: %+v", got)
	}

	t.Run("a cluster Secret added while running is served", func(t *testing.T) {
		registerCluster(t, regs, "b", b)
		got := waitState(t, "b", biz.ClusterReady)
		if got.Origin != "secret" || got.Source != "Secret "+regs+"/b" || !got.Reachable || got.Versions.Kubernetes == "" || got.Versions.Rollouts == "" || got.LastSync == nil {
			t.Errorf("b's entry: %+v", got)
		}
	})

	t.Run("every route answers in the cluster the path names", func(t *testing.T) {
		grantReadOnlyOn(t, kubeB, "viewer")
		defer func() { _ = kubeB.RbacV1().ClusterRoleBindings().Delete(ctx, "read-viewer", metav1.DeleteOptions{}) }()
		names := func(path string) []string {
			var page struct {
				Items []map[string]any `json:"items"`
			}
			var out []string
			apiclient.Eventually(t, path, 20*time.Second, func() error {
				out = nil
				if status, e := viewer.Call(t, http.MethodGet, path+"?limit=100", &page); status != http.StatusOK {
					return &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
				}
				for _, it := range page.Items {
					meta, _ := it["metadata"].(map[string]any)
					out = append(out, fmt.Sprint(meta["name"]))
				}
				return nil
			})
			return out
		}
		apiclient.Eventually(t, "only-in-b listed in b", 20*time.Second, func() error {
			if got := names("/clusters/b/workload/" + ns + "/deployment"); !reflect.DeepEqual(got, []string{"only-in-b"}) {
				return fmt.Errorf("b's deployments: %v", got)
			}
			return nil
		})
		if got := names("/workload/" + ns + "/deployment"); len(got) != 0 {
			t.Errorf("home lists b's deployment: %v", got)
		}
		// b's pods are cached while in use: the first pod read starts the cache, idleness drops
		// it, and the next read starts it again.
		if got := state(t, "b"); got.PodsCached {
			t.Errorf("b's pods are cached before any read: %+v", got)
		}
		createPodOn(t, kubeB, ns, "only-in-b")
		podsOfB := func() []string {
			var pods podsAnswer
			viewer.MustOK(t, http.MethodGet, "/clusters/b/workload/"+ns+"/deployment/only-in-b/pods", &pods)
			var out []string
			for _, p := range pods.Pods {
				out = append(out, p.Metadata.Name)
			}
			return out
		}
		if got := podsOfB(); !reflect.DeepEqual(got, []string{"only-in-b-pod"}) {
			t.Errorf("b's pods: %v", got)
		}
		if got := state(t, "b"); !got.PodsCached {
			t.Errorf("b's pods are not cached after a read: %+v", got)
		}
		apiclient.Eventually(t, "b's pods dropped when idle", 30*time.Second, func() error {
			if got := state(t, "b"); got.PodsCached {
				return fmt.Errorf("b's pods still cached")
			}
			return nil
		})
		if got := podsOfB(); !reflect.DeepEqual(got, []string{"only-in-b-pod"}) {
			t.Errorf("b's pods after the cache was dropped and started again: %v", got)
		}

		// The home's own name is the unprefixed routes.
		for _, path := range []string{"/namespaces", "/workload-types", "/rollout/list/" + ns} {
			_, plain := viewer.Raw(http.MethodGet, path, nil)
			_, prefixed := viewer.Raw(http.MethodGet, "/clusters/home"+path, nil)
			if string(plain) != string(prefixed) {
				t.Errorf("%s differs under /clusters/home:\n%s\n%s", path, plain, prefixed)
			}
		}
	})

	t.Run("each cluster's RBAC decides: no right on b is 403 there and changes nothing", func(t *testing.T) {
		// The binding of the previous subtest was just deleted: b's authorizer hears of it by watch.
		apiclient.Eventually(t, "403 on b", 10*time.Second, func() error {
			if status, e := viewer.Call(t, http.MethodGet, "/clusters/b/workload/"+ns+"/deployment/only-in-b", nil); status != http.StatusForbidden || e.Code != "FORBIDDEN" {
				return fmt.Errorf("viewer without a binding on b: want 403 FORBIDDEN, got %d %s %q", status, e.Code, e.Message)
			}
			return nil
		})
		status, e := viewer.Call(t, http.MethodPost, "/clusters/b/workload/"+ns+"/deployment/only-in-b/scale?replicas=3", nil)
		if status != http.StatusForbidden {
			t.Errorf("scale on b without a right: want 403, got %d %s %q", status, e.Code, e.Message)
		}
		dep, err := kubeB.AppsV1().Deployments(ns).Get(ctx, "only-in-b", metav1.GetOptions{})
		must(t, "read back", err)
		if *dep.Spec.Replicas != 1 {
			t.Errorf("a refused scale changed b's deployment: %d replicas", *dep.Spec.Replicas)
		}
		// The audit line names the cluster.
		if !auditHas(t, auditPath, func(e map[string]any) bool {
			return e["cluster"] == "b" && e["user"] == "viewer" && e["status"] == float64(http.StatusForbidden) && strings.Contains(fmt.Sprint(e["action"]), "/clusters/{cluster}/")
		}) {
			t.Errorf("no audit line names cluster b for the refused scale")
		}
	})

	t.Run("a token only home accepts is not signed in on b", func(t *testing.T) {
		grantReadOnly(t, "approver")
		approver.MustOK(t, http.MethodGet, "/namespaces", nil)
		status, e := approver.Call(t, http.MethodGet, "/clusters/b/namespaces", nil)
		if status != http.StatusForbidden || e.Code != "NOT_SIGNED_IN_HERE" {
			t.Errorf("want 403 NOT_SIGNED_IN_HERE, got %d %s %q", status, e.Code, e.Message)
		}
		var list []biz.ClusterInfo
		approver.MustOK(t, http.MethodGet, "/clusters", &list)
		if len(list) < 2 {
			t.Errorf("every signed-in person sees every cluster's name and state: %+v", list)
		}
	})

	t.Run("unknown and refused names are 404 CLUSTER_NOT_FOUND", func(t *testing.T) {
		status, e := viewer.Call(t, http.MethodGet, "/clusters/nowhere/namespaces", nil)
		if status != http.StatusNotFound || e.Code != "CLUSTER_NOT_FOUND" {
			t.Errorf("unknown: want 404 CLUSTER_NOT_FOUND, got %d %s %q", status, e.Code, e.Message)
		}
		_, err := shared.kube.CoreV1().Secrets(regs).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "insecure", Labels: map[string]string{clusters.DefaultSecretSelector: "true"}},
			Data:       map[string][]byte{clusters.KeyServer: []byte("https://127.0.0.1:1")}, // no credential
		}, metav1.CreateOptions{})
		must(t, "create refused registration", err)
		got := waitState(t, "insecure", biz.ClusterRefused)
		if got.Refused == "" {
			t.Errorf("a refused cluster says why: %+v", got)
		}
		status, e = viewer.Call(t, http.MethodGet, "/clusters/insecure/namespaces", nil)
		if status != http.StatusNotFound || e.Code != "CLUSTER_NOT_FOUND" || !strings.Contains(e.Message, "refused") {
			t.Errorf("refused: want 404 CLUSTER_NOT_FOUND saying refused, got %d %s %q", status, e.Code, e.Message)
		}
	})

	t.Run("the inbox, attention and approvals across clusters", func(t *testing.T) {
		rolloutsB := rolloutClientFor(t, b.Kubeconfig)
		createCloneSet(t, ns, "shop", 2)
		setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
		setInRollingWith(t, rolloutsB, createRolloutWith(t, rolloutsB, ns, "b-ro", refTo("apps/v1", "Deployment", "only-in-b"), canaryStrategy(false)), 1, "StepPaused", false)

		inbox := func(c apiclient.Client) biz.FleetInbox {
			var in biz.FleetInbox
			c.MustOK(t, http.MethodGet, "/fleet/inbox", &in)
			return in
		}
		where := func(in biz.FleetInbox) []string {
			var out []string
			for _, it := range in.Items {
				if it.Namespace == ns {
					out = append(out, it.Cluster+"/"+it.Name)
				}
			}
			return out
		}
		// No right on b: b's release never appears; b is listed as a part.
		apiclient.Eventually(t, "home's release in the fleet inbox", 20*time.Second, func() error {
			in := inbox(viewer)
			if got := where(in); !reflect.DeepEqual(got, []string{"home/shop-ro"}) {
				return fmt.Errorf("inbox without rights on b: %v (parts %+v)", got, in.Clusters)
			}
			if len(in.Clusters) != 2 || in.Clusters[0].Name != "home" || in.Clusters[1].Name != "b" {
				return fmt.Errorf("parts: %+v", in.Clusters)
			}
			return nil
		})
		grantReadOnlyOn(t, kubeB, "viewer")
		defer func() { _ = kubeB.RbacV1().ClusterRoleBindings().Delete(ctx, "read-viewer", metav1.DeleteOptions{}) }()
		apiclient.Eventually(t, "both releases in the fleet inbox", 20*time.Second, func() error {
			if got := where(inbox(viewer)); !reflect.DeepEqual(got, []string{"home/shop-ro", "b/b-ro"}) {
				return fmt.Errorf("inbox: %v", got)
			}
			return nil
		})
		var summary biz.FleetSummary
		viewer.MustOK(t, http.MethodGet, "/fleet/summary", &summary)
		for _, c := range summary.Clusters {
			if c.Waiting == nil || *c.Waiting < 1 || c.Rollouts == nil || c.Workloads == nil || c.State != biz.ClusterReady {
				t.Errorf("summary card of %s: %+v", c.Name, c)
			}
		}

		// viewer may approve on b only: one item refused (home), one approved (b).
		_, err := kubeB.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "approve"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts", "rollouts/status"}, Verbs: []string{"get", "patch"}}}}, metav1.CreateOptions{})
		must(t, "approve role on b", err)
		_, err = kubeB.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "approve-viewer"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "approve"},
			Subjects: []rbacv1.Subject{{Kind: "User", Name: "viewer", APIGroup: "rbac.authorization.k8s.io"}}}, metav1.CreateOptions{})
		must(t, "approve binding on b", err)
		var res []biz.FleetApproveOutcome
		// b's authorizer hears of the new binding by watch: until then b's item is refused (and
		// nothing changes), so the request is sent again.
		apiclient.Eventually(t, "approve allowed on b", 10*time.Second, func() error {
			res = nil
			viewer.MustOKBody(t, http.MethodPost, "/fleet/approve-many", fmt.Sprintf(`{"items":[{"cluster":"home","namespace":%q,"name":"shop-ro","step":1},{"cluster":"b","namespace":%q,"name":"b-ro","step":1},{"cluster":"nowhere","namespace":%q,"name":"x","step":1}]}`, ns, ns, ns), &res)
			if len(res) == 3 && res[1].Code == "FORBIDDEN" {
				return fmt.Errorf("b refused: %s", res[1].Message)
			}
			return nil
		})
		if len(res) != 3 || res[0].Code != "FORBIDDEN" || res[0].Changed || !res[1].Changed || res[1].Code != "OK" || res[2].Code != "CLUSTER_NOT_FOUND" {
			t.Fatalf("outcomes: %+v", res)
		}
		for _, body := range []string{`{"items":[]}`, `{"items":[{"cluster":"b"}],"extra":1}`, `{"items":[{"cluster":"b","namespace":"x","name":"y","step":1}],"reason":"` + strings.Repeat("r", 501) + `"}`, `not json`} {
			if status, e := viewer.SendBody(t, http.MethodPost, "/fleet/approve-many", nil, body); status != http.StatusBadRequest || e.Code != "BAD_REQUEST" {
				t.Errorf("bad body %.40q: want 400 BAD_REQUEST, got %d %s %q", body, status, e.Code, e.Message)
			}
		}
		roB, err := rolloutsB.RolloutsV1beta1().Rollouts(ns).Get(ctx, "b-ro", metav1.GetOptions{})
		must(t, "read b's rollout", err)
		if roB.Status.CanaryStatus.CurrentStepState == "StepPaused" {
			t.Errorf("the approval did not reach b: %+v", roB.Status.CanaryStatus)
		}
		roHome, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).Get(ctx, "shop-ro", metav1.GetOptions{})
		must(t, "read home's rollout", err)
		if roHome.Status.CanaryStatus.CurrentStepState != "StepPaused" {
			t.Errorf("the refused item changed home's release: %+v", roHome.Status.CanaryStatus)
		}
		// A crash-looping container on home (whose pods are always cached) is its workload's item.
		createDeploymentIn(t, shared.kube, ns, "loopy")
		createPodOn(t, shared.kube, ns, "loopy")
		pod, err := shared.kube.CoreV1().Pods(ns).Get(ctx, "loopy-pod", metav1.GetOptions{})
		must(t, "get pod", err)
		crashed := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
		pod.Status.Phase = corev1.PodRunning
		pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: pod.Spec.Containers[0].Name, Image: pod.Spec.Containers[0].Image, RestartCount: 7,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: crashed}}}}
		_, err = shared.kube.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		must(t, "crash-looping status", err)
		apiclient.Eventually(t, "the crash loop among the attention items", 20*time.Second, func() error {
			var att biz.FleetAttention
			viewer.MustOK(t, http.MethodGet, "/fleet/attention", &att)
			if len(att.Clusters) != 2 {
				return fmt.Errorf("attention parts: %+v", att.Clusters)
			}
			for _, it := range att.Items {
				if it.Cluster == "home" && it.Reason == "crashloop" && it.Type == "deployment" && it.Name == "loopy" && it.Namespace == ns {
					if it.Since == nil || !it.Since.Equal(crashed.Time) || !strings.Contains(it.Message, "7 restarts") {
						return fmt.Errorf("crash loop item: %+v", it)
					}
					return nil
				}
			}
			return fmt.Errorf("no crash loop item in %+v", att.Items)
		})
	})

	t.Run("a frozen cluster is marked and the others keep answering", func(t *testing.T) {
		must(t, "freeze b", b.FreezeAPIServer(true))
		frozen := true
		defer func() {
			if frozen {
				_ = b.FreezeAPIServer(false)
			}
		}()
		got := waitState(t, "b", biz.ClusterUnreachable)
		if got.UnreachableSince == nil || got.LastError == "" {
			t.Errorf("an unreachable cluster says since when and why: %+v", got)
		}
		for range 5 {
			viewer.MustOK(t, http.MethodGet, "/workload/"+ns+"/deployment", nil)
		}
		// Requests to b fail at once with why (the code is only given before anything is sent).
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/clusters/b/workload/" + ns + "/deployment"},
			{http.MethodPost, "/clusters/b/workload/" + ns + "/deployment/only-in-b/scale?replicas=2"},
		} {
			status, e := viewer.Call(t, r.method, r.path, nil)
			if status != http.StatusServiceUnavailable || e.Code != "CLUSTER_UNREACHABLE" || !strings.Contains(e.Message, "since") {
				t.Errorf("%s %s while b is frozen: want 503 CLUSTER_UNREACHABLE saying since when, got %d %s %q", r.method, r.path, status, e.Code, e.Message)
			}
		}
		var in biz.FleetInbox
		viewer.MustOK(t, http.MethodGet, "/fleet/inbox", &in)
		for _, p := range in.Clusters {
			if p.Name == "b" && (p.Reachable || p.UnreachableSince == nil || p.Code == "") {
				t.Errorf("the inbox's part of the frozen b: %+v", p)
			}
		}
		must(t, "thaw b", b.FreezeAPIServer(false))
		frozen = false
		if got := waitState(t, "b", biz.ClusterReady); got.UnreachableSince != nil {
			t.Errorf("a recovered cluster has no since: %+v", got)
		}
	})

	t.Run("an Argo CD cluster Secret added and removed while running", func(t *testing.T) {
		read := func(file string) []byte {
			raw, err := os.ReadFile(filepath.Join(b.Dir, file))
			must(t, "read "+file, err)
			return raw
		}
		config, err := json.Marshal(map[string]any{"tlsClientConfig": map[string][]byte{"caData": read("ca.crt"), "certData": read("admin.crt"), "keyData": read("admin.key")}})
		must(t, "Argo CD config", err)
		_, err = shared.kube.CoreV1().Secrets(argo).Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: "cluster-b-argo", Labels: map[string]string{"argocd.argoproj.io/secret-type": "cluster"}},
			Data:       map[string][]byte{"name": []byte("b-argo"), "server": []byte(b.Server), "config": config},
		}, metav1.CreateOptions{})
		must(t, "create the Argo CD Secret", err)
		if got := waitState(t, "b-argo", biz.ClusterReady); got.Origin != "argocd" || got.Source != "Secret "+argo+"/cluster-b-argo" {
			t.Errorf("b-argo's entry: %+v", got)
		}
		must(t, "delete the Argo CD Secret", shared.kube.CoreV1().Secrets(argo).Delete(ctx, "cluster-b-argo", metav1.DeleteOptions{}))
		apiclient.Eventually(t, "b-argo gone", 30*time.Second, func() error {
			if got := state(t, "b-argo"); got.Name != "" {
				return fmt.Errorf("b-argo still listed: %+v", got)
			}
			return nil
		})
	})

	t.Run("a cluster Secret removed while running is gone", func(t *testing.T) {
		must(t, "delete registration", shared.kube.CoreV1().Secrets(regs).Delete(ctx, "b", metav1.DeleteOptions{}))
		apiclient.Eventually(t, "b gone", 30*time.Second, func() error {
			if got := state(t, "b"); got.Name != "" {
				return fmt.Errorf("b still listed: %+v", got)
			}
			return nil
		})
		status, e := viewer.Call(t, http.MethodGet, "/clusters/b/namespaces", nil)
		if status != http.StatusNotFound || e.Code != "CLUSTER_NOT_FOUND" {
			t.Errorf("after removal: want 404 CLUSTER_NOT_FOUND, got %d %s %q", status, e.Code, e.Message)
		}
	})
}

// rolloutClientFor is the admin Rollout clientset of the cluster of kubeconfig.
func rolloutClientFor(t testing.TB, kubeconfig string) rolloutclient.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(t, "config", err)
	c, err := rolloutclient.NewForConfig(cfg)
	must(t, "rollout client", err)
	return c
}

// registerCluster creates the cluster Secret of c as name: its server, CA and admin client
// certificate (the dashboard's credential there; system:masters may impersonate).
func registerCluster(t *testing.T, namespace, name string, c *localcluster.Cluster) {
	t.Helper()
	read := func(file string) []byte {
		b, err := os.ReadFile(filepath.Join(c.Dir, file))
		must(t, "read "+file, err)
		return b
	}
	_, err := shared.kube.CoreV1().Secrets(namespace).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{clusters.DefaultSecretSelector: "true"}},
		Data: map[string][]byte{clusters.KeyServer: []byte(c.Server), clusters.KeyCA: read("ca.crt"),
			clusters.KeyCert: read("admin.crt"), clusters.KeyKey: read("admin.key")},
	}, metav1.CreateOptions{})
	must(t, "create cluster Secret", err)
}

// acceptOnB makes c's API server accept token as user (its token file, then a restart).
func acceptOnB(t *testing.T, c *localcluster.Cluster, token, user string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(c.Dir, "tokens.csv"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, "open b's token file", err)
	_, err = fmt.Fprintf(f, "%s,%s,2000,%q\n", token, user, localcluster.TestUsersGroup)
	must(t, "append token", err)
	must(t, "close token file", f.Close())
	must(t, "stop b's API server", c.StopAPIServer())
	must(t, "start b's API server", c.StartAPIServer(ctx))
}

func grantReadOnlyOn(t *testing.T, kube kubernetes.Interface, user string) {
	t.Helper()
	_, err := kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "read-all"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}}}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "role on b", err)
	}
	_, err = kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "read-" + user},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "read-all"},
		Subjects: []rbacv1.Subject{{Kind: "User", Name: user, APIGroup: "rbac.authorization.k8s.io"}}}, metav1.CreateOptions{})
	must(t, "binding on b", err)
}

func createDeploymentIn(t *testing.T, kube kubernetes.Interface, ns, name string) {
	t.Helper()
	one := int32(1)
	_, err := kube.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create deployment "+name, err)
}

// createPodOn creates a pod controlled by the Deployment name's ReplicaSet (created too), as
// the Deployment controller would, on the cluster of kube.
func createPodOn(t *testing.T, kube kubernetes.Interface, ns, name string) {
	t.Helper()
	d, err := kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	must(t, "get deployment", err)
	rs, err := kube.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-rs", Labels: d.Spec.Template.Labels, OwnerReferences: []metav1.OwnerReference{ownerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
		Spec:       appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template},
	}, metav1.CreateOptions{})
	must(t, "create replicaset", err)
	_, err = kube.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-pod", Labels: d.Spec.Template.Labels, OwnerReferences: []metav1.OwnerReference{ownerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))}},
		Spec:       d.Spec.Template.Spec,
	}, metav1.CreateOptions{})
	must(t, "create pod", err)
}

// auditHas reports whether a line of the audit log at path matches.
func auditHas(t *testing.T, path string, match func(map[string]any) bool) bool {
	t.Helper()
	f, err := os.Open(path)
	must(t, "open audit log", err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e map[string]any
		if json.Unmarshal(sc.Bytes(), &e) == nil && match(e) {
			return true
		}
	}
	return false
}
