package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestClusterMetrics creates two nodes (one Ready) and scheduled pods with requests, and checks
// the figures. The local cluster serves no metrics.k8s.io, so usage must be null and labelled
// unavailable, with requests only under the *_requested names.
func TestClusterMetrics(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "metrics")
	createNode(t, "metrics-node-a", "4", "8Gi", corev1.ConditionTrue)
	createNode(t, "metrics-node-b", "4", "8Gi", corev1.ConditionFalse)
	// 3 CPU and 4Gi requested of 8 CPU and 16Gi allocatable: 38% (37.5 rounded) and 25%.
	createScheduledPod(t, ns, "req-1", "metrics-node-a", "2", "3Gi", corev1.PodRunning)
	createScheduledPod(t, ns, "req-2", "metrics-node-b", "1", "1Gi", corev1.PodRunning)
	// Terminated pods reserve nothing and are not counted.
	createScheduledPod(t, ns, "done", "metrics-node-a", "4", "4Gi", corev1.PodSucceeded)

	var m biz.ClusterMetrics
	apiclient.Eventually(t, "metrics to reflect the nodes and pods", 10*time.Second, func() error {
		shared.dash.MustOK(t, http.MethodGet, "/cluster/metrics", &m)
		want, err := nonTerminatedPods()
		if err != nil {
			return err
		}
		if m.Nodes != 2 || m.CPURequested != "38%" || m.PodCount != want {
			return fmt.Errorf("got %+v, want 2 nodes, cpu_requested 38%%, pod_count %d", m, want)
		}
		return nil
	})
	if m.ReadyNodes != 1 || m.MemoryRequested != "25%" || m.RunningPods != 2 || m.PodCapacity != 220 {
		t.Errorf("got %+v; want ready_nodes 1, memory_requested 25%%, running_pods 2, pod_capacity 220", m)
	}
	if m.CPUUsage != nil || m.MemoryUsage != nil || m.UsageSource != "unavailable" || m.NodesWithMetrics != 0 {
		t.Errorf("without metrics.k8s.io usage must be null and unavailable, got cpu %v memory %v source %q", m.CPUUsage, m.MemoryUsage, m.UsageSource)
	}
}

func nonTerminatedPods() (int, error) {
	pods, err := shared.kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "status.phase!=Succeeded,status.phase!=Failed"})
	if err != nil {
		return 0, err
	}
	return len(pods.Items), nil
}

func createNode(t *testing.T, name, cpu, memory string, ready corev1.ConditionStatus) {
	t.Helper()
	node, err := shared.kube.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	must(t, "create node", err)
	t.Cleanup(func() { _ = shared.kube.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{}) })
	resources := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory), corev1.ResourcePods: resource.MustParse("110")}
	node.Status = corev1.NodeStatus{Capacity: resources, Allocatable: resources,
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}}
	_, err = shared.kube.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	must(t, "set node status", err)
}

func createScheduledPod(t *testing.T, ns, name, node, cpu, memory string, phase corev1.PodPhase) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PodSpec{NodeName: node, RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{
			Name: "main", Image: "busybox:1.36",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)}},
		}}},
	}
	created, err := shared.kube.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	must(t, "create pod", err)
	created.Status.Phase = phase
	_, err = shared.kube.CoreV1().Pods(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	must(t, "set pod phase", err)
}

// TestNamespaces lists namespaces, sorted, including one created by the test.
func TestNamespaces(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "listed")
	var names []string
	shared.dash.MustOK(t, http.MethodGet, "/namespaces", &names)
	if !slices.IsSorted(names) || !slices.Contains(names, ns) || !slices.Contains(names, "default") {
		t.Errorf("want a sorted list with default and %s, got %v", ns, names)
	}
}
