package main

// Load benchmarks (make bench): the dashboard's figures side by side with a "floor", in one run.
//
//   - BenchmarkLoadList: GET /workload/:ns, /workload/:ns/cloneset and one compact page, at 2,000
//     workloads (namespace bench, the loader of bench_test.go) and 10,000 (namespace load10k, the
//     same mix ×5), with 1 and 16 keep-alive clients (identity encoding), against the dashboard
//     and against a trivial net/http server that writes from memory exactly the bytes (and
//     headers) the dashboard answered for the same URL. Reports p50/p99/rps of both and the
//     slowdown (dashboard ÷ floor for latencies, floor ÷ dashboard for rps: the goal is ≤ 2).
//   - BenchmarkLoadClusterMetrics: GET /cluster/metrics at 16 clients (goal ≥ 1,000 rps).
//   - BenchmarkLoadOverviewBytes: the bytes the overview requests per refresh at 500 workloads
//     (summary + active rollouts + waiting rollouts; goal < 5 KB) and the old way (the whole
//     workload list + /cluster/metrics), identity and gzip; and the Workloads page's refresh. With
//     each answer, its 304 (a refresh of an unchanged answer the UI keeps in memory).
//   - BenchmarkLoadWatch: 1,000 live streams (SSE) on one dashboard: RSS before/after connecting,
//     CPU time while 20 writes are made, and the delay from an API-server write to the event at
//     every client (p50/p99), then the same with one stalled client that never reads.
//   - BenchmarkLoadPodMemory: RSS at 10,000 workloads and 100,000 pods and the cost per 10,000
//     pods. It loads 100,000 pods (several minutes), so it runs only with KD_LOAD_FULL=1
//     (`KD_LOAD_FULL=1 make bench`); a plain `make bench` skips it and stays bounded in time.
//
// The measurements run against a dashboard of their own in this process, configured as the binary
// is by default (tracing without exporter): the tests' shared dashboard keeps every span in an
// in-memory recorder, which would grow with every request measured here. Every server listens on
// 127.0.0.1. Each benchmark measures once (for a fixed duration, KD_LOAD_SECONDS per measurement,
// default 3) whatever b.N is, and reports the same figures on every call.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

const (
	load10kNS       = "load10k"
	load10kCount    = 10000
	load500NS       = "load500"
	load500Count    = 500
	loadCreators    = 64 // parallel creators (the shared clients allow 500 QPS, burst 1,000)
	loadPodsPerLoad = 10
	watchClients    = 1000
	watchWrites     = 20
	watchPace       = 100 * time.Millisecond // between measured writes, so each is its own event
	watchBurst      = 100                    // unpaced writes that pile up at the stalled client
)

// loadDuration is how long each latency measurement runs (KD_LOAD_SECONDS, default 3).
func loadDuration() time.Duration {
	if s, err := strconv.ParseFloat(os.Getenv("KD_LOAD_SECONDS"), 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	return 3 * time.Second
}

// loadFull reports whether the heavy part (100,000 pods) is asked for.
func loadFull() bool { return os.Getenv("KD_LOAD_FULL") != "" && os.Getenv("KD_LOAD_FULL") != "0" }

// ---- the dashboard under load ---------------------------------------------------------------

var loadDash struct {
	once sync.Once
	d    *dashboard
	err  error
}

// loadDashboard is the dashboard the load benchmarks measure: the app as main builds it (an SDK
// tracer provider without exporter, nothing recorded), on a free loopback port, started once.
func loadDashboard(b *testing.B) *dashboard {
	skipShort(b)
	loadDash.once.Do(func() {
		bc, err := conf.Load("../configs/config.yaml")
		if err != nil {
			loadDash.err = err
			return
		}
		addr, err := apiclient.FreeAddr()
		if err != nil {
			loadDash.err = err
			return
		}
		bc.Server.Addr = addr
		bc.Kubernetes.Kubeconfig = shared.cluster.Kubeconfig
		bc.Audit.Path = os.DevNull
		bc.Server.MetricsAddr = "127.0.0.1:0"
		app, cleanup, err := wireApp(bc, log.NewFilter(log.DefaultLogger, log.FilterLevel(log.LevelWarn)), sdktrace.NewTracerProvider(), adapters.All)
		if err != nil {
			loadDash.err = err
			return
		}
		runErr := make(chan error, 1)
		go func() { runErr <- app.Run() }()
		d := &dashboard{Client: apiclient.Client{URL: "http://" + addr}, stop: func() { _ = app.Stop(); <-runErr; cleanup() }}
		loadDash.err = apiclient.Poll(60*time.Second, func() error {
			select {
			case err := <-runErr:
				return fmt.Errorf("dashboard exited: %v", err)
			default:
			}
			if status, body := d.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: string(body)}
			}
			return nil
		})
		loadDash.d = d // it serves until the process ends
	})
	must(b, "start the load dashboard", loadDash.err)
	return loadDash.d
}

// ---- loading --------------------------------------------------------------------------------

// podOwner is what a workload's pods are created with: the controller reference (the ReplicaSet
// for a Deployment) and the template.
type podOwner struct {
	ref  metav1.OwnerReference
	tmpl corev1.PodTemplateSpec
}

// workloadSet is a namespace loaded with n workloads: half CloneSets, a quarter Deployments with a
// ReplicaSet each, a quarter Advanced StatefulSets (the mix of bench_test.go).
type workloadSet struct {
	ns     string
	n      int
	owners []podOwner // by workload index
	took   time.Duration
}

var load10k, load500 struct {
	once sync.Once
	set  *workloadSet
}

func ensure10k(b *testing.B, d *dashboard) *workloadSet {
	load10k.once.Do(func() { load10k.set = createWorkloads(b, d, load10kNS, load10kCount) })
	if load10k.set == nil {
		b.Fatal("loading namespace " + load10kNS + " failed earlier")
	}
	return load10k.set
}

