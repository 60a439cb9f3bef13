package biz

import (
	"math"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// BatchLabel is the label the Kruise Rollout controller puts on the pods of each batch (step).
const BatchLabel = "rollouts.kruise.io/rollout-batch-id"

// ReleasePods is where the workload's pods stand in the release: the current step's target, and
// the pods on the canary (new) and stable revisions with how many are ready.
type ReleasePods struct {
	// StepTarget is how many pods the current step updates (-1 when it cannot be computed).
	StepTarget int32        `json:"stepTarget"`
	Replicas   int32        `json:"replicas"`
	Canary     PodCount     `json:"canary"`
	Stable     PodCount     `json:"stable"`
	Items      []ReleasePod `json:"items"`
}

// PodCount is a number of pods and how many of them are ready.
type PodCount struct {
	Total int `json:"total"`
	Ready int `json:"ready"`
}

// ReleasePod is one pod of the released workload.
type ReleasePod struct {
	Name     string `json:"name"`
	Revision string `json:"revision"`
	// Role is "canary" (on the revision being released), "stable", or "" (another revision).
	Role  string `json:"role"`
	Ready bool   `json:"ready"`
	// State is what a glance at the pod tells: "terminating" once it is being deleted (its
	// deletionTimestamp is set, whatever its readiness), else "ready" or "notReady" (Ready).
	State string `json:"state" enum:"ready,notReady,terminating"`
	// Batch is the step that updated the pod (the controller's batch label), if any.
	Batch string `json:"batch,omitempty"`
}

// releasePods sorts the workload's pods into canary and stable for a release in flight.
func releasePods(st *RolloutStatus, workload runtime.Object, pods []*corev1.Pod) *ReleasePods {
	rp := &ReleasePods{StepTarget: -1, Items: []ReleasePod{}}
	if content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(workload); err == nil {
		if spec, ok := content["spec"].(map[string]any); ok {
			if r, ok := spec["replicas"].(int64); ok {
				rp.Replicas = int32(r)
			}
		}
	}
	if i := int(st.CurrentStepIndex); i >= 1 && i <= len(st.Steps) && st.Steps[i-1].Replicas != nil && rp.Replicas > 0 {
		rp.StepTarget = stepTarget(*st.Steps[i-1].Replicas, rp.Replicas)
	}
	for _, p := range pods {
		rev := p.Labels["controller-revision-hash"]
		if rev == "" {
			rev = p.Labels["pod-template-hash"]
		}
		item := ReleasePod{Name: p.Name, Revision: rev, Ready: podReady(p), Batch: p.Labels[BatchLabel]}
		item.State = podState(p, item.Ready)
		switch {
		case names(rev, st.CanaryRevision) || names(rev, st.PodTemplateHash):
			item.Role = "canary"
			count(&rp.Canary, item.Ready)
		case names(rev, st.StableRevision):
			item.Role = "stable"
			count(&rp.Stable, item.Ready)
		}
		rp.Items = append(rp.Items, item)
	}
	return rp
}

// stepTarget resolves a step's replicas (a number or a percentage of the workload's, rounded up
// as the controller does) to a pod count.
func stepTarget(v intstr.IntOrString, replicas int32) int32 {
	if v.Type == intstr.Int {
		return min(v.IntVal, replicas)
	}
	pct, err := intstr.GetScaledValueFromIntOrPercent(&v, 100, true)
	if err != nil {
		return -1
	}
	return int32(math.Ceil(float64(pct) * float64(replicas) / 100))
}

// names tells whether a pod's revision label value and a revision the Rollout names are the same
// revision (the controller writes either the whole name or its hash suffix).
func names(label, named string) bool {
	return label != "" && named != "" && (label == named || strings.HasSuffix(label, "-"+named) || strings.HasSuffix(named, "-"+label))
}

func count(c *PodCount, ready bool) {
	c.Total++
	if ready {
		c.Ready++
	}
}

// The states of a release pod (ReleasePod.State).
const (
	PodStateReady       = "ready"
	PodStateNotReady    = "notReady"
	PodStateTerminating = "terminating"
)

// podState is a pod's state at a glance: terminating first (a pod being deleted may still report
// Ready until its containers stop), then its readiness.
func podState(p *corev1.Pod, ready bool) string {
	switch {
	case p.DeletionTimestamp != nil:
		return PodStateTerminating
	case ready:
		return PodStateReady
	default:
		return PodStateNotReady
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
