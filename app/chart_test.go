package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/deploy/helm"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestHelmChartRBAC installs the Helm chart (helm template, then kubectl server-side apply) on
// the control plane, runs the dashboard out of cluster with a token of the chart's
// ServiceAccount (TokenRequest), and has a signed-in editor use every endpoint and mutation: the
// chart's RBAC is enough. `kubectl auth can-i --list` for that ServiceAccount shows nothing beyond
// configs/clusterrole.yaml (compared with a ServiceAccount that has no binding).
func TestHelmChartRBAC(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	chartNS := newNamespace(t, "kd-chart")
	const release = "kdchart"
	rendered, err := helm.Template(ctx, release, chartNS)
	must(t, "helm template", err)
	file := filepath.Join(t.TempDir(), "chart.yaml")
	must(t, "write rendering", os.WriteFile(file, []byte(rendered), 0o600))
	// The namespace enforces the "restricted" Pod Security Standard: the hardened pod must pass.
	out, err := runKubectl(shared.cluster.Kubeconfig, "label", "namespace", chartNS,
		"pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted")
	must(t, "label the namespace restricted: "+out, err)
	out, err = runKubectl(shared.cluster.Kubeconfig, "apply", "--server-side", "-f", file)
	must(t, "kubectl apply --server-side the chart: "+out, err)
	if strings.Contains(out, "PodSecurity") {
		t.Errorf("the chart's Deployment would violate the restricted Pod Security Standard:\n%s", out)
	}
	t.Cleanup(func() {
		_, _ = runKubectl(shared.cluster.Kubeconfig, "delete", "--ignore-not-found", "clusterrole,clusterrolebinding", release+"-kruise-dashboard", release+"-kruise-dashboard-metrics-reader")
	})
	for _, kind := range []string{"deployment", "service", "poddisruptionbudget", "serviceaccount", "secret"} {
		if out, err := runKubectl(shared.cluster.Kubeconfig, "-n", chartNS, "get", kind, "-o", "name"); err != nil || !strings.Contains(out, release) {
			t.Errorf("after apply, %s: %s %v", kind, out, err)
		}
	}

	t.Run("its pod is admitted under the restricted Pod Security Standard", func(t *testing.T) {
		d, err := shared.kube.AppsV1().Deployments(chartNS).Get(ctx, release+"-kruise-dashboard", metav1.GetOptions{})
		must(t, "read the Deployment", err)
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "kd-chart-", Namespace: chartNS, Labels: d.Spec.Template.Labels}, Spec: d.Spec.Template.Spec}
		_, err = shared.kube.CoreV1().Pods(chartNS).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		must(t, "create its pod (server dry run) in a restricted namespace", err)
	})

	sa := release + "-kruise-dashboard"
	token := serviceAccountToken(t, chartNS, sa)
	kubeconfig, err := shared.cluster.TokenKubeconfig("chart-sa", token)
	must(t, "kubeconfig for the chart's ServiceAccount", err)
	d, err := startDashboard(kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) {
		bc.Auth.Mode, bc.Auth.SessionKey = "token", testSessionKey
		bc.Auth.SessionsNamespace, bc.Auth.SessionsConfigMap = chartNS, release+"-kruise-dashboard-sessions"
	})
	must(t, "start the dashboard as the chart's ServiceAccount", err)
	t.Cleanup(d.stop)

	t.Run("a signed-in editor uses every endpoint and mutation", func(t *testing.T) {
		ns, reads, writes := signInFixture(t)
		jar, _ := cookiejar.New(nil)
		editor := apiclient.Client{URL: d.URL, HTTP: &http.Client{Jar: jar}}
		if status, body := editor.Post(t, "/api/v1/auth/login", `{"token":"`+shared.cluster.Tokens["editor"]+`"}`); status != http.StatusOK {
			t.Fatalf("sign in: %d %s", status, body)
		}
		apiclient.Eventually(t, "the fixture in the dashboard's cache", 10*time.Second, func() error {
			if status, e := editor.Call(t, http.MethodGet, "/rollout/status/"+ns+"/shop-ro", nil); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Message}
			}
			return nil
		})
		for _, r := range reads {
			if status, e := call(t, editor, r, nil); status != http.StatusOK {
				t.Errorf("%s %s: %d %s %s", r.method, r.path, status, e.Code, e.Message)
			}
		}
		stream, err := (apiclient.Client{URL: d.URL, Header: http.Header{"Authorization": {"Bearer " + shared.cluster.Tokens["editor"]}}}).Watch("namespace="+ns, "")
		must(t, "open the live stream", err)
		if _, err := stream.Until(10*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" }); err != nil {
			t.Errorf("live stream: %v", err)
		}
		stream.Close()
		// The single approval before the bulk one (which then reports the step moved on), the
		// workload's delete last. Without controllers the fixture has no history and its release
		// stays in flight: undo finds no previous revision (409) and the strategy-aware restart refuses
		// during a release (409). Everything else must succeed.
		sort.SliceStable(writes, func(i, j int) bool { return writeOrder(writes[i]) < writeOrder(writes[j]) })
		mayRefuse := map[string]int{"/rollout/undo/": http.StatusConflict, "/rollout/restart/": http.StatusConflict}
		for _, r := range writes {
			status, e := call(t, editor, r, nil)
			if status == http.StatusOK {
				continue
			}
			refusedOK := false
			for prefix, want := range mayRefuse {
				refusedOK = refusedOK || strings.HasPrefix(r.path, prefix) && status == want
			}
			if !refusedOK {
				t.Errorf("%s %s: %d %s %s", r.method, r.path, status, e.Code, e.Message)
			}
		}
		// Sign-out writes the chart's sign-outs ConfigMap as the chart's ServiceAccount.
		u, _ := url.Parse(d.URL)
		copied := jar.Cookies(u)
		if status, body := editor.Post(t, "/api/v1/auth/logout", ""); status != http.StatusOK {
			t.Errorf("sign out: %d %s", status, body)
		}
		apiclient.Eventually(t, "the signed-out session refused", 5*time.Second, func() error {
			c := apiclient.Client{URL: d.URL, Header: http.Header{"Cookie": {copied[0].String()}}}
			if status, _ := c.Call(t, http.MethodGet, "/namespaces", nil); status != http.StatusUnauthorized {
				return fmt.Errorf("answers %d", status)
			}
			return nil
		})
	})

	t.Run("kubectl auth can-i --list shows nothing beyond the minimal role", func(t *testing.T) {
		// The chart names the sign-outs' ConfigMap after the release; configs/role.yaml has the default.
		granted := map[string]bool{}
		for perm := range canIList(t, chartNS, token) {
			granted[strings.ReplaceAll(perm, release+"-kruise-dashboard-sessions", "kruise-dashboard-sessions")] = true
		}
		baseline := canIList(t, chartNS, serviceAccountToken(t, chartNS, "unbound"))
		want := minimalRules(t)
		for perm := range granted {
			if !baseline[perm] && !want[perm] {
				t.Errorf("the chart's ServiceAccount may %s: not in configs/clusterrole.yaml", perm)
			}
		}
		for perm := range want {
			if !granted[perm] {
				t.Errorf("the chart's ServiceAccount may not %s, which configs/clusterrole.yaml grants", perm)
			}
		}
	})
}

