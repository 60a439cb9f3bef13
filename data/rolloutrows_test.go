package data

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	rolloutsv1alpha1 "github.com/openkruise/kruise-rollout-api/rollouts/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// todaysList is the list as GET /rollout/list and /rollout/active built it per request before
// the store: the cache's Rollouts in namespace/name order, each normalised, filtered, a stable
// sort putting active releases first, then encoding/json of the slice.
func todaysList(t *testing.T, reg *registry.Registry, objs []runtime.Object, ns string, activeOnly bool, visible func(string) bool) string {
	t.Helper()
	var ros []biz.RolloutObject
	for _, o := range objs {
		if ro := normalise(o); ns == "" || ro.Rollout.Namespace == ns {
			ros = append(ros, ro)
		}
	}
	sort.Slice(ros, func(i, j int) bool {
		a, b := ros[i].Rollout, ros[j].Rollout
		return a.Namespace < b.Namespace || (a.Namespace == b.Namespace && a.Name < b.Name)
	})
	out := make([]*biz.RolloutStatus, 0, len(ros))
	for _, o := range ros {
		row, err := biz.NewRolloutRow(reg, o)
		if err != nil {
			t.Fatal(err)
		}
		if activeOnly && !row.Status.Active || visible != nil && !visible(o.Rollout.Namespace) {
			continue
		}
		out = append(out, row.Status)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Active && !out[j].Active })
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

var t0 = metav1.NewTime(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))

func steps(pauses ...*int32) []rolloutsv1beta1.CanaryStep {
	var out []rolloutsv1beta1.CanaryStep
	for i, p := range pauses {
		r := intstr.FromString(fmt.Sprintf("%d%%", (i+1)*100/len(pauses)))
		out = append(out, rolloutsv1beta1.CanaryStep{Replicas: &r, TrafficRoutingStrategy: rolloutsv1beta1.TrafficRoutingStrategy{Traffic: ptr.To(fmt.Sprintf("%d%%", (i+1)*10))},
			Pause: rolloutsv1beta1.RolloutPause{Duration: p}})
	}
	return out
}

func beta(ns, name, kind string, strategy rolloutsv1beta1.RolloutStrategy, status rolloutsv1beta1.RolloutStatus) *rolloutsv1beta1.Rollout {
	apiVersion := "apps.kruise.io/v1alpha1"
	if kind == "Deployment" {
		apiVersion = "apps/v1"
	}
	return &rolloutsv1beta1.Rollout{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rollouts.kruise.io/v1beta1", Kind: "Rollout"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Generation: 2, ResourceVersion: "1"},
		Spec:       rolloutsv1beta1.RolloutSpec{WorkloadRef: rolloutsv1beta1.ObjectRef{APIVersion: apiVersion, Kind: kind, Name: name}, Strategy: strategy},
		Status:     status,
	}
}

func inRolling(step int32, state rolloutsv1beta1.CanaryStepState, reason string, blueGreen bool) rolloutsv1beta1.RolloutStatus {
	common := rolloutsv1beta1.CommonStatus{StableRevision: "s", PodTemplateHash: "c", CurrentStepIndex: step, CurrentStepState: state, NextStepIndex: step + 1, LastUpdateTime: &t0}
	st := rolloutsv1beta1.RolloutStatus{ObservedGeneration: 2, Phase: rolloutsv1beta1.RolloutPhaseProgressing, Message: "Rollout is in step",
		Conditions: []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionTrue, Reason: reason, LastUpdateTime: t0, LastTransitionTime: t0}}}
	if blueGreen {
		st.BlueGreenStatus = &rolloutsv1beta1.BlueGreenStatus{CommonStatus: common, UpdatedRevision: "c", UpdatedReplicas: 2, UpdatedReadyReplicas: 1}
	} else {
		st.CanaryStatus = &rolloutsv1beta1.CanaryStatus{CommonStatus: common, CanaryRevision: "c", CanaryReplicas: 1, CanaryReadyReplicas: 1}
	}
	return st
}

