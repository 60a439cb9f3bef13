package adapters

import (
	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// BroadcastJob is OpenKruise's BroadcastJob: a job on every node. It runs to completion, so it
// neither scales nor restarts; a re-run is a new BroadcastJob.
type BroadcastJob struct{ Resource }

// NewBroadcastJob builds the broadcastjob adapter.
func NewBroadcastJob(c *Cluster) *BroadcastJob {
	return &BroadcastJob{NewResource(c, Info{
		Type: "broadcastjob", Plural: "broadcastjobs",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("BroadcastJob"),
		Capabilities: Capabilities{},
	}, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().BroadcastJobs().Informer() })}
}

// Pods are those whose controller is the job (the controller also labels them
// broadcastjob-controller-uid, but ownership is the exact test).
func (j *BroadcastJob) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return j.Cluster().PodsOwnedBy(obj.GetUID())
}
