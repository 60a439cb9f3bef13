package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// TrafficService serves GET /rollout/traffic/:namespace/:name.
type TrafficService struct{ uc *biz.TrafficUsecase }

// NewTrafficService builds the traffic handler.
func NewTrafficService(uc *biz.TrafficUsecase) *TrafficService { return &TrafficService{uc: uc} }

// Traffic is the Rollout's planned traffic per step and what the controller wrote.
func (s *TrafficService) Traffic(ctx context.Context, in Input, _ None) (*biz.RolloutTraffic, error) {
	return s.uc.Traffic(ctx, in.Var("namespace"), in.Var("name"))
}