// ensure500 loads namespace load500 with 500 workloads and 10 Rollouts over its first CloneSets,
// three of them waiting for approval.
func ensure500(b *testing.B, d *dashboard) *workloadSet {
	load500.once.Do(func() {
		set := createWorkloads(b, d, load500NS, load500Count)
		for i := 0; i < 10; i++ {
			ro := createRollout(b, load500NS, fmt.Sprintf("ro-%02d", i), refTo(kruiseV1alpha1, "CloneSet", fmt.Sprintf("cs-%05d", i)), canaryStrategy(false))
			if i < 3 {
				setInRolling(b, ro, 1, rolloutsv1beta1.CanaryStepStatePaused, false)
			} else {
				setHealthy(b, ro)
			}
		}
		apiclient.Eventually(b, "10 rollouts of "+load500NS+" in the dashboard", 2*time.Minute, func() error {
			var list []biz.RolloutStatus
			if status, e := d.Call(b, http.MethodGet, "/rollout/list/"+load500NS, &list); status != http.StatusOK {
				return fmt.Errorf("%d %s", status, e.Message)
			}
			if len(list) != 10 {
				return fmt.Errorf("%d rollouts", len(list))
			}
			return nil
		})
		load500.set = set
	})
	if load500.set == nil {
		b.Fatal("loading namespace " + load500NS + " failed earlier")
	}
	return load500.set
}

// createWorkloads creates the namespace and its n workloads (no pods) with loadCreators parallel
// creators, and waits until dashboard d lists them all.
func createWorkloads(b *testing.B, d *dashboard, ns string, n int) *workloadSet {
	start := time.Now()
	_, err := shared.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(b, "create namespace "+ns, err)
	set := &workloadSet{ns: ns, n: n, owners: make([]podOwner, n)}
	err = parallel(n, func(i int) error {
		o, err := createMixWorkload(ns, i, n)
		set.owners[i] = o
		return err
	})
	must(b, "load "+ns, err)
	waitWorkloads(b, d, ns, n)
	set.took = time.Since(start)
	fmt.Fprintf(os.Stderr, "load: created %d workloads in namespace %s in %s\n", n, ns, set.took.Round(time.Second))
	return set
}

// parallel runs do(0..n-1) on loadCreators goroutines and returns the first error.
func parallel(n int, do func(i int) error) error { return parallelN(loadCreators, n, do) }

// retry retries a create a few times on errors a loaded API server gives (timeouts, 429, 5xx);
// AlreadyExists on a retry means an earlier attempt went through (the workload creates read the
// object back then, for its UID).
func retry(create func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = create(); err == nil || (attempt > 0 && apierrors.IsAlreadyExists(err)) {
			return nil
		}
		if !(apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err) ||
			apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || errors.Is(err, context.DeadlineExceeded)) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	return err
}

// createMixWorkload creates workload i of n in ns (and its ReplicaSet, for a Deployment).
func createMixWorkload(ns string, i, n int) (podOwner, error) {
	tmpl := podTemplate(fmt.Sprintf("%s-%d", ns, i))
	sel := &metav1.LabelSelector{MatchLabels: tmpl.Labels}
	replicas := ptr.To[int32](loadPodsPerLoad)
	var ref metav1.OwnerReference
	var err error
	switch {
	case i < n/2:
		err = retry(func() error {
			name := fmt.Sprintf("cs-%05d", i)
			cs, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Create(ctx, &kruiseappsv1alpha1.CloneSet{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       kruiseappsv1alpha1.CloneSetSpec{Replicas: replicas, Selector: sel, Template: tmpl},
			}, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) { // an earlier attempt went through
				cs, err = shared.kruise.AppsV1alpha1().CloneSets(ns).Get(ctx, name, metav1.GetOptions{})
			}
			if err == nil {
				ref = ownerRef(cs, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("CloneSet"))
			}
			return err
		})
	case i < 3*n/4:
		var dep *appsv1.Deployment
		err = retry(func() error {
			var err error
			name := fmt.Sprintf("deploy-%05d", i)
			dep, err = shared.kube.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       appsv1.DeploymentSpec{Replicas: replicas, Selector: sel, Template: tmpl},
			}, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				dep, err = shared.kube.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
			}
			return err
		})
		if err == nil && dep != nil {
			err = retry(func() error {
				rs, err := shared.kube.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
					ObjectMeta: metav1.ObjectMeta{Name: dep.Name + "-rs", OwnerReferences: []metav1.OwnerReference{ownerRef(dep, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
					Spec:       appsv1.ReplicaSetSpec{Replicas: replicas, Selector: sel, Template: tmpl},
				}, metav1.CreateOptions{})
				if apierrors.IsAlreadyExists(err) {
					rs, err = shared.kube.AppsV1().ReplicaSets(ns).Get(ctx, dep.Name+"-rs", metav1.GetOptions{})
				}
				if err == nil {
					ref = ownerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))
				}
				return err
			})
		}
	default:
		err = retry(func() error {
			name := fmt.Sprintf("sts-%05d", i)
			s, err := shared.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       kruiseappsv1beta1.StatefulSetSpec{Replicas: replicas, Selector: sel, Template: tmpl},
			}, metav1.CreateOptions{})
			if apierrors.IsAlreadyExists(err) {
				s, err = shared.kruise.AppsV1beta1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
			}
			if err == nil {
				ref = ownerRef(s, kruiseappsv1beta1.SchemeGroupVersion.WithKind("StatefulSet"))
			}
			return err
		})
	}
	if err != nil {
		return podOwner{}, fmt.Errorf("workload %d of %s: %w", i, ns, err)
	}
	return podOwner{ref: ref, tmpl: tmpl}, nil
}

// createPods creates pods [from, to) of every workload of the set, as the existing loader does
// (directly, no kubelet), with loadCreators parallel creators.
func createPods(set *workloadSet, from, to int) error {
	per := to - from
	return parallel(set.n*per, func(j int) error {
		o := set.owners[j/per]
		p := from + j%per
		return retry(func() error {
			_, err := shared.kube.CoreV1().Pods(set.ns).Create(ctx, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", o.ref.Name, p), Labels: o.tmpl.Labels, OwnerReferences: []metav1.OwnerReference{o.ref}},
				Spec:       o.tmpl.Spec,
			}, metav1.CreateOptions{})
			return err
		})
	})
}

// waitWorkloads waits until dashboard d counts n workloads in ns (GET /summary/:ns).
func waitWorkloads(b *testing.B, d *dashboard, ns string, n int) {
	apiclient.Eventually(b, fmt.Sprintf("%d workloads of %s in the dashboard", n, ns), 10*time.Minute, func() error {
		var s biz.Summary
		if status, e := d.Call(b, http.MethodGet, "/summary/"+ns, &s); status != http.StatusOK {
			return fmt.Errorf("%d %s", status, e.Message)
		}
		total := 0
		for _, c := range s.Workloads {
			total += c.Total
		}
		if total != n {
			return fmt.Errorf("%d workloads", total)
		}
		return nil
	})
}

