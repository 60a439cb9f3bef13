package biz

import (
	"context"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
)

// Timeline is the story of a Rollout's current (or last) release: GET /rollout/timeline. It is
// built from the controller's status (the only times it gives: the release's start and end from
// the Progressing condition, and when the current step last changed state) and the dashboard's
// record on the Rollout (who set the image, who approved each step and when, who rolled back).
// A time neither gives is null: the UI says "time not recorded", never a guess.
type Timeline struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Release is the status's release outcome (RolloutStatus.Release).
	Release string `json:"release"`
	Active  bool   `json:"active"`
	// Revision is the release's canary revision; empty when no release is in the status.
	Revision string `json:"revision"`
	// Start is null when the status has no release.
	Start *TimelineStart `json:"start"`
	Steps []TimelineStep `json:"steps"`
	// End is null while the release is in flight (unless it is being rolled back) or when none.
	End *TimelineEnd `json:"end"`
	// Notes say what could not be read (e.g. a malformed record).
	Notes []string `json:"notes"`
}

// TimelineStart is how the release started.
type TimelineStart struct {
	// At is when the controller started the release (the Progressing condition's transition to
	// True), null once the release is over (the condition then says when it ended).
	At *time.Time `json:"at"`
	// Recorded: the image change was made through the dashboard; By, Images and SetAt say who
	// set which image when. Not recorded: it was made some other way (kubectl, CI).
	Recorded bool              `json:"recorded"`
	By       string            `json:"by"`
	Images   map[string]string `json:"images"`
	SetAt    *time.Time        `json:"setAt"`
}

// Step positions in a timeline.
const (
	StepDone    = "done"    // the release went past it
	StepCurrent = "current" // the step in progress (or where the release stopped)
	StepPending = "pending" // not reached yet
	StepNotRun  = "notRun"  // the release ended before it
)

// TimelineStep is one step of the release.
type TimelineStep struct {
	Index int32  `json:"index"`
	State string `json:"state" enum:"done,current,pending,notRun"`
	// Manual: the step waits for approval (a pause without a duration, not the last 100% step).
	Manual bool `json:"manual"`
	// ControllerState and Since: the current step's state and when it last changed (the
	// controller's lastUpdateTime).
	ControllerState string     `json:"controllerState"`
	Since           *time.Time `json:"since"`
	// StartedAt: step 1, the release's start; a later step, the recorded approval of the step
	// before it (the controller starts the next step when one is approved). Null when unknown.
	StartedAt *time.Time `json:"startedAt"`
	// WaitingSince is when the step began waiting for approval, as the controller recorded it.
	WaitingSince *time.Time `json:"waitingSince"`
	// Approval is null for a step not approved (yet), or that did not need approval.
	Approval *TimelineApproval `json:"approval"`
	// Seconds the step took, from its known start to its approval; null when either is unknown.
	Seconds *int64 `json:"seconds"`
}

// TimelineApproval is who approved a step, when and why.
type TimelineApproval struct {
	// Outside: the status shows the step approved but the dashboard's record has no approval of
	// it (kubectl, another tool, or a user whose record write was refused); By and At are empty.
	Outside bool       `json:"outside"`
	By      string     `json:"by"`
	At      *time.Time `json:"at"`
	Reason  string     `json:"reason"`
	Verdict string     `json:"verdict"`
	// NotAfter (outside approvals only): the step was approved before this time, the controller's
	// last update of the step after it; null when the controller recorded nothing that bounds it.
	NotAfter *time.Time `json:"notAfter"`
}

// Release end outcomes.
const (
	EndCompleted  = "completed"
	EndCancelled  = "cancelled"
	EndRolledBack = "rolledBack"
)

// TimelineEnd is how the release ended.
type TimelineEnd struct {
	Outcome string `json:"outcome" enum:"completed,cancelled,rolledBack"`
	// At is when the controller marked the last step Completed; null when it recorded no time
	// (a cancelled or rolled-back release) or while a rollback is still being carried out.
	At *time.Time `json:"at"`
	// By and RecordedAt: who rolled it back through the dashboard, and when.
	By         string     `json:"by"`
	RecordedAt *time.Time `json:"recordedAt"`
}

// Timeline serves GET /rollout/timeline/:namespace/:name: the user must be allowed to get the
// Rollout. It reads the cache, so every replica answers the same once its watch has the object.
func (uc *RolloutUsecase) Timeline(ctx context.Context, ns, name string) (*Timeline, error) {
	ctx, span := uc.start(ctx, "Timeline", ns, name)
	defer span.End()
	obj, err := uc.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return buildTimeline(obj.Rollout, uc.status(obj)), nil
}

