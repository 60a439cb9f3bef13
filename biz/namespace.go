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
	tracer trace.Tracer
}

// NewNamespaceUsecase builds the namespace use case.
func NewNamespaceUsecase(repo NamespaceRepo, c Cache, tp trace.TracerProvider) *NamespaceUsecase {
	return &NamespaceUsecase{repo: repo, cache: c, tracer: tp.Tracer("biz")}
}

// Names returns every namespace name, sorted.
func (uc *NamespaceUsecase) Names(ctx context.Context) ([]string, error) {
	_, span := uc.tracer.Start(ctx, "NamespaceUsecase.Names")
	defer span.End()
	if err := uc.cache.CoreReady(); err != nil {
		return nil, err
	}
	list, err := uc.repo.List()
	if err != nil {
		return nil, FromKube(err, "namespaces")
	}
	names := make([]string, len(list))
	for i, ns := range list {
		names[i] = ns.Name
	}
	sort.Strings(names)
	return names, nil
}
