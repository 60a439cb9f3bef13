package biz

import (
	"context"
	"strings"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// TestEvidenceUnavailable: without a metrics.evidence section the evidence of a release in
// flight is Unavailable with the reason, stamped by the use case's injected clock; no release or
// no right to list pods are refusals (docs/semantics.md, the release evidence).
func TestEvidenceUnavailable(t *testing.T) {
	cases := []struct {
		name string
		ro   *rolloutsv1beta1.Rollout
		ctx  func() context.Context
		code string
		says string
	}{
		{name: "a release in flight, evidence not configured: unavailable, stamped by the clock", ro: waitingRollout("shop"),
			says: ErrEvidenceOff.Error()},
		{name: "no release in progress: 409", ro: waitingRollout("shop", noRelease), code: CodeConflict,
			says: "rollout demo/shop has no release in progress"},
		{name: "a user who may not list pods: 403", ro: waitingRollout("shop"), ctx: signedIn, code: CodeForbidden, says: `user "alice" may not`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixtureWith(t, []adapters.Adapter{newFakeDeployments("shop")}, c.ro)
			f.clock.After(90 * time.Minute) // a time no wall clock reads: the stamp must come from this clock
			uc := NewEvidenceUsecase(f.uc, nil, ApprovalPolicy{})
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx()
			}
			res, err := uc.Evidence(ctx, "demo", "shop")
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
				return
			}
			if res.Verdict != evidence.Unavailable || res.Reason != c.says {
				t.Errorf("verdict %s (%q), want %s (%q)", res.Verdict, res.Reason, evidence.Unavailable, c.says)
			}
			if want := f.clock.Now(); !res.At.Equal(want) || res.At.Location() != want.UTC().Location() {
				t.Errorf("stamped %v, want the injected clock's %v in UTC", res.At, want)
			}
		})
	}
}
