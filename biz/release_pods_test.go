package biz

import (
	"testing"

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
