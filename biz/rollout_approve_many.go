package biz

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// ApproveItem is one release of a bulk approval: the step the person saw waiting.
type ApproveItem struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Step      int32  `json:"step"`
}

// ApproveOutcome is the result of one item of a bulk approval.
type ApproveOutcome struct {
	ApproveItem
	Changed bool   `json:"changed"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// maxBulkApprovals bounds one bulk approval.
const maxBulkApprovals = 100

// ApproveMany approves each item's step, if that step is still the one waiting: a release that
// moved on since the person looked is not approved again (nothing is approved twice; a repeated
// item is answered once). Items run a few at a time; each has its own outcome.
// reason (may be empty) is the approver's written reason, given to every item.
func (uc *RolloutUsecase) ApproveMany(ctx context.Context, items []ApproveItem, reason string) ([]ApproveOutcome, error) {
	ctx, span := uc.start(ctx, "ApproveMany", "", "")
	defer span.End()
	if len(items) == 0 || len(items) > maxBulkApprovals {
		return nil, BadRequest("items must list 1 to %d releases to approve, got %d", maxBulkApprovals, len(items))
	}
	if err := validReason(reason); err != nil {
		return nil, err
	}
	out := make([]ApproveOutcome, len(items))
	seen := map[ApproveItem]int{}
	var g errgroup.Group
	g.SetLimit(4)
	for i, it := range items {
		out[i] = ApproveOutcome{ApproveItem: it}
		if first, dup := seen[it]; dup {
			out[i].Code, out[i].Message = CodeConflict, fmt.Sprintf("the same release as item %d; approved once", first+1)
			continue
		}
		seen[it] = i
		g.Go(func() error {
			out[i].Changed, out[i].Code, out[i].Message = uc.approveIfAt(ctx, it, reason)
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}

// approveIfAt approves it.Step if it is still the step waiting, and says what happened.
func (uc *RolloutUsecase) approveIfAt(ctx context.Context, it ApproveItem, reason string) (bool, string, string) {
	outcome := func(err error) (bool, string, string) {
		var e *Error
		if errors.As(err, &e) {
			return false, e.Code, e.Message
		}
		return false, CodeInternal, "internal error"
	}
	if it.Step < 1 {
		return outcome(BadRequest("step must be the step number seen waiting (from 1), got %d", it.Step))
	}
	// Approve refuses a Rollout no longer at it.Step (409), as POST /rollout/approve?step= does.
	res, err := uc.ApproveWithReason(ctx, it.Namespace, it.Name, it.Step, reason)
	if err != nil {
		return outcome(err)
	}
	msg := res.Message
	if res.Warning != "" {
		msg += " (" + res.Warning + ")"
	}
	return res.Changed, "OK", msg
}
