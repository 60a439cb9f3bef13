package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestPodsOfEveryType: for every type, the pods endpoint answers exactly the pods the real
// controllers created (an AdvancedCronJob's through the Job it scheduled).
func TestPodsOfEveryType(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-pods")
	jobTemplate := podTemplate("nightly", "busybox:1.36")
	jobTemplate.Spec.RestartPolicy = corev1.RestartPolicyNever
	bcjTemplate := podTemplate("warm", "busybox:1.36")
	bcjTemplate.Spec.RestartPolicy = corev1.RestartPolicyNever

	d := createDeployment(t, ns, "web", 2)
	cs := createCloneSet(t, ns, "shop", 2, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	sts, err := env.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "ledger", Namespace: ns},
		Spec: kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To[int32](2), ServiceName: "ledger",
			Selector: &metav1.LabelSelector{MatchLabels: labelsFor("ledger")}, Template: podTemplate("ledger", "redis:7")},
	}, metav1.CreateOptions{})
	must(t, "create statefulset", err)
	ds, err := env.kruise.AppsV1alpha1().DaemonSets(ns).Create(ctx, &kruiseappsv1alpha1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: ns},
		Spec: kruiseappsv1alpha1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor("agent")},
			Template: podTemplate("agent", "busybox:1.36")},
	}, metav1.CreateOptions{})
	must(t, "create daemonset", err)
	bcj, err := env.kruise.AppsV1alpha1().BroadcastJobs(ns).Create(ctx, &kruiseappsv1alpha1.BroadcastJob{
		ObjectMeta: metav1.ObjectMeta{Name: "warm", Namespace: ns},
		Spec: kruiseappsv1alpha1.BroadcastJobSpec{Template: bcjTemplate,
			CompletionPolicy: kruiseappsv1alpha1.CompletionPolicy{Type: kruiseappsv1alpha1.Never}},
	}, metav1.CreateOptions{})
	must(t, "create broadcastjob", err)
	acj, err := env.kruise.AppsV1alpha1().AdvancedCronJobs(ns).Create(ctx, &kruiseappsv1alpha1.AdvancedCronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "nightly", Namespace: ns},
		Spec: kruiseappsv1alpha1.AdvancedCronJobSpec{Schedule: "*/1 * * * *", ConcurrencyPolicy: kruiseappsv1alpha1.ForbidConcurrent,
			Template: kruiseappsv1alpha1.CronJobTemplate{JobTemplate: &batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTemplate}}}},
	}, metav1.CreateOptions{})
	must(t, "create advancedcronjob", err)

	// The owners whose pods each type's endpoint must answer: the workload itself, or what it
	// controls (ReplicaSets, Jobs), looked up from the API server.
	ownedBy := func(owner metav1.Object, list func() ([]metav1.Object, error)) func() map[types.UID]bool {
		return func() map[types.UID]bool {
			if list == nil {
				return uids(owner)
			}
			children, err := list()
			must(t, "list children", err)
			out := map[types.UID]bool{}
			for _, c := range children {
				if ref := metav1.GetControllerOf(c); ref != nil && ref.UID == owner.GetUID() {
					out[c.GetUID()] = true
				}
			}
			return out
		}
	}
	replicaSets := func() ([]metav1.Object, error) {
		l, err := env.kube.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{})
		return metaList(l, err, func(l *appsv1.ReplicaSetList) []appsv1.ReplicaSet { return l.Items })
	}
	jobs := func() ([]metav1.Object, error) {
		l, err := env.kube.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
		return metaList(l, err, func(l *batchv1.JobList) []batchv1.Job { return l.Items })
	}
	nodes := len(fakeNodes(t))
	cases := []struct {
		typ, name string
		want      int
		owners    func() map[types.UID]bool
		timeout   time.Duration
	}{
		{"deployment", "web", 2, ownedBy(d, replicaSets), time.Minute},
		{"cloneset", "shop", 2, ownedBy(cs, nil), time.Minute},
		{"statefulset", "ledger", 2, ownedBy(sts, nil), time.Minute},
		{"daemonset", "agent", nodes, ownedBy(ds, nil), time.Minute},
		{"broadcastjob", "warm", nodes, ownedBy(bcj, nil), time.Minute},
		// The first scheduled run comes at the next full minute.
		{"advancedcronjob", "nightly", 1, ownedBy(acj, jobs), 150 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			apiclient.Eventually(t, fmt.Sprintf("%d pods of %s %s created by the controller", c.want, c.typ, c.name), c.timeout, func() error {
				pods, err := dashboardPods(t, ns, c.typ, c.name)
				if err != nil {
					return err
				}
				got := make([]string, len(pods))
				for i, p := range pods {
					got[i] = p.Metadata.Name
				}
				sort.Strings(got)
				want := controlledBy(t, ns, c.owners())
				if len(want) < c.want || !slices.Equal(got, want) {
					return fmt.Errorf("dashboard %v, controller-created %v", got, want)
				}
				return nil
			})
		})
	}
}

