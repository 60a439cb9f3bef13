package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// Issue 18, "nothing false on any screen": what the API says for the overview, the lists and the
// detail pages, checked against what it summarises in a real API server.

// setPodPhase writes a pod's phase through the status subresource, as the kubelet would.
func setPodPhase(t *testing.T, pod *corev1.Pod, phase corev1.PodPhase) {
	t.Helper()
	pod.Status.Phase = phase
	_, err := shared.kube.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	must(t, "set the phase of pod "+pod.Name, err)
}

// TestSummaryPodsAreTheNamespaces: the overview's pods card counts the namespace's pods as
// `kubectl get pods -n <ns>` lists them (finished ones too), not the cluster's non-finished ones.
func TestSummaryPodsAreTheNamespaces(t *testing.T) {
	skipShort(t)
	ns, other := newNamespace(t, "podcount"), newNamespace(t, "podcount-other")
	for i, phase := range []corev1.PodPhase{corev1.PodRunning, corev1.PodRunning, corev1.PodRunning, corev1.PodSucceeded, corev1.PodFailed, corev1.PodPending} {
		setPodPhase(t, createPod(t, ns, fmt.Sprintf("p%d", i), "x", nil), phase)
	}
	setPodPhase(t, createPod(t, other, "elsewhere", "x", nil), corev1.PodRunning)

	get := exec.Command("kubectl", "get", "pods", "-n", ns, "--no-headers", "-o", "name")
	get.Env = append(os.Environ(), "KUBECONFIG="+shared.cluster.Kubeconfig)
	out, err := get.CombinedOutput()
	must(t, "kubectl get pods: "+string(out), err)
	kubectlCount := len(strings.Fields(string(out)))
	if kubectlCount != 6 {
		t.Fatalf("kubectl lists %d pods in %s", kubectlCount, ns)
	}
	apiclient.Eventually(t, "the namespace's pods in the summary", 10*time.Second, func() error {
		var s biz.Summary
		shared.dash.MustOK(t, http.MethodGet, "/summary/"+ns, &s)
		want := biz.PodCounts{Namespace: ns, Total: kubectlCount, Running: 3, Pending: 1, Succeeded: 1, Failed: 1}
		if s.Pods == nil || *s.Pods != want {
			return fmt.Errorf("pods %+v, want %+v", s.Pods, want)
		}
		return nil
	})
}

// completeJob writes the status the Job controller writes when a Job succeeds.
func completeJob(t *testing.T, job *batchv1.Job) {
	t.Helper()
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, CompletionTime: &now, Succeeded: 1, Ready: ptr.To[int32](0), Terminating: ptr.To[int32](0),
		UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{},
		Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastProbeTime: now, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastProbeTime: now, LastTransitionTime: now},
		}}
	_, err := shared.kube.BatchV1().Jobs(job.Namespace).UpdateStatus(ctx, job, metav1.UpdateOptions{})
	must(t, "complete job "+job.Name, err)
}

// TestCronJobActiveJobsAreTheJobs: the controller's status.active of an AdvancedCronJob can name
// Jobs that have all completed (the demo's nightly-report said "Jobs running 1"); the count and the
// state are the Jobs' own, and follow a Job finishing while the cron job itself does not change.
func TestCronJobActiveJobsAreTheJobs(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "cronjobs")
	acj := createAdvancedCronJob(t, ns, "nightly", false)
	first, second := createJob(t, acj, "1"), createJob(t, acj, "2")
	ref := func(j *batchv1.Job) corev1.ObjectReference {
		return corev1.ObjectReference{APIVersion: "batch/v1", Kind: "Job", Namespace: ns, Name: j.Name, UID: j.UID}
	}
	acj.Status = kruiseappsv1alpha1.AdvancedCronJobStatus{Type: kruiseappsv1alpha1.JobTemplate, Active: []corev1.ObjectReference{ref(first), ref(second)}}
	_, err := shared.kruise.AppsV1alpha1().AdvancedCronJobs(ns).UpdateStatus(ctx, acj, metav1.UpdateOptions{})
	must(t, "write the cron job's status", err)

	row := func(wantActive float64, wantState string) func() error {
		return func() error {
			var p page
			shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/advancedcronjob?view=compact", &p)
			if len(p.Items) != 1 {
				return fmt.Errorf("%d items", len(p.Items))
			}
			cols, _ := p.Items[0]["columns"].(map[string]any)
			if cols["activeJobs"] != wantActive || p.Items[0]["state"] != wantState {
				return fmt.Errorf("active jobs %v, state %v; want %v, %s", cols["activeJobs"], p.Items[0]["state"], wantActive, wantState)
			}
			return nil
		}
	}
	apiclient.Eventually(t, "two jobs running", 10*time.Second, row(2, "active"))
	completeJob(t, first)
	apiclient.Eventually(t, "one job running once the first completed", 10*time.Second, row(1, "active"))
	completeJob(t, second)
	// status.active still names both (no controller runs here): the Jobs say none runs.
	apiclient.Eventually(t, "no job running once both completed", 10*time.Second, row(0, "scheduled"))
	var s biz.Summary
	shared.dash.MustOK(t, http.MethodGet, "/summary/"+ns, &s)
	for _, c := range s.Workloads {
		if c.Type == "advancedcronjob" && (c.States["active"] != 0 || c.States["scheduled"] != 1) {
			t.Errorf("summary counts %v", c.States)
		}
	}
	// A Job deleted while still listed is not running either.
	third := createJob(t, acj, "3")
	fresh, err := shared.kruise.AppsV1alpha1().AdvancedCronJobs(ns).Get(ctx, acj.Name, metav1.GetOptions{})
	must(t, "read the cron job", err)
	fresh.Status.Active = append(fresh.Status.Active, ref(third))
	_, err = shared.kruise.AppsV1alpha1().AdvancedCronJobs(ns).UpdateStatus(ctx, fresh, metav1.UpdateOptions{})
	must(t, "list a third job", err)
	apiclient.Eventually(t, "the third job running", 10*time.Second, row(1, "active"))
	// Background, as kubectl deletes: the Job goes now (no garbage collector runs here to orphan pods).
	must(t, "delete the third job", shared.kube.BatchV1().Jobs(ns).Delete(ctx, third.Name, metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}))
	apiclient.Eventually(t, "no job running once the third is gone", 10*time.Second, row(0, "scheduled"))
}

