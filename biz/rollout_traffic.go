package biz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The traffic a Rollout routes (GET /rollout/traffic/:namespace/:name): per step what the plan
// asks (traffic, matches, request header modifier), and what the Kruise Rollout controller (v0.6)
// has written now — the canary Ingress it creates beside the named one (`<ingress>-canary`, its
// `<class>.ingress.kubernetes.io/canary*` annotations), or the backend weights and canary rules of
// the named HTTPRoute. The objects are read as the signed-in user: one they may not read is
// reported as such, not as an error of the page. Custom network providers (customNetworkRefs)
// are named but not read.

// TrafficRepo reads the objects the Rollout controller writes to route traffic, from the API
// server with the request's user's credentials.
type TrafficRepo interface {
	Ingress(ctx context.Context, namespace, name string) (*networkingv1.Ingress, error)
	// HTTPRoute reads a gateway.networking.k8s.io/v1beta1 HTTPRoute (the version the controller
	// writes); ErrNotServed when the cluster does not serve it.
	HTTPRoute(ctx context.Context, namespace, name string) (*HTTPRoute, error)
}

// ErrNotServed is the error of a read whose API the cluster does not serve (no CRD).
var ErrNotServed = errors.New("not served by this cluster")

// HTTPRoute is the part of a Gateway API HTTPRoute the controller writes: its rules.
type HTTPRoute struct {
	ResourceVersion string          `json:"resourceVersion"`
	Rules           []HTTPRouteRule `json:"rules"`
}

// HTTPRouteRule is one rule of an HTTPRoute: its matches and its backends with their weights.
type HTTPRouteRule struct {
	Matches  []TrafficMatch `json:"matches"`
	Backends []Backend      `json:"backends"`
}

// Backend is one backendRef of an HTTPRoute rule. Weight nil: unset (the Gateway API's default 1).
type Backend struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Port   *int32 `json:"port,omitempty"`
	Weight *int32 `json:"weight"`
}

// TrafficMatch is one match rule: every condition in it must hold (headers, query parameters, path).
type TrafficMatch struct {
	Headers     []MatchCondition `json:"headers"`
	QueryParams []MatchCondition `json:"queryParams"`
	Path        *MatchCondition  `json:"path,omitempty"`
}

