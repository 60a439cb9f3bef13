package biz

import (
	"context"

	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// Permission says whether the user may take an action, and if not, what is missing.
type Permission struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

// Me is the answer of GET /me: who the user is and which actions they may take in a namespace.
type Me struct {
	User      string                           `json:"user"`
	Groups    []string                         `json:"groups"`
	Mode      string                           `json:"mode" enum:"none,token,oidc"`
	ReadOnly  bool                             `json:"readOnly"`
	Namespace string                           `json:"namespace,omitempty"`
	Workloads map[string]map[string]Permission `json:"workloads,omitempty"`
	Rollouts  map[string]Permission            `json:"rollouts,omitempty"`
}

// Settings are the deployment's answers to "how does sign-in work here".
type Settings struct {
	Mode     string
	ReadOnly bool
}

// MeUsecase answers what the request's user may do, from the same access reviews the API uses.
type MeUsecase struct {
	registry *registry.Registry
	access   Access
	settings Settings
	tracer   trace.Tracer
}

// NewMeUsecase builds the /me use case.
func NewMeUsecase(reg *registry.Registry, access Access, s Settings, tp trace.TracerProvider) *MeUsecase {
	return &MeUsecase{registry: reg, access: access, settings: s, tracer: tp.Tracer("biz")}
}

// workloadActions are the workload actions and the access each needs (verb, subresource).
var workloadActions = map[string]struct{ verb, sub string }{
	"scale": {"patch", "scale"}, "restart": {"patch", ""}, "delete": {"delete", ""},
	"setImage": {"patch", ""}, "undo": {"patch", ""},
}

// rolloutActions are the Rollout actions and the access each needs.
var rolloutActions = map[string]struct{ verb, sub string }{
	"approve": {"patch", "status"}, "promote": {"patch", "status"},
	"pause": {"patch", ""}, "resume": {"patch", ""}, "enable": {"patch", ""}, "disable": {"patch", ""},
}

// Me returns the user and, when ns is given, their permissions there for every registered type
// and for Rollouts. Capabilities a type lacks are not offered at all.
func (uc *MeUsecase) Me(ctx context.Context, ns string) (*Me, error) {
	ctx, span := uc.tracer.Start(ctx, "MeUsecase.Me")
	defer span.End()
	me := &Me{Mode: uc.settings.Mode, ReadOnly: uc.settings.ReadOnly, Groups: []string{}}
	if u, ok := UserFrom(ctx); ok && u.Impersonate {
		me.User, me.Groups = u.Name, u.Groups
	}
	if ns == "" {
		return me, nil
	}
	if err := ValidateNamespace(ns); err != nil {
		return nil, err
	}
	me.Namespace = ns
	me.Workloads = map[string]map[string]Permission{}
	me.Rollouts = map[string]Permission{}
	type question struct {
		set    map[string]Permission
		action string
		attrs  Attributes
	}
	var qs []question
	for _, a := range uc.registry.All() {
		perms := map[string]Permission{}
		me.Workloads[a.Info().Type] = perms
		for action, need := range workloadActions {
			if !offers(a, action) {
				continue
			}
			attrs := attributesOf(a, need.verb, ns, "")
			attrs.Subresource = need.sub
			qs = append(qs, question{perms, action, attrs})
		}
		// A declared type's actions, as "action:<name>".
		for _, act := range a.Info().Actions {
			attrs := attributesOf(a, "patch", ns, "")
			attrs.Subresource = act.Subresource
			qs = append(qs, question{perms, "action:" + act.Name, attrs})
		}
	}
	for action, need := range rolloutActions {
		attrs := rolloutAttributes(need.verb, ns, "")
		attrs.Subresource = need.sub
		qs = append(qs, question{me.Rollouts, action, attrs})
	}
	answers := make([]Permission, len(qs))
	var g errgroup.Group
	g.SetLimit(8)
	for i, q := range qs {
		g.Go(func() error {
			answers[i] = uc.permission(ctx, q.attrs)
			return nil
		})
	}
	_ = g.Wait()
	for i, q := range qs {
		q.set[q.action] = answers[i]
	}
	return me, nil
}

func (uc *MeUsecase) permission(ctx context.Context, a Attributes) Permission {
	if uc.settings.ReadOnly {
		return Permission{Reason: ReadOnly().Message}
	}
	allowed, err := uc.access.Allowed(ctx, a)
	switch {
	case err != nil:
		return Permission{Reason: "could not ask the API server: " + err.Error()}
	case !allowed:
		return Permission{Reason: "needs " + a.String()}
	}
	return Permission{Allowed: true}
}

// offers tells whether a type supports an action at all.
func offers(a adapters.Adapter, action string) bool {
	caps := a.Info().Capabilities
	switch action {
	case "scale":
		return caps.Scalable
	case "restart":
		return caps.Restartable
	case "undo":
		_, ok := a.(adapters.Revisioner)
		return ok
	case "setImage":
		return caps.ImageSettable
	}
	return true
}
