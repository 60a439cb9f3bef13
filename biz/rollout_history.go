package biz

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// HistoryEntry is one revision of the referenced workload.
type HistoryEntry struct {
	adapters.Revision
	// Current: the workload's pod template is this revision's (what it is moving to).
	Current bool `json:"current"`
	// Stable: while a release is in flight, the Rollout's stable revision; otherwise the
	// revision every pod runs. Canary: the revision being released, only while one is.
	Stable bool `json:"stable"`
	Canary bool `json:"canary"`
	// Pods is how many of the workload's pods run this revision now.
	Pods int `json:"pods"`
}

// History is the answer of GET /rollout/history.
type History struct {
	Workload  WorkloadRef    `json:"workload"`
	Revisions []HistoryEntry `json:"revisions"`
}

// History lists the revisions of the Rollout's workload, oldest first.
func (uc *RolloutUsecase) History(ctx context.Context, ns, name string) (*History, error) {
	ctx, span := uc.start(ctx, "History", ns, name)
	defer span.End()
	ro, ref, obj, revisioner, err := uc.workloadWithHistory(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	revs, current, err := revisionsOf(revisioner, obj, ref)
	if err != nil {
		return nil, err
	}
	pods, err := revisioner.(adapters.Adapter).Pods(obj.(metav1.Object))
	if err != nil {
		return nil, Internal(err, "pods of %s %s: %v", ref.Kind, ref.Name, err)
	}
	h := &History{Workload: ref, Revisions: make([]HistoryEntry, 0, len(revs))}
	sub := subStatus(ro.Rollout)
	inFlight := sub != nil && isActive(ro.Rollout)
	canary := uc.status(ro).CanaryRevision
	for _, r := range revs {
		e := HistoryEntry{Revision: r, Current: current != nil && r.Name == current.Name, Pods: podsOn(r, pods)}
		if inFlight {
			// The status of a finished release keeps naming its revisions: trusted only in flight.
			e.Stable = sameRevision(r, sub.StableRevision)
			e.Canary = sameRevision(r, canary) || sameRevision(r, sub.PodTemplateHash)
		} else {
			e.Stable = e.Current && e.Pods == len(pods) && len(pods) > 0
		}
		h.Revisions = append(h.Revisions, e)
	}
	return h, nil
}

// podsOn counts the pods whose revision label (pod-template-hash for a Deployment's ReplicaSet,
// controller-revision-hash for the Kruise kinds) names r.
func podsOn(r adapters.Revision, pods []*corev1.Pod) int {
	n := 0
	for _, p := range pods {
		for _, label := range []string{"pod-template-hash", "controller-revision-hash"} {
			if v := p.Labels[label]; v != "" && (v == r.Hash || v == r.Name || sameRevision(r, v)) {
				n++
				break
			}
		}
	}
	return n
}
