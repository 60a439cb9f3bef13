package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// routedStrategy is threeSteps routing 20% then 50% to the canary through routing.
func routedStrategy(routing rolloutsv1beta1.TrafficRoutingRef) rolloutsv1beta1.RolloutStrategy {
	steps := threeSteps()
	steps[0].Traffic, steps[1].Traffic = ptr.To("20%"), ptr.To("50%")
	return rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps, TrafficRoutings: []rolloutsv1beta1.TrafficRoutingRef{routing}}}
}

// TestRolloutTraffic: GET /rollout/traffic/{namespace}/{name} reads, as the signed-in user, the
// canary Ingress and the HTTPRoute the controller writes (written here as the controller would;
// test/e2e has the real controller). A user who may not read the Rollout gets 403; one who may
// read the Rollout but not Ingresses gets the plan, and the routing says it may not be read.
func TestRolloutTraffic(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns := newNamespace(t, "traffic")
	createCloneSet(t, ns, "store", 2)
	setInRolling(t, createRollout(t, ns, "store-ro", refTo(kruiseV1alpha1, "CloneSet", "store"),
		routedStrategy(rolloutsv1beta1.TrafficRoutingRef{Service: "store", Ingress: &rolloutsv1beta1.IngressTrafficRouting{Name: "store"}})), 1, "StepPaused", false)
	_, err := shared.kube.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "store-canary", Namespace: ns,
		Annotations: map[string]string{"nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "20"}},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: "store-canary", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}, metav1.CreateOptions{})
	must(t, "create the canary Ingress", err)
	createCloneSet(t, ns, "web", 2)
	setInRolling(t, createRollout(t, ns, "web-ro", refTo(kruiseV1alpha1, "CloneSet", "web"),
		routedStrategy(rolloutsv1beta1.TrafficRoutingRef{Service: "web", Gateway: &rolloutsv1beta1.GatewayTrafficRouting{HTTPRouteName: ptr.To("web")}})), 2, "StepPaused", false)
	cfg, err := clientcmd.BuildConfigFromFlags("", shared.cluster.Kubeconfig)
	must(t, "admin config", err)
	dyn, err := dynamic.NewForConfig(cfg)
	must(t, "dynamic client", err)
	var route unstructured.Unstructured
	must(t, "parse the HTTPRoute", yaml.Unmarshal([]byte(`
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: web}
spec:
  rules:
  - backendRefs: [{kind: Service, name: web, port: 80, weight: 80}, {kind: Service, name: web-canary, port: 80, weight: 20}]
`), &route.Object))
	_, err = dyn.Resource(schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1beta1", Resource: "httproutes"}).Namespace(ns).Create(ctx, &route, metav1.CreateOptions{})
	must(t, "create the HTTPRoute", err)

	d := startSignedIn(t, "token", os.DevNull)
	traffic := func(t *testing.T, user, name string) (biz.RolloutTraffic, int, apiclient.Error) {
		var tr biz.RolloutTraffic
		status, e := as(d, user).Call(t, http.MethodGet, "/rollout/traffic/"+ns+"/"+name, &tr)
		return tr, status, e
	}
	apiclient.Eventually(t, "the Rollouts in the dashboard's cache", 10*time.Second, func() error {
		for _, name := range []string{"store-ro", "web-ro"} {
			if tr, status, e := traffic(t, "viewer", name); status != http.StatusOK || !tr.Active {
				return &apiclient.StatusError{Status: status, Body: e.Message}
			}
		}
		return nil
	})

	t.Run("the canary Ingress's weight, compared with step 1", func(t *testing.T) {
		tr, _, _ := traffic(t, "viewer", "store-ro")
		r := tr.Routings[0]
		if len(tr.Steps) != 3 || r.Read != biz.TrafficRead || r.Object != "store-canary" || r.Written.Weight == nil || *r.Written.Weight != 20 ||
			r.Step != 1 || r.Agrees == nil || !*r.Agrees {
			t.Errorf("answer %+v, routing %+v", tr, r)
		}
	})
	t.Run("the HTTPRoute's weights at step 2 differ from its plan", func(t *testing.T) {
		tr, _, _ := traffic(t, "viewer", "web-ro")
		r := tr.Routings[0]
		if r.Read != biz.TrafficRead || r.Kind != "HTTPRoute" || r.Written.Weight == nil || *r.Written.Weight != 20 || r.Step != 2 || r.Agrees == nil || *r.Agrees ||
			len(r.Differences) != 1 || r.Differences[0] != "weight: step 2 plans 50%, 20% written" {
			t.Errorf("routing %+v", r)
		}
	})
	t.Run("a user who may not read the Rollout gets 403", func(t *testing.T) {
		if _, status, e := traffic(t, "nobody", "store-ro"); status != http.StatusForbidden || e.Code != biz.CodeForbidden || !strings.Contains(e.Message, `"nobody"`) {
			t.Errorf("nobody: %d %s %q, want 403 naming nobody", status, e.Code, e.Message)
		}
	})
	t.Run("a user who may read the Rollout but not Ingresses sees the plan, and that the Ingress may not be read", func(t *testing.T) {
		_, err := shared.kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "rollouts-only"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"rollouts.kruise.io"}, Resources: []string{"rollouts"}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
		must(t, "create role", err)
		_, err = shared.kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "rollouts-only"},
			RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "rollouts-only"},
			Subjects: []rbacv1.Subject{{Kind: "User", Name: "nobody", APIGroup: "rbac.authorization.k8s.io"}}}, metav1.CreateOptions{})
		must(t, "bind role", err)
		apiclient.Eventually(t, "nobody reads the Rollout once granted", 30*time.Second, func() error {
			tr, status, e := traffic(t, "nobody", "store-ro")
			if status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Message}
			}
			r := tr.Routings[0]
			if len(tr.Steps) != 3 || r.Read != biz.TrafficForbidden || r.Written != nil || r.Agrees != nil ||
				r.Message != "not permitted to read ingresses (networking.k8s.io) in namespace "+ns {
				t.Errorf("routing %+v", r)
			}
			return nil
		})
	})
	t.Run("an unknown Rollout is 404, a bad name 400", func(t *testing.T) {
		if _, status, e := traffic(t, "viewer", "missing"); status != http.StatusNotFound || e.Code != biz.CodeNotFound {
			t.Errorf("missing: %d %s", status, e.Code)
		}
		if _, status, e := traffic(t, "viewer", "Bad_Name"); status != http.StatusBadRequest || e.Code != biz.CodeBadRequest {
			t.Errorf("bad name: %d %s", status, e.Code)
		}
	})
}
