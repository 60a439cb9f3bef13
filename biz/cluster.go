package biz

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	corev1 "k8s.io/api/core/v1"
)

// ErrMetricsUnavailable is returned by ClusterRepo.NodeMetrics when metrics.k8s.io is not served
// or has no data yet.
var ErrMetricsUnavailable = errors.New("metrics.k8s.io unavailable")

// Usage sources reported in ClusterMetrics.UsageSource.
const (
	UsageFromMetricsAPI = "metrics.k8s.io"
	UsageUnavailable    = "unavailable"
)

// ClusterMetrics is the answer of GET /cluster/metrics. Usage is measured (metrics.k8s.io) over
// node allocatable, as `kubectl top node`; requests are what pods reserve, and are never reported
// as usage.
type ClusterMetrics struct {
	Nodes      int `json:"nodes"`
	ReadyNodes int `json:"ready_nodes"`
	// CPUUsage and MemoryUsage are percentages like "45%", or null without metrics.k8s.io.
	CPUUsage    *string `json:"cpu_usage"`
	MemoryUsage *string `json:"memory_usage"`
	UsageSource string  `json:"usage_source"`
	// NodesWithMetrics is how many nodes the usage covers (numerator and denominator alike).
	NodesWithMetrics int `json:"nodes_with_metrics"`
	// CPURequested and MemoryRequested are the requests of scheduled non-terminated pods over
	// allocatable, like the "Allocated resources" of `kubectl describe node`.
	CPURequested    string `json:"cpu_requested"`
	MemoryRequested string `json:"memory_requested"`
	// PodCount counts non-terminated pods; RunningPods those in phase Running.
	PodCount    int   `json:"pod_count"`
	RunningPods int   `json:"running_pods"`
	PodCapacity int64 `json:"pod_capacity"`
}

// ClusterUsecase serves GET /cluster/metrics from figures computed in the background: a request
// costs an access check and a pointer read, whatever the size of the cluster.
type ClusterUsecase struct {
	repo   ClusterRepo
	cache  Cache
	access Access
	tracer trace.Tracer

	figures    atomic.Pointer[clusterFigures]
	computing  sync.Mutex  // one computation at a time
	refreshing atomic.Bool // a background refresh is under way
	usage      atomic.Pointer[usageReading]
}

// How old the figures may be: nodes and pods come from the informers (cheap, so at most a
// second behind), usage from metrics.k8s.io (polled, as metrics-server itself samples every 15 s).
const (
	figuresMaxAge = time.Second
	usageMaxAge   = 15 * time.Second
)

type clusterFigures struct {
	m   *ClusterMetrics
	err error
	at  time.Time
}

type usageReading struct {
	sums *usageSums
	err  error
	at   time.Time
}

// NewClusterUsecase builds the cluster use case.
func NewClusterUsecase(repo ClusterRepo, c Cache, access Access, tp trace.TracerProvider) *ClusterUsecase {
	return &ClusterUsecase{repo: repo, cache: c, access: access, tracer: tp.Tracer("biz")}
}

// Metrics returns the cluster figures: the last computed ones, refreshed in the background once
// they are older than figuresMaxAge (the first request computes them).
func (uc *ClusterUsecase) Metrics(ctx context.Context) (*ClusterMetrics, error) {
	ctx, span := uc.tracer.Start(ctx, "ClusterUsecase.Metrics")
	defer span.End()
	// The figures describe every node and pod: cluster-wide readers only.
	if err := Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "nodes"}); err != nil {
		return nil, err
	}
	if err := uc.cache.CoreReady(); err != nil {
		return nil, err
	}
	f := uc.figures.Load()
	if f == nil {
		// The figures are the dashboard's own reading (no user in the context), shared by
		// every cluster-wide reader; the trace still shows the computation.
		detached, cancel := context.WithTimeout(trace.ContextWithSpan(context.Background(), span), 10*time.Second)
		defer cancel()
		f = uc.compute(detached)
	} else if time.Since(f.at) > figuresMaxAge && uc.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer uc.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			uc.compute(ctx)
		}()
	}
	span.SetAttributes(attribute.String("figures.age", time.Since(f.at).Round(time.Millisecond).String()))
	if f.err != nil {
		return nil, f.err
	}
	m := *f.m
	return &m, nil
}

// compute recomputes the figures (one computation at a time) and keeps them.
func (uc *ClusterUsecase) compute(ctx context.Context) *clusterFigures {
	uc.computing.Lock()
	defer uc.computing.Unlock()
	if f := uc.figures.Load(); f != nil && time.Since(f.at) < figuresMaxAge {
		return f // computed while this one waited
	}
	started := time.Now()
	m, err := uc.figuresNow(ctx)
	f := &clusterFigures{m: m, err: err, at: started}
	uc.figures.Store(f)
	return f
}

