package biz

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/errgroup"

	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// Fleet is every cluster the dashboard serves (app/fleet).
type Fleet interface {
	// Clusters is every registration, the home first, then by name.
	Clusters() []ClusterInfo
	// Members are the connected clusters, the home first, then by name.
	Members() []FleetMember
}

// FleetMember is one connected cluster's use cases, as the views across clusters use them.
type FleetMember struct {
	Name      string
	Home      bool
	Rollouts  *RolloutUsecase
	Workloads *WorkloadUsecase
	Cluster   *ClusterUsecase
	Evidence  *EvidenceUsecase
	Health    func() ClusterHealth
	// On is ctx with the request's identity on this cluster (token mode: reviewed there), or
	// why the person is not signed in there.
	On func(ctx context.Context) (context.Context, error)
}

// ClusterPart is what one cluster contributed to a view across clusters: nothing, with the code
// and message saying why (FORBIDDEN, NOT_SIGNED_IN_HERE, UNAVAILABLE: unreachable or not synced,
// TIMEOUT), or its items ("" code).
type ClusterPart struct {
	Name             string     `json:"name"`
	Home             bool       `json:"home"`
	Reachable        bool       `json:"reachable"`
	UnreachableSince *time.Time `json:"unreachableSince"`
	LastError        string     `json:"lastError"`
	Code             string     `json:"code"`
	Message          string     `json:"message"`
}

// FleetInboxItem is a release waiting for a person, in its cluster, with the evidence's verdict
// ("" when not computed: the person may not see the evidence — it needs the right to list the
// namespace's pods — or that cluster's pods are not cached now).
type FleetInboxItem struct {
	Cluster string `json:"cluster"`
	*RolloutStatus
	Verdict string `json:"verdict"`
}

// FleetInbox is GET /fleet/inbox.
type FleetInbox struct {
	Items    []FleetInboxItem `json:"items"`
	Clusters []ClusterPart    `json:"clusters"`
}

// FleetClusterSummary is one cluster's card in GET /fleet/summary: counts of what the person may
// see there (null: that cluster contributed nothing, its part says why).
type FleetClusterSummary struct {
	ClusterPart
	State     string          `json:"state" enum:"ready,syncing,connecting,unreachable,refused"`
	Versions  ClusterVersions `json:"versions"`
	Waiting   *int            `json:"waiting"`
	Attention *int            `json:"attention"`
	Rollouts  *int            `json:"rollouts"`
	Workloads *int            `json:"workloads"`
}

// FleetSummary is GET /fleet/summary.
type FleetSummary struct {
	Clusters []FleetClusterSummary `json:"clusters"`
}

