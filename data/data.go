// Package data holds the Kubernetes clients: the REST config with a traced transport, the
// clientsets, the shared informer cache (a Kratos server that owns the informers' lifecycle) and
// the repositories biz reads through.
package data

import (
	"fmt"
	"time"

	"github.com/google/wire"
	kruiseapi "github.com/openkruise/kruise-api"
	kruiseclient "github.com/openkruise/kruise-api/client/clientset/versioned"
	kruiseinformers "github.com/openkruise/kruise-api/client/informers/externalversions"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	kubeinformers "k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"
	rolloutsv1alpha1 "github.com/openkruise/kruise-rollout-api/rollouts/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	"net/http"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// ProviderSet provides the data layer of one cluster to Wire: everything built over its clients
// (each cluster of the fleet gets its own, from the same providers).
var ProviderSet = wire.NewSet(
	NewCluster, NewCache, NewNamespaceRepo, NewClusterRepo, NewRolloutRepo,
	NewAccess, NewEventRepo, NewPodLogs, NewRowStore, NewChanges, NewTrafficRepo,
	wire.Bind(new(biz.TrafficRepo), new(*TrafficRepo)),
	wire.Bind(new(biz.PodLogRepo), new(*PodLogs)),
	wire.Bind(new(biz.Access), new(*Access)),
	wire.Bind(new(biz.EventRepo), new(*EventRepo)),
	wire.Bind(new(biz.RolloutRepo), new(*RolloutRepo)),
	wire.Bind(new(biz.RolloutRows), new(*RolloutRepo)),
	wire.Bind(new(biz.Cache), new(*Cache)),
	wire.Bind(new(biz.WorkloadRows), new(*RowStore)),
	wire.Bind(new(biz.ChangeFeed), new(*Changes)),
	wire.Bind(new(biz.NamespaceRepo), new(*NamespaceRepo)),
	wire.Bind(new(biz.ClusterRepo), new(*ClusterRepo)),
)

// Clients are the clientsets. Traced ones give every API-server call a client span; Plain is for
// the health probe and discovery, which run on a timer and would only add noise to traces.
type Clients struct {
	Kube     kubernetes.Interface
	Kruise   kruiseclient.Interface
	Dynamic  dynamic.Interface
	Metrics  metricsclient.Interface
	Rollouts rolloutclient.Interface
	// Service acts as the dashboard itself even during a request (access reviews, events it
	// records); the clients above act as the request's signed-in user.
	Service kubernetes.Interface
	// Review makes the TokenReviews, as the dashboard, on a rate limit of its own
	// (kubernetes.review_qps): a flood of unknown bearer tokens cannot use up the budget above.
	Review kubernetes.Interface
	Plain  kubernetes.Interface
	// Discovery is Plain's discovery with a timeout on each call, so an API server that accepts
	// connections and never answers cannot hold discovery (and what waits on it) forever.
	Discovery discovery.DiscoveryInterface
	Host      string
	// PodsIdle > 0: the pods are cached only while read, and dropped after this idle time (a
	// fleet cluster's; OnDemandPods). 0: always cached (the home's).
	PodsIdle time.Duration
	// Scheme knows every type the dashboard reads, to set apiVersion/kind on cached objects.
	Scheme *runtime.Scheme
}

// NewClients loads the kubeconfig (or in-cluster config) and builds the home cluster's clientsets.
func NewClients(c *conf.Kubernetes, tp trace.TracerProvider) (*Clients, error) {
	cfg, err := HomeConfig(c)
	if err != nil {
		return nil, err
	}
	return ClientsFor(cfg, c, tp)
}

// HomeConfig is the home cluster's REST config: the kubeconfig's current context (kubernetes.
// kubeconfig, $KUBECONFIG, ~/.kube/config), else the in-cluster config.
func HomeConfig(c *conf.Kubernetes) (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(homeRules(c), nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load Kubernetes client config (kubeconfig %q): %w", c.Kubeconfig, err)
	}
	return cfg, nil
}

// HomeContext is the kubeconfig's current context and the file it was read from ("" and "" in a
// cluster, without a kubeconfig).
func HomeContext(c *conf.Kubernetes) (context, path string) {
	rules := homeRules(c)
	raw, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).RawConfig()
	if err != nil || raw.CurrentContext == "" {
		return "", ""
	}
	if files := rules.GetLoadingPrecedence(); len(files) > 0 && rules.ExplicitPath == "" {
		path = files[0]
	} else {
		path = rules.ExplicitPath
	}
	return raw.CurrentContext, path
}

func homeRules(c *conf.Kubernetes) *clientcmd.ClientConfigLoadingRules {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if c.Kubeconfig != "" {
		rules.ExplicitPath = c.Kubeconfig
	}
	return rules
}

