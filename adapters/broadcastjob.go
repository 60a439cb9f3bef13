package adapters

import (
	"strings"

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
	info := Info{
		Type: "broadcastjob", Plural: "broadcastjobs",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("BroadcastJob"),
		Capabilities: Capabilities{},
		Columns: []Column{
			NumberColumn("desired", "Desired", "期望数", "status", "desired"),
			NumberColumn("active", "Active pods", "运行中的 Pod", "status", "active"),
			NumberColumn("succeeded", "Succeeded", "成功", "status", "succeeded"),
			NumberColumn("failed", "Failed", "失败", "status", "failed"),
			TimeColumn("completed", "Completed", "完成于", "status", "completionTime"),
		},
		States: []string{"pending", "running", "paused", "completed", "failed"},
		State:  broadcastJobState,
	}
	info.Commands = info.KubectlCommands()
	return &BroadcastJob{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().BroadcastJobs().Informer() })}
}

// broadcastJobState is the job's phase, or paused when its spec says so.
func broadcastJobState(o Object) string {
	if o.True("spec", "paused") {
		return "paused"
	}
	switch phase := strings.ToLower(o.Str("status", "phase")); phase {
	case "completed", "failed", "running", "paused":
		return phase
	}
	return "pending"
}

// Pods are those whose controller is the job (the controller also labels them
// broadcastjob-controller-uid, but ownership is the exact test).
func (j *BroadcastJob) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	return j.Cluster().PodsOwnedBy(obj.GetUID())
}
