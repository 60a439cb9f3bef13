package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

const (
	kruiseV1alpha1 = "apps.kruise.io/v1alpha1"
	kruiseV1beta1  = "apps.kruise.io/v1beta1"
)

// rolloutAt reads a Rollout straight from the API server.
func rolloutAt(t testing.TB, ns, name string) *rolloutsv1beta1.Rollout {
	t.Helper()
	ro, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).Get(ctx, name, metav1.GetOptions{})
	must(t, "read rollout", err)
	return ro
}

// waitRollout waits until the dashboard's cache has the Rollout at resourceVersion rv or later.
func waitRollout(t testing.TB, ns, name string, check func(*biz.RolloutStatus) error) *biz.RolloutStatus {
	t.Helper()
	var st biz.RolloutStatus
	apiclient.Eventually(t, "rollout "+ns+"/"+name+" in the dashboard", 10*time.Second, func() error {
		if status, e := shared.dash.Call(t, http.MethodGet, "/rollout/status/"+ns+"/"+name, &st); status != http.StatusOK {
			return fmt.Errorf("%d %s", status, e.Message)
		}
		if check != nil {
			return check(&st)
		}
		return nil
	})
	return &st
}

func inPhase(phase string) func(*biz.RolloutStatus) error {
	return func(st *biz.RolloutStatus) error {
		if st.Phase != phase {
			return fmt.Errorf("phase %q", st.Phase)
		}
		return nil
	}
}

