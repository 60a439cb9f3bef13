package biz

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestStepTarget(t *testing.T) {
	for _, c := range []struct {
		v        intstr.IntOrString
		replicas int32
		want     int32
	}{
		{intstr.FromInt32(1), 4, 1}, {intstr.FromInt32(9), 4, 4}, {intstr.FromString("50%"), 4, 2},
		{intstr.FromString("20%"), 4, 1}, {intstr.FromString("100%"), 5, 5}, {intstr.FromString("x%"), 4, -1},
	} {
		if got := stepTarget(c.v, c.replicas); got != c.want {
			t.Errorf("stepTarget(%s, %d) = %d, want %d", c.v.String(), c.replicas, got, c.want)
		}
	}
}

func TestRevisionNames(t *testing.T) {
	for _, c := range []struct {
		label, named string
		want         bool
	}{
		{"shop-5f965f5758", "shop-5f965f5758", true}, {"shop-5f965f5758", "5f965f5758", true}, {"5f965f5758", "shop-5f965f5758", true},
		{"shop-5f965f5758", "599c4d6db9", false}, {"", "x", false}, {"x", "", false},
	} {
		if got := names(c.label, c.named); got != c.want {
			t.Errorf("names(%q, %q) = %v", c.label, c.named, got)
		}
	}
}

func TestReleasePodStates(t *testing.T) {
	now := metav1.Now()
	pod := func(name, rev string, ready bool, deleting bool, batch string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"pod-template-hash": rev}}}
		if batch != "" {
			p.Labels[BatchLabel] = batch
		}
		if deleting {
			p.DeletionTimestamp = &now
		}
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
		return p
	}
	two := intstr.FromInt32(2)
	st := &RolloutStatus{CurrentStepIndex: 1, Steps: []RolloutStep{{Index: 1, Replicas: &two}}, CanaryRevision: "new", StableRevision: "old"}
	replicas := int32(4)
	workload := &appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: &replicas}}
	rp := releasePods(st, workload, []*corev1.Pod{
		pod("c1", "shop-new", true, false, "1"),
		pod("c2", "shop-new", false, false, "1"),
		pod("s1", "shop-old", true, true, ""), // being deleted while still Ready
		pod("s2", "shop-old", true, false, ""),
		pod("x1", "shop-older", false, true, ""),
	})
	want := map[string]struct{ role, state, batch string }{
		"c1": {"canary", "ready", "1"}, "c2": {"canary", "notReady", "1"},
		"s1": {"stable", "terminating", ""}, "s2": {"stable", "ready", ""}, "x1": {"", "terminating", ""},
	}
	for _, it := range rp.Items {
		w := want[it.Name]
		if it.Role != w.role || it.State != w.state || it.Batch != w.batch {
			t.Errorf("%s: role %q state %q batch %q, want %+v", it.Name, it.Role, it.State, it.Batch, w)
		}
	}
	if !rp.Items[2].Ready {
		t.Error("s1: ready kept as the pod reports it (compatibility)")
	}
	if rp.StepTarget != 2 || rp.Replicas != 4 || rp.Canary != (PodCount{Total: 2, Ready: 1}) || rp.Stable != (PodCount{Total: 2, Ready: 2}) {
		t.Errorf("target %d replicas %d canary %+v stable %+v", rp.StepTarget, rp.Replicas, rp.Canary, rp.Stable)
	}
}