// buildTimeline joins the status and the record.
func buildTimeline(ro *rolloutsv1beta1.Rollout, st *RolloutStatus) *Timeline {
	t := &Timeline{Namespace: ro.Namespace, Name: ro.Name, Release: st.Release, Active: st.Active, Steps: []TimelineStep{}, Notes: []string{}}
	entries, note := parseRecord(ro.Annotations)
	if note != "" {
		t.Notes = append(t.Notes, note)
	}
	sub := subStatus(ro)
	if sub == nil || st.Release == ReleaseNone {
		return t // no release the status records (what a sub-status left says nothing)
	}
	t.Revision = st.CanaryRevision
	var progressing *rolloutsv1beta1.RolloutCondition
	for i := range ro.Status.Conditions {
		if ro.Status.Conditions[i].Type == rolloutsv1beta1.RolloutConditionProgressing {
			progressing = &ro.Status.Conditions[i]
		}
	}

	// The start: the controller's time while in flight, the record's who and which images.
	t.Start = &TimelineStart{Images: map[string]string{}}
	if progressing != nil && progressing.Status == corev1.ConditionTrue && !progressing.LastTransitionTime.IsZero() {
		t.Start.At = timePtr(progressing.LastTransitionTime.Time)
	}
	// The entries of this release: approvals and rollbacks name its canary revision, the start
	// the workload generation the controller observed when it began the release.
	var approvals = map[int32]RecordEntry{}
	var rolledBack *RecordEntry
	for _, e := range entries {
		switch e.Action {
		case RecordStarted:
			if e.Generation != 0 && e.Generation == sub.ObservedWorkloadGeneration {
				t.Start.Recorded, t.Start.By, t.Start.SetAt = true, e.By, timePtr(e.At)
				if e.Images != nil {
					t.Start.Images = e.Images
				}
			}
		case RecordApproved:
			if t.Revision != "" && e.Revision == t.Revision {
				approvals[e.Step] = e
			}
		case RecordRolledBack:
			if t.Revision != "" && e.Revision == t.Revision {
				rolledBack = &e
			}
		}
	}

	// The steps.
	steps := ro.Spec.Strategy.GetSteps()
	current := sub.CurrentStepIndex
	completed := st.Release == ReleaseCompleted || st.Release == ReleaseFinalising || sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateCompleted
	ended := st.Release == ReleaseCancelled || st.Release == ReleaseCancelling || st.Release == ReleaseDisabled || st.Release == ReleaseDisabling
	for i := range steps {
		idx := int32(i + 1)
		s := TimelineStep{Index: idx, Manual: steps[i].Pause.Duration == nil && !(idx == int32(len(steps)) && steps[i].Replicas != nil && steps[i].Replicas.String() == "100%")}
		switch {
		case completed || idx < current:
			s.State = StepDone
		case idx == current:
			s.State = StepCurrent
			s.ControllerState = string(sub.CurrentStepState)
			if sub.LastUpdateTime != nil {
				s.Since = timePtr(sub.LastUpdateTime.Time)
				if sub.CurrentStepState == rolloutsv1beta1.CanaryStepStatePaused && st.Active {
					s.WaitingSince = s.Since
				}
			}
		case ended:
			s.State = StepNotRun
		default:
			s.State = StepPending
		}
		if idx == 1 {
			s.StartedAt = t.Start.At
		} else if prev, ok := approvals[idx-1]; ok && s.State != StepPending && s.State != StepNotRun {
			s.StartedAt = timePtr(prev.At)
		}
		if e, ok := approvals[idx]; ok {
			s.Approval = &TimelineApproval{By: e.By, At: timePtr(e.At), Reason: e.Reason, Verdict: e.Verdict}
			if s.WaitingSince == nil && e.WaitingSince != nil {
				s.WaitingSince = timePtr(*e.WaitingSince)
			}
			if s.StartedAt != nil && !e.At.Before(*s.StartedAt) {
				secs := int64(e.At.Sub(*s.StartedAt) / time.Second)
				s.Seconds = &secs
			}
		} else if passed := idx < current || idx == current && (completed || sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateReady); s.Manual && passed {
			// The status shows it approved; the record does not.
			s.Approval = &TimelineApproval{Outside: true}
			if idx == current-1 && sub.LastUpdateTime != nil {
				s.Approval.NotAfter = timePtr(sub.LastUpdateTime.Time)
			}
		}
		t.Steps = append(t.Steps, s)
	}

	// The end: when the controller marked the release's last step Completed. Not the Progressing
	// condition: Kruise Rollouts v0.6 changes that condition in place when a release ends, so its
	// transition time stays the release's start. A release that ended otherwise (cancelled,
	// rolled back) has no time the controller recorded.
	var endAt *time.Time
	if sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateCompleted && sub.LastUpdateTime != nil && !st.Active {
		endAt = timePtr(sub.LastUpdateTime.Time)
	}
	switch {
	case rolledBack != nil:
		t.End = &TimelineEnd{Outcome: EndRolledBack, By: rolledBack.By, RecordedAt: timePtr(rolledBack.At)}
		if !st.Active {
			t.End.At = endAt
		}
	case st.Release == ReleaseCompleted:
		t.End = &TimelineEnd{Outcome: EndCompleted, At: endAt}
	case st.Release == ReleaseCancelled:
		t.End = &TimelineEnd{Outcome: EndCancelled, At: endAt}
	}
	return t
}

func timePtr(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}
