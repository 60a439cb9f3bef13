package biz

import (
	"context"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// ErrEvidenceOff is the reason of the evidence when the configuration has no metrics.evidence
// section (older configuration files).
var ErrEvidenceOff = errors.New("release evidence is not configured (no metrics.evidence section)")

// EvidenceUsecase serves the evidence of a Rollout's release in flight: its canary pods against
// its stable pods (the pods the Rollout's status shows), measured by biz/evidence.
type EvidenceUsecase struct {
	rollouts *RolloutUsecase
	// ev nil: no metrics.evidence section; every answer is Unavailable.
	ev *evidence.Evidence
}

// NewEvidenceUsecase builds the evidence use case; ev nil is the evidence switched off. With
// policy.RequireReasonWhenWorse it gives the Rollout use case the verdict its approvals check
// (rollout_reason.go).
func NewEvidenceUsecase(rollouts *RolloutUsecase, ev *evidence.Evidence, policy ApprovalPolicy) *EvidenceUsecase {
	uc := &EvidenceUsecase{rollouts: rollouts, ev: ev}
	if policy.RequireReasonWhenWorse {
		rollouts.verdict = uc.verdict
	}
	return uc
}

// verdict is the evidence's verdict of obj's release as the dashboard computes it for the
// approval policy (the pods from the cache, no access review of the user: only the verdict is
// told); "unavailable" when it cannot be computed.
func (uc *EvidenceUsecase) verdict(ctx context.Context, obj RolloutObject) string {
	res, err := uc.evaluate(ctx, obj)
	if err != nil {
		return string(evidence.Unavailable)
	}
	return string(res.Verdict)
}

// Evidence is the evidence of the Rollout's current release. The user must be allowed to get the
// Rollout and list the pods of its namespace (checked before any query is made); a Rollout with
// no release in progress is a 409. No Prometheus server, a failed query or a Rollout annotation
// naming a template that is not configured give the verdict Unavailable with the reason.
func (uc *EvidenceUsecase) Evidence(ctx context.Context, ns, name string) (*evidence.Result, error) {
	ro := uc.rollouts
	ctx, span := ro.start(ctx, "Evidence", ns, name)
	defer span.End()
	obj, err := ro.find(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	if err := Authorize(ctx, ro.access, Attributes{Verb: "list", Resource: "pods", Namespace: ns}); err != nil {
		return nil, err
	}
	return uc.evaluate(ctx, obj)
}

// evaluate computes the evidence of obj's release.
func (uc *EvidenceUsecase) evaluate(ctx context.Context, obj RolloutObject) (*evidence.Result, error) {
	ro := uc.rollouts
	ns, name := obj.Rollout.Namespace, obj.Rollout.Name
	st := ro.status(obj)
	if !st.Active {
		return nil, Conflict(nil, "rollout %s/%s has no release in progress: there is no canary to compare with the stable pods", ns, name)
	}
	a, _, workload, err := ro.workload(obj)
	if err != nil {
		return nil, err
	}
	pods, err := a.Pods(workload.(metav1.Object))
	if err != nil {
		return nil, cacheError(err, "list the pods of rollout %s/%s's workload", ns, name)
	}
	subject := evidence.Subject{Namespace: ns, Annotations: obj.Rollout.Annotations}
	for _, p := range releasePods(st, workload, pods).Items {
		switch p.Role {
		case "canary":
			subject.Canary = append(subject.Canary, p.Name)
		case "stable":
			subject.Stable = append(subject.Stable, p.Name)
		}
	}
	unavailable := func(reason string) *evidence.Result {
		return &evidence.Result{Verdict: evidence.Unavailable, Reason: reason, At: ro.clock.Now().UTC(),
			Canary: evidence.Side{Pods: len(subject.Canary)}, Stable: evidence.Side{Pods: len(subject.Stable)}}
	}
	if uc.ev == nil {
		return unavailable(ErrEvidenceOff.Error()), nil
	}
	res, err := uc.ev.Evaluate(ctx, subject)
	if err != nil {
		var unknown *evidence.UnknownTemplateError
		if errors.As(err, &unknown) {
			return unavailable(err.Error()), nil
		}
		return nil, Internal(err, "evidence of rollout %s/%s: %v", ns, name, err)
	}
	return res, nil
}
