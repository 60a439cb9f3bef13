package main

import (
	"context"
	"net/http"
	"testing"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
)

// unitedDeployment is a seventh workload type, written the way ARCHITECTURE.md says a team adds
// one: this struct, its constructor with what the kind is (columns titled in both languages,
// states and their rule, kubectl commands), Pods, and Scale because it declares Scalable.
// Nothing else in the dashboard changes; the test below only adds it to the adapter list.
type unitedDeployment struct{ adapters.Resource }

var _ adapters.Scaler = (*unitedDeployment)(nil)

func newUnitedDeployment(c *adapters.Cluster) *unitedDeployment {
	info := adapters.Info{
		Type: "uniteddeployment", Plural: "uniteddeployments",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("UnitedDeployment"),
		Capabilities: adapters.Capabilities{Scalable: true},
		Columns: []adapters.Column{adapters.ReplicasColumn, adapters.ReadyColumn,
			adapters.StringColumn("subsets", "Subsets", "子集", "status", "currentRevision")},
		States: adapters.ReplicaStates,
		State:  adapters.ReplicaRule{}.State,
	}
	info.Commands = info.KubectlCommands()
	return &unitedDeployment{adapters.NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().UnitedDeployments().Informer() })}
}

// Pods of a UnitedDeployment belong to the workloads of its subsets.
func (u *unitedDeployment) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	subsets, err := adapters.OwnedUIDs(u.Cluster().Kruise.Apps().V1beta1().StatefulSets().Informer(), obj.GetUID())
	if err != nil {
		return nil, err
	}
	return u.Cluster().PodsOwnedBy(subsets...)
}

func (u *unitedDeployment) Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	return u.ScaleSubresource(ctx, namespace, name, replicas)
}

// TestSeventhType serves the extra type with one registration and uses it through the same
// routes as the six built in.
func TestSeventhType(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "seventh")
	withUnited := func(c *adapters.Cluster) []adapters.Adapter {
		return append(adapters.All(c), newUnitedDeployment(c))
	}
	// The shipped declarations include a UnitedDeployment: this test is the Go way instead.
	dash, err := startDashboard(shared.cluster.Kubeconfig, withUnited, true, func(bc *conf.Bootstrap) { bc.Kubernetes.ShippedTypes = false })
	must(t, "start dashboard with a seventh type", err)
	defer dash.stop()

	createUnitedDeployment(t, ns, "united", 2, "zone-a")

	var types []adapters.Info
	dash.MustOK(t, http.MethodGet, "/workload-types", &types)
	last := types[len(types)-1]
	if last.Type != "uniteddeployment" || !last.Capabilities.Scalable || last.Capabilities.Restartable {
		t.Errorf("types endpoint: want uniteddeployment (scalable, not restartable) last, got %+v", last)
	}
	// What the UI draws it from: columns with both titles, its states, its commands.
	if len(last.Columns) != 3 || last.Columns[2].Titles["zh-CN"] != "子集" || len(last.States) == 0 ||
		last.Commands.Scale != "kubectl scale uniteddeployments.apps.kruise.io/{name} -n {namespace} --replicas={replicas}" || last.Commands.Restart != "" {
		t.Errorf("types endpoint: columns %+v states %v commands %+v", last.Columns, last.States, last.Commands)
	}
	got := waitServedBy(t, dash, "uniteddeployment", ns, "united")
	if got.Kind != "UnitedDeployment" {
		t.Errorf("get: kind %q", got.Kind)
	}
	var page struct {
		Items []struct {
			State   string         `json:"state"`
			Columns map[string]any `json:"columns"`
		} `json:"items"`
	}
	dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/uniteddeployment?view=compact", &page)
	// No controller runs here: two replicas wanted, none updated.
	if len(page.Items) != 1 || page.Items[0].State != "updating" || page.Items[0].Columns["replicas"] != 2.0 || page.Items[0].Columns["ready"] != 0.0 {
		t.Errorf("compact row: %+v", page.Items)
	}
	var all map[string][]object
	dash.MustOK(t, http.MethodGet, "/workload/"+ns, &all)
	if len(all["uniteddeployments"]) != 1 {
		t.Errorf("aggregate list should include uniteddeployments: %v", keys(all))
	}
	var scale autoscalingv1.Scale
	dash.MustOK(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/scale?replicas=3", &scale)
	if scale.Spec.Replicas != 3 {
		t.Errorf("scale answer %+v", scale.Spec)
	}
	status, e := dash.Call(t, http.MethodPost, "/workload/"+ns+"/uniteddeployment/united/restart", nil)
	if status != http.StatusBadRequest || e.Code != "BAD_REQUEST" {
		t.Errorf("restart of a type that does not declare it: want 400, got %d %s", status, e.Code)
	}
	var pods podsAnswer
	dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/uniteddeployment/united/pods", &pods)
	if pods.Pods == nil || len(pods.Pods) != 0 {
		t.Errorf("no subset workloads exist, so no pods (as an empty list): %+v", pods.Pods)
	}
}