// ---- the floor ------------------------------------------------------------------------------

// floorServer answers from memory, for each URL, the headers and body the dashboard answered.
type floorServer struct {
	url     string
	mu      sync.RWMutex
	answers map[string]floorAnswer
}

type floorAnswer struct {
	header http.Header
	body   []byte
}

var floor struct {
	once sync.Once
	f    *floorServer
	err  error
}

func floorOf(b *testing.B) *floorServer {
	floor.once.Do(func() {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			floor.err = err
			return
		}
		f := &floorServer{url: "http://" + l.Addr().String(), answers: map[string]floorAnswer{}}
		srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
		go func() { _ = srv.Serve(l) }() // serves until the process ends
		floor.f = f
	})
	must(b, "start the floor server", floor.err)
	return floor.f
}

func (f *floorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.RLock()
	a, ok := f.answers[r.URL.RequestURI()]
	f.mu.RUnlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	for k, v := range a.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.body)
}

// copyOf fetches uri from the dashboard once (identity encoding) and serves the same answer.
func (f *floorServer) copyOf(b *testing.B, d *dashboard, uri string) floorAnswer {
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Get(d.URL + uri)
	must(b, "GET "+uri, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(b, "read "+uri, err)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s", uri, resp.StatusCode, body)
	}
	h := resp.Header.Clone()
	for _, k := range []string{"Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding"} {
		h.Del(k)
	}
	a := floorAnswer{header: h, body: body}
	f.mu.Lock()
	f.answers[uri] = a
	f.mu.Unlock()
	return a
}

// ---- latency measurement --------------------------------------------------------------------

// figures are one measurement: latencies of every request, requests per second over the run.
type figures struct {
	n              int
	p50, p99, mean time.Duration
	rps            float64
	wrongSize      int // answers whose length differed from the reference body
}

// measureGET sends GETs of url from `clients` keep-alive clients (one connection each, identity
// encoding) for loadDuration (and at least 40 requests in all, at most 10× the duration).
func measureGET(url string, clients, wantLen int) (figures, error) {
	d := loadDuration()
	minPer := (40 + clients - 1) / clients
	type result struct {
		lat   []time.Duration
		wrong int
		err   error
	}
	results := make([]result, clients)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	var deadline, hardDeadline time.Time
	for c := 0; c < clients; c++ {
		ready.Add(1)
		done.Add(1)
		go func(r *result) {
			defer done.Done()
			tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: time.Minute}
			get := func() (int64, error) {
				resp, err := hc.Get(url)
				if err != nil {
					return 0, err
				}
				defer resp.Body.Close()
				n, err := io.Copy(io.Discard, resp.Body)
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
				}
				return n, err
			}
			_, r.err = get() // opens the connection
			ready.Done()
			<-start
			if r.err != nil {
				return
			}
			r.lat = make([]time.Duration, 0, 4096)
			for {
				t0 := time.Now()
				if (!t0.Before(deadline) && len(r.lat) >= minPer) || !t0.Before(hardDeadline) {
					return
				}
				n, err := get()
				if err != nil {
					r.err = err
					return
				}
				r.lat = append(r.lat, time.Since(t0))
				if int(n) != wantLen {
					r.wrong++
				}
			}
		}(&results[c])
	}
	ready.Wait()
	began := time.Now()
	deadline, hardDeadline = began.Add(d), began.Add(10*d)
	close(start)
	done.Wait()
	elapsed := time.Since(began)
	var all []time.Duration
	var f figures
	for _, r := range results {
		if r.err != nil {
			return f, r.err
		}
		all = append(all, r.lat...)
		f.wrongSize += r.wrong
	}
	f.n = len(all)
	f.rps = float64(f.n) / elapsed.Seconds()
	f.p50, f.p99, f.mean = percentile(all, 0.50), percentile(all, 0.99), mean(all)
	return f, nil
}

// percentile sorts ds and returns the q-quantile (nearest rank).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtDur(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0fms", ms(d))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", ms(d))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}

func fmtBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}

// side is one URL measured on the dashboard and on the floor.
type side struct {
	label, uri  string
	clients     int
	size        int
	dash, floor figures
}

func (s *side) slowdown() (p50, p99, rps float64) {
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	return ratio(float64(s.dash.p50), float64(s.floor.p50)), ratio(float64(s.dash.p99), float64(s.floor.p99)), ratio(s.floor.rps, s.dash.rps)
}

// measureSide measures uri on the dashboard, then the same bytes on the floor.
func measureSide(b *testing.B, d *dashboard, label, uri string, clients int) *side {
	f := floorOf(b)
	ref := f.copyOf(b, d, uri)
	s := &side{label: label, uri: uri, clients: clients, size: len(ref.body)}
	var err error
	if s.dash, err = measureGET(d.URL+uri, clients, s.size); err != nil {
		b.Fatalf("dashboard %s: %v", uri, err)
	}
	if s.floor, err = measureGET(f.url+uri, clients, s.size); err != nil {
		b.Fatalf("floor %s: %v", uri, err)
	}
	return s
}

func (s *side) report(b *testing.B) {
	p50, p99, rps := s.slowdown()
	b.ReportMetric(float64(s.dash.mean.Nanoseconds()), "ns/op") // the dashboard's mean latency
	b.ReportMetric(ms(s.dash.p50), "dash-p50-ms")
	b.ReportMetric(ms(s.dash.p99), "dash-p99-ms")
	b.ReportMetric(s.dash.rps, "dash-rps")
	b.ReportMetric(ms(s.floor.p50), "floor-p50-ms")
	b.ReportMetric(ms(s.floor.p99), "floor-p99-ms")
	b.ReportMetric(s.floor.rps, "floor-rps")
	b.ReportMetric(p50, "slowdown-p50")
	b.ReportMetric(p99, "slowdown-p99")
	b.ReportMetric(rps, "slowdown-rps")
	b.ReportMetric(float64(s.size)/1024, "KiB/resp")
}

