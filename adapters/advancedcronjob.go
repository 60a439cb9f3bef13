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
	info := Info{
		Type: "advancedcronjob", Plural: "advancedcronjobs",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("AdvancedCronJob"),
		Capabilities: Capabilities{},
		Columns: []Column{
			StringColumn("schedule", "Schedule", "调度计划", "spec", "schedule"),
			{Name: "activeJobs", Title: "Active jobs", Titles: zh("运行中的任务"), Type: "number", Value: func(o Object) any {
				active, _ := o.Map("status")["active"].([]any)
				return float64(len(active))
			}},
			TimeColumn("lastSchedule", "Last scheduled", "上次调度", "status", "lastScheduleTime"),
			{Name: "jobKind", Title: "Job kind", Titles: zh("任务类型"), Value: cronJobKind},
		},
		States: []string{"active", "scheduled", "suspended"},
		State: func(o Object) string {
			active, _ := o.Map("status")["active"].([]any)
			switch {
			case o.True("spec", "paused"):
				return "suspended"
			case len(active) > 0:
				return "active"
			}
			return "scheduled"
		},
	}
	info.Commands = info.KubectlCommands()
	return &AdvancedCronJob{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().AdvancedCronJobs().Informer() })}
}

// cronJobKind is the kind of job it makes: the status's, else the template's.
func cronJobKind(o Object) any {
	if t := o.Str("status", "type"); t != "" {
		return t
	}
	tpl := o.Map("spec", "template")
	switch {
	case tpl["broadcastJobTemplate"] != nil:
		return "BroadcastJob"
	case tpl["jobTemplate"] != nil:
		return "Job"
	}
	return nil
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
