package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ClusterService serves /cluster and the overview's /summary.
type ClusterService struct {
	uc      *biz.ClusterUsecase
	summary *biz.SummaryUsecase
}

// NewClusterService builds the cluster handlers.
func NewClusterService(uc *biz.ClusterUsecase, summary *biz.SummaryUsecase) *ClusterService {
	return &ClusterService{uc: uc, summary: summary}
}

// Metrics serves GET /cluster/metrics.
func (s *ClusterService) Metrics(ctx context.Context, _ Input, _ None) (*biz.ClusterMetrics, error) {
	return s.uc.Metrics(ctx)
}

// Summary serves GET /summary/:namespace.
func (s *ClusterService) Summary(ctx context.Context, in Input, _ None) (*biz.Summary, error) {
	return s.summary.Summary(ctx, in.Var("namespace"))
}

// NamespaceService serves /namespaces.
type NamespaceService struct{ uc *biz.NamespaceUsecase }

// NewNamespaceService builds the namespace handlers.
func NewNamespaceService(uc *biz.NamespaceUsecase) *NamespaceService {
	return &NamespaceService{uc: uc}
}

// List serves GET /namespaces.
func (s *NamespaceService) List(ctx context.Context, _ Input, _ None) ([]string, error) {
	return s.uc.Names(ctx)
}