// TestCronJobActiveJobsFollowTheJobs: an AdvancedCronJob's "active jobs" and state are those of
// the Jobs the real controller made, not its status.active summary (which can still name Jobs
// that completed): once a scheduled Job has completed, the dashboard's count equals the Jobs not
// finished.
func TestCronJobActiveJobsFollowTheJobs(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-cron")
	tmpl := podTemplate("report", "busybox:1.36")
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	acj, err := env.kruise.AppsV1alpha1().AdvancedCronJobs(ns).Create(ctx, &kruiseappsv1alpha1.AdvancedCronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "report", Namespace: ns},
		Spec: kruiseappsv1alpha1.AdvancedCronJobSpec{Schedule: "*/1 * * * *", SuccessfulJobsHistoryLimit: ptr.To[int32](3),
			Template: kruiseappsv1alpha1.CronJobTemplate{JobTemplate: &batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: tmpl}}}},
	}, metav1.CreateOptions{})
	must(t, "create advancedcronjob", err)
	finished := func(j batchv1.Job) bool {
		for _, c := range j.Status.Conditions {
			if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
				return true
			}
		}
		return false
	}
	// What the count summarises: the cron job's Jobs that have not finished, from the API server.
	running := func() (run, done int) {
		l, err := env.kube.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
		must(t, "list jobs", err)
		for _, j := range l.Items {
			if ref := metav1.GetControllerOf(&j); ref == nil || ref.UID != acj.UID {
				continue
			}
			if finished(j) {
				done++
			} else {
				run++
			}
		}
		return run, done
	}
	apiclient.Eventually(t, "a scheduled job completed", 3*time.Minute, func() error {
		if _, done := running(); done == 0 {
			return fmt.Errorf("no job of report has completed yet")
		}
		return nil
	})
	apiclient.Eventually(t, "the active jobs are the Jobs still running", 30*time.Second, func() error {
		var p struct {
			Items []map[string]any `json:"items"`
		}
		env.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/advancedcronjob?view=compact", &p)
		run, _ := running()
		if len(p.Items) != 1 {
			return fmt.Errorf("%d items", len(p.Items))
		}
		cols, _ := p.Items[0]["columns"].(map[string]any)
		status, _ := p.Items[0]["status"].(map[string]any)
		listed, _ := status["active"].([]any)
		wantState := "scheduled"
		if run > 0 {
			wantState = "active"
		}
		if cols["activeJobs"] != float64(run) || p.Items[0]["state"] != wantState {
			return fmt.Errorf("dashboard: %v active jobs, state %v; Jobs running %d (the controller lists %d)", cols["activeJobs"], p.Items[0]["state"], run, len(listed))
		}
		return nil
	})
}

func fakeNodes(t *testing.T) []corev1.Node {
	l, err := env.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "type=kwok"})
	must(t, "list nodes", err)
	return l.Items
}

// TestScaleFollows: the pod count follows a scale from the dashboard, for the scalable types.
func TestScaleFollows(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-scale")
	createDeployment(t, ns, "web", 1)
	createCloneSet(t, ns, "shop", 1, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	_, err := env.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "ledger", Namespace: ns},
		Spec: kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To[int32](1), ServiceName: "ledger",
			PodManagementPolicy: "Parallel",
			Selector:            &metav1.LabelSelector{MatchLabels: labelsFor("ledger")}, Template: podTemplate("ledger", "redis:7")},
	}, metav1.CreateOptions{})
	must(t, "create statefulset", err)
	for _, c := range []struct{ typ, name string }{{"deployment", "web"}, {"cloneset", "shop"}, {"statefulset", "ledger"}} {
		t.Run(c.typ, func(t *testing.T) {
			waitReadyPods(t, ns, c.typ, c.name, 1, time.Minute, nil)
			env.dash.MustOK(t, http.MethodPost, fmt.Sprintf("/workload/%s/%s/%s/scale?replicas=3", ns, c.typ, c.name), nil)
			waitReadyPods(t, ns, c.typ, c.name, 3, time.Minute, nil)
			env.dash.MustOK(t, http.MethodPost, fmt.Sprintf("/workload/%s/%s/%s/scale?replicas=1", ns, c.typ, c.name), nil)
			waitReadyPods(t, ns, c.typ, c.name, 1, time.Minute, nil)
		})
	}
}

// TestRestartRecreates: a restart from the dashboard replaces every pod (new pod UIDs).
func TestRestartRecreates(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-restart")
	createDeployment(t, ns, "web", 2)
	createCloneSet(t, ns, "shop", 2, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	for _, c := range []struct{ typ, name string }{{"deployment", "web"}, {"cloneset", "shop"}} {
		t.Run(c.typ, func(t *testing.T) {
			before := map[types.UID]bool{}
			for _, p := range waitReadyPods(t, ns, c.typ, c.name, 2, time.Minute, nil) {
				before[p.Metadata.UID] = true
			}
			env.dash.MustOK(t, http.MethodPost, fmt.Sprintf("/workload/%s/%s/%s/restart", ns, c.typ, c.name), nil)
			waitReadyPods(t, ns, c.typ, c.name, 2, 2*time.Minute, func(p pod) bool { return !before[p.Metadata.UID] })
		})
	}
}

// TestDeleteRemoves: a delete from the dashboard removes the workload, and the garbage collector
// its pods.
func TestDeleteRemoves(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "e2e-delete")
	cs := createCloneSet(t, ns, "shop", 2, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	waitReadyPods(t, ns, "cloneset", "shop", 2, time.Minute, nil)
	env.dash.MustOK(t, http.MethodDelete, "/workload/"+ns+"/cloneset/shop", nil)
	apiclient.Eventually(t, "the cloneset and its pods gone", time.Minute, func() error {
		if _, err := env.kruise.AppsV1alpha1().CloneSets(ns).Get(ctx, "shop", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("cloneset still there (%v)", err)
		}
		if left := controlledBy(t, ns, uids(cs)); len(left) > 0 {
			return fmt.Errorf("pods left: %v", left)
		}
		return nil
	})
}

// metaList turns a typed list answer into its items' metadata.
func metaList[L any, T any, PT interface {
	*T
	metav1.Object
}](list L, err error, items func(L) []T) ([]metav1.Object, error) {
	if err != nil {
		return nil, err
	}
	all := items(list)
	out := make([]metav1.Object, len(all))
	for i := range all {
		out[i] = PT(&all[i])
	}
	return out, nil
}
