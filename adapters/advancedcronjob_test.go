package adapters_test

import (
	"testing"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruisefake "github.com/openkruise/kruise-api/client/clientset/versioned/fake"
	kruiseinformers "github.com/openkruise/kruise-api/client/informers/externalversions"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// TestCronJobRunningJobs: the controller's status.active can be stale (every Job Complete while
// it still names them, as the demo's nightly-report showed); the count and the state are the
// Jobs' own, read from the cache.
func TestCronJobRunningJobs(t *testing.T) {
	c := &adapters.Cluster{Kube: kubeinformers.NewSharedInformerFactory(kubefake.NewClientset(), 0),
		Kruise: kruiseinformers.NewSharedInformerFactory(kruisefake.NewSimpleClientset(), 0)}
	acj := adapters.NewAdvancedCronJob(c)
	job := func(name string, conds ...batchv1.JobConditionType) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo", UID: types.UID("uid-" + name)}}
		for _, ct := range conds {
			j.Status.Conditions = append(j.Status.Conditions, batchv1.JobCondition{Type: ct, Status: corev1.ConditionTrue})
		}
		return j
	}
	jobs := c.Kube.Batch().V1().Jobs().Informer().GetIndexer()
	for _, j := range []*batchv1.Job{job("done", batchv1.JobSuccessCriteriaMet, batchv1.JobComplete), job("failed", batchv1.JobFailed), job("running"),
		job("finishing", batchv1.JobSuccessCriteriaMet)} {
		if err := jobs.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	bcjs := c.Kruise.Apps().V1alpha1().BroadcastJobs().Informer().GetIndexer()
	for name, phase := range map[string]kruiseappsv1alpha1.BroadcastJobPhase{"fanout-done": kruiseappsv1alpha1.PhaseCompleted, "fanout": kruiseappsv1alpha1.PhaseRunning} {
		if err := bcjs.Add(&kruiseappsv1alpha1.BroadcastJob{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo", UID: types.UID("uid-" + name)}, Status: kruiseappsv1alpha1.BroadcastJobStatus{Phase: phase}}); err != nil {
			t.Fatal(err)
		}
	}
	ref := func(kind, name string) string {
		return `{"kind":"` + kind + `","name":"` + name + `","namespace":"demo","uid":"uid-` + name + `"}`
	}
	for _, c := range []struct {
		name, active string
		want         float64
		state        string
	}{
		{"every job listed has finished", ref("Job", "done") + "," + ref("Job", "failed"), 0, "scheduled"},
		{"one still runs", ref("Job", "done") + "," + ref("Job", "running"), 1, "active"},
		{"success criteria met, pods still stopping: not finished yet", ref("Job", "finishing"), 1, "active"},
		{"a job that is gone", ref("Job", "deleted"), 0, "scheduled"},
		{"another object of that name now", `{"kind":"Job","name":"running","namespace":"demo","uid":"an-older-one"}`, 0, "scheduled"},
		{"BroadcastJobs by their phase", ref("BroadcastJob", "fanout-done") + "," + ref("BroadcastJob", "fanout"), 1, "active"},
		{"a kind it cannot check keeps the controller's word", `{"kind":"Other","name":"x"}`, 1, "active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cols, state := acj.Summarize(content(t, `{"kind":"AdvancedCronJob","metadata":{"name":"nightly","namespace":"demo"},"spec":{},"status":{"active":[`+c.active+`]}}`))
			if cols["activeJobs"] != c.want || state != c.state {
				t.Errorf("active jobs %v, state %s; want %v, %s", cols["activeJobs"], state, c.want, c.state)
			}
		})
	}
}