func writeOrder(r route) int {
	switch {
	case strings.HasPrefix(r.path, "/rollout/approve/"):
		return 0
	case strings.HasPrefix(r.path, "/rollout/"):
		return 1
	case r.method == http.MethodDelete:
		return 3
	}
	return 2
}

// serviceAccountToken creates the ServiceAccount if needed and asks for a token (TokenRequest).
func serviceAccountToken(t *testing.T, ns, name string) string {
	t.Helper()
	_, err := shared.kube.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "create serviceaccount "+name, err)
	}
	seconds := int64(3600)
	tr, err := shared.kube.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	must(t, "token request for "+name, err)
	return tr.Status.Token
}

var canIRow = regexp.MustCompile(`^(\S+)\s+\[(.*?)\]\s+\[(.*?)\]\s+\[(.*?)\]\s*$`)

// canIList is `kubectl auth can-i --list` as the token's identity, as "verb resource.group" (and
// "verb url" for non-resource URLs).
func canIList(t *testing.T, ns, token string) map[string]bool {
	t.Helper()
	kubeconfig, err := shared.cluster.TokenKubeconfig(fmt.Sprintf("can-i-%d", time.Now().UnixNano()), token)
	must(t, "kubeconfig", err)
	out, err := runKubectl(kubeconfig, "auth", "can-i", "--list", "-n", ns)
	must(t, "kubectl auth can-i --list: "+out, err)
	perms := map[string]bool{}
	for _, line := range strings.Split(out, "\n")[1:] {
		m := canIRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		subject := m[1]
		if subject == "" || m[2] != "" {
			subject = m[2] // a non-resource URL row
		}
		if m[3] != "" {
			subject += "/" + strings.ReplaceAll(m[3], " ", ",")
		}
		for _, verb := range strings.Fields(m[4]) {
			perms[verb+" "+subject] = true
		}
	}
	if len(perms) == 0 {
		t.Fatalf("no permissions parsed from:\n%s", out)
	}
	return perms
}

// minimalRules is configs/clusterrole.yaml as can-i --list names its permissions.
func minimalRules(t *testing.T) map[string]bool {
	t.Helper()
	var rules []rbacv1.PolicyRule
	// The cluster-wide role, and the Role in the dashboard's own namespace (where can-i is asked).
	for _, file := range []string{"../configs/clusterrole.yaml", "../configs/role.yaml"} {
		data, err := os.ReadFile(file)
		must(t, "read "+file, err)
		var role rbacv1.ClusterRole
		must(t, "parse "+file, yaml.Unmarshal(data, &role))
		rules = append(rules, role.Rules...)
	}
	perms := map[string]bool{}
	for _, rule := range rules {
		for _, group := range rule.APIGroups {
			for _, resource := range rule.Resources {
				name := resource
				if group != "" {
					name += "." + group
				}
				if len(rule.ResourceNames) > 0 {
					name += "/" + strings.Join(rule.ResourceNames, ",")
				}
				for _, verb := range rule.Verbs {
					perms[verb+" "+name] = true
				}
			}
		}
	}
	return perms
}
