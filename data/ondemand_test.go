package data

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// The pods are listed by the first read, kept while read, dropped once idle, and listed again by
// the next read (a fresh informer: a stopped one cannot start again).
func TestOnDemandPods(t *testing.T) {
	kube := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "ns"}})
	p := NewOnDemandPods(kube, func(o any) (any, error) { return o, nil }, time.Minute)
	defer p.Stop()
	if cached, starts := p.State(); cached || starts != 0 {
		t.Fatalf("before any read: cached %v, starts %d", cached, starts)
	}
	for _, step := range []struct {
		name   string
		now    time.Duration // DropIdle at the last read + now
		read   bool
		cached bool
		starts int
	}{
		{"first read lists", 0, true, true, 1},
		{"read within the idle time keeps it", 30 * time.Second, false, true, 1},
		{"idle for the idle time drops it", time.Minute, false, false, 1},
		{"the next read lists again", 0, true, true, 2},
	} {
		if step.read {
			inf, err := p.Informer()
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if got := len(inf.GetIndexer().List()); got != 1 {
				t.Errorf("%s: %d pods cached, want 1", step.name, got)
			}
		} else {
			p.mu.Lock()
			used := p.used
			p.mu.Unlock()
			p.DropIdle(used.Add(step.now))
		}
		if cached, starts := p.State(); cached != step.cached || starts != step.starts {
			t.Errorf("%s: cached %v starts %d, want %v %d", step.name, cached, starts, step.cached, step.starts)
		}
	}
}
