package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	gatewayv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// The traffic a Rollout routes, as the real Kruise Rollout controller (v0.6.1, with its Lua
// scripts) writes it at each step, and as the dashboard reports it (GET /rollout/traffic). No
// ingress controller or gateway runs here: what is checked is what the Rollout controller wrote.

// routedCloneSet is a CloneSet of 4 behind the Service name, under a Rollout routing traffic
// with routing: step 1 one pod and 20%, step 2 50% of the pods and 50% (with step2's matches),
// step 3 every pod (partition style: a step routing traffic may update at most 50%).
func routedCloneSet(t *testing.T, ns, name string, routing rolloutsv1beta1.TrafficRoutingRef, step2 []rolloutsv1beta1.HttpRouteMatch) {
	t.Helper()
	createCloneSet(t, ns, name, 4, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	_, err := env.kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.ServiceSpec{Selector: labelsFor(name), Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	must(t, "create service", err)
	manual := rolloutsv1beta1.RolloutPause{}
	_, err = env.rollouts.RolloutsV1beta1().Rollouts(ns).Create(ctx, &rolloutsv1beta1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: rolloutsv1beta1.RolloutSpec{
			WorkloadRef: rolloutsv1beta1.ObjectRef{APIVersion: "apps.kruise.io/v1alpha1", Kind: "CloneSet", Name: name},
			Strategy: rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{
				TrafficRoutings: []rolloutsv1beta1.TrafficRoutingRef{routing},
				Steps: []rolloutsv1beta1.CanaryStep{
					{Replicas: ptr.To(intstr.FromInt32(1)), Pause: manual, TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{Traffic: ptr.To("20%")}},
					{Replicas: ptr.To(intstr.FromString("50%")), Pause: manual, TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{Traffic: ptr.To("50%"), Matches: step2}},
					{Replicas: ptr.To(intstr.FromString("100%"))},
				},
			}},
		},
	}, metav1.CreateOptions{})
	must(t, "create rollout", err)
	waitReadyPods(t, ns, "cloneset", name, 4, time.Minute, imageIs("nginx:1.27"))
	waitStatus(t, ns, name, "the Rollout Healthy before the release", time.Minute, func(st *biz.RolloutStatus) bool { return st.Phase == "Healthy" })
}

// rolloutTraffic is the dashboard's answer.
func rolloutTraffic(t testing.TB, ns, name string) (*biz.RolloutTraffic, error) {
	var tr biz.RolloutTraffic
	if status, e := env.dash.Call(t, http.MethodGet, "/rollout/traffic/"+ns+"/"+name, &tr); status != http.StatusOK {
		return nil, fmt.Errorf("%d %s", status, e.Message)
	}
	if len(tr.Routings) != 1 {
		return nil, fmt.Errorf("%d routings", len(tr.Routings))
	}
	return &tr, nil
}

// waitTraffic polls the dashboard's traffic answer until ok says it shows what it should.
func waitTraffic(t *testing.T, ns, name, what string, ok func(*biz.RolloutTraffic) error) *biz.RolloutTraffic {
	t.Helper()
	var tr *biz.RolloutTraffic
	apiclient.Eventually(t, what, time.Minute, func() error {
		var err error
		if tr, err = rolloutTraffic(t, ns, name); err != nil {
			return err
		}
		return ok(tr)
	})
	return tr
}

// reports checks that the dashboard compares step with what was written, agreeing, weight weight.
func reports(step int32, weight int32, headers int) func(*biz.RolloutTraffic) error {
	return func(tr *biz.RolloutTraffic) error {
		r := tr.Routings[0]
		switch {
		case r.Read != biz.TrafficRead || r.Written == nil:
			return fmt.Errorf("read %s: %s", r.Read, r.Message)
		case r.Written.Weight == nil || *r.Written.Weight != weight:
			return fmt.Errorf("written weight %v, want %d", r.Written.Weight, weight)
		case len(r.Written.Matches) != headers:
			return fmt.Errorf("written matches %+v, want %d", r.Written.Matches, headers)
		case r.Step != step || r.Agrees == nil || !*r.Agrees:
			return fmt.Errorf("compared with step %d, agrees %v: %q", r.Step, r.Agrees, r.Differences)
		}
		return nil
	}
}

