package biz

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"

	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// ApprovalPolicy is the approval rule of metrics.evidence (docs/configuration.md §5).
type ApprovalPolicy struct {
	// RequireReasonWhenWorse: a step whose evidence verdict is worse is approved only with a
	// written reason (single and bulk approvals; the server enforces it).
	RequireReasonWhenWorse bool
}

// CodeReasonRequired is the code of the 409 answering an approval without a reason that the
// policy asks for one.
const CodeReasonRequired = "REASON_REQUIRED"

// maxReasonLength bounds a reason (characters).
const maxReasonLength = 500

// validReason refuses a reason too long or with control characters (a line break is allowed).
func validReason(reason string) error {
	if !utf8.ValidString(reason) {
		return BadRequest("reason must be UTF-8 text")
	}
	if n := utf8.RuneCountInString(reason); n > maxReasonLength {
		return BadRequest("reason must be at most %d characters, got %d", maxReasonLength, n)
	}
	for _, r := range reason {
		if r != '\n' && !unicode.IsPrint(r) && (!unicode.IsSpace(r) || unicode.IsControl(r)) {
			return BadRequest("reason must be printable text (line breaks allowed), got the character %U", r)
		}
	}
	return nil
}

// reasonPolicy answers the evidence's verdict of the release when the policy is on ("" when it
// is off), refusing (409, CodeReasonRequired) an approval without a reason when it is worse.
func (uc *RolloutUsecase) reasonPolicy(ctx context.Context, obj RolloutObject, step int32, reason string) (string, error) {
	if uc.verdict == nil {
		return "", nil
	}
	verdict := uc.verdict(ctx, obj)
	if verdict == string(evidence.Worse) && strings.TrimSpace(reason) == "" {
		return verdict, &Error{Status: http.StatusConflict, Code: CodeReasonRequired, Message: fmt.Sprintf(
			"rollout %s/%s step %d: the evidence's verdict is %s; the approval policy asks for a written reason to approve it (not approved)",
			obj.Rollout.Namespace, obj.Rollout.Name, step, verdict)}
	}
	return verdict, nil
}

// reasonText is the reason and verdict as the Event message gives them.
func reasonText(verdict, reason string) string {
	var parts []string
	if verdict != "" {
		parts = append(parts, "evidence "+verdict)
	}
	if reason = strings.TrimSpace(reason); reason != "" {
		parts = append(parts, fmt.Sprintf("reason: %q", reason))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// recordApproval adds the approval of step to the release record (ro as read before the
// approval: its canary revision and when the step began waiting; after as read back after it);
// a warning if not written.
func (uc *RolloutUsecase) recordApproval(ctx context.Context, ro, after *rolloutsv1beta1.Rollout, step int32, reason, verdict string) string {
	e := RecordEntry{At: uc.clock.Now(), Action: RecordApproved, Step: step, Reason: strings.TrimSpace(reason), Verdict: verdict, Revision: canaryRevision(ro)}
	if sub := subStatus(ro); sub != nil && sub.LastUpdateTime != nil {
		e.WaitingSince = timePtr(sub.LastUpdateTime.Time)
	}
	return record(ctx, uc.repo, ro.Namespace, ro.Name, after, e)
}
