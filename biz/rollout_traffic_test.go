package biz

import (
	"context"
	"errors"
	"reflect"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	gatewayv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"
)

const nginx = "nginx.ingress.kubernetes.io/"

func header(name, typ, value string) TrafficMatch {
	return TrafficMatch{Headers: []MatchCondition{{Name: name, Type: typ, Value: value}}, QueryParams: []MatchCondition{}}
}

// The annotations the nginx Lua script of Kruise Rollout v0.6.1 writes, as the dashboard reads them.
func TestWrittenByIngress(t *testing.T) {
	for _, c := range []struct {
		name        string
		class       string
		annotations map[string]string
		weight      *int32
		matches     []TrafficMatch
		canary      bool
		listed      int
	}{
		{name: "created, weight 0", class: "nginx", annotations: map[string]string{nginx + "canary": "true", nginx + "canary-weight": "0"},
			weight: ptr.To[int32](0), matches: []TrafficMatch{}, canary: true, listed: 2},
		{name: "weight 20", class: "nginx", annotations: map[string]string{nginx + "canary": "true", nginx + "canary-weight": "20", "kubernetes.io/ingress.class": "nginx"},
			weight: ptr.To[int32](20), matches: []TrafficMatch{}, canary: true, listed: 2},
		{name: "header exact and weight", class: "nginx", annotations: map[string]string{nginx + "canary": "true", nginx + "canary-weight": "50",
			nginx + "canary-by-header": "x-canary", nginx + "canary-by-header-value": "beta"},
			weight: ptr.To[int32](50), matches: []TrafficMatch{header("x-canary", "Exact", "beta")}, canary: true, listed: 4},
		{name: "header pattern, no weight", class: "nginx", annotations: map[string]string{nginx + "canary": "true",
			nginx + "canary-by-header": "user", nginx + "canary-by-header-pattern": "^(a|b)$"},
			matches: []TrafficMatch{header("user", "RegularExpression", "^(a|b)$")}, canary: true, listed: 3},
		{name: "cookie", class: "nginx", annotations: map[string]string{nginx + "canary": "true", nginx + "canary-by-cookie": "beta"},
			matches: []TrafficMatch{header("canary-by-cookie", "Exact", "beta")}, canary: true, listed: 2},
		{name: "not a number", class: "nginx", annotations: map[string]string{nginx + "canary": "true", nginx + "canary-weight": "x"},
			matches: []TrafficMatch{}, canary: true, listed: 2},
		{name: "not marked canary", class: "nginx", annotations: map[string]string{nginx + "canary-weight": "10"},
			weight: ptr.To[int32](10), matches: []TrafficMatch{}, listed: 1},
		{name: "another class: listed, not interpreted", class: "aliyun-alb", annotations: map[string]string{"alb.ingress.kubernetes.io/canary": "true", "alb.ingress.kubernetes.io/canary-weight": "30"},
			matches: []TrafficMatch{}, listed: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := writtenByIngress(c.class, c.annotations)
			if !reflect.DeepEqual(w.Weight, c.weight) || !reflect.DeepEqual(w.Matches, c.matches) || w.Canary != c.canary || len(w.Annotations) != c.listed {
				t.Errorf("got weight %v matches %+v canary %v annotations %v", ptrString(w.Weight), w.Matches, w.Canary, w.Annotations)
			}
		})
	}
}

func ptrString(p *int32) any {
	if p == nil {
		return nil
	}
	return *p
}

func backend(name string, weight *int32) Backend {
	return Backend{Kind: "Service", Name: name, Weight: weight}
}