// sideTable is a title line and one row per side. (Go keeps at most 10 lines of a benchmark's
// log, so each table stays under that.)
func sideTable(title string, sides []*side) string {
	var buf strings.Builder
	buf.WriteString(title + "; slowdown = dashboard ÷ floor (latencies), floor rps ÷ dashboard rps; goal ≤ 2×\n")
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GET\tbody\tclients\tdash p50\tdash p99\tdash rps\tfloor p50\tfloor p99\tfloor rps\tslowdown p50\tslowdown p99\tslowdown rps\tn dash/floor")
	for _, s := range sides {
		p50, p99, rps := s.slowdown()
		note := ""
		if s.dash.wrongSize+s.floor.wrongSize > 0 {
			note = fmt.Sprintf(" (%d answers of another length)", s.dash.wrongSize+s.floor.wrongSize)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%.2f×\t%.2f×\t%.2f×\t%d/%d%s\n", s.label, fmtBytes(s.size), s.clients,
			fmtDur(s.dash.p50), fmtDur(s.dash.p99), s.dash.rps, fmtDur(s.floor.p50), fmtDur(s.floor.p99), s.floor.rps, p50, p99, rps, s.dash.n, s.floor.n, note)
	}
	_ = tw.Flush()
	return buf.String()
}

// ---- 1. lists against the floor -------------------------------------------------------------

var listSides struct {
	mu     sync.Mutex
	byKey  map[string]*side
	bySize map[int][]*side
	tables map[int]bool
}

// BenchmarkLoadList compares the workload lists at 2,000 and 10,000 workloads, with 1 and 16
// clients, against the floor. Each sub-benchmark reports both sides and the slowdown; the
// sub-benchmarks table-2000 and table-10000 log them as tables.
func BenchmarkLoadList(b *testing.B) {
	loadBenchCluster(b)
	d := loadDashboard(b)
	waitWorkloads(b, d, benchNS, benchWorkloads)
	ensure10k(b, d)
	type size struct {
		ns string
		n  int
	}
	listSides.mu.Lock()
	if listSides.byKey == nil {
		listSides.byKey, listSides.bySize, listSides.tables = map[string]*side{}, map[int][]*side{}, map[int]bool{}
	}
	listSides.mu.Unlock()
	for _, sz := range []size{{benchNS, benchWorkloads}, {load10kNS, load10kCount}} {
		for _, path := range []struct{ name, uri, label string }{
			{"all", "/api/v1/workload/" + sz.ns, fmt.Sprintf("/workload/%s (%d workloads)", sz.ns, sz.n)},
			{"cloneset", "/api/v1/workload/" + sz.ns + "/cloneset", fmt.Sprintf("/workload/%s/cloneset (%d)", sz.ns, sz.n/2)},
			{"page", "/api/v1/workload/" + sz.ns + "/cloneset?view=compact&limit=50", fmt.Sprintf("/workload/%s/cloneset?view=compact&limit=50", sz.ns)},
		} {
			for _, clients := range []int{1, 16} {
				key := fmt.Sprintf("%d/%s/c%d", sz.n, path.name, clients)
				b.Run(key, func(b *testing.B) {
					listSides.mu.Lock()
					defer listSides.mu.Unlock()
					s := listSides.byKey[key]
					if s == nil {
						s = measureSide(b, d, path.label, path.uri, clients)
						listSides.byKey[key] = s
						listSides.bySize[sz.n] = append(listSides.bySize[sz.n], s)
					}
					s.report(b)
				})
			}
		}
		b.Run(fmt.Sprintf("table-%d", sz.n), func(b *testing.B) {
			listSides.mu.Lock()
			defer listSides.mu.Unlock()
			if !listSides.tables[sz.n] {
				listSides.tables[sz.n] = true
				title := fmt.Sprintf("workload lists at %d workloads, identity encoding, keep-alive clients, %s per measurement", sz.n, loadDuration())
				if sz.n == load10kCount {
					title += fmt.Sprintf(" (loaded in %s)", load10k.set.took.Round(time.Second))
				}
				b.Log(sideTable(title, listSides.bySize[sz.n]))
			}
		})
	}
}

// ---- 2. /cluster/metrics --------------------------------------------------------------------

var clusterSide struct {
	once sync.Once
	s    *side
}

// BenchmarkLoadClusterMetrics is GET /cluster/metrics at 16 clients (goal ≥ 1,000 rps), with the
// floor for comparison.
func BenchmarkLoadClusterMetrics(b *testing.B) {
	d := loadDashboard(b)
	clusterSide.once.Do(func() {
		clusterSide.s = measureSide(b, d, "/cluster/metrics", "/api/v1/cluster/metrics", 16)
		b.Log(sideTable("GET /cluster/metrics (goal ≥ 1,000 rps at 16 clients)", []*side{clusterSide.s}))
	})
	if clusterSide.s == nil {
		b.Fatal("measurement failed earlier")
	}
	clusterSide.s.report(b)
}

// ---- 3. overview bytes ----------------------------------------------------------------------

type answerSize struct {
	uri                   string
	identity, gzip, hdr   int
	gzipped, revalidated  bool
	notModifiedHdr        int // the 304's headers (it has no body)
	entries               int // list answers: number of items
	otherNamespaceEntries int
}

var overview struct {
	once                       sync.Once
	rows                       []answerSize
	newID, newGz, oldID, oldGz int
	table                      string
}

// sizeOf fetches uri identity and with Accept-Encoding: gzip (the bytes on the wire), and checks
// that a revalidation with the ETag answers 304, measuring its headers.
func sizeOf(b *testing.B, d *dashboard, uri string) answerSize {
	tr := &http.Transport{DisableCompression: true} // gzip bodies stay compressed
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	get := func(h http.Header) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodGet, d.URL+uri, nil)
		must(b, "request", err)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := hc.Do(req)
		must(b, "GET "+uri, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		must(b, "read "+uri, err)
		return resp, body
	}
	resp, body := get(nil)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s", uri, resp.StatusCode, body)
	}
	var hdr bytes.Buffer
	_ = resp.Header.Write(&hdr)
	a := answerSize{uri: uri, identity: len(body), hdr: hdr.Len()}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) == nil {
		var items []struct {
			Namespace string `json:"namespace"`
		}
		if json.Unmarshal(env.Data, &items) == nil {
			a.entries = len(items)
			for _, it := range items {
				if it.Namespace != load500NS {
					a.otherNamespaceEntries++
				}
			}
		}
	}
	zresp, zbody := get(http.Header{"Accept-Encoding": {"gzip"}})
	a.gzip, a.gzipped = len(zbody), zresp.Header.Get("Content-Encoding") == "gzip"
	if etag := resp.Header.Get("ETag"); etag != "" {
		again, _ := get(http.Header{"If-None-Match": {etag}})
		a.revalidated = again.StatusCode == http.StatusNotModified
		var hdr bytes.Buffer
		_ = again.Header.Write(&hdr)
		a.notModifiedHdr = hdr.Len()
	}
	return a
}

