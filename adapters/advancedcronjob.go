package adapters

import (
	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// AdvancedCronJob is OpenKruise's AdvancedCronJob. It creates Jobs or BroadcastJobs on a
// schedule; its pods are theirs.
type AdvancedCronJob struct{ Resource }

// NewAdvancedCronJob builds the advancedcronjob adapter.
func NewAdvancedCronJob(c *Cluster) *AdvancedCronJob {
	return &AdvancedCronJob{NewResource(c, Info{
		Type: "advancedcronjob", Plural: "advancedcronjobs",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("AdvancedCronJob"),
		Capabilities: Capabilities{},
	}, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().AdvancedCronJobs().Informer() })}
}

// Pods are the pods of the Jobs and BroadcastJobs the cron job controls. BroadcastJobs are
// looked up only when the cron job's template says it makes them, so a cluster without the
// BroadcastJob CRD still serves Job-based cron jobs.
func (j *AdvancedCronJob) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	children, err := OwnedUIDs(j.Cluster().Kube.Batch().V1().Jobs().Informer(), obj.GetUID())
	if err != nil {
		return nil, err
	}
	if acj, ok := obj.(*kruiseappsv1alpha1.AdvancedCronJob); ok && acj.Spec.Template.BroadcastJobTemplate != nil {
		jobs, err := OwnedUIDs(j.Cluster().Kruise.Apps().V1alpha1().BroadcastJobs().Informer(), obj.GetUID())
		if err != nil {
			return nil, err
		}
		children = append(children, jobs...)
	}
	return j.Cluster().PodsOwnedBy(children...)
}