// The rules Kruise Rollout v0.6.1 writes into an HTTPRoute, as the dashboard reads them.
func TestWrittenByHTTPRoute(t *testing.T) {
	root := TrafficMatch{Headers: []MatchCondition{}, QueryParams: []MatchCondition{}, Path: &MatchCondition{Type: "PathPrefix", Value: "/"}}
	withHeader := root
	withHeader.Headers = []MatchCondition{{Name: "x-canary", Type: "Exact", Value: "beta"}}
	for _, c := range []struct {
		name    string
		rules   []HTTPRouteRule
		weight  *int32
		matches []TrafficMatch
		stable  bool
	}{
		{name: "before a release", rules: []HTTPRouteRule{{Matches: []TrafficMatch{root}, Backends: []Backend{backend("web", nil)}}}, matches: []TrafficMatch{}, stable: true},
		{name: "weight 20", rules: []HTTPRouteRule{{Matches: []TrafficMatch{root}, Backends: []Backend{backend("web", ptr.To[int32](80)), backend("web-canary", ptr.To[int32](20))}}},
			weight: ptr.To[int32](20), matches: []TrafficMatch{}, stable: true},
		{name: "weights not out of 100", rules: []HTTPRouteRule{{Backends: []Backend{backend("web", ptr.To[int32](3)), backend("web-canary", ptr.To[int32](1))}}},
			weight: ptr.To[int32](25), matches: []TrafficMatch{}, stable: true},
		{name: "header rule", rules: []HTTPRouteRule{
			{Matches: []TrafficMatch{root}, Backends: []Backend{backend("web", nil)}},
			{Matches: []TrafficMatch{withHeader}, Backends: []Backend{backend("web-canary", nil)}},
		}, matches: []TrafficMatch{withHeader}, stable: true},
		// v0.6.1 going from a weighted step to a header step drops the weighted rule entirely.
		{name: "no backend left", rules: []HTTPRouteRule{{Matches: []TrafficMatch{root}, Backends: []Backend{}}}, matches: []TrafficMatch{}},
		{name: "another kind named like the stable Service", rules: []HTTPRouteRule{{Backends: []Backend{{Kind: "Bucket", Name: "web"}}}}, matches: []TrafficMatch{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := writtenByHTTPRoute(&HTTPRoute{Rules: c.rules}, "web", "web-canary")
			if !reflect.DeepEqual(w.Weight, c.weight) || !reflect.DeepEqual(w.Matches, c.matches) || w.Stable == nil || *w.Stable != c.stable {
				t.Errorf("got weight %v matches %+v stable %v", ptrString(w.Weight), w.Matches, *w.Stable)
			}
		})
	}
}

func TestPlannedTraffic(t *testing.T) {
	steps := []rolloutsv1beta1.CanaryStep{
		{TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{}},
		{TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{Traffic: ptr.To("20%")}},
		{TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{Traffic: ptr.To("30%"),
			Matches:               []rolloutsv1beta1.HttpRouteMatch{{Headers: []gatewayv1beta1.HTTPHeaderMatch{{Name: "x-canary", Value: "beta"}}}},
			RequestHeaderModifier: &gatewayv1beta1.HTTPHeaderFilter{Set: []gatewayv1beta1.HTTPHeader{{Name: "x-route", Value: "canary"}}}}},
		{},
	}
	got := plannedTraffic(steps)
	if len(got) != 4 {
		t.Fatalf("%d steps", len(got))
	}
	if !got[0].Inherited || got[0].Weight != nil || len(got[0].Matches) != 0 {
		t.Errorf("step 1 routes nothing: %+v", got[0])
	}
	if got[1].Inherited || got[1].Weight == nil || *got[1].Weight != 20 {
		t.Errorf("step 2: %+v", got[1])
	}
	if got[2].Weight == nil || *got[2].Weight != 30 || !reflect.DeepEqual(got[2].Matches, []TrafficMatch{header("x-canary", "Exact", "beta")}) ||
		got[2].RequestHeaderModifier == nil || got[2].RequestHeaderModifier.Set[0].Name != "x-route" {
		t.Errorf("step 3: %+v", got[2])
	}
	if !got[3].Inherited || got[3].Weight == nil || *got[3].Weight != 30 || len(got[3].Matches) != 1 {
		t.Errorf("step 4 keeps step 3's routing: %+v", got[3])
	}
}

func TestTrafficDifferences(t *testing.T) {
	plan := TrafficStep{Index: 2, Weight: ptr.To[int32](50), Matches: []TrafficMatch{header("x-canary", "Exact", "beta")}}
	for _, c := range []struct {
		name    string
		written WrittenTraffic
		diffs   int
	}{
		{"agrees", WrittenTraffic{Weight: ptr.To[int32](50), Matches: []TrafficMatch{header("x-canary", "Exact", "beta")}}, 0},
		{"weight differs", WrittenTraffic{Weight: ptr.To[int32](20), Matches: []TrafficMatch{header("x-canary", "Exact", "beta")}}, 1},
		{"header missing", WrittenTraffic{Weight: ptr.To[int32](50), Matches: []TrafficMatch{}}, 1},
		{"nothing written, no stable backend", WrittenTraffic{Matches: []TrafficMatch{}, Stable: ptr.To(false)}, 3},
	} {
		if got := differences(plan, &c.written); len(got) != c.diffs {
			t.Errorf("%s: %q", c.name, got)
		}
	}
	// No weight planned and weight 0 written are the same: nothing weighted to the canary.
	if got := differences(TrafficStep{Index: 1, Matches: []TrafficMatch{}}, &WrittenTraffic{Weight: ptr.To[int32](0), Matches: []TrafficMatch{}}); len(got) != 0 {
		t.Errorf("weight 0 against none: %q", got)
	}
}

