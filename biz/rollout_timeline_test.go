package biz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// statusPatches are the patches sent to the status subresource (the record is written to the
// object's metadata besides).
func statusPatches(sent []sentPatch) []sentPatch {
	var out []sentPatch
	for _, p := range sent {
		if p.Status {
			out = append(out, p)
		}
	}
	return out
}

var (
	tlStart = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tlWait1 = tlStart.Add(time.Minute)
	tlOK1   = tlStart.Add(3 * time.Minute)
	tlWait2 = tlStart.Add(5 * time.Minute)
	tlEnd   = tlStart.Add(9 * time.Minute)
)

// timelineRollout is a release of three steps (two manual, the last 100%) at step, in state,
// with the record entries given; progressing is the Progressing condition's status.
func timelineRollout(step int32, state rolloutsv1beta1.CanaryStepState, reason string, progressing corev1.ConditionStatus, succeeded string, record any) *rolloutsv1beta1.Rollout {
	ro := &rolloutsv1beta1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: "shop", Annotations: map[string]string{}},
		Spec: rolloutsv1beta1.RolloutSpec{Strategy: rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: []rolloutsv1beta1.CanaryStep{
			{Replicas: ptr.To(intstr.FromInt32(1))}, {Replicas: ptr.To(intstr.FromString("50%"))}, {Replicas: ptr.To(intstr.FromString("100%"))},
		}}}},
	}
	phase := rolloutsv1beta1.RolloutPhaseProgressing
	if progressing == corev1.ConditionFalse {
		phase = rolloutsv1beta1.RolloutPhaseHealthy
	}
	// Kruise Rollouts v0.6 changes the Progressing condition in place when a release ends: its
	// transition time stays the start. The end is the sub-status's update to Completed.
	changed := tlStart
	ro.Status.Phase = phase
	ro.Status.Conditions = []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: progressing, Reason: reason, LastTransitionTime: metav1.NewTime(changed)}}
	if succeeded != "" {
		ro.Status.Conditions = append(ro.Status.Conditions, rolloutsv1beta1.RolloutCondition{Type: rolloutsv1beta1.RolloutConditionSucceeded, Status: corev1.ConditionStatus(succeeded), LastTransitionTime: metav1.NewTime(tlEnd)})
	}
	last := metav1.NewTime(tlWait2)
	if state == rolloutsv1beta1.CanaryStepStateCompleted {
		last = metav1.NewTime(tlEnd)
	}
	ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CanaryRevision: "rev-b", CommonStatus: rolloutsv1beta1.CommonStatus{
		StableRevision: "rev-a", ObservedWorkloadGeneration: 7, CurrentStepIndex: step, CurrentStepState: state, LastUpdateTime: &last}}
	switch r := record.(type) {
	case string:
		ro.Annotations[RecordAnnotation] = r
	case []RecordEntry:
		b, _ := json.Marshal(r)
		ro.Annotations[RecordAnnotation] = string(b)
	}
	return ro
}

