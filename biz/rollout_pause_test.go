package biz

import (
	"context"
	"fmt"
	"strings"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
)

// TestSpecFlags: pause/resume set spec.strategy.paused and enable/disable spec.disabled with a
// merge patch of the Rollout (not its status); asking for the state it is in writes nothing and
// answers changed=false (docs/semantics.md §4.4, §4.9).
func TestSpecFlags(t *testing.T) {
	paused := func(ro *rolloutsv1beta1.Rollout) { ro.Spec.Strategy.Paused = true }
	disabled := func(ro *rolloutsv1beta1.Rollout) { ro.Spec.Disabled = true }
	type op = func(*RolloutUsecase, context.Context, string) (*ActionResult, error)
	pause := func(uc *RolloutUsecase, ctx context.Context, name string) (*ActionResult, error) {
		return uc.SetPaused(ctx, "demo", name, true)
	}
	resume := func(uc *RolloutUsecase, ctx context.Context, name string) (*ActionResult, error) {
		return uc.SetPaused(ctx, "demo", name, false)
	}
	disable := func(uc *RolloutUsecase, ctx context.Context, name string) (*ActionResult, error) {
		return uc.SetDisabled(ctx, "demo", name, true)
	}
	enable := func(uc *RolloutUsecase, ctx context.Context, name string) (*ActionResult, error) {
		return uc.SetDisabled(ctx, "demo", name, false)
	}
	cases := []struct {
		name   string
		ro     *rolloutsv1beta1.Rollout
		op     op
		target string
		ctx    func() context.Context

		code    string
		action  string
		changed bool
		says    string
		patch   string
		event   string
		paused  bool // stored after
		off     bool // stored spec.disabled after
	}{
		{name: "pause a release", ro: waitingRollout("shop"), op: pause, action: "pause", changed: true, says: "rollout demo/shop: paused",
			patch: `{"spec":{"strategy":{"paused":true}}}`, event: "PausedByDashboard", paused: true},
		{name: "pause a paused Rollout: nothing written", ro: waitingRollout("shop", paused), op: pause, action: "pause",
			says: "rollout demo/shop: nothing to pause, already in that state", paused: true},
		{name: "resume", ro: waitingRollout("shop", paused), op: resume, action: "resume", changed: true, says: "rollout demo/shop: resumed",
			patch: `{"spec":{"strategy":{"paused":false}}}`, event: "ResumedByDashboard"},
		{name: "resume a running Rollout: nothing written", ro: waitingRollout("shop"), op: resume, action: "resume", says: "nothing to resume"},
		{name: "pause with no release: stored for the next one", ro: waitingRollout("shop", noRelease), op: pause, action: "pause", changed: true,
			says: "paused", patch: `{"spec":{"strategy":{"paused":true}}}`, event: "PausedByDashboard", paused: true},
		{name: "disable", ro: waitingRollout("shop"), op: disable, action: "disable", changed: true, says: "rollout demo/shop: disabled",
			patch: `{"spec":{"disabled":true}}`, event: "DisabledByDashboard", off: true},
		{name: "disable a disabled Rollout: nothing written", ro: waitingRollout("shop", disabled), op: disable, action: "disable", says: "nothing to disable", off: true},
		{name: "enable", ro: waitingRollout("shop", disabled), op: enable, action: "enable", changed: true, says: "rollout demo/shop: enabled",
			patch: `{"spec":{"disabled":false}}`, event: "EnabledByDashboard"},
		{name: "enable an enabled Rollout: nothing written", ro: waitingRollout("shop"), op: enable, action: "enable", says: "nothing to enable"},
		{name: "pause a Rollout that does not exist", ro: waitingRollout("shop"), op: pause, target: "gone", code: CodeNotFound, says: "rollout demo/gone not found"},
		{name: "an invalid name", ro: waitingRollout("shop"), op: disable, target: "-x-", code: CodeBadRequest, says: "invalid name"},
		{name: "a user who may not patch rollouts", ro: waitingRollout("shop"), op: pause, ctx: signedIn, code: CodeForbidden,
			says: `user "alice" may not patch rollouts (rollouts.kruise.io) in namespace demo`},
		{name: "a user who may not patch rollouts, even where nothing would change", ro: waitingRollout("shop", disabled), op: disable, ctx: signedIn,
			code: CodeForbidden, says: "may not patch rollouts", off: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixture(t, c.ro)
			ctx := context.Background()
			if c.ctx != nil {
				ctx = c.ctx()
			}
			target := c.target
			if target == "" {
				target = "shop"
			}
			res, err := c.op(f.uc, ctx, target)
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
			} else {
				if res.Action != c.action || res.Changed != c.changed || !strings.Contains(res.Message, c.says) {
					t.Errorf("answer %+v, want %s changed=%t saying %q", res, c.action, c.changed, c.says)
				}
				if res.Status.Paused != c.paused || res.Status.Disabled != c.off {
					t.Errorf("status answered paused=%t disabled=%t, want %t %t", res.Status.Paused, res.Status.Disabled, c.paused, c.off)
				}
			}
			sent := f.repo.sent()
			switch {
			case c.patch == "" && len(sent) != 0:
				t.Errorf("sent %+v, want nothing", sent)
			case c.patch != "" && (len(sent) != 1 || sent[0].Body != c.patch || sent[0].Status || !sent[0].Landed):
				t.Errorf("sent %+v, want one merge patch of the Rollout (not its status): %s", sent, c.patch)
			}
			if c.ctx != nil {
				if _, reads := f.repo.counts(); reads != 0 {
					t.Errorf("a refused user's request read the Rollout %d times", reads)
				}
			}
			ro := f.repo.stored("demo/shop")
			if ro.Spec.Strategy.Paused != c.paused || ro.Spec.Disabled != c.off {
				t.Errorf("stored paused=%t disabled=%t, want %t %t", ro.Spec.Strategy.Paused, ro.Spec.Disabled, c.paused, c.off)
			}
			want := []string(nil)
			if c.event != "" {
				want = []string{c.event}
			}
			if got := f.events.got(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("events %v, want %v", got, want)
			}
		})
	}
}