// TestRolloutReads checks the object, the normalised status, list, active and _all.
func TestRolloutReads(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-read")
	createCloneSet(t, ns, "shop", 4)
	createDeployment(t, ns, "web", 4)
	waiting := setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
	setHealthy(t, createRollout(t, ns, "web-ro", refTo("apps/v1", "Deployment", "web"), canaryStrategy(true)))
	timed := setInRolling(t, createRollout(t, ns, "timed-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 2, rolloutsv1beta1.CanaryStepStatePaused, false)

	st := waitRollout(t, ns, "shop-ro", inPhase("Progressing"))
	if st.Strategy != "partition" || len(st.Steps) != 3 || !st.Steps[0].Manual || st.Steps[1].Manual || *st.Steps[1].PauseSeconds != 60 ||
		st.CurrentStepIndex != 1 || st.CurrentStepState != "StepPaused" || !st.WaitingForApproval || !st.Active ||
		st.ProgressingReason != "InRolling" || st.StableRevision != "stable-hash" || st.CanaryRevision != "canary-hash" ||
		st.UpdatedReplicas != 1 || st.Workload != (biz.WorkloadRef{Type: "cloneset", APIVersion: kruiseV1alpha1, Kind: "CloneSet", Name: "shop"}) ||
		st.APIVersion != "rollouts.kruise.io/v1beta1" || st.ObservedGeneration != waiting.Generation {
		t.Errorf("status of a rollout waiting at its manual step: %+v", st)
	}
	st = waitRollout(t, ns, "timed-ro", inPhase("Progressing"))
	if st.WaitingForApproval || st.AutoResumeAt == nil || !st.AutoResumeAt.Time.Equal(timed.Status.CanaryStatus.LastUpdateTime.Add(60*time.Second)) {
		t.Errorf("a timed pause is not waiting for approval and resumes at lastUpdateTime+60s: %+v", st)
	}
	st = waitRollout(t, ns, "web-ro", inPhase("Healthy"))
	if st.Strategy != "canary" || st.Active || st.WaitingForApproval || st.Workload.Type != "deployment" {
		t.Errorf("healthy canary-style rollout: %+v", st)
	}

	var raw map[string]any
	shared.dash.MustOK(t, http.MethodGet, "/rollout/"+ns+"/shop-ro", &raw)
	if raw["apiVersion"] != "rollouts.kruise.io/v1beta1" || raw["kind"] != "Rollout" || raw["spec"] == nil || raw["status"] == nil {
		t.Errorf("GET rollout: want the object, got %v", raw)
	}
	if meta := raw["metadata"].(map[string]any); meta["managedFields"] != nil {
		t.Error("managedFields must be stripped")
	}

	names := func(list []biz.RolloutStatus) []string {
		out := []string{}
		for _, s := range list {
			out = append(out, s.Namespace+"/"+s.Name)
		}
		return out
	}
	var list, active, all []biz.RolloutStatus
	shared.dash.MustOK(t, http.MethodGet, "/rollout/list/"+ns, &list)
	shared.dash.MustOK(t, http.MethodGet, "/rollout/active/"+ns, &active)
	if got := strings.Join(names(list), ","); got != ns+"/shop-ro,"+ns+"/timed-ro,"+ns+"/web-ro" {
		t.Errorf("list: want active first then by name, got %s", got)
	}
	if got := strings.Join(names(active), ","); got != ns+"/shop-ro,"+ns+"/timed-ro" {
		t.Errorf("active: got %s", got)
	}
	shared.dash.MustOK(t, http.MethodGet, "/rollout/list/_all", &all)
	if found := strings.Join(names(all), ","); !strings.Contains(found, ns+"/web-ro") {
		t.Errorf("_all should include %s/web-ro: %s", ns, found)
	}
	shared.dash.MustOK(t, http.MethodGet, "/rollout/active/_all", &all)
	for _, s := range all {
		if !s.Active {
			t.Errorf("active/_all returned an inactive rollout %s/%s", s.Namespace, s.Name)
		}
	}
}

// TestRolloutApprove asserts exactly what approve writes, and its refusals.
func TestRolloutApprove(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-approve")
	createCloneSet(t, ns, "shop", 4)
	setInRolling(t, createRollout(t, ns, "canary", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
	blueGreen := rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: threeSteps()}}
	setInRolling(t, createRollout(t, ns, "bluegreen", refTo(kruiseV1alpha1, "CloneSet", "shop"), blueGreen), 1, rolloutsv1beta1.CanaryStepStatePaused, true)
	setInRolling(t, createRollout(t, ns, "upgrading", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 2, rolloutsv1beta1.CanaryStepStateUpgrade, false)
	setHealthy(t, createRollout(t, ns, "healthy", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)))
	waitRollout(t, ns, "healthy", inPhase("Healthy"))

	t.Run("canary", func(t *testing.T) {
		before := rolloutAt(t, ns, "canary")
		var res biz.ActionResult
		shared.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/canary", &res)
		after := rolloutAt(t, ns, "canary")
		if got := after.Status.CanaryStatus.CurrentStepState; got != rolloutsv1beta1.CanaryStepStateReady {
			t.Errorf("canaryStatus.currentStepState = %s, want StepReady", got)
		}
		// Nothing else changes: the top-level mirror is the controller's, the index stays.
		if after.Status.CurrentStepState != before.Status.CurrentStepState || after.Status.CanaryStatus.CurrentStepIndex != 1 ||
			after.Generation != before.Generation || after.Spec.Strategy.Paused {
			t.Errorf("approve wrote more than the sub-status state: %+v", after.Status)
		}
		if !res.Changed || res.Status.CurrentStepState != "StepReady" || !strings.Contains(res.Message, "step 1 approved") {
			t.Errorf("answer should report the state read back: %+v", res)
		}
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/canary", nil)
		if status != http.StatusConflict || e.Code != "CONFLICT" || !strings.Contains(e.Message, "StepReady") {
			t.Errorf("second approve: want 409 naming the current state, got %d %s %q", status, e.Code, e.Message)
		}
	})
	t.Run("blue-green writes blueGreenStatus", func(t *testing.T) {
		shared.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/bluegreen", nil)
		after := rolloutAt(t, ns, "bluegreen")
		if after.Status.CanaryStatus != nil || after.Status.BlueGreenStatus.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady {
			t.Errorf("blue-green approve: %+v", after.Status)
		}
	})
	for _, c := range []struct{ name, mention string }{
		{"upgrading", "StepUpgrade"}, {"healthy", "Healthy"},
	} {
		t.Run("refused when "+c.name, func(t *testing.T) {
			before := rolloutAt(t, ns, c.name)
			status, e := shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/"+c.name, nil)
			if status != http.StatusConflict || !strings.Contains(e.Message, "not waiting for approval") || !strings.Contains(e.Message, c.mention) {
				t.Errorf("want 409 saying it is not waiting and naming %s, got %d %q", c.mention, status, e.Message)
			}
			if after := rolloutAt(t, ns, c.name); after.ResourceVersion != before.ResourceVersion {
				t.Error("a refused approve must not write")
			}
		})
	}
	t.Run("the step shown: 409 once the Rollout moved on, nothing written", func(t *testing.T) {
		// Shown step 1; the release has moved on and waits at step 2 since.
		setInRolling(t, createRollout(t, ns, "moved", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 2, rolloutsv1beta1.CanaryStepStatePaused, false)
		before := rolloutAt(t, ns, "moved")
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/moved?step=1", nil)
		if status != http.StatusConflict || e.Code != "CONFLICT" || !strings.Contains(e.Message, "no longer at step 1 (now step 2 in state StepPaused)") {
			t.Errorf("approve of step 1 at step 2: want 409 naming where it is, got %d %s %q", status, e.Code, e.Message)
		}
		if after := rolloutAt(t, ns, "moved"); after.ResourceVersion != before.ResourceVersion {
			t.Error("a refused approve must not write")
		}
		for _, bad := range []string{"step=0", "step=-1", "step=x", "step=02", "step=1&step=2"} {
			if status, e := shared.dash.Call(t, http.MethodPost, "/rollout/approve/"+ns+"/moved?"+bad, nil); status != http.StatusBadRequest || e.Code != "BAD_REQUEST" {
				t.Errorf("%s: want 400, got %d %s %q", bad, status, e.Code, e.Message)
			}
		}
		if after := rolloutAt(t, ns, "moved"); after.ResourceVersion != before.ResourceVersion {
			t.Error("a refused approve must not write")
		}
		var res biz.ActionResult
		shared.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/moved?step=2", &res)
		if after := rolloutAt(t, ns, "moved"); !res.Changed || after.Status.CanaryStatus.CurrentStepIndex != 2 || after.Status.CanaryStatus.CurrentStepState != rolloutsv1beta1.CanaryStepStateReady {
			t.Errorf("approve of the step shown: %+v, status %+v", res, after.Status.CanaryStatus)
		}
	})
	t.Run("paused rollout warns", func(t *testing.T) {
		ro := createRollout(t, ns, "paused", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false))
		_, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).Patch(ctx, ro.Name, types.MergePatchType, []byte(`{"spec":{"strategy":{"paused":true}}}`), metav1.PatchOptions{})
		must(t, "pause", err)
		setInRolling(t, rolloutAt(t, ns, "paused"), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
		var res biz.ActionResult
		shared.dash.MustOK(t, http.MethodPost, "/rollout/approve/"+ns+"/paused", &res)
		if !strings.Contains(res.Warning, "paused") {
			t.Errorf("want a warning that the rollout is paused, got %+v", res)
		}
	})
}

// TestRolloutFlags: pause/resume write spec.strategy.paused, enable/disable spec.disabled; asking
// for the current state changes nothing.
func TestRolloutFlags(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-flags")
	createCloneSet(t, ns, "shop", 2)
	setHealthy(t, createRollout(t, ns, "ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)))
	waitRollout(t, ns, "ro", inPhase("Healthy"))
	cases := []struct {
		action  string
		changed bool
		check   func(*rolloutsv1beta1.Rollout) bool
	}{
		{"pause", true, func(r *rolloutsv1beta1.Rollout) bool { return r.Spec.Strategy.Paused }},
		{"pause", false, func(r *rolloutsv1beta1.Rollout) bool { return r.Spec.Strategy.Paused }},
		{"resume", true, func(r *rolloutsv1beta1.Rollout) bool { return !r.Spec.Strategy.Paused }},
		{"resume", false, func(r *rolloutsv1beta1.Rollout) bool { return !r.Spec.Strategy.Paused }},
		{"disable", true, func(r *rolloutsv1beta1.Rollout) bool { return r.Spec.Disabled }},
		{"disable", false, func(r *rolloutsv1beta1.Rollout) bool { return r.Spec.Disabled }},
		{"enable", true, func(r *rolloutsv1beta1.Rollout) bool { return !r.Spec.Disabled }},
	}
	for _, c := range cases {
		var res biz.ActionResult
		shared.dash.MustOK(t, http.MethodPost, "/rollout/"+c.action+"/"+ns+"/ro", &res)
		if res.Changed != c.changed || !c.check(rolloutAt(t, ns, "ro")) {
			t.Errorf("%s: changed=%t (want %t), API state %+v", c.action, res.Changed, c.changed, rolloutAt(t, ns, "ro").Spec)
		}
	}
}

// TestRolloutPromote writes nextStepIndex, and validates `to`.
func TestRolloutPromote(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-promote")
	createCloneSet(t, ns, "shop", 4)
	steps := append(threeSteps(), rolloutsv1beta1.CanaryStep{Replicas: ptr.To(intstr100())})
	strategy := rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps}}
	setInRolling(t, createRollout(t, ns, "ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), strategy), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
	setHealthy(t, createRollout(t, ns, "done", refTo(kruiseV1alpha1, "CloneSet", "shop"), strategy))
	waitRollout(t, ns, "done", inPhase("Healthy"))

	for _, bad := range []string{"0", "5", "x", "-1"} {
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/promote/"+ns+"/ro?to="+bad, nil)
		if status != http.StatusBadRequest || !strings.Contains(e.Message, "from 1 to 4") {
			t.Errorf("to=%s: want 400, got %d %q", bad, status, e.Message)
		}
	}
	if status, _ := shared.dash.Call(t, http.MethodPost, "/rollout/promote/"+ns+"/done", nil); status != http.StatusConflict {
		t.Errorf("promote with no release: want 409, got %d", status)
	}
	shared.dash.MustOK(t, http.MethodPost, "/rollout/promote/"+ns+"/ro?to=3", nil)
	if got := rolloutAt(t, ns, "ro").Status.CanaryStatus.NextStepIndex; got != 3 {
		t.Errorf("nextStepIndex = %d, want 3", got)
	}
	shared.dash.MustOK(t, http.MethodPost, "/rollout/promote/"+ns+"/ro", nil)
	if got := rolloutAt(t, ns, "ro").Status.CanaryStatus.NextStepIndex; got != 4 {
		t.Errorf("promote without to: nextStepIndex = %d, want the last step 4", got)
	}
	// The step right after the current one is what approve does.
	shared.dash.MustOK(t, http.MethodPost, "/rollout/promote/"+ns+"/ro?to=2", nil)
	if got := rolloutAt(t, ns, "ro").Status.CanaryStatus.CurrentStepState; got != rolloutsv1beta1.CanaryStepStateReady {
		t.Errorf("promote to the next step should approve, state %s", got)
	}
}

func intstr100() intstr.IntOrString { return intstr.FromString("100%") }

// history fixtures: each kind gets revision 1 (nginx:1.27) and revision 2 (nginx:1.28, current).
type historyCase struct {
	typ, apiVersion, kind, name string
	setup                       func(t *testing.T, ns, name string)
}

func imageOf(t testing.TB, typ, ns, name string) string {
	obj, err := fromAPIServer(t, typ, ns, name)
	must(t, "read workload", err)
	containers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
	return containers[0].(map[string]any)["image"].(string)
}

// templateNow reads the workload's pod template from the API server (defaults applied).
func templateNow(t testing.TB, typ, ns, name string) (corev1.PodTemplateSpec, metav1.Object) {
	obj, err := fromAPIServer(t, typ, ns, name)
	must(t, "read workload", err)
	raw, _, _ := unstructured.NestedMap(obj.Object, "spec", "template")
	var tmpl corev1.PodTemplateSpec
	must(t, "decode template", runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &tmpl))
	return tmpl, obj
}

func setImage(t testing.TB, typ, ns, name, image string) {
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"main","image":%q}]}}}}`, image)
	_, err := dynamicClient(t).Resource(gvrOf(typ)).Namespace(ns).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	must(t, "set image", err)
}

// kruiseHistory creates a Kruise workload with two ControllerRevisions.
func kruiseHistory(typ, kind, apiVersion string, create func(t *testing.T, ns, name string)) func(t *testing.T, ns, name string) {
	return func(t *testing.T, ns, name string) {
		create(t, ns, name)
		gvk := gvrOf(typ).GroupVersion().WithKind(kind)
		tmpl, obj := templateNow(t, typ, ns, name)
		createControllerRevision(t, obj, gvk, name+"-rev1", 1, tmpl)
		setImage(t, typ, ns, name, "nginx:1.28")
		tmpl, obj = templateNow(t, typ, ns, name)
		createControllerRevision(t, obj, gvk, name+"-rev2", 2, tmpl)
	}
}

// deploymentHistory creates a Deployment with two ReplicaSets, as the deployment controller does.
func deploymentHistory(t *testing.T, ns, name string) {
	createDeployment(t, ns, name, 2)
	for n, image := range []string{"nginx:1.27", "nginx:1.28"} {
		if n == 1 {
			setImage(t, "deployment", ns, name, image)
		}
		tmpl, obj := templateNow(t, "deployment", ns, name)
		hash := fmt.Sprintf("hash%d", n+1)
		tmpl.Labels["pod-template-hash"] = hash
		d := obj.(*unstructured.Unstructured)
		_, err := shared.kube.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-" + hash, Namespace: ns,
				Labels:          tmpl.Labels,
				Annotations:     map[string]string{"deployment.kubernetes.io/revision": fmt.Sprint(n + 1)},
				OwnerReferences: []metav1.OwnerReference{ownerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
			Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels}, Template: tmpl},
		}, metav1.CreateOptions{})
		must(t, "create replicaset", err)
	}
}

type historyAnswer struct {
	Workload  biz.WorkloadRef    `json:"workload"`
	Revisions []biz.HistoryEntry `json:"revisions"`
}

// TestRolloutHistoryAndUndo covers the four kinds with revisions: history, undo to the previous
// revision, undo to a given revision, an unknown revision, and an undo that has nothing to do.
func TestRolloutHistoryAndUndo(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-undo")
	cases := []historyCase{
		{"deployment", "apps/v1", "Deployment", "web", deploymentHistory},
		{"cloneset", kruiseV1alpha1, "CloneSet", "shop", kruiseHistory("cloneset", "CloneSet", kruiseV1alpha1, func(t *testing.T, ns, name string) { createCloneSet(t, ns, name, 2) })},
		{"statefulset", kruiseV1beta1, "StatefulSet", "ledger", kruiseHistory("statefulset", "StatefulSet", kruiseV1beta1, func(t *testing.T, ns, name string) { createStatefulSet(t, ns, name, 2) })},
		{"daemonset", kruiseV1alpha1, "DaemonSet", "agent", kruiseHistory("daemonset", "DaemonSet", kruiseV1alpha1, func(t *testing.T, ns, name string) { createDaemonSet(t, ns, name) })},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			c.setup(t, ns, c.name)
			roName := c.name + "-ro"
			setHealthy(t, createRollout(t, ns, roName, refTo(c.apiVersion, c.kind, c.name), canaryStrategy(false)))
			waitRollout(t, ns, roName, inPhase("Healthy"))

			var h historyAnswer
			apiclient.Eventually(t, "two revisions in the history", 10*time.Second, func() error {
				if err := shared.dash.Get(t, "/rollout/history/"+ns+"/"+roName, &h); err != nil {
					return err
				}
				if len(h.Revisions) != 2 || !h.Revisions[1].Current {
					return fmt.Errorf("%+v", h.Revisions)
				}
				return nil
			})
			if h.Workload.Type != c.typ || h.Revisions[0].Number != 1 || h.Revisions[0].Images[0] != "nginx:1.27" || h.Revisions[0].Current ||
				h.Revisions[1].Images[0] != "nginx:1.28" {
				t.Fatalf("history: %+v", h)
			}

			var undo biz.UndoResult
			shared.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/"+roName, &undo)
			if !undo.Changed || undo.FromRevision != 2 || undo.ToRevision != 1 || imageOf(t, c.typ, ns, c.name) != "nginx:1.27" {
				t.Errorf("undo to previous: %+v, image now %s", undo, imageOf(t, c.typ, ns, c.name))
			}
			tmpl, _ := templateNow(t, c.typ, ns, c.name)
			if _, hashed := tmpl.Labels["pod-template-hash"]; hashed {
				t.Error("the rolled-back template must not carry the ReplicaSet's pod-template-hash")
			}
			if ro := rolloutAt(t, ns, roName); ro.Generation != 1 {
				t.Error("undo must not touch the Rollout object")
			}

			// The cache must see the rolled-back template before the next decision.
			apiclient.Eventually(t, "revision 1 current", 10*time.Second, func() error {
				if err := shared.dash.Get(t, "/rollout/history/"+ns+"/"+roName, &h); err != nil {
					return err
				}
				if !h.Revisions[0].Current {
					return fmt.Errorf("%+v", h.Revisions)
				}
				return nil
			})
			shared.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/"+roName+"?revision=1", &undo)
			if undo.Changed || !strings.Contains(undo.Message, "nothing to undo") {
				t.Errorf("undo to the running revision should change nothing: %+v", undo)
			}
			status, e := shared.dash.Call(t, http.MethodPost, "/rollout/undo/"+ns+"/"+roName+"?revision=9", nil)
			if status != http.StatusNotFound || !strings.Contains(e.Message, "revision 9") {
				t.Errorf("unknown revision: want 404, got %d %q", status, e.Message)
			}
			shared.dash.MustOK(t, http.MethodPost, "/rollout/undo/"+ns+"/"+roName+"?revision=2", &undo)
			if imageOf(t, c.typ, ns, c.name) != "nginx:1.28" {
				t.Errorf("undo to revision 2: image %s", imageOf(t, c.typ, ns, c.name))
			}
		})
	}
	t.Run("kind without history", func(t *testing.T) {
		createBroadcastJob(t, ns, "warm")
		setHealthy(t, createRollout(t, ns, "bcj-ro", refTo(kruiseV1alpha1, "BroadcastJob", "warm"), canaryStrategy(false)))
		waitRollout(t, ns, "bcj-ro", nil)
		for _, path := range []string{"/rollout/history/", "/rollout/undo/"} {
			method := map[bool]string{true: http.MethodGet, false: http.MethodPost}[strings.Contains(path, "history")]
			status, e := shared.dash.Call(t, method, path+ns+"/bcj-ro", nil)
			if status != http.StatusBadRequest || !strings.Contains(e.Message, "no revision history") {
				t.Errorf("%s: want 400, got %d %q", path, status, e.Message)
			}
		}
	})
	t.Run("missing workload", func(t *testing.T) {
		setHealthy(t, createRollout(t, ns, "orphan-ro", refTo(kruiseV1alpha1, "CloneSet", "gone"), canaryStrategy(false)))
		waitRollout(t, ns, "orphan-ro", nil)
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/undo/"+ns+"/orphan-ro", nil)
		if status != http.StatusNotFound || !strings.Contains(e.Message, "CloneSet "+ns+"/gone") {
			t.Errorf("want 404 naming the workload, got %d %q", status, e.Message)
		}
	})
}

// TestRolloutRestart: the restart that really restarts containers for each update strategy, and
// its preconditions.
func TestRolloutRestart(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-restart")
	withStrategy := func(name string, typ kruiseappsv1alpha1.CloneSetUpdateStrategyType) {
		cs := &kruiseappsv1alpha1.CloneSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: kruiseappsv1alpha1.CloneSetSpec{
			Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name),
			UpdateStrategy: kruiseappsv1alpha1.CloneSetUpdateStrategy{Type: typ}}}
		cs.Spec.Template.Spec.Containers = append(cs.Spec.Template.Spec.Containers, corev1.Container{Name: "sidecar", Image: "busybox:1.36",
			Env: []corev1.EnvVar{{Name: "MODE", Value: "x"}}})
		_, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Create(ctx, cs, metav1.CreateOptions{})
		must(t, "create cloneset", err)
		setHealthy(t, createRollout(t, ns, name+"-ro", refTo(kruiseV1alpha1, "CloneSet", name), canaryStrategy(false)))
		waitRollout(t, ns, name+"-ro", inPhase("Healthy"))
		waitServed(t, "cloneset", ns, name)
	}
	withStrategy("inplace", kruiseappsv1alpha1.InPlaceIfPossibleCloneSetUpdateStrategyType)
	withStrategy("recreate", kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	withStrategy("inplaceonly", kruiseappsv1alpha1.InPlaceOnlyCloneSetUpdateStrategyType)

	t.Run("InPlaceIfPossible changes RESTARTED_AT in every container", func(t *testing.T) {
		shared.dash.MustOK(t, http.MethodPost, "/rollout/restart/"+ns+"/inplace-ro", nil)
		cs, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Get(ctx, "inplace", metav1.GetOptions{})
		must(t, "read cloneset", err)
		for _, c := range cs.Spec.Template.Spec.Containers {
			if len(c.Env) == 0 || c.Env[len(c.Env)-1].Name != adapters.RestartedAtEnv || c.Env[len(c.Env)-1].Value == "" {
				t.Errorf("container %s env %+v: want RESTARTED_AT set", c.Name, c.Env)
			}
		}
		if cs.Spec.Template.Spec.Containers[1].Env[0].Name != "MODE" {
			t.Error("existing env must be kept")
		}
		if _, ok := cs.Spec.Template.Annotations[adapters.RestartedAtAnnotation]; ok {
			t.Error("in-place restart must not rely on the annotation")
		}
	})
	t.Run("ReCreate uses the template annotation", func(t *testing.T) {
		shared.dash.MustOK(t, http.MethodPost, "/rollout/restart/"+ns+"/recreate-ro", nil)
		cs, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Get(ctx, "recreate", metav1.GetOptions{})
		must(t, "read cloneset", err)
		if cs.Spec.Template.Annotations[adapters.RestartedAtAnnotation] == "" || len(cs.Spec.Template.Spec.Containers[0].Env) != 0 {
			t.Errorf("want the annotation and no env change: %+v", cs.Spec.Template)
		}
	})
	t.Run("InPlaceOnly is refused", func(t *testing.T) {
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/restart/"+ns+"/inplaceonly-ro", nil)
		if status != http.StatusConflict || !strings.Contains(e.Message, "InPlaceOnly") {
			t.Errorf("want 409 naming InPlaceOnly, got %d %q", status, e.Message)
		}
	})
	t.Run("refused while a release is in flight", func(t *testing.T) {
		setInRolling(t, rolloutAt(t, ns, "recreate-ro"), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/restart/"+ns+"/recreate-ro", nil)
		if status != http.StatusConflict || !strings.Contains(e.Message, "in flight") {
			t.Errorf("want 409 while progressing, got %d %q", status, e.Message)
		}
	})
	t.Run("paused deployment is refused", func(t *testing.T) {
		d := createDeployment(t, ns, "web", 1)
		_, err := shared.kube.AppsV1().Deployments(ns).Patch(ctx, d.Name, types.MergePatchType, []byte(`{"spec":{"paused":true}}`), metav1.PatchOptions{})
		must(t, "pause deployment", err)
		setHealthy(t, createRollout(t, ns, "web-ro", refTo("apps/v1", "Deployment", "web"), canaryStrategy(true)))
		waitRollout(t, ns, "web-ro", inPhase("Healthy"))
		apiclient.Eventually(t, "paused deployment in cache", 10*time.Second, func() error {
			if got := waitServed(t, "deployment", ns, "web"); got.Spec["paused"] != true {
				return fmt.Errorf("not paused yet")
			}
			return nil
		})
		status, e := shared.dash.Call(t, http.MethodPost, "/rollout/restart/"+ns+"/web-ro", nil)
		if status != http.StatusConflict || !strings.Contains(e.Message, "paused") {
			t.Errorf("want 409 naming the pause, got %d %q", status, e.Message)
		}
	})
}

// TestRolloutBadInput is the table of refused Rollout requests.
func TestRolloutBadInput(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-bad")
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/rollout/" + ns + "/missing", 404, "NOT_FOUND"},
		{"GET", "/rollout/status/" + ns + "/missing", 404, "NOT_FOUND"},
		{"GET", "/rollout/history/" + ns + "/missing", 404, "NOT_FOUND"},
		{"POST", "/rollout/approve/" + ns + "/missing", 404, "NOT_FOUND"},
		{"POST", "/rollout/pause/" + ns + "/missing", 404, "NOT_FOUND"},
		{"POST", "/rollout/undo/" + ns + "/missing", 404, "NOT_FOUND"},
		{"POST", "/rollout/restart/" + ns + "/missing", 404, "NOT_FOUND"},
		{"GET", "/rollout/Bad_NS/x", 400, "BAD_REQUEST"},
		{"GET", "/rollout/status/" + ns + "/Bad!", 400, "BAD_REQUEST"},
		{"GET", "/rollout/list/Bad_NS", 400, "BAD_REQUEST"},
		{"POST", "/rollout/approve/_all/x", 400, "BAD_REQUEST"},
		{"POST", "/rollout/undo/" + ns + "/x?revision=zero", 400, "BAD_REQUEST"},
		{"POST", "/rollout/undo/" + ns + "/x?revision=0", 400, "BAD_REQUEST"},
		{"POST", "/rollout/explode/" + ns + "/x", 404, "NOT_FOUND"},
		{"GET", "/rollout/approve/" + ns + "/x", 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", "/rollout/" + ns + "/x", 405, "METHOD_NOT_ALLOWED"},
	}
	for _, c := range cases {
		status, e := shared.dash.Call(t, c.method, c.path, nil)
		if status != c.status || e.Code != c.code {
			t.Errorf("%s %s: got %d %s %q; want %d %s", c.method, c.path, status, e.Code, e.Message, c.status, c.code)
		}
	}
}
