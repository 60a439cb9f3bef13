package data

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corelisters "k8s.io/client-go/listers/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// NamespaceRepo reads namespaces from the cache.
type NamespaceRepo struct{ cluster *adapters.Cluster }

// NewNamespaceRepo builds the namespace repository.
func NewNamespaceRepo(c *adapters.Cluster) *NamespaceRepo { return &NamespaceRepo{cluster: c} }

// List implements biz.NamespaceRepo.
func (r *NamespaceRepo) List() ([]*corev1.Namespace, error) {
	return r.cluster.Kube.Core().V1().Namespaces().Lister().List(labels.Everything())
}

// Get implements biz.NamespaceRepo; a missing namespace is a Kubernetes NotFound error.
func (r *NamespaceRepo) Get(name string) (*corev1.Namespace, error) {
	return r.cluster.Kube.Core().V1().Namespaces().Lister().Get(name)
}

// ClusterRepo reads nodes and pods from the cache and node metrics from metrics.k8s.io.
type ClusterRepo struct {
	cluster *adapters.Cluster
	clients *Clients
}

// NewClusterRepo builds the cluster repository.
func NewClusterRepo(c *adapters.Cluster, clients *Clients) *ClusterRepo {
	return &ClusterRepo{cluster: c, clients: clients}
}

// Nodes implements biz.ClusterRepo.
func (r *ClusterRepo) Nodes() ([]*corev1.Node, error) {
	return r.cluster.Kube.Core().V1().Nodes().Lister().List(labels.Everything())
}

// NonTerminatedPods implements biz.ClusterRepo.
func (r *ClusterRepo) NonTerminatedPods() ([]*corev1.Pod, error) {
	inf, err := r.cluster.PodCache()
	if err != nil {
		return nil, err
	}
	all, err := corelisters.NewPodLister(inf.GetIndexer()).List(labels.Everything())
	if err != nil {
		return nil, err
	}
	pods := all[:0:0]
	for _, p := range all {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			pods = append(pods, p)
		}
	}
	return pods, nil
}

// WorkloadOf implements biz.ClusterRepo.
func (r *ClusterRepo) WorkloadOf(pod *corev1.Pod) (group, kind, name string, ok bool) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		return "", "", "", false
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil {
		return "", "", "", false
	}
	if gv.Group == appsv1.GroupName && ref.Kind == "ReplicaSet" {
		rs, err := r.cluster.Kube.Apps().V1().ReplicaSets().Lister().ReplicaSets(pod.Namespace).Get(ref.Name)
		if err != nil {
			return "", "", "", false
		}
		if ref = metav1.GetControllerOfNoCopy(rs); ref == nil {
			return "", "", "", false
		}
		if gv, err = schema.ParseGroupVersion(ref.APIVersion); err != nil {
			return "", "", "", false
		}
	}
	return gv.Group, ref.Kind, ref.Name, true
}

// PodsIn implements biz.ClusterRepo.
func (r *ClusterRepo) PodsIn(namespace string) ([]*corev1.Pod, error) {
	inf, err := r.cluster.PodCache()
	if err != nil {
		return nil, err
	}
	return corelisters.NewPodLister(inf.GetIndexer()).Pods(namespace).List(labels.Everything())
}

// NodeMetrics implements biz.ClusterRepo: NotFound (group not registered) and ServiceUnavailable
// (an APIService whose backend is down) both mean there are no metrics.
func (r *ClusterRepo) NodeMetrics(ctx context.Context) ([]metricsv1beta1.NodeMetrics, error) {
	list, err := r.clients.Metrics.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err), apierrors.IsServiceUnavailable(err):
		return nil, fmt.Errorf("%w: %v", biz.ErrMetricsUnavailable, err)
	case err != nil:
		return nil, err
	case len(list.Items) == 0:
		return nil, fmt.Errorf("%w: metrics not available yet", biz.ErrMetricsUnavailable)
	}
	return list.Items, nil
}
