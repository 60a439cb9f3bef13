package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	gatewayv1beta1 "sigs.k8s.io/gateway-api/apis/v1beta1"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// TrafficRepo reads the objects the Rollout controller routes traffic with, directly from the API
// server as the request's user (they are not cached: read only when a Rollout page asks).
type TrafficRepo struct{ clients *Clients }

// NewTrafficRepo builds the traffic repository.
func NewTrafficRepo(clients *Clients) *TrafficRepo { return &TrafficRepo{clients: clients} }

// httpRoutes is the HTTPRoute version Kruise Rollout v0.6 reads and writes.
var httpRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1beta1", Resource: "httproutes"}

// Ingress implements biz.TrafficRepo.
func (r *TrafficRepo) Ingress(ctx context.Context, namespace, name string) (*networkingv1.Ingress, error) {
	return r.clients.Kube.NetworkingV1().Ingresses(namespace).Get(ctx, name, metav1.GetOptions{})
}

// HTTPRoute implements biz.TrafficRepo. A 404 that does not name the object is the API's own
// (no HTTPRoute CRD): biz.ErrNotServed.
func (r *TrafficRepo) HTTPRoute(ctx context.Context, namespace, name string) (*biz.HTTPRoute, error) {
	obj, err := r.clients.Dynamic.Resource(httpRoutes).Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
	if notServed(err, name) {
		return nil, fmt.Errorf("%s.%s/%s: %w", httpRoutes.Resource, httpRoutes.Group, httpRoutes.Version, biz.ErrNotServed)
	}
	if err != nil {
		return nil, err
	}
	raw, err := obj.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode HTTPRoute %s/%s: %w", namespace, name, err)
	}
	var route gatewayv1beta1.HTTPRoute
	if err := json.Unmarshal(raw, &route); err != nil {
		return nil, fmt.Errorf("decode HTTPRoute %s/%s: %w", namespace, name, err)
	}
	out := httpRouteOf(&route)
	out.ResourceVersion = route.ResourceVersion
	return out, nil
}

// notServed tells the API server's 404 for a resource it does not serve ("the server could not
// find the requested resource", also what client-go makes of a plain-text 404) from the 404 of a
// missing object, which names it (`httproutes.gateway.networking.k8s.io "web" not found`).
func notServed(err error, name string) bool {
	var st apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &st) {
		return false
	}
	s := st.Status()
	return s.Details == nil || s.Details.Name != name || strings.Contains(s.Message, "could not find the requested resource")
}

// httpRouteOf keeps the rules' matches and backends.
func httpRouteOf(route *gatewayv1beta1.HTTPRoute) *biz.HTTPRoute {
	out := &biz.HTTPRoute{Rules: []biz.HTTPRouteRule{}}
	for _, rule := range route.Spec.Rules {
		r := biz.HTTPRouteRule{Matches: []biz.TrafficMatch{}, Backends: []biz.Backend{}}
		for _, m := range rule.Matches {
			tm := biz.TrafficMatch{Headers: []biz.MatchCondition{}, QueryParams: []biz.MatchCondition{}}
			for _, h := range m.Headers {
				tm.Headers = append(tm.Headers, biz.MatchCondition{Name: string(h.Name), Type: typeOr(h.Type, "Exact"), Value: h.Value})
			}
			for _, q := range m.QueryParams {
				tm.QueryParams = append(tm.QueryParams, biz.MatchCondition{Name: string(q.Name), Type: typeOr(q.Type, "Exact"), Value: q.Value})
			}
			if p := m.Path; p != nil && p.Value != nil {
				tm.Path = &biz.MatchCondition{Type: typeOr(p.Type, "PathPrefix"), Value: *p.Value}
			}
			r.Matches = append(r.Matches, tm)
		}
		for _, b := range rule.BackendRefs {
			kind := "Service"
			if b.Kind != nil {
				kind = string(*b.Kind)
			}
			be := biz.Backend{Kind: kind, Name: string(b.Name), Weight: b.Weight}
			if b.Port != nil {
				port := int32(*b.Port)
				be.Port = &port
			}
			r.Backends = append(r.Backends, be)
		}
		out.Rules = append(out.Rules, r)
	}
	return out
}

func typeOr[T ~string](t *T, def string) string {
	if t == nil || strings.TrimSpace(string(*t)) == "" {
		return def
	}
	return string(*t)
}