// TestOwnedSubsetsSayTheirOwner: a StatefulSet a UnitedDeployment owns (its subset) carries its
// owner in the list, so the UI can name it and warn that changes made here are undone.
func TestOwnedSubsetsSayTheirOwner(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "owned")
	ud := createUnitedDeployment(t, ns, "regions", 2, "zone-a")
	_, err := shared.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "regions-zone-a", Namespace: ns, OwnerReferences: []metav1.OwnerReference{ownerRef(ud, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("UnitedDeployment"))}},
		Spec:       kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: labelsFor("regions")}, Template: podTemplate("regions")},
	}, metav1.CreateOptions{})
	must(t, "create the subset", err)
	createStatefulSet(t, ns, "ledger", 1)
	apiclient.Eventually(t, "the subset's owner in the list", 10*time.Second, func() error {
		var p page
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/statefulset?view=compact", &p)
		owners := map[string]string{}
		for _, it := range p.Items {
			meta := it["metadata"].(map[string]any)
			refs, _ := meta["ownerReferences"].([]any)
			if len(refs) == 1 {
				r := refs[0].(map[string]any)
				owners[meta["name"].(string)] = fmt.Sprintf("%s %s %s %v", r["apiVersion"], r["kind"], r["name"], r["uid"] == string(ud.UID))
			} else {
				owners[meta["name"].(string)] = fmt.Sprint(len(refs))
			}
		}
		if owners["regions-zone-a"] != "apps.kruise.io/v1alpha1 UnitedDeployment regions true" || owners["ledger"] != "0" {
			return fmt.Errorf("owners %v", owners)
		}
		return nil
	})
}

// TestTypeNamesAndReleaseState: the types are named so none reads like another (Kruise's
// Advanced StatefulSet and DaemonSet, apps/v1's StatefulSet and DaemonSet), messages name objects
// by those names and never by the API's ids, a shipped declaration says so without a server path,
// and a Deployment its Rollout paused for a step is in a release, not paused by a person.
func TestTypeNamesAndReleaseState(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "names")
	byType := typesByName(t, shared.dash)
	for typ, want := range map[string]string{"statefulset": "Advanced StatefulSet", "daemonset": "Advanced DaemonSet", "apps-statefulset": "StatefulSet", "apps-daemonset": "DaemonSet", "deployment": "Deployment"} {
		if got := byType[typ].Title; got != want {
			t.Errorf("%s is titled %q, want %q", typ, got, want)
		}
	}
	if i := byType["apps-statefulset"]; i.Origin != adapters.OriginShipped || i.FileName != "apps-statefulset.yaml" {
		t.Errorf("apps-statefulset's origin %q, file name %q", i.Origin, i.FileName)
	}
	status, e := shared.dash.Call(t, http.MethodGet, "/workload/"+ns+"/apps-statefulset/missing", nil)
	if status != http.StatusNotFound || !strings.Contains(e.Message, "StatefulSet "+ns+"/missing") || strings.Contains(e.Message, "apps-statefulset") {
		t.Errorf("%d %q: the message should name the type as people read it", status, e.Message)
	}

	d := createDeployment(t, ns, "web", 2)
	held := createDeployment(t, ns, "held", 2)
	for _, dep := range []struct {
		name    string
		release bool
	}{{d.Name, true}, {held.Name, false}} {
		patch := `{"spec":{"paused":true}}`
		if dep.release {
			// What Kruise Rollout's webhook writes when a release starts.
			patch = `{"metadata":{"annotations":{"` + adapters.InReleaseAnnotation + `":"{\"rolloutName\":\"web\"}"}},"spec":{"paused":true}}`
		}
		_, err := shared.kube.AppsV1().Deployments(ns).Patch(ctx, dep.name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		must(t, "pause "+dep.name, err)
	}
	apiclient.Eventually(t, "the states", 10*time.Second, func() error {
		var p page
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/deployment?view=compact", &p)
		states := map[string]any{}
		for _, it := range p.Items {
			states[it["metadata"].(map[string]any)["name"].(string)] = it["state"]
		}
		if states["web"] != "inRelease" || states["held"] != "paused" {
			return fmt.Errorf("states %v: a release's pause is inRelease, a person's paused", states)
		}
		return nil
	})
}