// BenchmarkLoadOverviewBytes is the bytes the overview page requests per refresh for a namespace
// of 500 workloads (10 Rollouts, 3 waiting): GET /summary/:ns + /rollout/active/:ns +
// /rollout/waiting (goal < 5 KB), and the old way, GET /workload/:ns + /cluster/metrics; and the
// Workloads page's refresh (its first page of CloneSets). Each answer's 304 (what a refresh of
// an unchanged answer costs: the UI revalidates what it keeps in memory) is measured too.
// /rollout/waiting is cluster-wide: it also lists the waiting Rollouts of other namespaces (e.g.
// the 1,000 Rollouts of namespace bench, a third waiting, when BenchmarkListAllRollouts ran first),
// counted in the table.
func BenchmarkLoadOverviewBytes(b *testing.B) {
	d := loadDashboard(b)
	ensure500(b, d)
	overview.once.Do(func() {
		// The overview's one request now (the releases in flight are in the summary).
		newWay := []string{"/api/v1/summary/" + load500NS}
		oldWay := []string{"/api/v1/workload/" + load500NS, "/api/v1/cluster/metrics"}
		// As the UI asks (app/web/src/pages/Workloads.tsx: view, then limit, its first page).
		listWay := []string{"/api/v1/workload/" + load500NS + "/cloneset?view=compact&limit=200"}
		var buf strings.Builder
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "way\tGET\tbody identity\tbody gzip\theaders\t304 (headers only)\tnote")
		for i, uris := range [][]string{newWay, oldWay, listWay} {
			way := [...]string{"new", "old", "list"}[i]
			var id, gz, hdr, nm int
			for _, uri := range uris {
				a := sizeOf(b, d, uri)
				overview.rows = append(overview.rows, a)
				id += a.identity
				gz += a.gzip
				hdr += a.hdr
				nm += a.notModifiedHdr
				note := ""
				if !a.gzipped {
					note = "not compressed (under 1 KiB)"
				}
				if strings.HasPrefix(uri, "/api/v1/rollout/") {
					note = strings.TrimPrefix(note+fmt.Sprintf("; %d entries", a.entries), "; ")
					if a.otherNamespaceEntries > 0 {
						note += fmt.Sprintf(", %d of other namespaces", a.otherNamespaceEntries)
					}
				}
				if !a.revalidated {
					note = strings.TrimPrefix(note+"; not a 304 on revalidation", "; ")
				}
				fmt.Fprintf(tw, "%s\t%s\t%d B\t%d B\t%d B\t%d B\t%s\n", way, strings.TrimPrefix(uri, "/api/v1"), a.identity, a.gzip, a.hdr, a.notModifiedHdr, note)
			}
			fmt.Fprintf(tw, "%s\ttotal\t%d B\t%d B\t%d B\t%d B\t%s\n", way, id, gz, hdr, nm, map[string]string{"new": "goal < 5 KB", "old": "", "list": "the Workloads page: 200 of 250 CloneSets"}[way])
			switch way {
			case "new":
				overview.newID, overview.newGz = id, gz
			case "old":
				overview.oldID, overview.oldGz = id, gz
			}
		}
		_ = tw.Flush()
		overview.table = fmt.Sprintf("overview per refresh, namespace %s (500 workloads, 10 Rollouts, 3 waiting); new ÷ old = %.4f identity, %.4f gzip; "+
			"an unchanged answer revalidated with its ETag is a 304: its headers, no body\n%s", load500NS,
			float64(overview.newID)/float64(overview.oldID), float64(overview.newGz)/float64(overview.oldGz), buf.String())
		b.Log(overview.table)
	})
	if overview.oldID == 0 {
		b.Fatal("measurement failed earlier")
	}
	b.ReportMetric(float64(overview.newID), "new-B")
	b.ReportMetric(float64(overview.newGz), "new-gzip-B")
	b.ReportMetric(float64(overview.oldID), "old-B")
	b.ReportMetric(float64(overview.oldGz), "old-gzip-B")
}

// ---- 4. live streams ------------------------------------------------------------------------

// sseClient is one open stream: it records when each change event (by resourceVersion) arrived.
type sseClient struct {
	cancel    context.CancelFunc
	ready     chan struct{}
	readyOnce sync.Once
	bytes     atomic.Int64
	closing   atomic.Bool
	ended     atomic.Bool
	mu        sync.Mutex
	arrived   map[string]time.Time
	endErr    error
}

func (c *sseClient) arrival(rv string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.arrived[rv]
	return t, ok
}

// openStream opens GET /api/v1/watch?query and returns once the ready event came.
func openStream(tr *http.Transport, base, query string) (*sseClient, error) {
	cctx, cancel := context.WithCancel(context.Background())
	c := &sseClient{cancel: cancel, ready: make(chan struct{}), arrived: map[string]time.Time{}}
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, base+"/api/v1/watch?"+query, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("watch: %d %s", resp.StatusCode, body)
	}
	go func() {
		defer resp.Body.Close()
		r := bufio.NewReaderSize(resp.Body, 4096)
		var event string
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				c.mu.Lock()
				c.endErr = err
				c.mu.Unlock()
				c.ended.Store(true)
				return
			}
			c.bytes.Add(int64(len(line)))
			line = bytes.TrimRight(line, "\r\n")
			switch {
			case len(line) == 0:
				event = ""
			case bytes.HasPrefix(line, []byte("event: ")):
				event = string(line[len("event: "):])
			case bytes.HasPrefix(line, []byte("data: ")):
				now := time.Now()
				switch event {
				case "ready":
					c.readyOnce.Do(func() { close(c.ready) })
				case "change":
					var ch biz.ObjectChange
					if json.Unmarshal(line[len("data: "):], &ch) == nil {
						c.mu.Lock()
						c.arrived[ch.ResourceVersion] = now
						c.mu.Unlock()
					}
				}
			}
		}
	}()
	select {
	case <-c.ready:
		return c, nil
	case <-time.After(30 * time.Second):
		cancel()
		return nil, fmt.Errorf("no ready event within 30s")
	}
}

