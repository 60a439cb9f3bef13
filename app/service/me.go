package service

import (
	"context"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// MeService serves /me.
type MeService struct{ uc *biz.MeUsecase }

// NewMeService builds the /me handler.
func NewMeService(uc *biz.MeUsecase) *MeService { return &MeService{uc: uc} }

// Me serves GET /me?namespace=ns.
func (s *MeService) Me(ctx context.Context, in Input, _ None) (*biz.Me, error) {
	return s.uc.Me(ctx, in.Query.Get("namespace"))
}
