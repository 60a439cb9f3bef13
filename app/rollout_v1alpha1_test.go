package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rolloutsv1alpha1 "github.com/openkruise/kruise-rollout-api/rollouts/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestRolloutV1alpha1Fallback runs against a cluster like Kruise Rollout < 0.5: the upstream
// Rollout CRD cut down to its v1alpha1 version. The dashboard must find v1beta1 not served, read
// v1alpha1 (workload at spec.objectRef.workloadRef, weights as traffic) and write the same paths.
func TestRolloutV1alpha1Fallback(t *testing.T) {
	skipShort(t)
	ctx := context.Background()
	old, err := localcluster.Start(ctx, localcluster.Options{Dir: t.TempDir(), SkipCRDs: true})
	must(t, "start cluster", err)
	defer old.Stop()
	installV1alpha1RolloutCRD(t, old)

	cfg, err := clientcmd.BuildConfigFromFlags("", old.Kubeconfig)
	must(t, "kubeconfig", err)
	client, err := rolloutclient.NewForConfig(cfg)
	must(t, "rollout client", err)
	ro, err := client.RolloutsV1alpha1().Rollouts("default").Create(ctx, &rolloutsv1alpha1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "default", Annotations: map[string]string{rolloutsv1alpha1.RolloutStyleAnnotation: "canary"}},
		Spec: rolloutsv1alpha1.RolloutSpec{
			ObjectRef: rolloutsv1alpha1.ObjectRef{WorkloadRef: &rolloutsv1alpha1.WorkloadRef{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}},
			Strategy: rolloutsv1alpha1.RolloutStrategy{Canary: &rolloutsv1alpha1.CanaryStrategy{Steps: []rolloutsv1alpha1.CanaryStep{
				{TrafficRoutingStrategy: rolloutsv1alpha1.TrafficRoutingStrategy{Weight: ptr.To[int32](20)}, Replicas: ptr.To(intstr.FromInt32(1))},
				{Replicas: ptr.To(intstr.FromString("100%"))},
			}}},
		},
	}, metav1.CreateOptions{})
	must(t, "create v1alpha1 rollout", err)
	now := metav1.Now()
	ro.Status = rolloutsv1alpha1.RolloutStatus{Phase: rolloutsv1alpha1.RolloutPhaseProgressing, ObservedGeneration: ro.Generation,
		Conditions: []rolloutsv1alpha1.RolloutCondition{{Type: rolloutsv1alpha1.RolloutConditionProgressing, Status: corev1.ConditionTrue, Reason: "InRolling"}},
		CanaryStatus: &rolloutsv1alpha1.CanaryStatus{CurrentStepIndex: 1, CurrentStepState: rolloutsv1alpha1.CanaryStepStatePaused, LastUpdateTime: &now,
			CanaryRevision: "c1", StableRevision: "s1", NextStepIndex: 2}}
	_, err = client.RolloutsV1alpha1().Rollouts("default").UpdateStatus(ctx, ro, metav1.UpdateOptions{})
	must(t, "set status", err)

	dash, err := startDashboard(old.Kubeconfig, adapters.All, true)
	must(t, "start dashboard", err)
	defer dash.stop()

	var st biz.RolloutStatus
	apiclient.Eventually(t, "the v1alpha1 rollout served", 15*time.Second, func() error {
		if err := dash.Get(t, "/rollout/status/default/legacy", &st); err != nil {
			return err
		}
		return nil
	})
	if st.APIVersion != "rollouts.kruise.io/v1alpha1" || st.Workload.Kind != "Deployment" || st.Workload.Type != "deployment" ||
		st.Strategy != "canary" || len(st.Steps) != 2 || *st.Steps[0].Traffic != "20%" || !st.WaitingForApproval || !st.Active {
		t.Errorf("normalised v1alpha1 status: %+v", st)
	}
	var raw map[string]any
	dash.MustOK(t, http.MethodGet, "/rollout/default/legacy", &raw)
	if raw["apiVersion"] != "rollouts.kruise.io/v1alpha1" {
		t.Errorf("GET serves the object as stored, got apiVersion %v", raw["apiVersion"])
	}

	dash.MustOK(t, http.MethodPost, "/rollout/approve/default/legacy", nil)
	dash.MustOK(t, http.MethodPost, "/rollout/pause/default/legacy", nil)
	after, err := client.RolloutsV1alpha1().Rollouts("default").Get(ctx, "legacy", metav1.GetOptions{})
	must(t, "read back", err)
	if after.Status.CanaryStatus.CurrentStepState != rolloutsv1alpha1.CanaryStepStateReady || !after.Spec.Strategy.Paused {
		t.Errorf("approve and pause through v1alpha1: state %s paused %t", after.Status.CanaryStatus.CurrentStepState, after.Spec.Strategy.Paused)
	}
}

// installV1alpha1RolloutCRD installs the upstream Rollout CRD with only its v1alpha1 version,
// stored as is (no conversion), as clusters before v1beta1 had it.
func installV1alpha1RolloutCRD(t *testing.T, c *localcluster.Cluster) {
	t.Helper()
	path, err := localcluster.RolloutCRDs(context.Background())
	must(t, "render rollout CRDs", err)
	raw, err := os.ReadFile(path)
	must(t, "read rollout CRDs", err)
	for _, doc := range strings.Split(string(raw), "\n---\n") {
		var crd map[string]any
		must(t, "parse CRD", yaml.Unmarshal([]byte(doc), &crd))
		if meta, _ := crd["metadata"].(map[string]any); meta == nil || meta["name"] != "rollouts.rollouts.kruise.io" {
			continue
		}
		spec := crd["spec"].(map[string]any)
		delete(spec, "conversion")
		var kept []any
		for _, v := range spec["versions"].([]any) {
			version := v.(map[string]any)
			if version["name"] == "v1alpha1" {
				version["storage"], version["served"] = true, true
				kept = append(kept, version)
			}
		}
		spec["versions"] = kept
		out, err := yaml.Marshal(crd)
		must(t, "encode CRD", err)
		file := filepath.Join(c.Dir, "rollout-v1alpha1-crd.yaml")
		must(t, "write CRD", os.WriteFile(file, out, 0o600))
		cmdOut, err := runKubectl(c.Kubeconfig, "apply", "--server-side", "-f", file)
		must(t, "apply CRD: "+cmdOut, err)
		cmdOut, err = runKubectl(c.Kubeconfig, "wait", "--for=condition=Established", "--timeout=60s", "crd/rollouts.rollouts.kruise.io")
		must(t, "wait for CRD: "+cmdOut, err)
		return
	}
	t.Fatal("the Rollout CRD is not in " + path)
}
