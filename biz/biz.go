// Package biz holds the dashboard's use cases: input rules, the capability checks, and the
// mapping of Kubernetes errors to API errors. It reads and writes through the adapters in the
// registry and the interfaces declared here, which the data layer implements.
package biz

import (
	"context"
	"errors"
	"github.com/google/wire"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"strings"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// ProviderSet provides the use cases to Wire.
var ProviderSet = wire.NewSet(NewWorkloadUsecase, NewClusterUsecase, NewNamespaceUsecase, NewRolloutUsecase, NewEvidenceUsecase, NewTrafficUsecase, NewEventUsecase, NewMeUsecase, NewSummaryUsecase, NewWatchUsecase)

// Cache tells whether reads can be served from the informer cache now.
type Cache interface {
	// Ready returns nil when the type's informer is synced and the API server reachable; else
	// an *Error saying why (the type's API is not served, the cache is not synced yet, the API
	// server is unreachable or refuses the dashboard's credentials).
	Ready(info adapters.Info) error
	// CoreReady is Ready for the built-in informers (namespaces, nodes, pods).
	CoreReady() error
	// Get reads one object of a type from the cache by its key (namespace/name, or the name of a
	// cluster-scoped object); call Ready first. Writes go through the adapter, to the API server.
	Get(info adapters.Info, key string) (obj runtime.Object, exists bool, err error)
}

// cacheError is an error of Cache.Get: the cache's own answer (not synced: 503) as it is, any
// other an internal error saying what was read.
func cacheError(err error, format string, args ...any) error {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return Internal(err, format+": %v", append(args, err)...)
}

// ClusterRepo reads cluster-wide objects.
type ClusterRepo interface {
	Nodes() ([]*corev1.Node, error)
	// NonTerminatedPods are pods whose phase is neither Succeeded nor Failed.
	NonTerminatedPods() ([]*corev1.Pod, error)
	// PodsIn are every pod of a namespace, finished ones included (as `kubectl get pods -n ns`).
	PodsIn(namespace string) ([]*corev1.Pod, error)
	// WorkloadOf is the workload controlling pod: its controller, or for a ReplicaSet's pod the
	// ReplicaSet's controller (a Deployment); ok false when there is none.
	WorkloadOf(pod *corev1.Pod) (group, kind, name string, ok bool)
	// NodeMetrics lists metrics.k8s.io NodeMetrics; ErrMetricsUnavailable when not served.
	NodeMetrics(ctx context.Context) ([]metricsv1beta1.NodeMetrics, error)
}

// NamespaceRepo reads namespaces.
type NamespaceRepo interface {
	List() ([]*corev1.Namespace, error)
	Get(name string) (*corev1.Namespace, error)
}

// ValidateNamespace checks a namespace path segment (a DNS-1123 label).
func ValidateNamespace(ns string) error {
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		return BadRequest("invalid namespace %q: %s", ns, strings.Join(errs, "; "))
	}
	return nil
}

// ValidateName checks an object name path segment (a DNS-1123 subdomain).
func ValidateName(name string) error {
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return BadRequest("invalid name %q: %s", name, strings.Join(errs, "; "))
	}
	return nil
}