// write is one API-server write: when the patch was sent, when its call returned, and the
// resourceVersion its change event carries.
type write struct {
	rv            string
	sent, applied time.Time
}

var writeCount atomic.Int64

// patchReplicas patches spec.replicas of one of the namespace's CloneSets through shared.kruise,
// with a value never written before (so every patch is a change).
func patchReplicas() (write, error) {
	i := writeCount.Add(1)
	name := fmt.Sprintf("cs-%05d", 100+i%10)
	patch := fmt.Sprintf(`{"spec":{"replicas":%d}}`, 100+i)
	w := write{sent: time.Now()}
	obj, err := shared.kruise.AppsV1alpha1().CloneSets(load500NS).Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	w.applied = time.Now()
	if err != nil {
		return w, fmt.Errorf("patch %s: %w", name, err)
	}
	w.rv = obj.ResourceVersion
	return w, nil
}

// writeRound makes n writes, pace apart.
func writeRound(n int, pace time.Duration) ([]write, error) {
	var ws []write
	for i := 0; i < n; i++ {
		w, err := patchReplicas()
		if err != nil {
			return ws, err
		}
		ws = append(ws, w)
		if pace > 0 {
			time.Sleep(pace)
		}
	}
	return ws, nil
}

// awaitDelivery waits until every client has every write's event, or timeout; it returns how
// many (client, event) pairs are missing.
func awaitDelivery(clients []*sseClient, ws []write, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		missing := 0
		for _, c := range clients {
			for _, w := range ws {
				if _, ok := c.arrival(w.rv); !ok {
					missing++
				}
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			return missing
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delays are the times from each write to its event at each client, from the return of the patch
// call (negative ones, events that came before the call returned, count as 0) and from the send.
type delays struct {
	p50, p99, max, sentP50, sentP99 time.Duration
	samples, early                  int
}

func delaysOf(clients []*sseClient, ws []write) delays {
	var fromApplied, fromSent []time.Duration
	var d delays
	for _, c := range clients {
		for _, w := range ws {
			t, ok := c.arrival(w.rv)
			if !ok {
				continue
			}
			dd := t.Sub(w.applied)
			if dd < 0 {
				d.early++
				dd = 0
			}
			fromApplied = append(fromApplied, dd)
			fromSent = append(fromSent, t.Sub(w.sent))
		}
	}
	d.samples = len(fromApplied)
	d.p50, d.p99, d.max = percentile(fromApplied, 0.5), percentile(fromApplied, 0.99), percentile(fromApplied, 1)
	d.sentP50, d.sentP99 = percentile(fromSent, 0.5), percentile(fromSent, 0.99)
	return d
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// settledRSS is this process's resident set after a garbage collection that returns freed
// memory to the system.
func settledRSS() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	return rssMiB()
}

// raiseOpenFiles raises the soft limit of open files to the hard one and returns it.
func raiseOpenFiles() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}

// tcpQueues reads /proc/net/tcp: the send queue of the socket local:port → remote:port and the
// receive queue of the reverse one (both ends are in this host).
func tcpQueues(serverPort, clientPort int) (serverSendQ, clientRecvQ int, ok bool) {
	raw, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return 0, 0, false
	}
	port := func(addr string) int {
		_, p, _ := strings.Cut(addr, ":")
		n, _ := strconv.ParseInt(p, 16, 32)
		return int(n)
	}
	found := 0
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		tx, rx, _ := strings.Cut(f[4], ":")
		txn, _ := strconv.ParseInt(tx, 16, 64)
		rxn, _ := strconv.ParseInt(rx, 16, 64)
		switch l, r := port(f[1]), port(f[2]); {
		case l == serverPort && r == clientPort:
			serverSendQ = int(txn)
			found++
		case l == clientPort && r == serverPort:
			clientRecvQ = int(rxn)
			found++
		}
	}
	return serverSendQ, clientRecvQ, found == 2
}

type watchFigures struct {
	clients                     int
	connectTook                 time.Duration
	rssBefore, rssAfter         float64
	goroutinesAdded             int
	idleCPU                     time.Duration // CPU time used per second of wall time
	roundWall, roundCPU         time.Duration
	plain, stalled              delays
	missingPlain, missingStall  int
	endedEarly                  int
	stalledSendQ, stalledRecvQ  int
	stalledQueuesKnown          bool
	openFiles                   uint64
	burstWrites, measuredWrites int
}

var watchRun struct {
	once sync.Once
	f    *watchFigures
}

// BenchmarkLoadWatch opens 1,000 live streams of namespace load500 on one dashboard and measures
// the memory they take, the CPU time of 20 writes delivered to all of them, and the delay from
// each write (a patch of a CloneSet's spec.replicas, timed when the patch call returned) to its
// event at every client; then it adds a client that connects and never reads, piles 100 writes
// up at it, and measures the delays of 20 more writes at the others. The dashboard runs in this
// process (RSS and CPU time are the process's: the dashboards, the API clients and the 1,000
// stream readers).
func BenchmarkLoadWatch(b *testing.B) {
	d := loadDashboard(b)
	ensure500(b, d)
	watchRun.once.Do(func() { watchRun.f = runWatch(b, d) })
	f := watchRun.f
	if f == nil {
		b.Fatal("measurement failed earlier")
	}
	b.ReportMetric(float64(f.clients), "clients")
	b.ReportMetric(f.rssBefore, "RSS-before-MiB")
	b.ReportMetric(f.rssAfter, "RSS-after-MiB")
	b.ReportMetric((f.rssAfter-f.rssBefore)*1024/float64(f.clients), "KiB/client")
	b.ReportMetric(ms(f.roundCPU)/float64(f.measuredWrites), "cpu-ms/write")
	b.ReportMetric(ms(f.plain.p50), "delay-p50-ms")
	b.ReportMetric(ms(f.plain.p99), "delay-p99-ms")
	b.ReportMetric(ms(f.stalled.p99), "stalled-delay-p99-ms")
	b.ReportMetric(float64(f.missingPlain+f.missingStall), "missing-events")
}