func TestBuildTimeline(t *testing.T) {
	started := RecordEntry{At: tlStart.Add(-2 * time.Second), By: "alice", Action: RecordStarted, Images: map[string]string{"web": "shop:2"}, Generation: 7}
	approved1 := RecordEntry{At: tlOK1, By: "bob", Action: RecordApproved, Step: 1, Revision: "rev-b", Reason: "looks fine", Verdict: "notWorse", WaitingSince: &tlWait1}
	oldRelease := RecordEntry{At: tlOK1, By: "carol", Action: RecordApproved, Step: 1, Revision: "rev-old"}
	many := []RecordEntry{}
	for i := range 80 {
		many = append(many, RecordEntry{At: tlStart, By: fmt.Sprintf("u%d", i), Action: RecordApproved, Step: 1, Revision: "rev-old"})
	}
	many = append(many, approved1)
	type want struct {
		startBy   string // "" : not recorded
		startAt   *time.Time
		steps     []string // per step: state/approval ("-" none, "outside", or the approver)
		started2  *time.Time
		seconds1  *int64
		notAfter1 *time.Time
		waiting2  *time.Time
		end       string
		endBy     string
		endAt     *time.Time
		noteSays  string
		reason1   string
	}
	cases := []struct {
		name string
		ro   *rolloutsv1beta1.Rollout
		want want
	}{
		{"dashboard release waiting at step 2: who set the image, who approved step 1, when and why",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "InRolling", corev1.ConditionTrue, "", []RecordEntry{started, oldRelease, approved1}),
			want{startBy: "alice", startAt: &tlStart, steps: []string{"done/bob", "current/-", "pending/-"}, started2: &tlOK1, seconds1: ptr.To[int64](180), waiting2: &tlWait2, reason1: "looks fine"}},
		{"no record (kubectl): approved outside the dashboard, bounded by the controller's time",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "InRolling", corev1.ConditionTrue, "", nil),
			want{startAt: &tlStart, steps: []string{"done/outside", "current/-", "pending/-"}, notAfter1: &tlWait2, waiting2: &tlWait2}},
		{"an approval of another release does not count",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "InRolling", corev1.ConditionTrue, "", []RecordEntry{oldRelease}),
			want{startAt: &tlStart, steps: []string{"done/outside", "current/-", "pending/-"}, notAfter1: &tlWait2, waiting2: &tlWait2}},
		{"a record beyond its bound still reads (the newest entries count)",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "InRolling", corev1.ConditionTrue, "", many),
			want{startAt: &tlStart, steps: []string{"done/bob", "current/-", "pending/-"}, started2: &tlOK1, seconds1: ptr.To[int64](180), waiting2: &tlWait2, reason1: "looks fine"}},
		{"malformed annotation: ignored with a note, the status still shown",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "InRolling", corev1.ConditionTrue, "", "{not json"),
			want{startAt: &tlStart, steps: []string{"done/outside", "current/-", "pending/-"}, notAfter1: &tlWait2, waiting2: &tlWait2, noteSays: "ignored"}},
		{"step approved with kubectl, the controller not yet moved on",
			timelineRollout(1, rolloutsv1beta1.CanaryStepStateReady, "InRolling", corev1.ConditionTrue, "", []RecordEntry{started}),
			want{startBy: "alice", startAt: &tlStart, steps: []string{"current/outside", "pending/-", "pending/-"}}},
		{"completed: the end from the Progressing condition",
			timelineRollout(3, rolloutsv1beta1.CanaryStepStateCompleted, "Completed", corev1.ConditionFalse, "True", []RecordEntry{started, approved1}),
			want{startBy: "alice", steps: []string{"done/bob", "done/outside", "done/-"}, started2: &tlOK1, seconds1: nil, end: EndCompleted, endAt: &tlEnd, reason1: "looks fine"}},
		{"rolled back through the dashboard: cancelled, by whom",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "Completed", corev1.ConditionFalse, "False",
				[]RecordEntry{started, approved1, {At: tlEnd.Add(-time.Minute), By: "dave", Action: RecordRolledBack, Revision: "rev-b"}}),
			want{startBy: "alice", steps: []string{"done/bob", "current/-", "notRun/-"}, started2: &tlOK1, end: EndRolledBack, endBy: "dave", endAt: nil, reason1: "looks fine"}},
		{"cancelled without a record: cancelled, nobody named",
			timelineRollout(2, rolloutsv1beta1.CanaryStepStatePaused, "Completed", corev1.ConditionFalse, "False", nil),
			want{steps: []string{"done/outside", "current/-", "notRun/-"}, notAfter1: &tlWait2, end: EndCancelled, endAt: nil}},
	}
	t.Run("no release in the status: no start, no steps", func(t *testing.T) {
		ro := timelineRollout(1, rolloutsv1beta1.CanaryStepStatePaused, "", corev1.ConditionFalse, "", []RecordEntry{started})
		ro.Status.Phase, ro.Status.CanaryStatus = rolloutsv1beta1.RolloutPhaseHealthy, nil
		if tl := buildTimeline(ro, normaliseStatus(served(ro), "cloneset")); tl.Start != nil || len(tl.Steps) != 0 || tl.End != nil {
			t.Errorf("%+v, want an empty timeline", tl)
		}
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := buildTimeline(c.ro, normaliseStatus(served(c.ro), "cloneset"))
			w := c.want
			if tl.Start == nil {
				t.Fatal("no start")
			}
			if got := tl.Start.By; got != w.startBy || tl.Start.Recorded != (w.startBy != "") {
				t.Errorf("start by %q (recorded %t), want %q", got, tl.Start.Recorded, w.startBy)
			}
			sameTime(t, "start", tl.Start.At, w.startAt)
			var got []string
			for _, s := range tl.Steps {
				a := "-"
				if s.Approval != nil {
					a = s.Approval.By
					if s.Approval.Outside {
						a = "outside"
					}
				}
				got = append(got, s.State+"/"+a)
			}
			if strings.Join(got, " ") != strings.Join(w.steps, " ") {
				t.Fatalf("steps %v, want %v", got, w.steps)
			}
			if w.started2 != nil || tl.Steps[1].StartedAt != nil {
				sameTime(t, "step 2 start", tl.Steps[1].StartedAt, w.started2)
			}
			if (tl.Steps[0].Seconds == nil) != (w.seconds1 == nil) || w.seconds1 != nil && *tl.Steps[0].Seconds != *w.seconds1 {
				t.Errorf("step 1 took %v, want %v", tl.Steps[0].Seconds, w.seconds1)
			}
			if a := tl.Steps[0].Approval; a != nil {
				sameTime(t, "step 1 not after", a.NotAfter, w.notAfter1)
				if a.Reason != w.reason1 {
					t.Errorf("step 1 reason %q, want %q", a.Reason, w.reason1)
				}
				if a.Outside && a.At != nil {
					t.Error("an outside approval has an invented time")
				}
			}
			sameTime(t, "step 2 waiting", tl.Steps[1].WaitingSince, w.waiting2)
			switch {
			case w.end == "" && tl.End != nil:
				t.Errorf("end %+v, want none", tl.End)
			case w.end != "" && (tl.End == nil || tl.End.Outcome != w.end || tl.End.By != w.endBy):
				t.Errorf("end %+v, want %s by %q", tl.End, w.end, w.endBy)
			case w.end != "":
				sameTime(t, "end", tl.End.At, w.endAt)
			}
			notes := strings.Join(tl.Notes, "; ")
			if (w.noteSays == "") != (notes == "") || !strings.Contains(notes, w.noteSays) {
				t.Errorf("notes %q, want one saying %q", notes, w.noteSays)
			}
		})
	}
}

func sameTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	if (got == nil) != (want == nil) || got != nil && !got.Equal(*want) {
		t.Errorf("%s %v, want %v", what, got, want)
	}
}

func TestAppendRecordBounded(t *testing.T) {
	var entries []RecordEntry
	for i := range maxRecordEntries + 10 {
		entries = appendRecord(entries, RecordEntry{Step: int32(i)})
	}
	if len(entries) != maxRecordEntries || entries[0].Step != 10 || entries[len(entries)-1].Step != maxRecordEntries+9 {
		t.Fatalf("record of %d entries from step %d, want the newest %d", len(entries), entries[0].Step, maxRecordEntries)
	}
}

func TestValidReason(t *testing.T) {
	for _, c := range []struct {
		reason string
		ok     bool
	}{
		{"", true}, {"canary errors are a known flaky test", true}, {"两行\n理由", true},
		{strings.Repeat("é", maxReasonLength), true}, {strings.Repeat("a", maxReasonLength+1), false},
		{"bell\a", false}, {"tab\tseparated", false}, {"\xff", false},
	} {
		if err := validReason(c.reason); (err == nil) != c.ok {
			t.Errorf("validReason(%q) = %v, want ok %t", c.reason, err, c.ok)
		}
	}
}

// TestReasonPolicy: with the policy on, a worse verdict needs a reason (409 REASON_REQUIRED,
// nothing written); with one, the step is approved and the reason is in the Event and the record.
func TestReasonPolicy(t *testing.T) {
	for _, c := range []struct {
		name, verdict, reason string
		code                  string
	}{
		{"worse without a reason", "worse", "", CodeReasonRequired},
		{"worse with a blank reason", "worse", "   ", CodeReasonRequired},
		{"worse with a reason", "worse", "known noisy endpoint", ""},
		{"not worse without a reason", "notWorse", "", ""},
		{"unavailable without a reason", "unavailable", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRolloutFixture(t, waitingRollout("shop"))
			f.uc.verdict = func(context.Context, RolloutObject) string { return c.verdict }
			ctx := context.Background()
			res, err := f.uc.ApproveWithReason(ctx, "demo", "shop", 1, c.reason)
			if c.code != "" {
				e := apiError(t, err, c.code)
				if e == nil || e.Status != http.StatusConflict || !strings.Contains(e.Message, "verdict is worse") {
					t.Fatalf("error %+v, want a 409 naming the verdict", err)
				}
				if sent := f.repo.sent(); len(sent) != 0 {
					t.Fatalf("sent %+v, want nothing", sent)
				}
				out, err := f.uc.ApproveMany(ctx, []ApproveItem{{Namespace: "demo", Name: "shop", Step: 1}}, c.reason)
				if err != nil || out[0].Code != CodeReasonRequired || out[0].Changed {
					t.Fatalf("bulk %+v %v, want the item refused with %s", out, err, CodeReasonRequired)
				}
				return
			}
			if err != nil || !res.Changed {
				t.Fatalf("approve: %+v %v", res, err)
			}
			entries, _ := parseRecord(f.repo.stored("demo/shop").Annotations)
			if len(entries) != 1 || entries[0].Action != RecordApproved || entries[0].Reason != strings.TrimSpace(c.reason) || entries[0].Verdict != c.verdict {
				t.Errorf("record %+v, want the approval with reason %q and verdict %s", entries, c.reason, c.verdict)
			}
			f.events.mu.Lock()
			events := strings.Join(f.events.msgs, "\n")
			f.events.mu.Unlock()
			if !strings.Contains(events, "evidence "+c.verdict) || c.reason != "" && !strings.Contains(events, c.reason) {
				t.Errorf("events %q, want the verdict and the reason", events)
			}
		})
	}
}

