package adapters

import (
	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"
)

// AdvancedCronJob is OpenKruise's AdvancedCronJob. It creates Jobs or BroadcastJobs on a
// schedule; its pods are theirs.
type AdvancedCronJob struct{ Resource }

// NewAdvancedCronJob builds the advancedcronjob adapter.
func NewAdvancedCronJob(c *Cluster) *AdvancedCronJob {
	running := func(o Object) int { return runningJobs(c, o) }
	info := Info{
		Type: "advancedcronjob", Plural: "advancedcronjobs",
		GVK:          kruiseappsv1alpha1.SchemeGroupVersion.WithKind("AdvancedCronJob"),
		Capabilities: Capabilities{},
		Columns: []Column{
			StringColumn("schedule", "Schedule", "调度计划", "spec", "schedule"),
			{Name: "activeJobs", Title: "Active jobs", Titles: zh("运行中的任务"), Type: "number", Value: func(o Object) any { return float64(running(o)) }},
			TimeColumn("lastSchedule", "Last scheduled", "上次调度", "status", "lastScheduleTime"),
			{Name: "jobKind", Title: "Job kind", Titles: zh("任务类型"), Value: cronJobKind},
		},
		States: []string{"active", "scheduled", "suspended"},
		State: func(o Object) string {
			switch {
			case o.True("spec", "paused"):
				return "suspended"
			case running(o) > 0:
				return "active"
			}
			return "scheduled"
		},
	}
	info.Commands = info.KubectlCommands()
	return &AdvancedCronJob{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kruise.Apps().V1alpha1().AdvancedCronJobs().Informer() })}
}

var _ Related = (*AdvancedCronJob)(nil)

// RelatedInformers are the Jobs and (when served) BroadcastJobs its columns and state read.
func (j *AdvancedCronJob) RelatedInformers(served func(schema.GroupVersionResource) bool) []cache.SharedIndexInformer {
	c := j.Cluster()
	out := []cache.SharedIndexInformer{Indexed(c.Kube.Batch().V1().Jobs().Informer())}
	if served(kruiseappsv1alpha1.SchemeGroupVersion.WithResource("broadcastjobs")) {
		out = append(out, Indexed(c.Kruise.Apps().V1alpha1().BroadcastJobs().Informer()))
	}
	return out
}

// runningJobs is how many of the jobs the controller lists in status.active are running. That
// list is the controller's summary and can be stale (every Job Complete while it still names
// them), so each job it names is read from the cache: one that finished (a Job's Complete or
// Failed condition, a BroadcastJob's completed or failed phase), is gone, or is another object of
// that name now is not counted. A kind it cannot check, or a cluster without the caches, keeps
// the controller's word.
func runningJobs(c *Cluster, o Object) int {
	active, _ := o.Map("status")["active"].([]any)
	if c == nil || c.Kube == nil || c.Kruise == nil {
		return len(active)
	}
	n := 0
	for _, a := range active {
		ref := Object(asMap(a))
		ns := ref.Str("namespace")
		if ns == "" {
			ns = o.Str("metadata", "namespace")
		}
		var inf cache.SharedIndexInformer
		var finished func(any) bool
		switch ref.Str("kind") {
		case "Job":
			inf, finished = c.Kube.Batch().V1().Jobs().Informer(), jobFinished
		case "BroadcastJob":
			inf, finished = c.Kruise.Apps().V1alpha1().BroadcastJobs().Informer(), broadcastJobFinished
		default:
			n++
			continue
		}
		item, exists, err := inf.GetIndexer().GetByKey(ns + "/" + ref.Str("name"))
		if err != nil {
			n++ // cannot tell: the controller's word
			continue
		}
		meta, ok := item.(metav1.Object)
		if exists && ok && (ref.Str("uid") == "" || string(meta.GetUID()) == ref.Str("uid")) && !finished(item) {
			n++
		}
	}
	return n
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// jobFinished: a Job is done once its Complete or Failed condition is True (as the Job
// controller and kubectl say; SuccessCriteriaMet and FailureTarget come before, while pods stop).
func jobFinished(obj any) bool {
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return false
	}
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// broadcastJobFinished: a BroadcastJob is done in its completed or failed phase.
func broadcastJobFinished(obj any) bool {
	job, ok := obj.(*kruiseappsv1alpha1.BroadcastJob)
	if !ok {
		return false
	}
	return job.Status.Phase == kruiseappsv1alpha1.PhaseCompleted || job.Status.Phase == kruiseappsv1alpha1.PhaseFailed
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