// TestTrafficIngressWeights: a Rollout routing through an nginx-class Ingress. At step 1 the
// controller has created the canary Ingress with canary-weight 20; after approval, step 2 has
// weight 50 and the header match; the dashboard reports each as the controller wrote it, and the
// canary Ingress gone once the release completed.
func TestTrafficIngressWeights(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-traffic-ingress")
	pathType := networkingv1.PathTypePrefix
	_, err := env.kube.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "store", Namespace: ns},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("nginx"), Rules: []networkingv1.IngressRule{{Host: "store.example",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &pathType, Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "store", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}}}}},
	}, metav1.CreateOptions{})
	must(t, "create ingress", err)
	routedCloneSet(t, ns, "store", rolloutsv1beta1.TrafficRoutingRef{Service: "store", Ingress: &rolloutsv1beta1.IngressTrafficRouting{ClassType: "nginx", Name: "store"}},
		[]rolloutsv1beta1.HttpRouteMatch{{Headers: []gatewayv1beta1.HTTPHeaderMatch{{Name: "x-canary", Value: "beta"}}}})
	if tr, err := rolloutTraffic(t, ns, "store"); err != nil || tr.Routings[0].Read != biz.TrafficAbsent || len(tr.Steps) != 3 {
		t.Errorf("before the release: %+v %v", tr, err)
	}

	setCloneSetImage(t, ns, "store", "nginx:1.28")
	waitStatus(t, ns, "store", "step 1 waiting for approval", 2*time.Minute, waitingAt(1))
	canary := func() map[string]string {
		ing, err := env.kube.NetworkingV1().Ingresses(ns).Get(ctx, "store-canary", metav1.GetOptions{})
		must(t, "get the canary Ingress", err)
		return ing.Annotations
	}
	const nginx = "nginx.ingress.kubernetes.io/"
	if a := canary(); a[nginx+"canary"] != "true" || a[nginx+"canary-weight"] != "20" || a[nginx+"canary-by-header"] != "" {
		t.Errorf("the controller wrote at step 1: %v", a)
	}
	tr := waitTraffic(t, ns, "store", "the dashboard reports weight 20 at step 1", reports(1, 20, 0))
	r := tr.Routings[0]
	if r.Kind != "Ingress" || r.Object != "store-canary" || r.CanaryService != "store-canary" || r.Written.Annotations[nginx+"canary-weight"] != "20" ||
		tr.Steps[0].Weight == nil || *tr.Steps[0].Weight != 20 || tr.Steps[1].Weight == nil || *tr.Steps[1].Weight != 50 || !tr.Steps[2].Inherited {
		t.Errorf("answer at step 1: %+v; routing %+v", tr, r)
	}

	env.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/store?step=1", nil)
	waitStatus(t, ns, "store", "step 2 waiting for approval", 2*time.Minute, waitingAt(2))
	if a := canary(); a[nginx+"canary-weight"] != "50" || a[nginx+"canary-by-header"] != "x-canary" || a[nginx+"canary-by-header-value"] != "beta" {
		t.Errorf("the controller wrote at step 2: %v", a)
	}
	tr = waitTraffic(t, ns, "store", "the dashboard reports weight 50 and the header at step 2", reports(2, 50, 1))
	if h := tr.Routings[0].Written.Matches[0].Headers; len(h) != 1 || h[0].Name != "x-canary" || h[0].Value != "beta" || h[0].Type != "Exact" {
		t.Errorf("written header match: %+v", h)
	}
	t.Run("the Rollout page shows it, in English and Chinese", func(t *testing.T) { browse(t, ns, "store", "e2e/traffic.test.mjs") })

	approveUntilHealthy(t, ns, "store")
	apiclient.Eventually(t, "the canary Ingress removed after the release", time.Minute, func() error {
		if _, err := env.kube.NetworkingV1().Ingresses(ns).Get(ctx, "store-canary", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v)", err)
		}
		return nil
	})
	waitTraffic(t, ns, "store", "the dashboard reports no canary Ingress", func(tr *biz.RolloutTraffic) error {
		if r := tr.Routings[0]; r.Read != biz.TrafficAbsent || r.Agrees != nil {
			return fmt.Errorf("routing %+v", r)
		}
		return nil
	})
}

