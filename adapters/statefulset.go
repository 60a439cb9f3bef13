package adapters

import (
	"context"
	"time"

	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// StatefulSet is OpenKruise's Advanced StatefulSet (apps.kruise.io/v1beta1).
type StatefulSet struct{ Resource }

// NewStatefulSet builds the statefulset adapter.
func NewStatefulSet(c *Cluster) *StatefulSet {
	info := Info{
		Type: "statefulset", Plural: "statefulsets",
		Title:        "Advanced StatefulSet",
		GVK:          kruiseappsv1beta1.SchemeGroupVersion.WithKind("StatefulSet"),
		Capabilities: Capabilities{Scalable: true, Restartable: true, ImageSettable: true},
		Columns:      []Column{ReplicasColumn, ReadyColumn, UpToDateColumn, AvailableColumn, UpdateRevisionColumn, CurrentRevisionColumn},
		States:       ReplicaStates,
		State:        ReplicaRule{Paused: rollingUpdatePaused, Held: rollingUpdatePartition}.State,
	}
	// statefulsets.apps.kruise.io for kubectl and asts for kubectl-kruise: "statefulset" alone
	// is apps/v1's to both.
	info.Commands = info.KubectlCommands()
	info.Commands.Restart = info.templateRestartCommand()
	info.Commands.KruiseResource = "asts"
	info.Commands.SetImage = info.Commands.kruiseSetImage(info)
	return &StatefulSet{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1beta1().StatefulSets().Informer() })}
}

var (
	_ Scaler             = (*StatefulSet)(nil)
	_ Restarter          = (*StatefulSet)(nil)
	_ Revisioner         = (*StatefulSet)(nil)
	_ ContainerRestarter = (*StatefulSet)(nil)
)

// rollingUpdatePaused is Kruise's pause of a rolling update (Advanced StatefulSet and DaemonSet).
func rollingUpdatePaused(o Object) bool {
	return o.True("spec", "updateStrategy", "rollingUpdate", "paused")
}

// rollingUpdatePartition is how many pods the partition keeps at the old revision.
func rollingUpdatePartition(o Object, desired float64) float64 {
	if p, ok := o.Map("spec", "updateStrategy", "rollingUpdate")["partition"].(float64); ok {
		return min(desired, max(0, p))
	}
	return 0
}

func (s *StatefulSet) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return s.Cluster().PodsOwnedBy(obj.GetUID())
}

func (s *StatefulSet) Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	return s.ScaleSubresource(ctx, namespace, name, replicas)
}

func (s *StatefulSet) RestartPatch(_ runtime.Object, at time.Time) ([]byte, error) {
	return TemplateAnnotationPatch(at.Format(time.RFC3339)), nil
}

// Revisions are the StatefulSet's ControllerRevisions.
func (s *StatefulSet) Revisions(obj metav1.Object) ([]Revision, error) {
	return s.Cluster().controllerRevisions(obj)
}

func (s *StatefulSet) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	sts, err := as[*kruiseappsv1beta1.StatefulSet](obj)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	return sts.Spec.Template, nil
}

// ContainerRestartPatch follows spec.updateStrategy: OnDelete never restarts; the rolling
// update's podUpdatePolicy decides between recreate and in place.
func (s *StatefulSet) ContainerRestartPatch(obj runtime.Object, at time.Time) (Patch, error) {
	sts, err := as[*kruiseappsv1beta1.StatefulSet](obj)
	if err != nil {
		return Patch{}, err
	}
	style, reason := recreatesPods, ""
	policy := kruiseappsv1beta1.RecreatePodUpdateStrategyType
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.PodUpdatePolicy != "" {
		policy = ru.PodUpdatePolicy
	}
	switch {
	case sts.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		style, reason = refusesRestart, "updateStrategy OnDelete replaces pods only when they are deleted"
	case policy == kruiseappsv1beta1.InPlaceIfPossiblePodUpdateStrategyType:
		style = updatesInPlace
	case policy == kruiseappsv1beta1.InPlaceOnlyPodUpdateStrategyType:
		style, reason = refusesRestart, "podUpdatePolicy InPlaceOnly allows only image changes; restart by ContainerRecreateRequest is not supported yet"
	}
	return restartPatchFor(style, reason, "statefulset", sts, sts.Spec.Template, at)
}
