package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestCredentials runs dashboards with a read-only user's token (writes are 403 FORBIDDEN naming
// the verb and resource, and change nothing) and with a token the API server rejects (401).
func TestCredentials(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "rbac")
	createCloneSet(t, ns, "shop", 2)
	grantReadOnly(t, "viewer")

	viewerConfig, err := shared.cluster.TokenKubeconfig("viewer", shared.cluster.Tokens["viewer"])
	must(t, "viewer kubeconfig", err)
	viewer, err := startDashboard(viewerConfig, adapters.All, true)
	must(t, "start read-only dashboard", err)
	defer viewer.stop()

	t.Run("read-only user reads", func(t *testing.T) {
		waitServedBy(t, viewer, "cloneset", ns, "shop")
	})
	for _, c := range []struct{ name, method, path, verb, resource string }{
		{"scale", http.MethodPost, "/workload/" + ns + "/cloneset/shop/scale?replicas=3", "patch", "clonesets/scale"},
		{"restart", http.MethodPost, "/workload/" + ns + "/cloneset/shop/restart", "patch", "clonesets"},
		{"delete", http.MethodDelete, "/workload/" + ns + "/cloneset/shop", "delete", "clonesets"},
	} {
		t.Run(c.name+" is forbidden", func(t *testing.T) {
			status, e := viewer.Call(t, c.method, c.path, nil)
			if status != http.StatusForbidden || e.Code != "FORBIDDEN" || !strings.Contains(e.Message, c.verb) || !strings.Contains(e.Message, c.resource) {
				t.Errorf("want 403 FORBIDDEN naming %s %s, got %d %s %q", c.verb, c.resource, status, e.Code, e.Message)
			}
		})
	}
	obj, err := fromAPIServer(t, "cloneset", ns, "shop")
	must(t, "read back", err)
	if obj.GetGeneration() != 1 {
		t.Errorf("forbidden writes changed the object (generation %d)", obj.GetGeneration())
	}

	t.Run("approve without patch on rollouts/status is forbidden", func(t *testing.T) {
		setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
		apiclient.Eventually(t, "rollout in the read-only dashboard", 10*time.Second, func() error {
			if status, e := viewer.Call(t, http.MethodGet, "/rollout/status/"+ns+"/shop-ro", nil); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Message}
			}
			return nil
		})
		status, e := viewer.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/shop-ro", nil)
		if status != http.StatusForbidden || !strings.Contains(e.Message, "patch") || !strings.Contains(e.Message, "rollouts/status") {
			t.Errorf("want 403 naming patch on rollouts/status, got %d %q", status, e.Message)
		}
		status, e = viewer.Call(t, http.MethodPost, "/rollout/pause/"+ns+"/shop-ro", nil)
		if status != http.StatusForbidden || !strings.Contains(e.Message, "patch") || !strings.Contains(e.Message, "rollouts") {
			t.Errorf("pause: want 403 naming patch on rollouts, got %d %q", status, e.Message)
		}
	})

	t.Run("rejected credentials are 401", func(t *testing.T) {
		badConfig, err := shared.cluster.TokenKubeconfig("bad", "not-a-valid-token")
		must(t, "bad kubeconfig", err)
		bad, err := startDashboard(badConfig, adapters.All, false)
		must(t, "start dashboard with a bad token", err)
		defer bad.stop()
		apiclient.Eventually(t, "401 from the dashboard with a rejected token", 10*time.Second, func() error {
			status, e := bad.Call(t, http.MethodGet, "/namespaces", nil)
			if status != http.StatusUnauthorized || e.Code != "UNAUTHORIZED" {
				return &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
			}
			return nil
		})
	})
}

// grantReadOnly binds user to a cluster role that may get, list and watch everything.
func grantReadOnly(t testing.TB, user string) {
	t.Helper()
	grant(t, "read-"+user, user, rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"get", "list", "watch"}})
}

// grant binds user to a cluster role named kd-test-<name> with rules (once: a second call with
// the same name changes nothing).
func grant(t testing.TB, name, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	name = "kd-test-" + name
	_, err := shared.kube.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "create cluster role "+name, err)
	}
	bindClusterRole(t, name, name, user)
}

// bindClusterRole binds user to the cluster role role.
func bindClusterRole(t testing.TB, binding, role, user string) {
	t.Helper()
	_, err := shared.kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: binding},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user, APIGroup: "rbac.authorization.k8s.io"}},
	}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		must(t, "bind cluster role "+role, err)
	}
}