// MatchCondition is one condition of a match: Type Exact (the default) or RegularExpression
// (PathPrefix for paths); Name is empty for a path.
type MatchCondition struct {
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// HeaderModifier is a step's requestHeaderModifier: headers set, added and removed on requests
// routed to the canary.
type HeaderModifier struct {
	Set    []MatchCondition `json:"set"`
	Add    []MatchCondition `json:"add"`
	Remove []string         `json:"remove"`
}

// RolloutTraffic is the answer of GET /rollout/traffic.
type RolloutTraffic struct {
	Namespace        string `json:"namespace"`
	Name             string `json:"name"`
	Active           bool   `json:"active"`
	Release          string `json:"release"`
	CurrentStepIndex int32  `json:"currentStepIndex"`
	CurrentStepState string `json:"currentStepState"`
	// Steps is the plan; empty when the Rollout routes no traffic.
	Steps []TrafficStep `json:"steps"`
	// Routings are the Rollout's trafficRoutings with what the controller wrote for each; empty:
	// the Rollout routes no traffic (it only updates pods).
	Routings []TrafficRouting `json:"routings"`
}

// TrafficStep is what one step of the plan asks of the traffic.
type TrafficStep struct {
	Index int `json:"index"`
	// Traffic is the step's traffic as written ("20%"), nil when it sets none.
	Traffic *string `json:"traffic"`
	// Weight is the canary's percentage in force once the step's traffic is routed; nil: no
	// weight (header matches only, none yet, or a traffic value that is not a whole percentage).
	Weight *int32 `json:"weight"`
	// Matches in force once the step is routed.
	Matches               []TrafficMatch  `json:"matches"`
	RequestHeaderModifier *HeaderModifier `json:"requestHeaderModifier,omitempty"`
	// Inherited: the step sets neither traffic nor matches, so the controller leaves the routing
	// of the step before it as it is (Weight and Matches are that step's); on the first step, none.
	Inherited bool `json:"inherited"`
}

// Traffic read outcomes (TrafficRouting.Read).
const (
	TrafficRead        = "read"        // the object was read; Written is what it holds
	TrafficAbsent      = "absent"      // the canary Ingress does not exist: no traffic goes to the canary through it
	TrafficForbidden   = "forbidden"   // the user may not read the object
	TrafficNotServed   = "notServed"   // the cluster does not serve the object's API (no Gateway API CRDs)
	TrafficUnsupported = "unsupported" // a custom network provider: not read by the dashboard
	TrafficFailed      = "failed"      // the read failed for another reason (Message)
)

// TrafficRouting is one of the Rollout's trafficRoutings and what the controller wrote for it.
type TrafficRouting struct {
	// Provider is ingress, gateway or custom.
	Provider string `json:"provider" enum:"ingress,gateway,custom"`
	// Service is the stable Service; CanaryService the one the controller creates for the canary.
	Service       string `json:"service"`
	CanaryService string `json:"canaryService"`
	// IngressClass is the ingress classType (nginx when unset), for provider ingress.
	IngressClass string `json:"ingressClass,omitempty"`
	// Kind and Object name what the dashboard read: the canary Ingress, or the HTTPRoute.
	Kind   string `json:"kind"`
	Object string `json:"object"`
	Read   string `json:"read" enum:"read,absent,forbidden,notServed,unsupported,failed"`
	// Message says why it was not read.
	Message string          `json:"message,omitempty"`
	Written *WrittenTraffic `json:"written,omitempty"`
	// Step is the step whose routing the written traffic is compared with: the current step once
	// the controller is past routing its traffic, else 0 (no comparison).
	Step int32 `json:"step"`
	// Agrees: the written weight and header matches are the plan's for Step (nil: not compared).
	Agrees *bool `json:"agrees"`
	// Differences say what differs when Agrees is false.
	Differences []string `json:"differences"`
}

// WrittenTraffic is what the controller wrote, as read from the object now.
type WrittenTraffic struct {
	// ResourceVersion of the object read.
	ResourceVersion string `json:"resourceVersion"`
	// Weight is the canary's percentage: the canary Ingress's canary-weight annotation, or the
	// canary backend's weight of the HTTPRoute's weighted rule as a percentage of that rule's
	// weights; nil when none is written.
	Weight *int32 `json:"weight"`
	// Matches route requests to the canary whatever the weight: the canary-by-header (and by
	// cookie) annotations, or the HTTPRoute's canary-only rules.
	Matches []TrafficMatch `json:"matches"`
	// Canary: the Ingress is marked canary (the class's canary annotation is "true").
	Canary bool `json:"canary"`
	// Annotations are the canary Ingress's canary annotations as written.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Rules are the HTTPRoute's rules as written.
	Rules []HTTPRouteRule `json:"rules,omitempty"`
	// Stable: some rule of the HTTPRoute has the stable Service as a backend (nil for Ingresses,
	// where the stable Ingress is not the controller's to write).
	Stable *bool `json:"stable,omitempty"`
}

// TrafficUsecase serves the traffic of a Rollout.
type TrafficUsecase struct {
	rollouts *RolloutUsecase
	repo     TrafficRepo
}

// NewTrafficUsecase builds the traffic use case.
func NewTrafficUsecase(rollouts *RolloutUsecase, repo TrafficRepo) *TrafficUsecase {
	return &TrafficUsecase{rollouts: rollouts, repo: repo}
}

// Traffic is the plan of the Rollout's traffic and what the controller wrote. The user must be
// allowed to get the Rollout (else 403); each object it routes with is read as the user, and one
// they may not read says so in its routing.
func (uc *TrafficUsecase) Traffic(ctx context.Context, ns, name string) (*RolloutTraffic, error) {
	ro := uc.rollouts
	ctx, span := ro.start(ctx, "Traffic", ns, name)
	defer span.End()
	obj, err := ro.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	st := ro.status(obj)
	out := &RolloutTraffic{Namespace: ns, Name: name, Active: st.Active, Release: st.Release,
		CurrentStepIndex: st.CurrentStepIndex, CurrentStepState: st.CurrentStepState,
		Steps: []TrafficStep{}, Routings: []TrafficRouting{}}
	refs := obj.Rollout.Spec.Strategy.GetTrafficRouting()
	if len(refs) == 0 {
		return out, nil
	}
	out.Steps = plannedTraffic(obj.Rollout.Spec.Strategy.GetSteps())
	compare := comparedStep(obj.Rollout, st, len(out.Steps))
	for _, ref := range refs {
		r := uc.read(ctx, ns, ref, obj.Rollout.Spec.Strategy.DisableGenerateCanaryService())
		if r.Written != nil && compare > 0 {
			r.Step = int32(compare)
			diffs := differences(out.Steps[compare-1], r.Written)
			agrees := len(diffs) == 0
			r.Agrees, r.Differences = &agrees, diffs
		}
		out.Routings = append(out.Routings, r)
	}
	return out, nil
}

// comparedStep is the step whose routing is in force, once the controller routed it: a release in
// flight whose current step is past StepTrafficRouting (the controller routes the step's traffic
// in that state, then analyses, pauses, and marks it ready). 0: nothing to compare.
func comparedStep(ro *rolloutsv1beta1.Rollout, st *RolloutStatus, steps int) int {
	if !st.Active || st.Release == ReleaseFinalising || st.Release == ReleaseCancelling {
		return 0
	}
	sub := subStatus(ro)
	i := int(st.CurrentStepIndex)
	if sub == nil || i < 1 || i > steps {
		return 0
	}
	switch sub.CurrentStepState {
	case rolloutsv1beta1.CanaryStepStateMetricsAnalysis, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.CanaryStepStateReady:
		return i
	}
	return 0
}

// plannedTraffic is the traffic in force after each step: a step that sets neither traffic nor
// matches keeps what the step before it routed (the controller does not touch the routing then).
func plannedTraffic(steps []rolloutsv1beta1.CanaryStep) []TrafficStep {
	out := make([]TrafficStep, 0, len(steps))
	var prev *TrafficStep
	for i, s := range steps {
		ts := TrafficStep{Index: i + 1, Traffic: s.Traffic, Matches: []TrafficMatch{}}
		if s.Traffic == nil && len(s.Matches) == 0 {
			ts.Inherited = true
			if prev != nil {
				ts.Weight, ts.Matches, ts.RequestHeaderModifier = prev.Weight, prev.Matches, prev.RequestHeaderModifier
			}
		} else {
			ts.Weight = trafficWeight(s.Traffic)
			for _, m := range s.Matches {
				ts.Matches = append(ts.Matches, planMatch(m))
			}
			if h := s.RequestHeaderModifier; h != nil {
				ts.RequestHeaderModifier = &HeaderModifier{Set: []MatchCondition{}, Add: []MatchCondition{}, Remove: append([]string{}, h.Remove...)}
				for _, v := range h.Set {
					ts.RequestHeaderModifier.Set = append(ts.RequestHeaderModifier.Set, MatchCondition{Name: string(v.Name), Type: "Exact", Value: v.Value})
				}
				for _, v := range h.Add {
					ts.RequestHeaderModifier.Add = append(ts.RequestHeaderModifier.Add, MatchCondition{Name: string(v.Name), Type: "Exact", Value: v.Value})
				}
			}
		}
		out = append(out, ts)
		prev = &out[len(out)-1]
	}
	return out
}

// trafficWeight resolves a step's traffic ("20%") to a percentage; nil when it is not one.
func trafficWeight(traffic *string) *int32 {
	if traffic == nil {
		return nil
	}
	v := intstr.FromString(*traffic)
	w, err := intstr.GetScaledValueFromIntOrPercent(&v, 100, true)
	if err != nil {
		return nil
	}
	weight := int32(w)
	return &weight
}

func planMatch(m rolloutsv1beta1.HttpRouteMatch) TrafficMatch {
	out := TrafficMatch{Headers: []MatchCondition{}, QueryParams: []MatchCondition{}}
	for _, h := range m.Headers {
		out.Headers = append(out.Headers, MatchCondition{Name: string(h.Name), Type: matchType(h.Type), Value: h.Value})
	}
	for _, q := range m.QueryParams {
		out.QueryParams = append(out.QueryParams, MatchCondition{Name: string(q.Name), Type: matchType(q.Type), Value: q.Value})
	}
	if p := m.Path; p != nil && p.Value != nil {
		t := "PathPrefix"
		if p.Type != nil {
			t = string(*p.Type)
		}
		out.Path = &MatchCondition{Type: t, Value: *p.Value}
	}
	return out
}

func matchType[T ~string](t *T) string {
	if t == nil || *t == "" {
		return "Exact"
	}
	return string(*t)
}

// read reads what the controller wrote for one trafficRouting.
func (uc *TrafficUsecase) read(ctx context.Context, ns string, ref rolloutsv1beta1.TrafficRoutingRef, noCanaryService bool) TrafficRouting {
	r := TrafficRouting{Service: ref.Service, CanaryService: ref.Service + "-canary", Differences: []string{}}
	if noCanaryService {
		r.CanaryService = ref.Service
	}
	switch {
	case ref.Ingress != nil:
		r.Provider, r.Kind, r.Object = "ingress", "Ingress", ref.Ingress.Name+"-canary"
		r.IngressClass = ref.Ingress.ClassType
		if r.IngressClass == "" {
			r.IngressClass = "nginx"
		}
		ing, err := uc.repo.Ingress(ctx, ns, r.Object)
		if !readOutcome(&r, ns, "ingresses", "networking.k8s.io", err, true) {
			return r
		}
		r.Written = writtenByIngress(r.IngressClass, ing.Annotations)
		r.Written.ResourceVersion = ing.ResourceVersion
	case ref.Gateway != nil && ref.Gateway.HTTPRouteName != nil:
		r.Provider, r.Kind, r.Object = "gateway", "HTTPRoute", *ref.Gateway.HTTPRouteName
		route, err := uc.repo.HTTPRoute(ctx, ns, r.Object)
		if !readOutcome(&r, ns, "httproutes", "gateway.networking.k8s.io", err, false) {
			return r
		}
		r.Written = writtenByHTTPRoute(route, r.Service, r.CanaryService)
		r.Written.ResourceVersion = route.ResourceVersion
	default:
		r.Provider, r.Read = "custom", TrafficUnsupported
		names := []string{}
		for _, c := range ref.CustomNetworkRefs {
			names = append(names, c.Kind+" "+c.Name)
		}
		r.Kind, r.Object = "custom", strings.Join(names, ", ")
		r.Message = "custom network providers are not read by the dashboard"
	}
	return r
}

// readOutcome sets r.Read from a read's error; true when the object was read.
func readOutcome(r *TrafficRouting, ns, resource, group string, err error, absentMeansNone bool) bool {
	switch {
	case err == nil:
		r.Read = TrafficRead
		return true
	case apierrors.IsForbidden(err):
		r.Read = TrafficForbidden
		r.Message = fmt.Sprintf("not permitted to read %s (%s) in namespace %s", resource, group, ns)
	case apierrors.IsNotFound(err) && absentMeansNone:
		r.Read = TrafficAbsent
		r.Message = fmt.Sprintf("%s %s/%s does not exist: the controller has not routed traffic to the canary, or has removed its routing", r.Kind, ns, r.Object)
	case apierrors.IsNotFound(err):
		r.Read, r.Message = TrafficFailed, fmt.Sprintf("%s %s/%s not found", r.Kind, ns, r.Object)
	case errors.Is(err, ErrNotServed):
		r.Read, r.Message = TrafficNotServed, fmt.Sprintf("%s (%s) %s", resource, group, ErrNotServed)
	default:
		r.Read, r.Message = TrafficFailed, fmt.Sprintf("read %s %s/%s: %v", r.Kind, ns, r.Object, err)
	}
	return false
}

// writtenByIngress reads the canary annotations the class's Lua script writes. Every annotation
// whose key contains "canary" is listed; weight and matches are interpreted for the nginx
// annotations (nginx.ingress.kubernetes.io/canary-weight, canary-by-header[-value|-pattern],
// canary-by-cookie), which the nginx script writes.
func writtenByIngress(class string, annotations map[string]string) *WrittenTraffic {
	w := &WrittenTraffic{Matches: []TrafficMatch{}, Annotations: map[string]string{}}
	for k, v := range annotations {
		if strings.Contains(k, "canary") {
			w.Annotations[k] = v
		}
	}
	if class != "nginx" {
		return w
	}
	const p = "nginx.ingress.kubernetes.io/"
	w.Canary = annotations[p+"canary"] == "true"
	if v, ok := annotations[p+"canary-weight"]; ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err == nil {
			weight := int32(n)
			w.Weight = &weight
		}
	}
	if h := annotations[p+"canary-by-header"]; h != "" {
		m := MatchCondition{Name: h, Type: "Exact", Value: annotations[p+"canary-by-header-value"]}
		if pattern, ok := annotations[p+"canary-by-header-pattern"]; ok {
			m.Type, m.Value = "RegularExpression", pattern
		}
		w.Matches = append(w.Matches, TrafficMatch{Headers: []MatchCondition{m}, QueryParams: []MatchCondition{}})
	}
	if c := annotations[p+"canary-by-cookie"]; c != "" {
		// The script writes a match on the header named canary-by-cookie as this annotation.
		w.Matches = append(w.Matches, TrafficMatch{Headers: []MatchCondition{{Name: "canary-by-cookie", Type: "Exact", Value: c}}, QueryParams: []MatchCondition{}})
	}
	return w
}

