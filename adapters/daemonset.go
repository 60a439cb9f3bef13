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
	return &DaemonSet{NewResource(c, Info{
		Type: "daemonset", Plural: "daemonsets",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("DaemonSet"),
		Capabilities: Capabilities{Restartable: true},
	}, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().DaemonSets().Informer() })}
}

func (s *DaemonSet) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return s.Cluster().PodsOwnedBy(obj.GetUID())
}

func (s *DaemonSet) RestartPatch(_ runtime.Object, at time.Time) ([]byte, error) {
	return TemplateAnnotationPatch(at.Format(time.RFC3339)), nil
}