// ClientsFor builds the clientsets of one cluster from its REST config (the home's, or a fleet
// registration's): traced, acting as the request's user, bounded, with the review budget.
func ClientsFor(base *rest.Config, c *conf.Kubernetes, tp trace.TracerProvider) (*Clients, error) {
	cfg := rest.CopyConfig(base)
	cfg.QPS, cfg.Burst = float32(c.QPS), c.Burst
	cfg.UserAgent = "kruise-dashboard"
	plain, err := kubernetes.NewForConfig(rest.CopyConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("build health client: %w", err)
	}
	callTimeout := c.CallTimeout
	traceCalls := func(rt http.RoundTripper) http.RoundTripper {
		return otelhttp.NewTransport(rt, otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(propagation.TraceContext{}))
	}
	traced := rest.CopyConfig(cfg)
	traced.Wrap(actAsUser(callTimeout))
	traced.Wrap(traceCalls)
	service := rest.CopyConfig(cfg)
	service.Wrap(withTimeout(callTimeout))
	service.Wrap(traceCalls)
	review := rest.CopyConfig(service)
	review.QPS, review.Burst = reviewBudget(c)
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	out := &Clients{Plain: plain, Host: cfg.Host, Scheme: scheme}
	bounded := rest.CopyConfig(cfg)
	bounded.Timeout = discoveryTimeout
	if out.Discovery, err = discovery.NewDiscoveryClientForConfig(bounded); err != nil {
		return nil, fmt.Errorf("build discovery client: %w", err)
	}
	if out.Kube, err = kubernetes.NewForConfig(traced); err != nil {
		return nil, fmt.Errorf("build kube client: %w", err)
	}
	if out.Kruise, err = kruiseclient.NewForConfig(traced); err != nil {
		return nil, fmt.Errorf("build kruise client: %w", err)
	}
	if out.Dynamic, err = dynamic.NewForConfig(traced); err != nil {
		return nil, fmt.Errorf("build dynamic client: %w", err)
	}
	if out.Service, err = kubernetes.NewForConfig(service); err != nil {
		return nil, fmt.Errorf("build service client: %w", err)
	}
	if out.Review, err = kubernetes.NewForConfig(review); err != nil {
		return nil, fmt.Errorf("build review client: %w", err)
	}
	if out.Metrics, err = metricsclient.NewForConfig(service); err != nil {
		return nil, fmt.Errorf("build metrics client: %w", err)
	}
	if out.Rollouts, err = rolloutclient.NewForConfig(traced); err != nil {
		return nil, fmt.Errorf("build rollout client: %w", err)
	}
	return out, nil
}

// discoveryTimeout bounds each discovery call.
const discoveryTimeout = 10 * time.Second

// The TokenReview client's default rate limit: each accepted bearer token is reviewed about once
// per 10 s and failed ones are bounded by auth.limits (global 10/s), so 20/s leaves room for
// 100+ scripts' tokens besides a flood at the global limit.
const (
	defaultReviewQPS   = 20
	defaultReviewBurst = 40
)

// reviewBudget is the TokenReview client's rate limit (0 in the settings: the default).
func reviewBudget(c *conf.Kubernetes) (qps float32, burst int) {
	qps, burst = float32(c.ReviewQPS), c.ReviewBurst
	if qps <= 0 {
		qps = defaultReviewQPS
	}
	if burst <= 0 {
		burst = defaultReviewBurst
	}
	return qps, burst
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for name, add := range map[string]func(*runtime.Scheme) error{
		"Kubernetes": clientgoscheme.AddToScheme, "OpenKruise": kruiseapi.AddToScheme,
		"Rollout v1beta1": rolloutsv1beta1.AddToScheme, "Rollout v1alpha1": rolloutsv1alpha1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("register %s types: %w", name, err)
		}
	}
	return scheme, nil
}

// NewCluster builds the informer factories the adapters read from. Objects are stored without
// managedFields (memory) and with apiVersion/kind set, so they are served as they are.
func NewCluster(c *Clients) *adapters.Cluster {
	transform := stripForCache(c.Scheme)
	const resync = 0 // no periodic resync: nothing here reconciles
	var pods adapters.PodSource
	if c.PodsIdle > 0 {
		pods = NewOnDemandPods(c.Kube, transform, c.PodsIdle)
	}
	return &adapters.Cluster{
		Pods:   pods,
		Kube:   kubeinformers.NewSharedInformerFactoryWithOptions(c.Kube, resync, kubeinformers.WithTransform(transform)),
		Kruise: kruiseinformers.NewSharedInformerFactoryWithOptions(c.Kruise, resync, kruiseinformers.WithTransform(transform)),
		// Declared types are read as unstructured objects by informers of their own; managedFields
		// are stripped by their transforms.
		Dynamic: c.Dynamic,
		Scheme:  c.Scheme,
	}
}

// stripForCache drops managedFields and sets apiVersion/kind (which list decoding leaves empty).
func stripForCache(scheme *runtime.Scheme) func(any) (any, error) {
	return func(obj any) (any, error) {
		ro, ok := obj.(runtime.Object)
		if !ok {
			return obj, nil
		}
		if m, err := meta.Accessor(ro); err == nil {
			m.SetManagedFields(nil)
		}
		if gvks, _, err := scheme.ObjectKinds(ro); err == nil && len(gvks) > 0 {
			ro.GetObjectKind().SetGroupVersionKind(gvks[0])
		}
		return ro, nil
	}
}
