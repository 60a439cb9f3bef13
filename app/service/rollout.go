package service

import (
	"context"
	"strconv"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// RolloutService serves /rollout.
type RolloutService struct {
	uc       *biz.RolloutUsecase
	events   *biz.EventUsecase
	evidence *biz.EvidenceUsecase
}

// NewRolloutService builds the Rollout handlers.
func NewRolloutService(uc *biz.RolloutUsecase, events *biz.EventUsecase, ev *biz.EvidenceUsecase) *RolloutService {
	return &RolloutService{uc: uc, events: events, evidence: ev}
}

// Evidence serves GET /rollout/evidence/:namespace/:name: the current release's canary pods
// against its stable pods.
func (s *RolloutService) Evidence(ctx context.Context, in Input, _ None) (*evidence.Result, error) {
	return s.evidence.Evidence(ctx, in.Var("namespace"), in.Var("name"))
}

// Events serves GET /rollout/events/:namespace/:name.
func (s *RolloutService) Events(ctx context.Context, in Input, _ None) ([]biz.Event, error) {
	return s.events.List(ctx, in.Var("namespace"), "Rollout", in.Var("name"))
}

// Get serves GET /rollout/:namespace/:name.
func (s *RolloutService) Get(ctx context.Context, in Input, _ None) (runtime.Object, error) {
	return s.uc.Get(ctx, in.Var("namespace"), in.Var("name"))
}

// Status serves GET /rollout/status/:namespace/:name.
func (s *RolloutService) Status(ctx context.Context, in Input, _ None) (*biz.RolloutStatus, error) {
	return s.uc.Status(ctx, in.Var("namespace"), in.Var("name"))
}

// History serves GET /rollout/history/:namespace/:name.
func (s *RolloutService) History(ctx context.Context, in Input, _ None) (*biz.History, error) {
	return s.uc.History(ctx, in.Var("namespace"), in.Var("name"))
}

// List serves GET /rollout/list/:namespace (namespace "_all" for every namespace).
func (s *RolloutService) List(ctx context.Context, in Input, _ None) (listing.Encoded, error) {
	return s.uc.ListJSON(ctx, in.Var("namespace"), false)
}

// Active serves GET /rollout/active/:namespace.
func (s *RolloutService) Active(ctx context.Context, in Input, _ None) (listing.Encoded, error) {
	return s.uc.ListJSON(ctx, in.Var("namespace"), true)
}

// Pause serves POST /rollout/pause/:namespace/:name.
func (s *RolloutService) Pause(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	return s.uc.SetPaused(ctx, in.Var("namespace"), in.Var("name"), true)
}

// Resume serves POST /rollout/resume/:namespace/:name.
func (s *RolloutService) Resume(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	return s.uc.SetPaused(ctx, in.Var("namespace"), in.Var("name"), false)
}

// Disable serves POST /rollout/disable/:namespace/:name.
func (s *RolloutService) Disable(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	return s.uc.SetDisabled(ctx, in.Var("namespace"), in.Var("name"), true)
}

// Enable serves POST /rollout/enable/:namespace/:name.
func (s *RolloutService) Enable(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	return s.uc.SetDisabled(ctx, in.Var("namespace"), in.Var("name"), false)
}

// Approve serves POST /rollout/approve/:namespace/:name[?step=N]: N is the step the caller saw
// waiting (absent: whichever step waits now).
func (s *RolloutService) Approve(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	raw, err := in.One("step")
	if err != nil {
		return nil, err
	}
	var step int32
	if raw != "" {
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil || n < 1 || strconv.FormatInt(n, 10) != raw {
			return nil, biz.BadRequest("query parameter step must be the step number seen waiting (plain digits, from 1), got %q", raw)
		}
		step = int32(n)
	}
	reason, err := in.One("reason")
	if err != nil {
		return nil, err
	}
	audit.SetReason(ctx, reason)
	return s.uc.ApproveWithReason(ctx, in.Var("namespace"), in.Var("name"), step, reason)
}

// Timeline serves GET /rollout/timeline/:namespace/:name: the release's story, from the status
// and the dashboard's record on the Rollout.
func (s *RolloutService) Timeline(ctx context.Context, in Input, _ None) (*biz.Timeline, error) {
	return s.uc.Timeline(ctx, in.Var("namespace"), in.Var("name"))
}

// Promote serves POST /rollout/promote/:namespace/:name?to=N (deprecated: the UI approves).
func (s *RolloutService) Promote(ctx context.Context, in Input, _ None) (*biz.ActionResult, error) {
	to, err := in.One("to")
	if err != nil {
		return nil, err
	}
	return s.uc.Promote(ctx, in.Var("namespace"), in.Var("name"), to)
}

// Undo serves POST /rollout/undo/:namespace/:name?revision=N.
func (s *RolloutService) Undo(ctx context.Context, in Input, _ None) (*biz.UndoResult, error) {
	revision, err := in.One("revision")
	if err != nil {
		return nil, err
	}
	dryRun, err := in.Bool("dryRun")
	if err != nil {
		return nil, err
	}
	return s.uc.Undo(ctx, in.Var("namespace"), in.Var("name"), revision, dryRun)
}

// Restart serves POST /rollout/restart/:namespace/:name.
func (s *RolloutService) Restart(ctx context.Context, in Input, _ None) (*biz.RestartResult, error) {
	dryRun, err := in.Bool("dryRun")
	if err != nil {
		return nil, err
	}
	return s.uc.Restart(ctx, in.Var("namespace"), in.Var("name"), dryRun)
}

// Waiting serves GET /rollout/waiting: every release waiting for a person.
func (s *RolloutService) Waiting(ctx context.Context, _ Input, _ None) (listing.Encoded, error) {
	return s.uc.WaitingJSON(ctx)
}

// ApproveManyBody is the body of POST /rollout/approve-many.
type ApproveManyBody struct {
	Items []biz.ApproveItem `json:"items"`
	// Reason is the approver's written reason, for every item (optional; required for a step
	// whose evidence is worse when the reason policy is on).
	Reason string `json:"reason,omitempty"`
}

// ApproveMany serves POST /rollout/approve-many with {"items": [{"namespace","name","step"}],
// "reason": "..."}.
func (s *RolloutService) ApproveMany(ctx context.Context, _ Input, body ApproveManyBody) ([]biz.ApproveOutcome, error) {
	audit.SetReason(ctx, body.Reason)
	return s.uc.ApproveMany(ctx, body.Items, body.Reason)
}
