package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/oidcprovider"
)

// TestUISignIn drives sign-in in headless Chromium against dashboards in token and oidc modes
// (the real binary, the live cluster, a real OpenID provider on loopback): a viewer signs in with
// a token and finds the actions disabled with the missing permission as the reason; an approver
// approves the waiting step (the controller moves on); alice signs in through the provider's own
// login page; everyone signs out. The browser script is app/web/e2e/signin.test.mjs.
func TestUISignIn(t *testing.T) {
	skipShort(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, u := range []string{"viewer", "approver", "alice"} {
		grantUI(t, u)
	}
	ns := newNamespace(t, "e2e-signin")
	cloneSetUnderRollout(t, ns, "shop", kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	setCloneSetImage(t, ns, "shop", "nginx:1.28")
	waitStatus(t, ns, "shop", "the release waiting at step 1", 2*time.Minute, waitingAt(1))

	const key = "e2e-session-key-0123456789abcdef0123456789"
	// Sign-outs are recorded in a ConfigMap; outside a cluster its namespace must be named.
	sessions := "KD_AUTH_SESSIONS_NAMESPACE=" + ns
	tokenAddr, err := apiclient.FreeAddr()
	must(t, "address", err)
	token, stopToken, err := runDashboard(env.dir, "dashboard-token", env.cluster.Kubeconfig, tokenAddr, "KD_AUTH_MODE=token", "KD_AUTH_SESSION_KEY="+key, sessions)
	must(t, "start the token-mode dashboard", err)
	defer stopToken()

	oidcAddr, err := apiclient.FreeAddr()
	must(t, "address", err)
	callback := "http://" + oidcAddr + "/api/v1/auth/oidc/callback"
	provider, err := oidcprovider.Start(ctx, t.TempDir(), []oidcprovider.User{{ID: "u-alice", Username: "alice", Password: "alice-password", Email: "alice@example.test"}}, []string{callback})
	must(t, "start the OpenID provider", err)
	defer provider.Stop()
	oidc, stopOIDC, err := runDashboard(env.dir, "dashboard-oidc", env.cluster.Kubeconfig, oidcAddr, "KD_AUTH_MODE=oidc", "KD_AUTH_SESSION_KEY="+key, sessions,
		"KD_OIDC_ISSUER_URL="+provider.Issuer, "KD_OIDC_CLIENT_ID="+provider.ClientID, "KD_OIDC_CLIENT_SECRET="+provider.ClientSecret, "KD_OIDC_REDIRECT_URL="+callback)
	must(t, "start the oidc-mode dashboard", err)
	defer stopOIDC()

	shots := filepath.Join(root, "test-artifacts", "ui")
	cmd := exec.Command("node", "--test", "--test-reporter=spec", "e2e/signin.test.mjs")
	cmd.Dir = filepath.Join(root, "app", "web")
	cmd.Env = append(os.Environ(), "TOKEN_URL="+token.URL, "OIDC_URL="+oidc.URL, "UI_NAMESPACE="+ns, "SCREENSHOT_DIR="+shots,
		"VIEWER_TOKEN="+env.cluster.Tokens["viewer"], "APPROVER_TOKEN="+env.cluster.Tokens["approver"],
		"OIDC_USER=alice", "OIDC_PASSWORD=alice-password")
	out, err := cmd.CombinedOutput()
	t.Logf("browser tests:\n%s", out)
	if err != nil {
		t.Fatalf("browser sign-in tests failed: %v (screenshots in %s)", err, shots)
	}
}

// grantUI gives a test user read access everywhere, and to the approver and alice the right to
// approve (patch rollouts/status).
func grantUI(t *testing.T, user string) {
	t.Helper()
	rules := []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}}}
	if user != "viewer" {
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts/status"}, Verbs: []string{"patch"}})
	}
	name := "kd-e2e-" + user
	_, err := env.kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "create role", err)
	}
	_, err = env.kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user, APIGroup: "rbac.authorization.k8s.io"}},
	}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "bind role", err)
	}
}