// browse runs a browser test script of app/web against the Rollout name of ns (as TestUI does);
// extra environment (NAME=value) is added last, so it may name another DASHBOARD_URL.
func browse(t *testing.T, ns, name, script string, extra ...string) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	web := filepath.Join(root, "app", "web")
	if _, err := os.Stat(filepath.Join(web, "dist", "index.html")); err != nil {
		t.Fatal("the web UI is not built (app/web/dist/index.html missing): run `make ui` (make test does)")
	}
	cmd := exec.Command("node", "--test", "--test-reporter=spec", script)
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "DASHBOARD_URL="+env.dash.URL, "UI_NAMESPACE="+ns, "UI_ROLLOUT="+name, "SCREENSHOT_DIR="+filepath.Join(root, "test-artifacts", "ui"))
	cmd.Env = append(cmd.Env, extra...)
	out, err := cmd.CombinedOutput()
	t.Logf("browser tests:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

var httpRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1beta1", Resource: "httproutes"}

// TestTrafficHTTPRouteWeights: a Rollout routing through a Gateway API HTTPRoute (its CRD
// installed by the local cluster). The controller writes the stable and canary backends' weights
// into the route's rule: 80/20 at step 1, 50/50 at step 2; the dashboard reports 20 and 50.
func TestTrafficHTTPRouteWeights(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-traffic-route")
	cfg, err := clientcmd.BuildConfigFromFlags("", env.cluster.Kubeconfig)
	must(t, "admin config", err)
	dyn, err := dynamic.NewForConfig(cfg)
	must(t, "dynamic client", err)
	var route unstructured.Unstructured
	must(t, "parse HTTPRoute", yaml.Unmarshal([]byte(`
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: gateway}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{kind: Service, name: web, port: 80}]
`), &route.Object))
	_, err = dyn.Resource(httpRoutes).Namespace(ns).Create(ctx, &route, metav1.CreateOptions{})
	must(t, "create HTTPRoute", err)
	routedCloneSet(t, ns, "web", rolloutsv1beta1.TrafficRoutingRef{Service: "web", Gateway: &rolloutsv1beta1.GatewayTrafficRouting{HTTPRouteName: ptr.To("web")}}, nil)

	// weights are the backends' weights as the controller wrote them: stable then canary.
	weights := func() string {
		obj, err := dyn.Resource(httpRoutes).Namespace(ns).Get(ctx, "web", metav1.GetOptions{})
		must(t, "get HTTPRoute", err)
		rules, _, _ := unstructured.NestedSlice(obj.Object, "spec", "rules")
		out := ""
		for _, rule := range rules {
			refs, _, _ := unstructured.NestedSlice(rule.(map[string]any), "backendRefs")
			for _, ref := range refs {
				m := ref.(map[string]any)
				out += fmt.Sprintf("%v=%v ", m["name"], m["weight"])
			}
		}
		return out
	}
	setCloneSetImage(t, ns, "web", "nginx:1.28")
	waitStatus(t, ns, "web", "step 1 waiting for approval", 2*time.Minute, waitingAt(1))
	if w := weights(); w != "web=80 web-canary=20 " {
		t.Errorf("the controller wrote at step 1: %s", w)
	}
	tr := waitTraffic(t, ns, "web", "the dashboard reports weight 20 at step 1", reports(1, 20, 0))
	if r := tr.Routings[0]; r.Kind != "HTTPRoute" || r.Object != "web" || r.Written.Stable == nil || !*r.Written.Stable || len(r.Written.Rules) != 1 || len(r.Written.Rules[0].Backends) != 2 {
		t.Errorf("routing at step 1: %+v written %+v", r, r.Written)
	}

	env.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/web?step=1", nil)
	waitStatus(t, ns, "web", "step 2 waiting for approval", 2*time.Minute, waitingAt(2))
	if w := weights(); w != "web=50 web-canary=50 " {
		t.Errorf("the controller wrote at step 2: %s", w)
	}
	waitTraffic(t, ns, "web", "the dashboard reports weight 50 at step 2", reports(2, 50, 0))

	approveUntilHealthy(t, ns, "web")
	// Finalising restores the route: the stable backend only.
	apiclient.Eventually(t, "the route restored after the release", time.Minute, func() error {
		if w := weights(); w != "web=1 " {
			return fmt.Errorf("weights %s", w)
		}
		return nil
	})
	waitTraffic(t, ns, "web", "the dashboard reports the stable backend only", func(tr *biz.RolloutTraffic) error {
		if r := tr.Routings[0]; r.Read != biz.TrafficRead || r.Written.Weight != nil || r.Written.Stable == nil || !*r.Written.Stable || r.Agrees != nil {
			return fmt.Errorf("routing %+v", r)
		}
		return nil
	})
}
