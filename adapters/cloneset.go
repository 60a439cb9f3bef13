package adapters

import (
	"context"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// CloneSet is OpenKruise's CloneSet (apps.kruise.io/v1alpha1); it owns its pods directly.
type CloneSet struct{ Resource }

// NewCloneSet builds the cloneset adapter.
func NewCloneSet(c *Cluster) *CloneSet {
	info := Info{
		Type: "cloneset", Plural: "clonesets",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("CloneSet"),
		Capabilities: Capabilities{Scalable: true, Restartable: true, ImageSettable: true},
		Columns:      []Column{ReplicasColumn, ReadyColumn, UpToDateColumn, AvailableColumn, UpdateRevisionColumn, CurrentRevisionColumn},
		States:       ReplicaStates,
		State: ReplicaRule{
			Paused: func(o Object) bool { return o.True("spec", "updateStrategy", "paused") },
			// The controller says how many pods the partition lets it update.
			Held: func(o Object, desired float64) float64 {
				if e, ok := o.Map("status")["expectedUpdatedReplicas"].(float64); ok {
					return max(0, desired-e)
				}
				return 0
			},
		}.State,
	}
	info.Commands = info.KubectlCommands()
	info.Commands.Restart = info.templateRestartCommand()
	info.Commands.KruiseResource = "cloneset"
	info.Commands.SetImage = info.Commands.kruiseSetImage(info)
	return &CloneSet{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().CloneSets().Informer() })}
}

var (
	_ Scaler             = (*CloneSet)(nil)
	_ Restarter          = (*CloneSet)(nil)
	_ Revisioner         = (*CloneSet)(nil)
	_ ContainerRestarter = (*CloneSet)(nil)
)

func (s *CloneSet) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return s.Cluster().PodsOwnedBy(obj.GetUID())
}

func (s *CloneSet) Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	return s.ScaleSubresource(ctx, namespace, name, replicas)
}

// RestartPatch stamps the template. Under InPlaceIfPossible Kruise applies a metadata-only
// template change in place, so pods are relabelled rather than recreated (docs/semantics.md §5.4, §6.4).
func (s *CloneSet) RestartPatch(_ runtime.Object, at time.Time) ([]byte, error) {
	return TemplateAnnotationPatch(at.Format(time.RFC3339)), nil
}

// Revisions are the CloneSet's ControllerRevisions.
func (s *CloneSet) Revisions(obj metav1.Object) ([]Revision, error) {
	return s.Cluster().controllerRevisions(obj)
}

func (s *CloneSet) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	cs, err := as[*kruiseappsv1alpha1.CloneSet](obj)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	return cs.Spec.Template, nil
}

// ContainerRestartPatch follows spec.updateStrategy.type.
func (s *CloneSet) ContainerRestartPatch(obj runtime.Object, at time.Time) (Patch, error) {
	cs, err := as[*kruiseappsv1alpha1.CloneSet](obj)
	if err != nil {
		return Patch{}, err
	}
	style, reason := recreatesPods, ""
	switch cs.Spec.UpdateStrategy.Type {
	case kruiseappsv1alpha1.InPlaceIfPossibleCloneSetUpdateStrategyType:
		style = updatesInPlace
	case kruiseappsv1alpha1.InPlaceOnlyCloneSetUpdateStrategyType:
		style, reason = refusesRestart, "updateStrategy InPlaceOnly allows only image changes; restart by ContainerRecreateRequest is not supported yet"
	}
	return restartPatchFor(style, reason, "cloneset", cs, cs.Spec.Template, at)
}
