// Package trafficsim is the demo's simulated traffic. The local cluster's pods are kwok's fakes:
// nothing runs in them and nothing serves requests, so the evidence beside Approve would have no
// series to read. The simulator makes them up: per pod, a request counter, an error counter and a
// latency histogram, following the conventions of the `http` evidence template
// (http_requests_total{code} and http_request_duration_seconds_bucket{le}), served in Prometheus'
// text format for the local cluster's Prometheus to scrape. Every series is labelled only by the
// pod's namespace and name (plus code and le), as a kubernetes_sd scrape would label a pod's own.
//
// Which pods: the Ready, not terminating pods of namespaces labelled NamespaceLabel=true (the
// demo's namespace is; an e2e test labels its own). A pod whose image tag contains "bad" (e.g.
// nginx:1.28-bad) fails more often and answers more slowly, so a release of such an image shows
// the dashboard's "worse" verdict. The numbers are made up: say so wherever they are shown.
package trafficsim

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NamespaceLabel marks the namespaces whose pods get simulated traffic (value "true").
const NamespaceLabel = "kruise-dashboard.io/simulated-traffic"

// Pod is one pod that serves simulated traffic.
type Pod struct {
	Namespace, Name string
	// Bad: one of its images has a tag containing "bad".
	Bad bool
}

// BadImage reports whether an image reference's tag contains "bad" (nginx:1.28-bad). A digest
// or a registry port is not a tag.
func BadImage(image string) bool {
	ref, _, _ := strings.Cut(image, "@")
	slash := strings.LastIndexByte(ref, '/')
	colon := strings.LastIndexByte(ref, ':')
	return colon > slash && strings.Contains(strings.ToLower(ref[colon+1:]), "bad")
}

// Profile is a pod's simulated traffic: requests per second, the share failing with HTTP 500,
// and a log-normal latency with this median (seconds) and a spread (sigma) of 0.5.
type Profile struct {
	RPS, ErrorRatio, LatencyMedian float64
}

// latencySigma is the log-normal spread: p95 is the median × e^(1.645 × 0.5), about 2.3×.
const latencySigma = 0.5

// ProfileOf is the pod's profile, drawn from a generator seeded with seed and the pod's namespace
// and name, so a pod keeps its numbers across restarts of the simulator: 8–12 requests/s; a good
// pod fails 0.2–0.6 % with a median latency of 40–48 ms, a bad one 6–10 % and 140–160 ms. A good
// canary thus never differs from good stable pods by the default thresholds (1 point and 1.5× of
// error ratio, 1.5× of p95 latency, as histogram_quantile reads it from Buckets), and a bad one
// always does.
func ProfileOf(seed uint64, p Pod) Profile {
	h := fnv.New64a()
	_, _ = h.Write([]byte(p.Namespace + "/" + p.Name))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	pr := Profile{RPS: 8 + 4*r.Float64(), ErrorRatio: 0.002 + 0.004*r.Float64(), LatencyMedian: 0.040 + 0.008*r.Float64()}
	if p.Bad {
		pr.ErrorRatio = 0.06 + 0.04*r.Float64()
		pr.LatencyMedian = 0.140 + 0.020*r.Float64()
	}
	return pr
}

// Buckets are the histogram's upper bounds (seconds): the Prometheus client libraries' defaults
// with finer steps around the simulated p95s, so that histogram_quantile's linear interpolation
// within a bucket does not make two good pods' p95s look 1.5× apart.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10}

// Simulator serves the series of the pods its source lists. A pod's counters start at zero when
// the simulator first sees it and grow at its profile's rates, so rate() over them gives the
// profile's numbers.
type Simulator struct {
	seed   uint64
	source func() ([]Pod, error)
	now    func() time.Time

	mu    sync.Mutex
	first map[Pod]time.Time
}

// New is a simulator of the pods source lists (at each scrape), with profiles drawn from seed.
func New(seed uint64, source func() ([]Pod, error)) *Simulator {
	return &Simulator{seed: seed, source: source, now: time.Now, first: map[Pod]time.Time{}}
}

type sample struct {
	labels string // namespace="…",pod="…"
	p      Profile
	n      float64 // requests so far
}

// samples are the listed pods' counters now; pods no longer listed are forgotten (their series
// end; a pod listed again starts from zero, which rate() takes as a counter reset).
func (s *Simulator) samples() ([]sample, error) {
	pods, err := s.source()
	if err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := make(map[Pod]bool, len(pods))
	out := make([]sample, 0, len(pods))
	for _, p := range pods {
		seen[p] = true
		t0, ok := s.first[p]
		if !ok {
			t0 = now
			s.first[p] = now
		}
		pr := ProfileOf(s.seed, p)
		out = append(out, sample{labels: "namespace=" + strconv.Quote(p.Namespace) + ",pod=" + strconv.Quote(p.Name), p: pr,
			n: pr.RPS * now.Sub(t0).Seconds()})
	}
	for p := range s.first {
		if !seen[p] {
			delete(s.first, p)
		}
	}
	slices.SortFunc(out, func(a, b sample) int { return strings.Compare(a.labels, b.labels) })
	return out, nil
}

// ServeHTTP writes the series in Prometheus' text format (version 0.0.4).
func (s *Simulator) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	all, err := s.samples()
	if err != nil {
		http.Error(w, "list the pods: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	fmt.Fprintln(b, "# HELP http_requests_total SIMULATED requests of the demo's pods (kruise-dashboard's trafficsim; kwok's pods serve nothing).")
	fmt.Fprintln(b, "# TYPE http_requests_total counter")
	for _, x := range all {
		failed := x.n * x.p.ErrorRatio
		fmt.Fprintf(b, "http_requests_total{%s,code=\"200\"} %s\n", x.labels, num(x.n-failed))
		fmt.Fprintf(b, "http_requests_total{%s,code=\"500\"} %s\n", x.labels, num(failed))
	}
	fmt.Fprintln(b, "# HELP http_request_duration_seconds SIMULATED latency of the demo's pods (kruise-dashboard's trafficsim).")
	fmt.Fprintln(b, "# TYPE http_request_duration_seconds histogram")
	for _, x := range all {
		for _, le := range Buckets {
			fmt.Fprintf(b, "http_request_duration_seconds_bucket{%s,le=%q} %s\n", x.labels, num(le), num(x.n*lognormalCDF(le, x.p.LatencyMedian)))
		}
		fmt.Fprintf(b, "http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %s\n", x.labels, num(x.n))
		mean := x.p.LatencyMedian * math.Exp(latencySigma*latencySigma/2)
		fmt.Fprintf(b, "http_request_duration_seconds_sum{%s} %s\n", x.labels, num(x.n*mean))
		fmt.Fprintf(b, "http_request_duration_seconds_count{%s} %s\n", x.labels, num(x.n))
	}
}

// lognormalCDF is the share of latencies at or below le.
func lognormalCDF(le, median float64) float64 {
	return 0.5 * math.Erfc(-math.Log(le/median)/(latencySigma*math.Sqrt2))
}
