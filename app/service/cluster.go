package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ClusterService serves /cluster.
type ClusterService struct{ uc *biz.ClusterUsecase }

// NewClusterService builds the cluster handlers.
func NewClusterService(uc *biz.ClusterUsecase) *ClusterService { return &ClusterService{uc: uc} }

// Metrics serves GET /cluster/metrics.
func (s *ClusterService) Metrics(ctx context.Context, _ Input) (any, error) { return s.uc.Metrics(ctx) }

// NamespaceService serves /namespaces.
type NamespaceService struct{ uc *biz.NamespaceUsecase }

// NewNamespaceService builds the namespace handlers.
func NewNamespaceService(uc *biz.NamespaceUsecase) *NamespaceService {
	return &NamespaceService{uc: uc}
}

// List serves GET /namespaces.
func (s *NamespaceService) List(ctx context.Context, _ Input) (any, error) { return s.uc.Names(ctx) }
