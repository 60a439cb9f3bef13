package biz

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// Pure unit tests of the metrics arithmetic, with in-memory repositories. The endpoint itself
// is tested against a real API server in app/cluster_api_test.go.

type memCluster struct {
	nodes   []*corev1.Node
	pods    []*corev1.Pod
	metrics []metricsv1beta1.NodeMetrics
}

func (m memCluster) Nodes() ([]*corev1.Node, error)            { return m.nodes, nil }
func (m memCluster) NonTerminatedPods() ([]*corev1.Pod, error) { return m.pods, nil }
func (m memCluster) WorkloadOf(*corev1.Pod) (string, string, string, bool) {
	return "", "", "", false
}
func (m memCluster) PodsIn(ns string) ([]*corev1.Pod, error) {
	var out []*corev1.Pod
	for _, p := range m.pods {
		if p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out, nil
}
func (m memCluster) NodeMetrics(context.Context) ([]metricsv1beta1.NodeMetrics, error) {
	if m.metrics == nil {
		return nil, ErrMetricsUnavailable
	}
	return m.metrics, nil
}

type readyCache struct{}

func (readyCache) Ready(adapters.Info) error                               { return nil }
func (readyCache) CoreReady() error                                        { return nil }
func (readyCache) Get(adapters.Info, string) (runtime.Object, bool, error) { return nil, false, nil }

func list(pairs ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(pairs); i += 2 {
		out[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return out
}

func node(name, cpu, mem string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{
		Allocatable: list("cpu", cpu, "memory", mem, "pods", "110"),
		Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
	}}
}

func usage(name, cpu, mem string) metricsv1beta1.NodeMetrics {
	return metricsv1beta1.NodeMetrics{ObjectMeta: metav1.ObjectMeta{Name: name}, Usage: list("cpu", cpu, "memory", mem)}
}

func TestMetricsUsageOverNodesWithMetrics(t *testing.T) {
	cases := []struct {
		name            string
		repo            memCluster
		cpu, mem        *string
		source          string
		nodesWithMetric int
	}{
		{"no metrics API", memCluster{nodes: []*corev1.Node{node("a", "4", "8Gi")}}, nil, nil, UsageUnavailable, 0},
		{"every node measured", memCluster{
			nodes:   []*corev1.Node{node("a", "4", "8Gi"), node("b", "4", "8Gi")},
			metrics: []metricsv1beta1.NodeMetrics{usage("a", "1", "2Gi"), usage("b", "3", "2Gi")},
		}, strPtr("50%"), strPtr("25%"), UsageFromMetricsAPI, 2},
		{"one node without metrics is left out of both sides", memCluster{
			nodes:   []*corev1.Node{node("a", "4", "8Gi"), node("b", "16", "64Gi")},
			metrics: []metricsv1beta1.NodeMetrics{usage("a", "1", "4Gi")},
		}, strPtr("25%"), strPtr("50%"), UsageFromMetricsAPI, 1},
		{"metrics only for unknown nodes", memCluster{
			nodes:   []*corev1.Node{node("a", "4", "8Gi")},
			metrics: []metricsv1beta1.NodeMetrics{usage("gone", "1", "1Gi")},
		}, nil, nil, UsageUnavailable, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewClusterUsecase(c.repo, readyCache{}, nil, noop.NewTracerProvider()).Metrics(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !sameString(m.CPUUsage, c.cpu) || !sameString(m.MemoryUsage, c.mem) || m.UsageSource != c.source || m.NodesWithMetrics != c.nodesWithMetric {
				t.Errorf("got cpu %v mem %v source %s nodes %d", deref(m.CPUUsage), deref(m.MemoryUsage), m.UsageSource, m.NodesWithMetrics)
			}
		})
	}
}

func TestPodRequests(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	cases := []struct {
		name     string
		spec     corev1.PodSpec
		cpu, mem string
	}{
		{"containers add up", corev1.PodSpec{Containers: []corev1.Container{
			{Resources: corev1.ResourceRequirements{Requests: list("cpu", "100m", "memory", "1Gi")}},
			{Resources: corev1.ResourceRequirements{Requests: list("cpu", "200m")}},
		}}, "300m", "1Gi"},
		{"a larger init container wins", corev1.PodSpec{
			InitContainers: []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: list("cpu", "2")}}},
			Containers:     []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: list("cpu", "500m", "memory", "1Gi")}}},
		}, "2", "1Gi"},
		{"sidecars count with the app and beside later init containers", corev1.PodSpec{
			InitContainers: []corev1.Container{
				{RestartPolicy: &always, Resources: corev1.ResourceRequirements{Requests: list("cpu", "1")}},
				{Resources: corev1.ResourceRequirements{Requests: list("cpu", "2")}},
			},
			Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: list("cpu", "500m")}}},
		}, "3", "0"},
		{"overhead is added", corev1.PodSpec{
			Overhead:   list("cpu", "250m"),
			Containers: []corev1.Container{{Resources: corev1.ResourceRequirements{Requests: list("cpu", "250m")}}},
		}, "500m", "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := podRequests(&corev1.Pod{Spec: c.spec})
			if got.Cpu().Cmp(resource.MustParse(c.cpu)) != 0 || got.Memory().Cmp(resource.MustParse(c.mem)) != 0 {
				t.Errorf("got cpu %s memory %s, want %s %s", got.Cpu(), got.Memory(), c.cpu, c.mem)
			}
		})
	}
}

func strPtr(s string) *string { return &s }

func sameString(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}

// TestPodsIn: the overview's pods are the namespace's, every phase counted as `kubectl get pods
// -n` lists them (finished ones too), never the cluster's.
func TestPodsIn(t *testing.T) {
	pod := func(ns, name string, phase corev1.PodPhase) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Status: corev1.PodStatus{Phase: phase}}
	}
	repo := memCluster{pods: []*corev1.Pod{pod("demo", "a", corev1.PodRunning), pod("demo", "b", corev1.PodRunning), pod("demo", "c", corev1.PodSucceeded),
		pod("demo", "d", corev1.PodFailed), pod("demo", "e", corev1.PodPending), pod("demo", "f", ""), pod("other", "g", corev1.PodRunning)}}
	got, err := NewClusterUsecase(repo, readyCache{}, nil, noop.NewTracerProvider()).PodsIn(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	want := PodCounts{Namespace: "demo", Total: 6, Running: 2, Pending: 1, Succeeded: 1, Failed: 1, Other: 1}
	if *got != want {
		t.Errorf("pods %+v, want %+v", *got, want)
	}
}