func runWatch(b *testing.B, d *dashboard) *watchFigures {
	f := &watchFigures{clients: watchClients, burstWrites: watchBurst, measuredWrites: watchWrites}
	var err error
	f.openFiles, err = raiseOpenFiles()
	must(b, "raise the open-file limit", err)
	if f.openFiles < 2*watchClients+1024 {
		b.Fatalf("open-file limit %d: %d streams need both ends in this process (≥ %d)", f.openFiles, watchClients, 2*watchClients+1024)
	}
	tr := &http.Transport{DisableCompression: true, MaxConnsPerHost: 0, MaxIdleConnsPerHost: 1, ResponseHeaderTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	f.rssBefore = settledRSS()
	goroutines := runtime.NumGoroutine()
	clients := make([]*sseClient, watchClients)
	began := time.Now()
	err = parallelN(50, watchClients, func(i int) error {
		c, err := openStream(tr, d.URL, "namespace="+load500NS)
		clients[i] = c
		return err
	})
	f.connectTook = time.Since(began)
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.closing.Store(true)
				c.cancel()
			}
		}
	}()
	must(b, "open the streams", err)
	f.rssAfter = settledRSS()
	f.goroutinesAdded = runtime.NumGoroutine() - goroutines

	// Idle cost of the open streams, for comparison with the writes' cost.
	cpu0 := cpuTime()
	time.Sleep(2 * time.Second)
	f.idleCPU = (cpuTime() - cpu0) / 2

	// Round A: 20 writes, 100 ms apart, delivered to every client.
	cpu0, wall0 := cpuTime(), time.Now()
	ws, err := writeRound(watchWrites, watchPace)
	must(b, "writes", err)
	f.missingPlain = awaitDelivery(clients, ws, 30*time.Second)
	f.roundCPU, f.roundWall = cpuTime()-cpu0, time.Since(wall0)
	f.plain = delaysOf(clients, ws)

	// Round B: a client that never reads, a burst piled up at it, then 20 measured writes.
	host := strings.TrimPrefix(d.URL, "http://")
	_, portText, _ := net.SplitHostPort(host)
	serverPort, _ := strconv.Atoi(portText)
	dialer := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	stalled, err := dialer.Dial("tcp", host)
	must(b, "connect the stalled client", err)
	defer stalled.Close()
	_, err = fmt.Fprintf(stalled, "GET /api/v1/watch?namespace=%s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", load500NS, host)
	must(b, "send the stalled client's request", err)
	clientPort := stalled.LocalAddr().(*net.TCPAddr).Port
	time.Sleep(500 * time.Millisecond) // subscribed
	burst, err := writeRound(watchBurst, 0)
	must(b, "burst writes", err)
	if missing := awaitDelivery(clients, burst, 60*time.Second); missing > 0 {
		f.missingStall += missing
	}
	f.stalledSendQ, f.stalledRecvQ, f.stalledQueuesKnown = tcpQueues(serverPort, clientPort)
	ws, err = writeRound(watchWrites, watchPace)
	must(b, "writes with a stalled client", err)
	f.missingStall += awaitDelivery(clients, ws, 30*time.Second)
	f.stalled = delaysOf(clients, ws)
	for _, c := range clients {
		if c.ended.Load() && !c.closing.Load() {
			f.endedEarly++
		}
	}

	var buf strings.Builder
	fmt.Fprintf(&buf, "live stream: %d clients of GET /api/v1/watch?namespace=%s on one dashboard (in this process, with the stream readers; open-file limit %d)\n", f.clients, load500NS, f.openFiles)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "connect %d (50 at a time, until their ready event)\t%s\n", f.clients, f.connectTook.Round(time.Millisecond))
	fmt.Fprintf(tw, "RSS before / after connecting (after GC)\t%.1f MiB / %.1f MiB: %.1f KiB per client (both ends), %d goroutines added\n",
		f.rssBefore, f.rssAfter, (f.rssAfter-f.rssBefore)*1024/float64(f.clients), f.goroutinesAdded)
	fmt.Fprintf(tw, "CPU time idle with the streams open\t%s per second\n", f.idleCPU.Round(time.Millisecond))
	fmt.Fprintf(tw, "CPU time for %d writes (%s apart) delivered to all\t%s over %s: %.1f ms per write, %.1f µs per delivered event\n",
		watchWrites, watchPace, f.roundCPU.Round(time.Millisecond), f.roundWall.Round(time.Millisecond),
		ms(f.roundCPU)/float64(watchWrites), float64(f.roundCPU)/float64(time.Microsecond)/float64(watchWrites*f.clients))
	fmt.Fprintf(tw, "write → event at client (after the patch returned)\tp50 %s, p99 %s, max %s over %d events (%d came before the call returned); from the patch sent: p50 %s, p99 %s; missing %d\n",
		fmtDur(f.plain.p50), fmtDur(f.plain.p99), fmtDur(f.plain.max), f.plain.samples, f.plain.early, fmtDur(f.plain.sentP50), fmtDur(f.plain.sentP99), f.missingPlain)
	queues := "queues unknown"
	if f.stalledQueuesKnown {
		queues = fmt.Sprintf("its receive queue holds %s, the server's send queue %s", fmtBytes(f.stalledRecvQ), fmtBytes(f.stalledSendQ))
	}
	fmt.Fprintf(tw, "stalled client (never reads, 4 KiB receive buffer)\t%d unpaced writes piled up at it (~%s of events per client so far); %s\n",
		watchBurst, fmtBytes(int(clients[0].bytes.Load())), queues)
	fmt.Fprintf(tw, "write → event with the stalled client present\tp50 %s, p99 %s, max %s over %d events (%d early); from the patch sent: p50 %s, p99 %s; missing %d (incl. the burst)\n",
		fmtDur(f.stalled.p50), fmtDur(f.stalled.p99), fmtDur(f.stalled.max), f.stalled.samples, f.stalled.early, fmtDur(f.stalled.sentP50), fmtDur(f.stalled.sentP99), f.missingStall)
	fmt.Fprintf(tw, "streams the server ended during the run\t%d\n", f.endedEarly)
	_ = tw.Flush()
	b.Log(buf.String())
	return f
}

