package biz

import (
	"context"
	"errors"
)

// Summary is the answer of GET /summary/:namespace: what the overview shows, a few hundred
// bytes however many workloads there are.
type Summary struct {
	Namespace string          `json:"namespace"`
	Workloads []WorkloadCount `json:"workloads"`
	Rollouts  *RolloutCounts  `json:"rollouts"`
	// Pods are the namespace's pods by phase (null for _cluster, or a user who may not list them
	// there); Cluster the cluster-wide figures.
	Pods    *PodCounts      `json:"pods"`
	Cluster *ClusterMetrics `json:"cluster"`
}

// WorkloadCount is how many objects of a type the namespace has, by state.
type WorkloadCount struct {
	Type   string         `json:"type"`
	Plural string         `json:"plural"`
	Kind   string         `json:"kind"`
	Total  int            `json:"total"`
	States map[string]int `json:"states"`
}

// RolloutCounts counts the namespace's Rollouts: in flight, and waiting for a person; InFlight
// are the releases in flight, in brief (the overview's tables), at most maxBriefs.
type RolloutCounts struct {
	Total    int            `json:"total"`
	Active   int            `json:"active"`
	Waiting  int            `json:"waiting"`
	InFlight []RolloutBrief `json:"inFlight"`
}

// RolloutBrief is a release in flight as the overview lists it.
type RolloutBrief struct {
	Namespace          string      `json:"namespace"`
	Name               string      `json:"name"`
	Phase              string      `json:"phase"`
	Active             bool        `json:"active"`
	Paused             bool        `json:"paused"`
	Disabled           bool        `json:"disabled"`
	CurrentStepIndex   int32       `json:"currentStepIndex"`
	CurrentStepState   string      `json:"currentStepState"`
	StepCount          int         `json:"stepCount"`
	WaitingForApproval bool        `json:"waitingForApproval"`
	Workload           WorkloadRef `json:"workload"`
}

// maxBriefs bounds the releases listed in a summary (the counts stay exact).
const maxBriefs = 50

// SummaryUsecase serves the overview's summary from the other use cases, with their checks.
type SummaryUsecase struct {
	workloads *WorkloadUsecase
	rollouts  *RolloutUsecase
	cluster   *ClusterUsecase
}

// NewSummaryUsecase builds the summary use case.
func NewSummaryUsecase(w *WorkloadUsecase, r *RolloutUsecase, c *ClusterUsecase) *SummaryUsecase {
	return &SummaryUsecase{workloads: w, rollouts: r, cluster: c}
}

// Summary counts ns's workloads per type and state (types the user may not list left out, as
// in GET /workload/:ns), its Rollouts (null when not served or not allowed) and the cluster
// figures (null for a user who may not list nodes).
func (uc *SummaryUsecase) Summary(ctx context.Context, ns string) (*Summary, error) {
	ctx, span := uc.workloads.start(ctx, "Summary", ns, "", "")
	defer span.End()
	w := uc.workloads
	types, err := w.listableIn(ctx, ns)
	if err != nil {
		return nil, err
	}
	s := &Summary{Namespace: ns, Workloads: make([]WorkloadCount, 0, len(types))}
	for _, a := range types {
		info := a.Info()
		rows := w.rows.Rows(info.Type, inScope(a, ns))
		c := WorkloadCount{Type: info.Type, Plural: info.Plural, Kind: info.Kind, Total: len(rows), States: map[string]int{}}
		for _, r := range rows {
			c.States[r.State]++
		}
		s.Workloads = append(s.Workloads, c)
	}
	if ns == ClusterScope {
		// Rollouts live in namespaces.
	} else if list, err := uc.rollouts.List(ctx, ns, false); err == nil {
		s.Rollouts = &RolloutCounts{Total: len(list), InFlight: []RolloutBrief{}}
		for _, st := range list { // active first
			if st.Active {
				s.Rollouts.Active++
				if len(s.Rollouts.InFlight) < maxBriefs {
					s.Rollouts.InFlight = append(s.Rollouts.InFlight, RolloutBrief{
						Namespace: st.Namespace, Name: st.Name, Phase: st.Phase, Active: st.Active, Paused: st.Paused,
						Disabled: st.Disabled, CurrentStepIndex: st.CurrentStepIndex, CurrentStepState: st.CurrentStepState,
						StepCount: len(st.Steps), WaitingForApproval: st.WaitingForApproval, Workload: st.Workload,
					})
				}
			}
			if st.WaitingForApproval {
				s.Rollouts.Waiting++
			}
		}
	} else if !IsForbidden(err) && !errors.Is(err, ErrNotInstalled) {
		return nil, err
	}
	if ns != ClusterScope {
		if p, err := uc.cluster.PodsIn(ctx, ns); err == nil {
			s.Pods = p
		} else if !IsForbidden(err) {
			return nil, err
		}
	}
	if m, err := uc.cluster.Metrics(ctx); err == nil {
		s.Cluster = m
	} else if !IsForbidden(err) {
		return nil, err
	}
	return s, nil
}