// TestRecordRefused: a user who may approve but not patch the Rollout gets the approval and a
// warning that it is not in the timeline.
func TestRecordRefused(t *testing.T) {
	f := newRolloutFixture(t, waitingRollout("shop"))
	f.uc.repo = statusOnly{f.repo}
	res, err := f.uc.Approve(context.Background(), "demo", "shop", 1)
	if err != nil || !res.Changed || !strings.Contains(res.Warning, "not in the release timeline") {
		t.Fatalf("approve %+v %v, want approved with a warning", res, err)
	}
}

// statusOnly refuses patches of the Rollout itself, as RBAC does for a user who may patch only
// rollouts/status.
type statusOnly struct{ *memRollouts }

func (s statusOnly) Patch(ctx context.Context, ns, name string, patch []byte, status bool) (RolloutObject, error) {
	if !status {
		return RolloutObject{}, apierrors.NewForbidden(rolloutsGR, name, errors.New("may not patch rollouts"))
	}
	return s.memRollouts.Patch(ctx, ns, name, patch, status)
}

// TestRecordRetriesOnConflict: the Rollout written between the record's read and its write (the
// controller, another replica's record) is read again and the entry added to the newer record.
func TestRecordRetriesOnConflict(t *testing.T) {
	f := newRolloutFixture(t, waitingRollout("shop"))
	f.repo.beforeWrite = func(m *memRollouts, key string, n int) {
		if n == 1 { // the record's first write: another replica's entry lands first
			m.write(key, func(ro *rolloutsv1beta1.Rollout) {
				b, _ := json.Marshal([]RecordEntry{{At: tlStart, By: "other", Action: RecordStarted, Generation: 1}})
				ro.Annotations = map[string]string{RecordAnnotation: string(b)}
			})
		}
	}
	res, err := f.uc.ApproveWithReason(context.Background(), "demo", "shop", 1, "ok")
	if err != nil || !res.Changed || res.Warning != "" {
		t.Fatalf("approve %+v %v, want approved and recorded", res, err)
	}
	entries, note := parseRecord(f.repo.stored("demo/shop").Annotations)
	if note != "" || len(entries) != 2 || entries[0].By != "other" || entries[1].Action != RecordApproved || entries[1].Reason != "ok" {
		t.Errorf("record %+v (%s), want the other replica's entry and the approval", entries, note)
	}
}