// parallelN runs do(0..n-1) on `workers` goroutines and returns the first error.
func parallelN(workers, n int, do func(i int) error) error {
	jobs := make(chan int)
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := do(i); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("%d: %w", i, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return first
}

// ---- 5. memory per pod (KD_LOAD_FULL=1) -----------------------------------------------------

type podMemoryFigures struct {
	basePods                      int
	load20k, load100k             time.Duration
	bin0, bin20k, bin100k, binHWM float64
	proc20k, proc100k             float64
	table                         string
}

var podMemory struct {
	once sync.Once
	f    *podMemoryFigures
}

// BenchmarkLoadPodMemory reports the dashboard's RSS at 10,000 workloads and 100,000 pods and the
// cost per 10,000 pods: (RSS at 100,000 pods − RSS at 20,000) ÷ 8, the pods of namespace load10k
// (10 per workload, created as the existing loader does, 64 creators). The dashboard measured is
// the binary as a separate process (its cache holds the whole cluster: namespace bench's 20,000
// pods too, when loaded); the test process's own RSS is given besides. It loads 100,000 pods and
// takes several minutes, so it runs only with KD_LOAD_FULL=1.
func BenchmarkLoadPodMemory(b *testing.B) {
	skipShort(b)
	if !loadFull() {
		b.Skip("the 100,000-pod load runs only with KD_LOAD_FULL=1 (several minutes)")
	}
	d := loadDashboard(b)
	podMemory.once.Do(func() { podMemory.f = runPodMemory(b, d) })
	f := podMemory.f
	if f == nil {
		b.Fatal("measurement failed earlier")
	}
	b.ReportMetric(f.bin100k, "RSS-100kpods-MiB")
	b.ReportMetric(f.bin20k, "RSS-20kpods-MiB")
	b.ReportMetric((f.bin100k-f.bin20k)/8, "MiB/10kpods")
	b.ReportMetric(f.load100k.Seconds()+f.load20k.Seconds(), "load-s")
}

func podCount(b *testing.B, c apiclient.Client) int {
	var m biz.ClusterMetrics
	if status, e := c.Call(b, http.MethodGet, "/cluster/metrics", &m); status != http.StatusOK {
		b.Fatalf("cluster metrics: %d %s", status, e.Message)
	}
	return m.PodCount
}

func runPodMemory(b *testing.B, d *dashboard) *podMemoryFigures {
	set := ensure10k(b, d)
	f := &podMemoryFigures{}

	// The binary, as BenchmarkBinaryListAll runs it.
	dir := b.TempDir()
	bin := filepath.Join(dir, "kruise-dashboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	addr, err := apiclient.FreeAddr()
	must(b, "free port", err)
	logFile, err := os.Create(filepath.Join(dir, "dashboard.log"))
	must(b, "log file", err)
	defer logFile.Close()
	cmd := exec.Command(bin, "-conf", "../configs/config.yaml")
	cmd.Env = append(os.Environ(), "KD_KUBECONFIG_PATH="+shared.cluster.Kubeconfig, "KD_HTTP_ADDR="+addr, "KD_AUDIT_LOG_PATH="+os.DevNull)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	must(b, "start binary", cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	binary := apiclient.Client{URL: "http://" + addr}
	apiclient.Eventually(b, "the binary ready", 2*time.Minute, func() error {
		if status, body := binary.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: string(body)}
		}
		return nil
	})
	f.basePods = podCount(b, d.Client)
	waitPods := func(want int) {
		for _, c := range []apiclient.Client{binary, d.Client, shared.dash.Client} {
			apiclient.Eventually(b, fmt.Sprintf("%d pods in the dashboard at %s", want, c.URL), 10*time.Minute, func() error {
				if n := podCount(b, c); n < want {
					return fmt.Errorf("%d pods", n)
				}
				return nil
			})
		}
		time.Sleep(5 * time.Second) // let the binary's heap settle
	}
	time.Sleep(5 * time.Second)
	f.bin0, _ = procMemMiB(cmd.Process.Pid)

	start := time.Now()
	must(b, "create 20,000 pods", createPods(set, 0, 2))
	f.load20k = time.Since(start)
	fmt.Fprintf(os.Stderr, "load: created %d pods in %s in %s\n", set.n*2, set.ns, f.load20k.Round(time.Second))
	waitPods(f.basePods + set.n*2)
	f.bin20k, _ = procMemMiB(cmd.Process.Pid)
	f.proc20k = settledRSS()

	start = time.Now()
	must(b, "create 80,000 more pods", createPods(set, 2, loadPodsPerLoad))
	f.load100k = time.Since(start)
	fmt.Fprintf(os.Stderr, "load: created %d more pods in %s in %s\n", set.n*(loadPodsPerLoad-2), set.ns, f.load100k.Round(time.Second))
	waitPods(f.basePods + set.n*loadPodsPerLoad)
	f.bin100k, f.binHWM = procMemMiB(cmd.Process.Pid)
	f.proc100k = settledRSS()

	var buf strings.Builder
	total := f.basePods + set.n*loadPodsPerLoad
	fmt.Fprintf(&buf, "pod memory: %d workloads in %s with 10 pods each (%d non-terminated pods in the cluster before, %d after)\n", set.n, set.ns, f.basePods, total)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "loading 20,000 pods / 80,000 more (%d creators)\t%s / %s (%.0f pods/s)\n", loadCreators,
		f.load20k.Round(time.Second), f.load100k.Round(time.Second), float64(set.n*loadPodsPerLoad)/(f.load20k+f.load100k).Seconds())
	fmt.Fprintf(tw, "binary RSS: 0 / 20,000 / 100,000 pods in %s\t%.0f / %.0f / %.0f MiB (peak %.0f MiB)\n", set.ns, f.bin0, f.bin20k, f.bin100k, f.binHWM)
	fmt.Fprintf(tw, "binary: cost per 10,000 pods\t%.1f MiB\n", (f.bin100k-f.bin20k)/8)
	fmt.Fprintf(tw, "test process RSS after GC (2 in-process dashboards cache every pod): 20,000 / 100,000\t%.0f / %.0f MiB (%.1f MiB per 10,000 pods, both caches)\n",
		f.proc20k, f.proc100k, (f.proc100k-f.proc20k)/8)
	_ = tw.Flush()
	f.table = buf.String()
	b.Log(f.table)
	return f
}