// variedRollouts are Rollouts of every kind the lists show.
func variedRollouts() []runtime.Object {
	canary := func(extra bool, s ...*int32) rolloutsv1beta1.RolloutStrategy {
		return rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps(s...), EnableExtraWorkloadForCanary: extra}}
	}
	blueGreen := rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: steps(nil, nil)}}
	paused := canary(false, nil, nil, nil)
	paused.Paused = true
	completed := rolloutsv1beta1.RolloutStatus{ObservedGeneration: 2, Phase: rolloutsv1beta1.RolloutPhaseHealthy,
		Conditions: []rolloutsv1beta1.RolloutCondition{
			{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionFalse, Reason: rolloutsv1beta1.ProgressingReasonCompleted, LastUpdateTime: t0, LastTransitionTime: t0},
			{Type: rolloutsv1beta1.RolloutConditionSucceeded, Status: corev1.ConditionTrue, LastUpdateTime: t0, LastTransitionTime: t0}},
		CanaryStatus: &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{CurrentStepIndex: 3, CurrentStepState: rolloutsv1beta1.CanaryStepStateCompleted, StableRevision: "c"}, CanaryRevision: "c"}}
	disabled := beta("b", "disabled", "CloneSet", canary(false, nil), rolloutsv1beta1.RolloutStatus{Phase: rolloutsv1beta1.RolloutPhaseDisabled, Message: "disabled"})
	disabled.Spec.Disabled = true
	alpha := &rolloutsv1alpha1.Rollout{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rollouts.kruise.io/v1alpha1", Kind: "Rollout"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "alpha", Annotations: map[string]string{rolloutsv1alpha1.RolloutStyleAnnotation: "partition"}},
		Spec: rolloutsv1alpha1.RolloutSpec{
			ObjectRef: rolloutsv1alpha1.ObjectRef{WorkloadRef: &rolloutsv1alpha1.WorkloadRef{APIVersion: "apps.kruise.io/v1alpha1", Kind: "CloneSet", Name: "alpha"}},
			Strategy: rolloutsv1alpha1.RolloutStrategy{Canary: &rolloutsv1alpha1.CanaryStrategy{Steps: []rolloutsv1alpha1.CanaryStep{
				{TrafficRoutingStrategy: rolloutsv1alpha1.TrafficRoutingStrategy{Weight: ptr.To[int32](20)}, Pause: rolloutsv1alpha1.RolloutPause{}},
				{TrafficRoutingStrategy: rolloutsv1alpha1.TrafficRoutingStrategy{Weight: ptr.To[int32](100)}}}}}},
		Status: rolloutsv1alpha1.RolloutStatus{ObservedGeneration: 1, Phase: rolloutsv1alpha1.RolloutPhaseProgressing,
			Conditions:   []rolloutsv1alpha1.RolloutCondition{{Type: rolloutsv1alpha1.RolloutConditionProgressing, Status: corev1.ConditionTrue, Reason: rolloutsv1alpha1.ProgressingReasonInRolling, LastUpdateTime: t0, LastTransitionTime: t0}},
			CanaryStatus: &rolloutsv1alpha1.CanaryStatus{CurrentStepIndex: 1, CurrentStepState: rolloutsv1alpha1.CanaryStepStatePaused, CanaryRevision: "c", StableRevision: "s", LastUpdateTime: &t0}},
	}
	return []runtime.Object{
		beta("a", "waiting", "CloneSet", canary(false, nil, nil, nil), inRolling(1, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonInRolling, false)),
		beta("a", "timed", "CloneSet", canary(false, ptr.To[int32](60), nil), inRolling(1, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonInRolling, false)),
		beta("a", "paused", "CloneSet", paused, inRolling(2, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonPaused, false)),
		beta("a", "upgrading", "CloneSet", canary(false, nil, nil), inRolling(2, rolloutsv1beta1.CanaryStepStateUpgrade, rolloutsv1beta1.ProgressingReasonInRolling, false)),
		alpha,
		beta("b", "completed", "CloneSet", canary(false, nil, nil, nil), completed),
		disabled,
		beta("b", "bluegreen", "CloneSet", blueGreen, inRolling(1, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonInRolling, true)),
		beta("c", "canary-style", "Deployment", canary(true, nil, nil), inRolling(1, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonInRolling, false)),
		beta("c", "missing-kind", "Unknown", canary(false, nil), rolloutsv1beta1.RolloutStatus{}),
		beta("c", "not-observed", "CloneSet", rolloutsv1beta1.RolloutStrategy{}, rolloutsv1beta1.RolloutStatus{}),
		beta("d-other", "waiting-too", "CloneSet", canary(false, nil, nil), inRolling(1, rolloutsv1beta1.CanaryStepStatePaused, rolloutsv1beta1.ProgressingReasonInRolling, false)),
	}
}

