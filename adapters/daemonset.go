package adapters

import (
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// DaemonSet is OpenKruise's Advanced DaemonSet (apps.kruise.io/v1alpha1): one pod per node, so
// it restarts but does not scale.
type DaemonSet struct{ Resource }

// NewDaemonSet builds the daemonset adapter.
func NewDaemonSet(c *Cluster) *DaemonSet {
	info := Info{
		Type: "daemonset", Plural: "daemonsets",
		Title:        "Advanced DaemonSet",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("DaemonSet"),
		Capabilities: Capabilities{Restartable: true, ImageSettable: true},
		Columns: []Column{
			NumberColumn("desired", "Desired", "期望数", "status", "desiredNumberScheduled"),
			NumberColumn("ready", "Ready", "就绪", "status", "numberReady"),
			NumberColumn("updated", "Up to date", "已更新", "status", "updatedNumberScheduled"),
			NumberColumn("available", "Available", "可用", "status", "numberAvailable").OnDetail(),
			StringColumn("revision", "Update revision", "更新版本", "status", "daemonSetHash"),
		},
		States: []string{"ready", "updating", "partitioned", "notReady", "paused", "inRelease"},
		// One pod per node: the desired count is the scheduler's, and there is no scaling to zero.
		State: ReplicaRule{
			Desired: func(o Object) float64 { return o.Num("status", "desiredNumberScheduled") },
			Ready:   func(o Object) float64 { return o.Num("status", "numberReady") },
			Updated: func(o Object) float64 { return o.Num("status", "updatedNumberScheduled") },
			Total:   func(o Object) float64 { return o.Num("status", "currentNumberScheduled") },
			Paused:  rollingUpdatePaused, Held: rollingUpdatePartition, NoScaleToZero: true,
		}.State,
	}
	info.Commands = info.KubectlCommands()
	info.Commands.Restart = info.templateRestartCommand()
	info.Commands.KruiseResource = "ads"
	info.Commands.SetImage = info.Commands.kruiseSetImage(info)
	return &DaemonSet{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().DaemonSets().Informer() })}
}

var (
	_ Restarter          = (*DaemonSet)(nil)
	_ Revisioner         = (*DaemonSet)(nil)
	_ ContainerRestarter = (*DaemonSet)(nil)
)

func (s *DaemonSet) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return s.Cluster().PodsOwnedBy(obj.GetUID())
}

func (s *DaemonSet) RestartPatch(_ runtime.Object, at time.Time) ([]byte, error) {
	return TemplateAnnotationPatch(at.Format(time.RFC3339)), nil
}

// Revisions are the DaemonSet's ControllerRevisions.
func (s *DaemonSet) Revisions(obj metav1.Object) ([]Revision, error) {
	return s.Cluster().controllerRevisions(obj)
}

func (s *DaemonSet) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	ds, err := as[*kruiseappsv1alpha1.DaemonSet](obj)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	return ds.Spec.Template, nil
}

// ContainerRestartPatch follows spec.updateStrategy: OnDelete never restarts; a rolling update of
// type InPlaceIfPossible updates in place, Standard recreates.
func (s *DaemonSet) ContainerRestartPatch(obj runtime.Object, at time.Time) (Patch, error) {
	ds, err := as[*kruiseappsv1alpha1.DaemonSet](obj)
	if err != nil {
		return Patch{}, err
	}
	style, reason := recreatesPods, ""
	switch {
	case ds.Spec.UpdateStrategy.Type == kruiseappsv1alpha1.OnDeleteDaemonSetStrategyType:
		style, reason = refusesRestart, "updateStrategy OnDelete replaces pods only when they are deleted"
	case ds.Spec.UpdateStrategy.RollingUpdate != nil && ds.Spec.UpdateStrategy.RollingUpdate.Type == kruiseappsv1alpha1.InplaceRollingUpdateType:
		style = updatesInPlace
	}
	return restartPatchFor(style, reason, "daemonset", ds, ds.Spec.Template, at)
}
