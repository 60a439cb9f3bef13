package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// FleetService serves the views across clusters.
type FleetService struct {
	uc *biz.FleetUsecase
}

// NewFleetService builds the fleet service.
func NewFleetService(uc *biz.FleetUsecase) *FleetService { return &FleetService{uc: uc} }

// Clusters serves GET /clusters.
func (s *FleetService) Clusters(ctx context.Context, _ Input, _ None) ([]biz.ClusterInfo, error) {
	return s.uc.Clusters(ctx)
}
