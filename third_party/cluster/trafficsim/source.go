package trafficsim

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// ClusterPods watches the cluster's namespaces and pods and lists, at each call, the Ready pods
// that are not being deleted in the namespaces labelled NamespaceLabel=true.
func ClusterPods(ctx context.Context, kube kubernetes.Interface) (func() ([]Pod, error), error) {
	factory := informers.NewSharedInformerFactory(kube, 0)
	namespaces := factory.Core().V1().Namespaces().Lister()
	pods := factory.Core().V1().Pods().Lister()
	factory.Start(ctx.Done())
	syncCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for typ, ok := range factory.WaitForCacheSync(syncCtx.Done()) {
		if !ok {
			return nil, fmt.Errorf("watch %v: not synced within a minute", typ)
		}
	}
	marked := labels.SelectorFromSet(labels.Set{NamespaceLabel: "true"})
	return func() ([]Pod, error) {
		nss, err := namespaces.List(marked)
		if err != nil {
			return nil, err
		}
		var out []Pod
		for _, ns := range nss {
			list, err := pods.Pods(ns.Name).List(labels.Everything())
			if err != nil {
				return nil, err
			}
			for _, p := range list {
				if p.DeletionTimestamp == nil && podReady(p) {
					out = append(out, Pod{Namespace: p.Namespace, Name: p.Name, Bad: badPod(p)})
				}
			}
		}
		return out, nil
	}, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func badPod(p *corev1.Pod) bool {
	for _, c := range p.Spec.Containers {
		if BadImage(c.Image) {
			return true
		}
	}
	return false
}
