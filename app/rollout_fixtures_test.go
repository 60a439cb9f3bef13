package main

import (
	"encoding/json"
	"sync"
	"testing"

	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// No Rollout controller runs in the basic local cluster: tests write realistic statuses through
// the status subresource, as the controller would, and assert what the dashboard writes.

var rollouts struct {
	once   sync.Once
	client rolloutclient.Interface
	err    error
}

// rolloutClient is the admin Rollout clientset of the shared cluster.
func rolloutClient(t testing.TB) rolloutclient.Interface {
	rollouts.once.Do(func() {
		cfg, err := clientcmd.BuildConfigFromFlags("", shared.cluster.Kubeconfig)
		if err != nil {
			rollouts.err = err
			return
		}
		cfg.QPS, cfg.Burst = 500, 1000
		rollouts.client, rollouts.err = rolloutclient.NewForConfig(cfg)
	})
	must(t, "rollout client", rollouts.err)
	return rollouts.client
}

// threeSteps is a plan with a manual pause, a timed pause, and the final full step.
func threeSteps() []rolloutsv1beta1.CanaryStep {
	return []rolloutsv1beta1.CanaryStep{
		{Replicas: ptr.To(intstr.FromInt32(1)), Pause: rolloutsv1beta1.RolloutPause{}},
		{Replicas: ptr.To(intstr.FromString("50%")), Pause: rolloutsv1beta1.RolloutPause{Duration: ptr.To[int32](60)}},
		{Replicas: ptr.To(intstr.FromString("100%"))},
	}
}

// createRollout creates a v1beta1 Rollout of workload (apiVersion, kind, name).
func createRollout(t testing.TB, ns, name string, ref rolloutsv1beta1.ObjectRef, strategy rolloutsv1beta1.RolloutStrategy) *rolloutsv1beta1.Rollout {
	t.Helper()
	return createRolloutWith(t, rolloutClient(t), ns, name, ref, strategy)
}

// createRolloutWith creates the Rollout through client (another cluster's).
func createRolloutWith(t testing.TB, client rolloutclient.Interface, ns, name string, ref rolloutsv1beta1.ObjectRef, strategy rolloutsv1beta1.RolloutStrategy) *rolloutsv1beta1.Rollout {
	t.Helper()
	ro, err := client.RolloutsV1beta1().Rollouts(ns).Create(ctx, &rolloutsv1beta1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       rolloutsv1beta1.RolloutSpec{WorkloadRef: ref, Strategy: strategy},
	}, metav1.CreateOptions{})
	must(t, "create rollout "+name, err)
	return ro
}

func canaryStrategy(extraWorkload bool) rolloutsv1beta1.RolloutStrategy {
	return rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: threeSteps(), EnableExtraWorkloadForCanary: extraWorkload}}
}

func refTo(apiVersion, kind, name string) rolloutsv1beta1.ObjectRef {
	return rolloutsv1beta1.ObjectRef{APIVersion: apiVersion, Kind: kind, Name: name}
}

// setInRolling writes the status the controller writes while a release waits in step `step`.
func setInRolling(t testing.TB, ro *rolloutsv1beta1.Rollout, step int32, state rolloutsv1beta1.CanaryStepState, blueGreen bool) *rolloutsv1beta1.Rollout {
	t.Helper()
	return setInRollingWith(t, rolloutClient(t), ro, step, state, blueGreen)
}

// setInRollingWith writes the status through client (another cluster's).
func setInRollingWith(t testing.TB, client rolloutclient.Interface, ro *rolloutsv1beta1.Rollout, step int32, state rolloutsv1beta1.CanaryStepState, blueGreen bool) *rolloutsv1beta1.Rollout {
	t.Helper()
	now := metav1.Now()
	common := rolloutsv1beta1.CommonStatus{
		ObservedWorkloadGeneration: 2, StableRevision: "stable-hash", PodTemplateHash: "canary-hash",
		CurrentStepIndex: step, CurrentStepState: state, NextStepIndex: step + 1, LastUpdateTime: &now,
		Message: "BatchRelease is at state Ready, rollout-id , step " + string(rune('0'+step)),
	}
	ro.Status = rolloutsv1beta1.RolloutStatus{
		ObservedGeneration: ro.Generation, Phase: rolloutsv1beta1.RolloutPhaseProgressing, Message: "Rollout is in step",
		CurrentStepIndex: step, CurrentStepState: state,
		Conditions: []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionTrue,
			Reason: rolloutsv1beta1.ProgressingReasonInRolling, LastUpdateTime: now, LastTransitionTime: now}},
	}
	if blueGreen {
		ro.Status.BlueGreenStatus = &rolloutsv1beta1.BlueGreenStatus{CommonStatus: common, UpdatedRevision: "canary-hash", UpdatedReplicas: 2, UpdatedReadyReplicas: 1}
	} else {
		ro.Status.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: common, CanaryRevision: "canary-hash", CanaryReplicas: 1, CanaryReadyReplicas: 1}
	}
	updated, err := client.RolloutsV1beta1().Rollouts(ro.Namespace).UpdateStatus(ctx, ro, metav1.UpdateOptions{})
	must(t, "set rollout status", err)
	return updated
}

// setHealthy writes the status of a Rollout with no release in flight.
func setHealthy(t testing.TB, ro *rolloutsv1beta1.Rollout) *rolloutsv1beta1.Rollout {
	t.Helper()
	now := metav1.Now()
	ro.Status = rolloutsv1beta1.RolloutStatus{ObservedGeneration: ro.Generation, Phase: rolloutsv1beta1.RolloutPhaseHealthy, Message: "rollout is healthy",
		Conditions: []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionFalse,
			Reason: rolloutsv1beta1.ProgressingReasonCompleted, LastUpdateTime: now, LastTransitionTime: now}}}
	updated, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ro.Namespace).UpdateStatus(ctx, ro, metav1.UpdateOptions{})
	must(t, "set rollout status", err)
	return updated
}

// createControllerRevision stores tmpl as revision n of owner, in the form Kruise's controllers
// write: data = {"spec":{"template":{...,"$patch":"replace"}}}.
func createControllerRevision(t testing.TB, owner metav1.Object, gvk schema.GroupVersionKind, name string, n int64, tmpl corev1.PodTemplateSpec) {
	t.Helper()
	raw, err := json.Marshal(tmpl)
	must(t, "encode template", err)
	var fields map[string]any
	must(t, "template fields", json.Unmarshal(raw, &fields))
	fields["$patch"] = "replace"
	data, err := json.Marshal(map[string]any{"spec": map[string]any{"template": fields}})
	must(t, "encode revision", err)
	_, err = shared.kube.AppsV1().ControllerRevisions(owner.GetNamespace()).Create(ctx, &appsv1.ControllerRevision{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: owner.GetNamespace(), Labels: labelsFor(owner.GetName()),
			OwnerReferences: []metav1.OwnerReference{ownerRef(owner, gvk)}},
		Revision: n, Data: runtime.RawExtension{Raw: data},
	}, metav1.CreateOptions{})
	must(t, "create controller revision "+name, err)
}