func TestRolloutRowsAreTodaysLists(t *testing.T) {
	cluster := &adapters.Cluster{}
	reg, err := registry.New([]adapters.Adapter{adapters.NewCloneSet(cluster)})
	if err != nil {
		t.Fatal(err)
	}
	s := NewRolloutRowStore(reg)
	h := s.handler()
	objs := variedRollouts()
	for _, i := range rand.New(rand.NewSource(1)).Perm(len(objs)) {
		h.OnAdd(objs[i], true)
	}
	notB := func(ns string) bool { return ns != "b" }
	check := func(when string) {
		t.Helper()
		for _, ns := range []string{"", "a", "b", "c", "d-other", "none"} {
			for _, active := range []bool{false, true} {
				for _, visible := range []func(string) bool{nil, notB} {
					want := todaysList(t, reg, objs, ns, active, visible)
					got := s.List(ns, active, visible)
					if string(got.JSON) != want {
						t.Errorf("%s: list of %q active=%v filtered=%v:\n got %s\nwant %s", when, ns, active, visible != nil, got.JSON, want)
					}
				}
			}
		}
		var waiting []string
		for _, r := range s.Waiting() {
			waiting = append(waiting, r.Status.Namespace+"/"+r.Status.Name)
		}
		var want []string
		var all []*biz.RolloutStatus
		_ = json.Unmarshal([]byte(todaysList(t, reg, objs, "", true, nil)), &all)
		for _, st := range all {
			if st.WaitingForApproval {
				want = append(want, st.Namespace+"/"+st.Name)
			}
		}
		if fmt.Sprint(waiting) != fmt.Sprint(want) {
			t.Errorf("%s: waiting %v, want %v", when, waiting, want)
		}
	}
	check("loaded")
	if n := len(s.Waiting()); n != 6 { // waiting, paused (held at a manual step), alpha, bluegreen, canary-style, waiting-too
		t.Errorf("%d waiting rows, want 6", n)
	}
	if again, first := s.List("", false, nil), s.List("", false, nil); &again.JSON[0] != &first.JSON[0] {
		t.Error("an unchanged answer of every namespace was built again")
	}

	// An update, a delete, a namespace emptied.
	done := variedRollouts()[5].(*rolloutsv1beta1.Rollout).DeepCopy()
	done.Namespace, done.Name, done.Spec.WorkloadRef.Name = "a", "waiting", "waiting"
	h.OnUpdate(objs[0], done)
	objs[0] = done
	h.OnDelete(objs[11])
	objs = objs[:11]
	h.OnDelete(cache.DeletedFinalStateUnknown{Key: "a/alpha", Obj: objs[4]})
	objs = append(objs[:4], objs[5:]...)
	check("changed")

	// A declared type added: the Rollouts naming it get its type.
	if err := reg.Replace([]adapters.Adapter{adapters.NewCloneSet(cluster), adapters.NewDeployment(cluster)}, nil); err != nil {
		t.Fatal(err)
	}
	s.retype()
	check("registry replaced")
	for _, r := range s.Rows("c") {
		if r.Status.Name == "canary-style" && r.Status.Workload.Type != "deployment" {
			t.Errorf("after the registry named Deployments: %+v", r.Status.Workload)
		}
	}
}

// Readers run while the informer's handler writes (go test -race).
func TestRolloutRowsConcurrently(t *testing.T) {
	reg, err := registry.New([]adapters.Adapter{adapters.NewCloneSet(&adapters.Cluster{})})
	if err != nil {
		t.Fatal(err)
	}
	s := NewRolloutRowStore(reg)
	h := s.handler()
	objs := variedRollouts()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			o := objs[i%len(objs)]
			if i%5 == 4 {
				h.OnDelete(o)
			} else {
				h.OnAdd(o, false)
			}
			if i%50 == 0 {
				s.retype()
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		for _, ns := range []string{"", "a"} {
			var list []json.RawMessage
			if err := json.Unmarshal(s.List(ns, false, nil).JSON, &list); err != nil {
				t.Fatal(err)
			}
			_ = s.List(ns, true, func(ns string) bool { return ns != "b" })
		}
		_ = s.Waiting()
		_ = s.Rows("")
	}
}