// AttentionItem is one thing that needs a person: a workload that is not ready or failed, a
// release that is paused, stuck (in flight without a status update for stuckAfter) or whose
// canary is worse than stable.
type AttentionItem struct {
	Cluster   string `json:"cluster"`
	Kind      string `json:"kind" enum:"workload,rollout"`
	Type      string `json:"type"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Reason    string `json:"reason" enum:"unready,failed,paused,stuck,worse,crashloop"`
	Message   string `json:"message"`
	// Since is when the condition began, when a status records it; for a crash loop, when the
	// container last crashed (null: not recorded).
	Since *time.Time `json:"since"`
}

// FleetAttention is GET /fleet/attention.
type FleetAttention struct {
	Items    []AttentionItem `json:"items"`
	Clusters []ClusterPart   `json:"clusters"`
}

// FleetApproveItem is one release of a bulk approval across clusters.
type FleetApproveItem struct {
	Cluster string `json:"cluster"`
	ApproveItem
}

// FleetApproveOutcome is the result of one item.
type FleetApproveOutcome struct {
	Cluster string `json:"cluster"`
	ApproveOutcome
}

// stuckAfter: a release in flight, neither waiting for a person nor paused, whose status has not
// changed for this long is "stuck".
const stuckAfter = 15 * time.Minute

// partTimeout bounds each cluster's part of a view: a slow cluster is reported, never waited for.
const partTimeout = 3 * time.Second

// FleetUsecase is the views across clusters. Each cluster's part runs as the person on that
// cluster, through that cluster's own use cases (so its RBAC decides), within partTimeout.
type FleetUsecase struct {
	fleet    Fleet
	tracer   trace.Tracer
	verdicts sync.Map // verdictKey -> verdictEntry
}

type verdictKey struct{ cluster, ns, name, revision string }

type verdictEntry struct {
	verdict string
	at      time.Time
}

// verdictTTL is how long an inbox verdict is reused (the evidence's window is minutes).
const verdictTTL = 15 * time.Second

// NewFleetUsecase builds the fleet use case.
func NewFleetUsecase(f Fleet, tp trace.TracerProvider) *FleetUsecase {
	return &FleetUsecase{fleet: f, tracer: tp.Tracer("biz")}
}

func (uc *FleetUsecase) start(ctx context.Context, op string) (context.Context, trace.Span) {
	return uc.tracer.Start(ctx, "FleetUsecase."+op)
}

// Clusters lists every registered cluster and its state (every signed-in person sees them).
func (uc *FleetUsecase) Clusters(ctx context.Context) ([]ClusterInfo, error) {
	_, span := uc.start(ctx, "Clusters")
	defer span.End()
	return uc.fleet.Clusters(), nil
}

// each runs part for every member in parallel, as the person on that member, and returns each
// member's part (with why it contributed nothing).
func (uc *FleetUsecase) each(ctx context.Context, part func(ctx context.Context, m FleetMember) error) []ClusterPart {
	members := uc.fleet.Members()
	parts := make([]ClusterPart, len(members))
	var g errgroup.Group
	for i, m := range members {
		h := m.Health()
		parts[i] = ClusterPart{Name: m.Name, Home: m.Home, Reachable: h.Reachable, LastError: h.LastError}
		if !h.UnreachableSince.IsZero() {
			since := h.UnreachableSince
			parts[i].UnreachableSince = &since
		}
		g.Go(func() error {
			ctx, cancel := context.WithTimeout(ctx, partTimeout)
			defer cancel()
			err := func() error {
				ctx, err := m.On(ctx)
				if err != nil {
					return err
				}
				return part(ctx, m)
			}()
			if err != nil {
				parts[i].Code, parts[i].Message = partError(m.Name, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	return parts
}

func partError(cluster string, err error) (string, string) {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code, e.Message
	case errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable, fmt.Sprintf("cluster %s did not answer within %s", cluster, partTimeout)
	default:
		return CodeInternal, "internal error"
	}
}

// Inbox is every release waiting for a person in every cluster, in the namespaces the person
// may read there, with the evidence's verdict; then by cluster (home first), namespace, name.
func (uc *FleetUsecase) Inbox(ctx context.Context) (*FleetInbox, error) {
	ctx, span := uc.start(ctx, "Inbox")
	defer span.End()
	items, parts := gather(uc, ctx, func(ctx context.Context, m FleetMember) ([]FleetInboxItem, error) {
		waiting, err := m.Rollouts.Waiting(ctx)
		if err != nil {
			return nil, err
		}
		items := make([]FleetInboxItem, 0, len(waiting))
		pods := m.Health().PodsCached
		for _, st := range waiting {
			items = append(items, FleetInboxItem{Cluster: m.Name, RolloutStatus: st, Verdict: uc.verdict(ctx, m, st, pods)})
		}
		return items, nil
	}, func(it FleetInboxItem) [3]string { return [3]string{it.Cluster, it.Namespace, it.Name} })
	span.SetAttributes(attribute.Int("items", len(items)))
	return &FleetInbox{Items: items, Clusters: parts}, nil
}

// gather runs part for every member and returns the items in cluster order (home first), then
// by the rest of their key, with each cluster's part.
func gather[T any](uc *FleetUsecase, ctx context.Context, part func(context.Context, FleetMember) ([]T, error), key func(T) [3]string) ([]T, []ClusterPart) {
	var mu sync.Mutex
	items := []T{}
	parts := uc.each(ctx, func(ctx context.Context, m FleetMember) error {
		got, err := part(ctx, m)
		if err != nil {
			return err
		}
		mu.Lock()
		items = append(items, got...)
		mu.Unlock()
		return nil
	})
	order := clusterOrder(parts)
	sort.SliceStable(items, func(i, j int) bool {
		a, b := key(items[i]), key(items[j])
		if a[0] != b[0] {
			return order[a[0]] < order[b[0]]
		}
		if a[1] != b[1] {
			return a[1] < b[1]
		}
		return a[2] < b[2]
	})
	return items, parts
}

func clusterOrder(parts []ClusterPart) map[string]int {
	order := make(map[string]int, len(parts))
	for i, p := range parts {
		order[p.Name] = i
	}
	return order
}

// verdict is the evidence's verdict of the release, as the person may see it (reused for
// verdictTTL per release and canary revision); "" when it is not computed: the person may not see
// the evidence, or the cluster's pods are not cached (the evidence needs the release's pods, and
// the fleet views must not start a cluster's pod cache: opening the release does).
func (uc *FleetUsecase) verdict(ctx context.Context, m FleetMember, st *RolloutStatus, podsCached bool) string {
	if !podsCached {
		return ""
	}
	key := verdictKey{m.Name, st.Namespace, st.Name, st.CanaryRevision}
	if v, ok := uc.verdicts.Load(key); ok && time.Since(v.(verdictEntry).at) < verdictTTL {
		// Only the person's right to see the evidence is checked again.
		if Authorize(ctx, m.Rollouts.access, Attributes{Verb: "list", Resource: "pods", Namespace: st.Namespace}) == nil {
			return v.(verdictEntry).verdict
		}
		return ""
	}
	res, err := m.Evidence.Evidence(ctx, st.Namespace, st.Name)
	if err != nil {
		if IsForbidden(err) {
			return ""
		}
		return string(evidence.Unavailable)
	}
	uc.verdicts.Store(key, verdictEntry{verdict: string(res.Verdict), at: time.Now()})
	return string(res.Verdict)
}

// Attention is what needs a person across clusters: workloads not ready or failed, releases
// paused, stuck or worse than stable.
func (uc *FleetUsecase) Attention(ctx context.Context) (*FleetAttention, error) {
	ctx, span := uc.start(ctx, "Attention")
	defer span.End()
	items, parts := gather(uc, ctx, func(ctx context.Context, m FleetMember) ([]AttentionItem, error) {
		items, _, err := uc.attentionIn(ctx, m)
		return items, err
	}, func(it AttentionItem) [3]string { return [3]string{it.Cluster, it.Namespace, it.Type + "/" + it.Name} })
	span.SetAttributes(attribute.Int("items", len(items)))
	return &FleetAttention{Items: items, Clusters: parts}, nil
}

// counts are one cluster's figures for the summary.
type counts struct{ waiting, rollouts, workloads int }

// attentionIn is m's attention items and counts, as the person may see them there.
func (uc *FleetUsecase) attentionIn(ctx context.Context, m FleetMember) ([]AttentionItem, counts, error) {
	var c counts
	var items []AttentionItem
	rollouts, err := m.Rollouts.List(ctx, AllNamespaces, false)
	if err != nil && !errors.Is(err, ErrNotInstalled) {
		return nil, c, err
	}
	now, pods := time.Now(), m.Health().PodsCached
	for _, st := range rollouts {
		c.rollouts++
		it := AttentionItem{Cluster: m.Name, Kind: "rollout", Type: "rollouts", Namespace: st.Namespace, Name: st.Name}
		switch {
		case st.WaitingForApproval:
			c.waiting++
			if v := uc.verdict(ctx, m, st, pods); v == string(evidence.Worse) {
				it.Reason, it.Message = "worse", fmt.Sprintf("step %d waits for approval and the canary is worse than stable", st.CurrentStepIndex)
			}
		case st.Paused:
			it.Reason, it.Message = "paused", "the release is paused (spec.strategy paused)"
		case st.Active && st.LastUpdateTime != nil && now.Sub(st.LastUpdateTime.Time) > stuckAfter:
			it.Reason, it.Message = "stuck", fmt.Sprintf("in flight at step %d (%s) with no status change for over %s", st.CurrentStepIndex, st.CurrentStepState, stuckAfter)
			since := st.LastUpdateTime.UTC()
			it.Since = &since
		}
		if it.Reason != "" {
			items = append(items, it)
		}
	}
	if m.Cluster != nil && m.Health().PodsCached {
		loops, err := m.Cluster.CrashLoops(ctx)
		if err != nil {
			return nil, c, err
		}
		items = append(items, crashLoopItems(m, loops)...)
	}
	total, unready, err := m.Workloads.Attention(ctx)
	if err != nil {
		return nil, c, err
	}
	c.workloads = total
	for _, it := range unready {
		it.Cluster = m.Name
		items = append(items, it)
	}
	return items, c, nil
}

// crashLoopItems are the workloads over crash-looping containers, one item each (pod-level
// signals: only from clusters whose pods are cached, i.e. in use).
func crashLoopItems(m FleetMember, loops []CrashLoop) []AttentionItem {
	var out []AttentionItem
	seen := map[string]bool{}
	for _, l := range loops {
		typ, ok := m.Workloads.TypeOf(l.Group, l.Kind)
		key := typ + "/" + l.Namespace + "/" + l.Workload
		if !ok || l.Workload == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, AttentionItem{Cluster: m.Name, Kind: "workload", Type: typ, Namespace: l.Namespace, Name: l.Workload, Reason: "crashloop",
			Message: fmt.Sprintf("container %s of pod %s restarts after crashing (CrashLoopBackOff, %d restarts)", l.Container, l.Pod, l.Restarts), Since: l.LastCrash})
	}
	return out
}

// Summary is a card per cluster: its state and versions, and how many releases wait, things need
// attention, Rollouts and workloads there are that the person may see.
func (uc *FleetUsecase) Summary(ctx context.Context) (*FleetSummary, error) {
	ctx, span := uc.start(ctx, "Summary")
	defer span.End()
	info := map[string]ClusterInfo{}
	for _, c := range uc.fleet.Clusters() {
		info[c.Name] = c
	}
	var mu sync.Mutex
	figures := map[string]FleetClusterSummary{}
	parts := uc.each(ctx, func(ctx context.Context, m FleetMember) error {
		items, c, err := uc.attentionIn(ctx, m)
		if err != nil {
			return err
		}
		n := len(items)
		mu.Lock()
		figures[m.Name] = FleetClusterSummary{Waiting: &c.waiting, Attention: &n, Rollouts: &c.rollouts, Workloads: &c.workloads}
		mu.Unlock()
		return nil
	})
	out := &FleetSummary{Clusters: make([]FleetClusterSummary, 0, len(parts))}
	for _, p := range parts {
		s := figures[p.Name]
		s.ClusterPart, s.State, s.Versions = p, info[p.Name].State, info[p.Name].Versions
		out.Clusters = append(out.Clusters, s)
	}
	return out, nil
}

// maxFleetApprovals bounds one bulk approval across clusters.
const maxFleetApprovals = 100

// ApproveMany approves each item's step in its cluster, if that step is still the one waiting,
// as the person on that cluster (each cluster's RBAC and the reason policy decide per item).
func (uc *FleetUsecase) ApproveMany(ctx context.Context, items []FleetApproveItem, reason string) ([]FleetApproveOutcome, error) {
	ctx, span := uc.start(ctx, "ApproveMany")
	defer span.End()
	if len(items) == 0 || len(items) > maxFleetApprovals {
		return nil, BadRequest("items must list 1 to %d releases to approve, got %d", maxFleetApprovals, len(items))
	}
	if err := validReason(reason); err != nil {
		return nil, err
	}
	members := map[string]FleetMember{}
	for _, m := range uc.fleet.Members() {
		members[m.Name] = m
	}
	out := make([]FleetApproveOutcome, len(items))
	byCluster := map[string][]int{}
	for i, it := range items {
		out[i] = FleetApproveOutcome{Cluster: it.Cluster, ApproveOutcome: ApproveOutcome{ApproveItem: it.ApproveItem}}
		if _, ok := members[it.Cluster]; !ok {
			out[i].Code, out[i].Message = "CLUSTER_NOT_FOUND", fmt.Sprintf("no connected cluster is named %q", it.Cluster)
			continue
		}
		byCluster[it.Cluster] = append(byCluster[it.Cluster], i)
	}
	var g errgroup.Group
	for name, idx := range byCluster {
		m := members[name]
		g.Go(func() error {
			ctx, err := m.On(ctx)
			if err != nil {
				code, msg := partError(name, err)
				for _, i := range idx {
					out[i].Code, out[i].Message = code, msg
				}
				return nil
			}
			batch := make([]ApproveItem, len(idx))
			for k, i := range idx {
				batch[k] = items[i].ApproveItem
			}
			res, err := m.Rollouts.ApproveMany(ctx, batch, reason)
			for k, i := range idx {
				if err != nil {
					out[i].Code, out[i].Message = partError(name, err)
					continue
				}
				out[i].ApproveOutcome = res[k]
			}
			return nil
		})
	}
	_ = g.Wait()
	return out, nil
}