// writtenByHTTPRoute reads the canary's share from the rules: a rule with both the stable and the
// canary Service as backends is the weighted one (the controller writes canary weight w and
// stable 100-w); a rule whose only backend is the canary Service routes its matches to the canary.
func writtenByHTTPRoute(route *HTTPRoute, stable, canary string) *WrittenTraffic {
	w := &WrittenTraffic{Matches: []TrafficMatch{}, Rules: route.Rules, Stable: new(bool)}
	if w.Rules == nil {
		w.Rules = []HTTPRouteRule{}
	}
	for _, rule := range route.Rules {
		var st, ca *Backend
		for i := range rule.Backends {
			b := &rule.Backends[i]
			if b.Kind != "" && b.Kind != "Service" {
				continue
			}
			switch b.Name {
			case stable:
				st = b
				*w.Stable = true
			case canary:
				ca = b
			}
		}
		switch {
		case ca != nil && st != nil && w.Weight == nil:
			sw, cw := backendWeight(st), backendWeight(ca)
			if sw+cw > 0 {
				pct := int32((int64(cw)*100 + int64(sw+cw) - 1) / int64(sw+cw))
				w.Weight = &pct
			}
		case ca != nil && st == nil && len(rule.Backends) == 1:
			w.Matches = append(w.Matches, rule.Matches...)
		}
	}
	return w
}

