package data

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// podsSyncWait bounds how long the first read of a cluster's pods waits for them to be listed.
const podsSyncWait = 20 * time.Second

// OnDemandPods caches a cluster's pods only while they are read: the first read starts a pod
// informer (and waits for its list), each read stamps it, and DropIdle stops it — dropping the
// pods from memory — once it has not been read for the idle time. A stopped informer cannot be
// started again, so each start builds a fresh one (the same list and watch, transform and
// indexes). Nothing subscribes to the pod informer's events (readers use its indexes), so
// nothing has to be re-attached.
type OnDemandPods struct {
	kube      kubernetes.Interface
	transform cache.TransformFunc
	idle      time.Duration

	mu     sync.Mutex
	inf    cache.SharedIndexInformer
	cancel context.CancelFunc
	used   time.Time
	starts int
}

// NewOnDemandPods is the on-demand pod source of the cluster of kube.
func NewOnDemandPods(kube kubernetes.Interface, transform cache.TransformFunc, idle time.Duration) *OnDemandPods {
	return &OnDemandPods{kube: kube, transform: transform, idle: idle}
}

// Informer implements adapters.PodSource.
func (p *OnDemandPods) Informer() (cache.SharedIndexInformer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used = time.Now()
	if p.inf == nil {
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return p.kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return p.kube.CoreV1().Pods(metav1.NamespaceAll).Watch(ctx, o)
			},
		}
		inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
		_ = inf.SetTransform(p.transform) // before the start: cannot fail
		adapters.Indexed(inf)
		ctx, cancel := context.WithCancel(context.Background())
		go inf.RunWithContext(ctx)
		p.inf, p.cancel = inf, cancel
		p.starts++
	}
	if !p.inf.HasSynced() {
		ctx, cancel := context.WithTimeout(context.Background(), podsSyncWait)
		defer cancel()
		if !cache.WaitForCacheSync(ctx.Done(), p.inf.HasSynced) {
			return nil, biz.Unavailable(nil, "this cluster's pods are being read into the cache (they are cached while in use): try again in a moment")
		}
	}
	return p.inf, nil
}

// DropIdle stops the informer when it has not been read for the idle time (now: the clock).
func (p *OnDemandPods) DropIdle(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inf != nil && now.Sub(p.used) >= p.idle {
		p.stopLocked()
	}
}

// Stop stops the informer, if running.
func (p *OnDemandPods) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inf != nil {
		p.stopLocked()
	}
}

func (p *OnDemandPods) stopLocked() {
	p.cancel()
	p.inf, p.cancel = nil, nil
}

// State is whether the pods are cached now, and how many times they were started.
func (p *OnDemandPods) State() (cached bool, starts int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inf != nil, p.starts
}
