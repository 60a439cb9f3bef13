package biz

import (
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// RolloutObject is a Rollout as served (Raw: v1beta1, or v1alpha1 where v1beta1 is not served)
// with its v1beta1 view, from which every derived field is computed.
type RolloutObject struct {
	Raw     runtime.Object
	Rollout *rolloutsv1beta1.Rollout
}

// Rolling styles reported in RolloutStatus.Strategy.
const (
	StrategyCanary    = "canary"    // an extra canary workload (Deployment only)
	StrategyPartition = "partition" // the workload itself is updated in batches
	StrategyBlueGreen = "blueGreen"
	StrategyNone      = "none"
)

// RolloutStatus is the normalised status of GET /rollout/status and of list items.
type RolloutStatus struct {
	Namespace  string `json:"namespace"`
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion"`
	Phase      string `json:"phase"`
	Message    string `json:"message"`
	// Active is a release in flight: phase Progressing and the Progressing condition not Completed.
	Active bool `json:"active"`
	// Release is what the status says of the release, from the phase, the Progressing and
	// Succeeded conditions and the sub-status (release.go's releaseOf): outside a release the
	// step index and state are what the last release left, not a step in progress.
	Release           string        `json:"release" enum:"none,progressing,paused,finalising,cancelling,completed,cancelled,disabling,disabled,terminating"`
	ProgressingReason string        `json:"progressingReason"`
	Paused            bool          `json:"paused"`
	Disabled          bool          `json:"disabled"`
	Strategy          string        `json:"strategy" enum:"canary,partition,blueGreen,none"`
	Steps             []RolloutStep `json:"steps"`
	// CurrentStepIndex is 1-based; 0 when no release has started.
	CurrentStepIndex int32  `json:"currentStepIndex"`
	CurrentStepState string `json:"currentStepState"`
	NextStepIndex    int32  `json:"nextStepIndex"`
	// WaitingForApproval: the current step is paused without a duration (not the final 100% step).
	WaitingForApproval bool `json:"waitingForApproval"`
	// AutoResumeAt is when a timed pause ends by itself.
	AutoResumeAt         *metav1.Time                       `json:"autoResumeAt"`
	StableRevision       string                             `json:"stableRevision"`
	CanaryRevision       string                             `json:"canaryRevision"`
	PodTemplateHash      string                             `json:"podTemplateHash"`
	UpdatedReplicas      int32                              `json:"updatedReplicas"`
	UpdatedReadyReplicas int32                              `json:"updatedReadyReplicas"`
	LastUpdateTime       *metav1.Time                       `json:"lastUpdateTime"`
	Workload             WorkloadRef                        `json:"workload"`
	Generation           int64                              `json:"generation"`
	ObservedGeneration   int64                              `json:"observedGeneration"`
	Conditions           []rolloutsv1beta1.RolloutCondition `json:"conditions"`
	// Pods is where the workload's pods stand, on GET /rollout/status while a release is in
	// flight (not in lists).
	Pods *ReleasePods `json:"pods,omitempty"`
}

// RolloutStep is one step of the plan.
type RolloutStep struct {
	Index    int                 `json:"index"`
	Replicas *intstr.IntOrString `json:"replicas"`
	Traffic  *string             `json:"traffic"`
	// PauseSeconds is nil for a manual pause (waits for approval).
	PauseSeconds *int32 `json:"pauseSeconds"`
	Manual       bool   `json:"manual"`
	Matches      int    `json:"matches"`
}

// WorkloadRef is the workload a Rollout releases; Type is the registry's :type, empty when the
// dashboard does not serve that kind.
type WorkloadRef struct {
	Type       string `json:"type"`
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

// subStatus is the status of the release in flight (canary or blue-green), or nil.
func subStatus(ro *rolloutsv1beta1.Rollout) *rolloutsv1beta1.CommonStatus {
	switch {
	case ro.Status.CanaryStatus != nil:
		return &ro.Status.CanaryStatus.CommonStatus
	case ro.Status.BlueGreenStatus != nil:
		return &ro.Status.BlueGreenStatus.CommonStatus
	}
	return nil
}

// subStatusField is the status field name of the release in flight, for patches.
func subStatusField(ro *rolloutsv1beta1.Rollout) string {
	if ro.Status.CanaryStatus == nil && ro.Status.BlueGreenStatus != nil {
		return "blueGreenStatus"
	}
	return "canaryStatus"
}

func strategyOf(ro *rolloutsv1beta1.Rollout) string {
	s := ro.Spec.Strategy
	switch {
	case s.IsEmptyRelease(): // GetRollingStyle would dereference a nil canary
		return StrategyNone
	case s.BlueGreen != nil:
		return StrategyBlueGreen
	case s.Canary.EnableExtraWorkloadForCanary:
		return StrategyCanary
	}
	return StrategyPartition
}

// canaryStepsOf is the plan's steps; none for a strategy with neither canary nor blue-green, where
// GetSteps would dereference the nil canary.
func canaryStepsOf(ro *rolloutsv1beta1.Rollout) []rolloutsv1beta1.CanaryStep {
	if ro.Spec.Strategy.IsEmptyRelease() {
		return nil
	}
	return ro.Spec.Strategy.GetSteps()
}

func progressingReason(ro *rolloutsv1beta1.Rollout) string {
	for _, c := range ro.Status.Conditions {
		if c.Type == rolloutsv1beta1.RolloutConditionProgressing {
			return c.Reason
		}
	}
	return ""
}

// isActive: a release is in flight (the one-reconcile window after completion, where the phase
// is still Progressing, does not count).
func isActive(ro *rolloutsv1beta1.Rollout) bool {
	return ro.Status.Phase == rolloutsv1beta1.RolloutPhaseProgressing && progressingReason(ro) != rolloutsv1beta1.ProgressingReasonCompleted
}

// Release outcomes (RolloutStatus.Release).
const (
	ReleaseNone        = "none"        // no release observed, or none whose outcome the status records
	ReleaseProgressing = "progressing" // in flight (Initializing, InRolling)
	ReleasePaused      = "paused"      // in flight, held by spec.strategy.paused
	ReleaseFinalising  = "finalising"  // after the last step: handing the workload back
	ReleaseCancelling  = "cancelling"  // the workload was rolled back: the controller is cancelling the release
	ReleaseCompleted   = "completed"   // the last release went through every step (Succeeded True)
	ReleaseCancelled   = "cancelled"   // the last release was cancelled by a rollback (Succeeded False)
	ReleaseDisabling   = "disabling"
	ReleaseDisabled    = "disabled"
	ReleaseTerminating = "terminating"
)

// releaseOf reads what the controller (v0.6) wrote of the release. In flight: the Progressing
// condition's reason. After one: the Succeeded condition (True when the steps completed, False
// when a rollback cancelled it; rollout_progressing.go sets it as it leaves Finalising or
// Cancelling), else the sub-status: the synthetic Completed the controller writes for a first
// deployment, or a canary revision back at the stable one (the rolled-back template). The
// sub-status is left as the release left it (a cancelled release keeps its StepPaused), so the
// step index and state alone never say a step is in progress.
func releaseOf(ro *rolloutsv1beta1.Rollout) string {
	switch ro.Status.Phase {
	case rolloutsv1beta1.RolloutPhaseTerminating:
		return ReleaseTerminating
	case rolloutsv1beta1.RolloutPhaseDisabling:
		return ReleaseDisabling
	case rolloutsv1beta1.RolloutPhaseDisabled:
		return ReleaseDisabled
	}
	if isActive(ro) {
		switch progressingReason(ro) {
		case rolloutsv1beta1.ProgressingReasonPaused:
			return ReleasePaused
		case rolloutsv1beta1.ProgressingReasonFinalising:
			return ReleaseFinalising
		case rolloutsv1beta1.ProgressingReasonCancelling:
			return ReleaseCancelling
		}
		return ReleaseProgressing
	}
	sub := subStatus(ro)
	if sub == nil || ro.Status.Phase == rolloutsv1beta1.RolloutPhaseInitial || ro.Status.Phase == "" {
		return ReleaseNone
	}
	for _, c := range ro.Status.Conditions {
		if c.Type == rolloutsv1beta1.RolloutConditionSucceeded {
			switch c.Status {
			case corev1.ConditionTrue:
				return ReleaseCompleted
			case corev1.ConditionFalse:
				return ReleaseCancelled
			}
		}
	}
	switch {
	case sub.CurrentStepState == rolloutsv1beta1.CanaryStepStateCompleted:
		return ReleaseCompleted
	case canaryRevision(ro) != "" && canaryRevision(ro) == sub.StableRevision:
		return ReleaseCancelled
	}
	return ReleaseNone
}

// canaryRevision is the revision the release in the status was releasing.
func canaryRevision(ro *rolloutsv1beta1.Rollout) string {
	if c := ro.Status.CanaryStatus; c != nil {
		return c.CanaryRevision
	}
	if b := ro.Status.BlueGreenStatus; b != nil {
		return b.UpdatedRevision
	}
	return ""
}

// approvable: the release is in flight at a paused step the controller will move on from when
// approved — not cancelled, completed or finalising (an approval there is written and ignored).
func approvable(ro *rolloutsv1beta1.Rollout) bool {
	sub := subStatus(ro)
	if sub == nil || sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused || !isActive(ro) {
		return false
	}
	switch progressingReason(ro) {
	case rolloutsv1beta1.ProgressingReasonInRolling, rolloutsv1beta1.ProgressingReasonPaused:
		return true
	}
	return false
}

// normaliseStatus computes the derived view of a Rollout.
func normaliseStatus(obj RolloutObject, workloadType string) *RolloutStatus {
	ro := obj.Rollout
	st := &RolloutStatus{
		Namespace: ro.Namespace, Name: ro.Name, APIVersion: obj.Raw.GetObjectKind().GroupVersionKind().GroupVersion().String(),
		Phase: string(ro.Status.Phase), Message: ro.Status.Message, Active: isActive(ro), Release: releaseOf(ro), ProgressingReason: progressingReason(ro),
		Paused: ro.Spec.Strategy.Paused, Disabled: ro.Spec.Disabled, Strategy: strategyOf(ro), Steps: []RolloutStep{},
		Generation: ro.Generation, ObservedGeneration: ro.Status.ObservedGeneration, Conditions: ro.Status.Conditions,
		Workload: WorkloadRef{Type: workloadType, APIVersion: ro.Spec.WorkloadRef.APIVersion, Kind: ro.Spec.WorkloadRef.Kind, Name: ro.Spec.WorkloadRef.Name},
	}
	if st.Conditions == nil {
		st.Conditions = []rolloutsv1beta1.RolloutCondition{}
	}
	steps := canaryStepsOf(ro)
	for i, s := range steps {
		st.Steps = append(st.Steps, RolloutStep{Index: i + 1, Replicas: s.Replicas, Traffic: s.Traffic,
			PauseSeconds: s.Pause.Duration, Manual: s.Pause.Duration == nil, Matches: len(s.Matches)})
	}
	sub := subStatus(ro)
	if sub == nil {
		return st
	}
	st.CurrentStepIndex, st.CurrentStepState, st.NextStepIndex = sub.CurrentStepIndex, string(sub.CurrentStepState), sub.NextStepIndex
	st.StableRevision, st.PodTemplateHash, st.LastUpdateTime = sub.StableRevision, sub.PodTemplateHash, sub.LastUpdateTime
	if c := ro.Status.CanaryStatus; c != nil {
		st.CanaryRevision, st.UpdatedReplicas, st.UpdatedReadyReplicas = c.CanaryRevision, c.CanaryReplicas, c.CanaryReadyReplicas
	} else if b := ro.Status.BlueGreenStatus; b != nil {
		st.CanaryRevision, st.UpdatedReplicas, st.UpdatedReadyReplicas = b.UpdatedRevision, b.UpdatedReplicas, b.UpdatedReadyReplicas
	}
	idx := int(sub.CurrentStepIndex)
	if sub.CurrentStepState != rolloutsv1beta1.CanaryStepStatePaused || idx < 1 || idx > len(steps) {
		return st
	}
	step := steps[idx-1]
	lastFull := idx == len(steps) && step.Replicas != nil && step.Replicas.String() == "100%"
	switch {
	case step.Pause.Duration == nil && !lastFull:
		st.WaitingForApproval = approvable(ro)
	case step.Pause.Duration != nil && sub.LastUpdateTime != nil:
		at := metav1.NewTime(sub.LastUpdateTime.Add(time.Duration(*step.Pause.Duration) * time.Second))
		st.AutoResumeAt = &at
	}
	return st
}
