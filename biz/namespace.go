package biz

import (
	"context"
	"sort"

	"go.opentelemetry.io/otel/trace"
)

// NamespaceUsecase serves GET /namespaces.
type NamespaceUsecase struct {
	repo   NamespaceRepo
	cache  Cache
	access Access
	tracer trace.Tracer
}

// NewNamespaceUsecase builds the namespace use case.
func NewNamespaceUsecase(repo NamespaceRepo, c Cache, access Access, tp trace.TracerProvider) *NamespaceUsecase {
	return &NamespaceUsecase{repo: repo, cache: c, access: access, tracer: tp.Tracer("biz")}
}

// Names returns the names of the namespaces the user may see, sorted: every namespace for a user
// who may list them; otherwise those the user may get, or list pods in (a namespaced RoleBinding
// grants the latter but cannot grant the former).
func (uc *NamespaceUsecase) Names(ctx context.Context) ([]string, error) {
	ctx, span := uc.tracer.Start(ctx, "NamespaceUsecase.Names")
	defer span.End()
	if err := uc.cache.CoreReady(); err != nil {
		return nil, err
	}
	list, err := uc.repo.List()
	if err != nil {
		return nil, FromKube(err, "namespaces")
	}
	visible := func(string) bool { return true }
	if err := Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "namespaces"}); err != nil {
		if !IsForbidden(err) {
			return nil, err
		}
		visible = func(ns string) bool {
			return Authorize(ctx, uc.access, Attributes{Verb: "get", Resource: "namespaces", Name: ns}) == nil ||
				Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "pods", Namespace: ns}) == nil
		}
	}
	names := make([]string, 0, len(list))
	for _, ns := range list {
		if visible(ns.Name) {
			names = append(names, ns.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}