// memTraffic answers the traffic reads from fixed objects or errors.
type memTraffic struct {
	ingress *networkingv1.Ingress
	route   *HTTPRoute
	err     error
}

func (m memTraffic) Ingress(context.Context, string, string) (*networkingv1.Ingress, error) {
	return m.ingress, m.err
}

func (m memTraffic) HTTPRoute(context.Context, string, string) (*HTTPRoute, error) {
	return m.route, m.err
}

func routedRollout(change ...func(*rolloutsv1beta1.Rollout)) *rolloutsv1beta1.Rollout {
	ro := waitingRollout("store", change...)
	ro.Spec.Strategy.Canary.TrafficRoutings = []rolloutsv1beta1.TrafficRoutingRef{{Service: "store", Ingress: &rolloutsv1beta1.IngressTrafficRouting{Name: "store"}}}
	ro.Spec.Strategy.Canary.Steps[0].Traffic = ptr.To("20%")
	return ro
}

// The use case: what is compared when, and a user who may not read Ingresses.
func TestTrafficUsecase(t *testing.T) {
	written := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "7", Annotations: map[string]string{nginx + "canary": "true", nginx + "canary-weight": "20"}}}
	gr := schema.GroupResource{Group: "networking.k8s.io", Resource: "ingresses"}
	for _, c := range []struct {
		name    string
		ro      *rolloutsv1beta1.Rollout
		repo    memTraffic
		read    string
		step    int32
		agrees  *bool
		written bool
	}{
		{name: "paused at step 1: compared", ro: routedRollout(), repo: memTraffic{ingress: written}, read: TrafficRead, step: 1, agrees: ptr.To(true), written: true},
		{name: "still routing step 1: not compared", ro: routedRollout(at(1, rolloutsv1beta1.CanaryStepStateTrafficRouting)), repo: memTraffic{ingress: written}, read: TrafficRead, written: true},
		{name: "no release: not compared", ro: routedRollout(noRelease), repo: memTraffic{err: apierrors.NewNotFound(gr, "store-canary")}, read: TrafficAbsent},
		{name: "not permitted", ro: routedRollout(), repo: memTraffic{err: apierrors.NewForbidden(gr, "store-canary", nil)}, read: TrafficForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixture(t, c.ro)
			got, err := NewTrafficUsecase(f.uc, c.repo).Traffic(context.Background(), "demo", "store")
			apiError(t, err, "")
			if len(got.Routings) != 1 || len(got.Steps) != 3 {
				t.Fatalf("answer %+v", got)
			}
			r := got.Routings[0]
			if r.Read != c.read || r.Step != c.step || !reflect.DeepEqual(r.Agrees, c.agrees) || (r.Written != nil) != c.written || r.Object != "store-canary" || r.IngressClass != "nginx" {
				t.Errorf("routing %+v", r)
			}
			if c.read == TrafficForbidden && r.Message != "not permitted to read ingresses (networking.k8s.io) in namespace demo" {
				t.Errorf("message %q", r.Message)
			}
		})
	}
	// A Rollout without trafficRoutings: no steps, no routings, nothing read.
	f := newRolloutFixture(t, waitingRollout("shop"))
	got, err := NewTrafficUsecase(f.uc, memTraffic{err: errUnexpectedRead}).Traffic(context.Background(), "demo", "shop")
	apiError(t, err, "")
	if len(got.Steps) != 0 || len(got.Routings) != 0 {
		t.Errorf("no traffic routing: %+v", got)
	}
	// A user who may not get the Rollout: 403 before anything is read.
	_, err = NewTrafficUsecase(f.uc, memTraffic{err: errUnexpectedRead}).Traffic(signedIn(), "demo", "shop")
	apiError(t, err, CodeForbidden)
}

var errUnexpectedRead = errors.New("the traffic objects must not be read")