func backendWeight(b *Backend) int32 {
	if b.Weight == nil {
		return 1
	}
	return *b.Weight
}

// differences compares the plan of a step with what was written: the weight (a written weight 0
// or none are the same: no weighted traffic to the canary) and the header matches.
func differences(plan TrafficStep, w *WrittenTraffic) []string {
	diffs := []string{}
	pw, ww := int32(0), int32(0)
	if plan.Weight != nil {
		pw = *plan.Weight
	}
	if w.Weight != nil {
		ww = *w.Weight
	}
	if pw != ww {
		diffs = append(diffs, fmt.Sprintf("weight: step %d plans %d%%, %d%% written", plan.Index, pw, ww))
	}
	if a, b := headerKeys(plan.Matches), headerKeys(w.Matches); a != b {
		diffs = append(diffs, fmt.Sprintf("header matches: step %d plans [%s], [%s] written", plan.Index, a, b))
	}
	if w.Stable != nil && !*w.Stable {
		diffs = append(diffs, "no rule of the HTTPRoute has the stable Service as a backend")
	}
	return diffs
}

// headerKeys is the set of header conditions of matches, as one comparable string.
func headerKeys(matches []TrafficMatch) string {
	var keys []string
	for _, m := range matches {
		for _, h := range m.Headers {
			keys = append(keys, fmt.Sprintf("%s %s %s", h.Name, h.Type, h.Value))
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, "; ")
}