func (uc *ClusterUsecase) figuresNow(ctx context.Context) (*ClusterMetrics, error) {
	nodes, err := uc.repo.Nodes()
	if err != nil {
		return nil, FromKube(err, "nodes")
	}
	pods, err := uc.repo.NonTerminatedPods()
	if err != nil {
		return nil, FromKube(err, "pods")
	}
	m := &ClusterMetrics{Nodes: len(nodes), PodCount: len(pods), UsageSource: UsageUnavailable}
	var cpuAlloc, memAlloc int64
	for _, n := range nodes {
		if nodeReady(n) {
			m.ReadyNodes++
		}
		cpuAlloc += n.Status.Allocatable.Cpu().MilliValue()
		memAlloc += n.Status.Allocatable.Memory().Value()
		m.PodCapacity += n.Status.Allocatable.Pods().Value()
	}
	var cpuReq, memReq int64
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning {
			m.RunningPods++
		}
		if p.Spec.NodeName == "" {
			continue // not scheduled: reserves nothing on a node yet
		}
		req := podRequests(p)
		cpuReq += req.Cpu().MilliValue()
		memReq += req.Memory().Value()
	}
	m.CPURequested, m.MemoryRequested = percent(cpuReq, cpuAlloc), percent(memReq, memAlloc)

	usage, err := uc.usageOf(ctx, nodes)
	switch {
	case errors.Is(err, ErrMetricsUnavailable):
	case err != nil:
		return nil, FromKube(err, "node metrics")
	default:
		m.UsageSource, m.NodesWithMetrics = UsageFromMetricsAPI, usage.nodes
		cpu, mem := percent(usage.cpuUsed, usage.cpuAlloc), percent(usage.memUsed, usage.memAlloc)
		m.CPUUsage, m.MemoryUsage = &cpu, &mem
	}
	return m, nil
}

// PodCounts are a namespace's pods by phase, counted as `kubectl get pods -n <ns>` lists them:
// every pod, finished ones (Succeeded, Failed) included; Other is Unknown or no phase yet.
type PodCounts struct {
	Namespace string `json:"namespace"`
	Total     int    `json:"total"`
	Running   int    `json:"running"`
	Pending   int    `json:"pending"`
	Succeeded int    `json:"succeeded"`
	Failed    int    `json:"failed"`
	Other     int    `json:"other"`
}

// PodsIn counts ns's pods by phase, for a user who may list them there.
func (uc *ClusterUsecase) PodsIn(ctx context.Context, ns string) (*PodCounts, error) {
	ctx, span := uc.tracer.Start(ctx, "ClusterUsecase.PodsIn")
	defer span.End()
	if err := ValidateNamespace(ns); err != nil {
		return nil, err
	}
	if err := Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "pods", Namespace: ns}); err != nil {
		return nil, err
	}
	if err := uc.cache.CoreReady(); err != nil {
		return nil, err
	}
	pods, err := uc.repo.PodsIn(ns)
	if err != nil {
		return nil, FromKube(err, "pods in "+ns)
	}
	c := &PodCounts{Namespace: ns, Total: len(pods)}
	for _, p := range pods {
		switch p.Status.Phase {
		case corev1.PodRunning:
			c.Running++
		case corev1.PodPending:
			c.Pending++
		case corev1.PodSucceeded:
			c.Succeeded++
		case corev1.PodFailed:
			c.Failed++
		default:
			c.Other++
		}
	}
	return c, nil
}

type usageSums struct {
	nodes                                int
	cpuUsed, cpuAlloc, memUsed, memAlloc int64
}

// usageOf is the last metrics.k8s.io reading, read again once older than usageMaxAge.
func (uc *ClusterUsecase) usageOf(ctx context.Context, nodes []*corev1.Node) (*usageSums, error) {
	if u := uc.usage.Load(); u != nil && time.Since(u.at) < usageMaxAge {
		return u.sums, u.err
	}
	started := time.Now()
	sums, err := uc.readUsage(ctx, nodes)
	uc.usage.Store(&usageReading{sums: sums, err: err, at: started})
	return sums, err
}

// readUsage sums metrics over the nodes that have metrics, so both sides of the ratio cover the
// same nodes.
func (uc *ClusterUsecase) readUsage(ctx context.Context, nodes []*corev1.Node) (*usageSums, error) {
	metrics, err := uc.repo.NodeMetrics(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*corev1.Node, len(nodes))
	for _, n := range nodes {
		byName[n.Name] = n
	}
	s := &usageSums{}
	for _, nm := range metrics {
		n, ok := byName[nm.Name]
		if !ok {
			continue
		}
		s.nodes++
		s.cpuUsed += nm.Usage.Cpu().MilliValue()
		s.memUsed += nm.Usage.Memory().Value()
		s.cpuAlloc += n.Status.Allocatable.Cpu().MilliValue()
		s.memAlloc += n.Status.Allocatable.Memory().Value()
	}
	if s.nodes == 0 {
		return nil, fmt.Errorf("%w: no node has metrics yet", ErrMetricsUnavailable)
	}
	return s, nil
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podRequests is what a pod reserves, as kubectl computes it: the larger of the sum over app
// containers (with restartable init containers, i.e. sidecars) and the largest init container,
// plus the pod overhead.
func podRequests(p *corev1.Pod) corev1.ResourceList {
	sum := corev1.ResourceList{}
	for _, c := range p.Spec.Containers {
		addTo(sum, c.Resources.Requests)
	}
	sidecars := corev1.ResourceList{}
	for _, c := range p.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addTo(sum, c.Resources.Requests)
			addTo(sidecars, c.Resources.Requests)
			continue
		}
		// An ordinary init container runs alone beside the sidecars started before it.
		need := sidecars.DeepCopy()
		addTo(need, c.Resources.Requests)
		for name, q := range need {
			if cur, ok := sum[name]; !ok || q.Cmp(cur) > 0 {
				sum[name] = q
			}
		}
	}
	addTo(sum, p.Spec.Overhead)
	return sum
}

func addTo(total, add corev1.ResourceList) {
	for name, q := range add {
		cur := total[name]
		cur.Add(q)
		total[name] = cur
	}
}

func percent(part, whole int64) string {
	if whole <= 0 {
		return "0%"
	}
	return fmt.Sprintf("%d%%", int64(math.Round(100*float64(part)/float64(whole))))
}
