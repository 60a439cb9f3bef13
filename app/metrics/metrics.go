// Package metrics exposes the dashboard's Prometheus metrics — requests by route template and
// code, cache sizes, live-stream clients, the access-decision cache, token checks and the
// sign-in limits' refusals, API-server client latency and throttling, build info — on their own listener (KD_METRICS_ADDR), with pprof there when
// enabled. Nothing of it is served on the UI's port.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	clientmetrics "k8s.io/client-go/tools/metrics"

	"github.com/kruise-dashboard/kruise-dashboard/app/recorder"
)

// Metrics is the registry and the dashboard's own series.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.HistogramVec
}

// Sources are what is read at scrape time.
type Sources struct {
	// CacheObjects is the number of cached objects of each workload type.
	CacheObjects func() map[string]int
	// StreamClients is the number of open live streams.
	StreamClients func() int
	// Decisions are the access questions answered from the decision cache and by a review.
	Decisions func() (hits, misses uint64)
	// TokenChecks are the unknown tokens (bearer or sign-in) by outcome; Limited the requests
	// refused with 429 by their address's limit and by the global one.
	TokenChecks func() map[string]uint64
	Limited     func() (address, global uint64)
}

var registerClient sync.Once

// New builds the registry. Client-go's request metrics are process-wide hooks, registered once
// (by the first dashboard of the process).
func New(version string) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kd_http_request_duration_seconds", Help: "Requests by route template, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kd_build_info", Help: "The dashboard's version and Go version."}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	m.Registry.MustRegister(m.requests, build, kubeLatency, kubeThrottle, kubeResults,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerClient.Do(func() {
		clientmetrics.Register(clientmetrics.RegisterOpts{
			RequestLatency: latency{kubeLatency}, RateLimiterLatency: latency{kubeThrottle}, RequestResult: results{},
		})
	})
	return m
}

// Watch registers what is read from the cache, the stream and the access reviewer at scrape
// time.
func (m *Metrics) Watch(s Sources) {
	m.Registry.MustRegister(collectorFunc{
		desc: prometheus.NewDesc("kd_cache_objects", "Objects in the shared cache by workload type.", []string{"type"}, nil),
		collect: func(ch chan<- prometheus.Metric, d *prometheus.Desc) {
			for t, n := range s.CacheObjects() {
				ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(n), t)
			}
		},
	}, collectorFunc{
		desc: prometheus.NewDesc("kd_access_decisions_total", "Access questions answered from the decision cache (hit) or by a SubjectAccessReview (miss).", []string{"result"}, nil),
		collect: func(ch chan<- prometheus.Metric, d *prometheus.Desc) {
			hits, misses := s.Decisions()
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(hits), "hit")
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(misses), "miss")
		},
	}, collectorFunc{
		desc: prometheus.NewDesc("kd_auth_token_checks_total", "Unknown bearer tokens and token sign-ins by outcome: reviewed (accepted, rejected, error), rejected from memory (remembered) or refused by a limit (limited); only reviewed ones cost a TokenReview.", []string{"result"}, nil),
		collect: func(ch chan<- prometheus.Metric, d *prometheus.Desc) {
			for result, n := range s.TokenChecks() {
				ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(n), result)
			}
		},
	}, collectorFunc{
		desc: prometheus.NewDesc("kd_auth_limited_total", "Requests answered 429 by the failed-token limit of their client address or the global one (auth.limits).", []string{"scope"}, nil),
		collect: func(ch chan<- prometheus.Metric, d *prometheus.Desc) {
			address, global := s.Limited()
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(address), "address")
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(global), "global")
		},
	}, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kd_stream_clients", Help: "Open live streams (GET /api/v1/watch)."},
		func() float64 { return float64(s.StreamClients()) }))
}

type routeKey struct{}

type route struct{ template string }

// SetRoute notes the request's route template (the route table calls it).
func SetRoute(ctx context.Context, template string) {
	if r, ok := ctx.Value(routeKey{}).(*route); ok {
		r.template = template
	}
}

// Filter times every request by route template ("unmatched" for the UI's files and unknown
// paths) and status code.
func (m *Metrics) Filter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt := &route{template: "unmatched"}
		rec := recorder.New(w)
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), routeKey{}, rt)))
		m.requests.WithLabelValues(rt.template, r.Method, strconv.Itoa(rec.Code)).Observe(time.Since(start).Seconds())
	})
}

// Handler serves /metrics and, with pprof, /debug/pprof/.
func (m *Metrics) Handler(withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// Server is the metrics listener as a Kratos server (started and stopped with the app).
type Server struct {
	srv  *http.Server
	addr string
	ln   net.Listener
}

// NewServer serves h on addr; an empty addr serves nothing.
func NewServer(addr string, h http.Handler) *Server {
	return &Server{addr: addr, srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
}

// Start implements transport.Server.
func (s *Server) Start(context.Context) error {
	if s.addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.ln = ln
	if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Stop implements transport.Server.
func (s *Server) Stop(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// Addr is where it listens, once started ("" before).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Client-go's hooks: latency by verb and host path pattern would explode in labels, so by verb
// only; throttling is the time spent waiting for the client's own rate limiter.
var (
	kubeLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kd_kube_request_duration_seconds", Help: "API-server calls by verb.", Buckets: prometheus.DefBuckets,
	}, []string{"verb"})
	kubeThrottle = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kd_kube_rate_limiter_wait_seconds", Help: "Time API-server calls waited for the client's rate limit (KD_KUBE_QPS).",
		Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5},
	}, []string{"verb"})
	kubeResults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kd_kube_requests_total", Help: "API-server calls by status code and method.",
	}, []string{"code", "method"})
)

type latency struct{ h *prometheus.HistogramVec }

func (l latency) Observe(_ context.Context, verb string, _ url.URL, d time.Duration) {
	l.h.WithLabelValues(verb).Observe(d.Seconds())
}

type results struct{}

func (results) Increment(_ context.Context, code, method, _ string) {
	kubeResults.WithLabelValues(code, method).Inc()
}

// collectorFunc is a collector of one series family with labels computed at scrape time.
type collectorFunc struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric, *prometheus.Desc)
}

func (g collectorFunc) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }
func (g collectorFunc) Collect(ch chan<- prometheus.Metric) { g.collect(ch, g.desc) }
