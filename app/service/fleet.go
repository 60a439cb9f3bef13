package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"

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

// Inbox serves GET /fleet/inbox.
func (s *FleetService) Inbox(ctx context.Context, _ Input, _ None) (*biz.FleetInbox, error) {
	return s.uc.Inbox(ctx)
}

// Summary serves GET /fleet/summary.
func (s *FleetService) Summary(ctx context.Context, _ Input, _ None) (*biz.FleetSummary, error) {
	return s.uc.Summary(ctx)
}

// Attention serves GET /fleet/attention.
func (s *FleetService) Attention(ctx context.Context, _ Input, _ None) (*biz.FleetAttention, error) {
	return s.uc.Attention(ctx)
}

// FleetApproveBody is the body of POST /fleet/approve-many.
type FleetApproveBody struct {
	Items []biz.FleetApproveItem `json:"items"`
	// Reason is the approver's written reason, given to every item.
	Reason string `json:"reason,omitempty"`
}

// ApproveMany serves POST /fleet/approve-many: each item's step approved in its cluster if it is
// still the one waiting, with a result per item.
func (s *FleetService) ApproveMany(ctx context.Context, _ Input, body FleetApproveBody) ([]biz.FleetApproveOutcome, error) {
	audit.SetReason(ctx, body.Reason)
	return s.uc.ApproveMany(ctx, body.Items, body.Reason)
}
