package data

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// fakePod is one simulated pod's traffic: requests per second, the share that fails (HTTP 500)
// and whether it is slow (latencies around 0.3 s instead of 0.05 s).
type fakePod struct {
	namespace, name string
	rps, failing    float64
	slow            bool
}

// fakePods serves each pod's series at /metrics?namespace=…&pod=…, as the pod's own /metrics
// would: counters growing with the time since the server started, without namespace or pod
// labels (the scrape adds them).
func fakePods(t *testing.T, pods []fakePod) string {
	start := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range pods {
			if p.namespace != r.URL.Query().Get("namespace") || p.name != r.URL.Query().Get("pod") {
				continue
			}
			n := p.rps * time.Since(start).Seconds()
			failed := n * p.failing
			fmt.Fprintf(w, "# TYPE http_requests_total counter\n")
			fmt.Fprintf(w, "http_requests_total{code=\"200\"} %f\n", n-failed)
			if failed > 0 {
				fmt.Fprintf(w, "http_requests_total{code=\"500\"} %f\n", failed)
			}
			// Half the requests within the first bucket, all within the second.
			le := []string{"0.025", "0.05", "0.1", "0.25", "0.5", "1", "+Inf"}
			share := []float64{0, 0.5, 1, 1, 1, 1, 1}
			if p.slow {
				share = []float64{0, 0, 0, 0.5, 1, 1, 1}
			}
			fmt.Fprintf(w, "# TYPE http_request_duration_seconds histogram\n")
			for i := range le {
				fmt.Fprintf(w, "http_request_duration_seconds_bucket{le=%q} %f\n", le[i], n*share[i])
			}
			fmt.Fprintf(w, "http_request_duration_seconds_sum %f\nhttp_request_duration_seconds_count %f\n", n*0.1, n)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startPrometheus runs Debian's prometheus (make prometheus) scraping the fake pods every second,
// each a static target whose relabeling sets the namespace and pod labels as a kubernetes_sd
// scrape's would. It returns the server's address and a function that stops it.
func startPrometheus(t *testing.T, target string, pods []fakePod) (addr string, stop func()) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("no prometheus on PATH: run make prometheus (Debian's package)")
	}
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n- job_name: pods\n  static_configs:\n")
	for _, p := range pods {
		fmt.Fprintf(&cfg, "  - targets: [%q]\n    labels: {__param_namespace: %q, __param_pod: %q}\n", target, p.namespace, p.name)
	}
	cfg.WriteString("  relabel_configs:\n" +
		"  - {source_labels: [__param_namespace], target_label: namespace}\n" +
		"  - {source_labels: [__param_pod], target_label: pod}\n")
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr = freePort(t)
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stopped atomic.Bool
	stop = func() {
		if stopped.CompareAndSwap(false, true) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	return addr, stop
}

// tokenProxy is a TLS server in front of Prometheus that answers only the bearer token in
// tokenFile (read at each request), as an authenticating proxy would; it writes its CA to caFile.
func tokenProxy(t *testing.T, promAddr, tokenFile, caFile string) (string, *atomic.Int32) {
	var refused atomic.Int32
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: promAddr})
	quiet := log.New(io.Discard, "", 0) // refused handshakes and a stopped Prometheus are expected
	proxy.ErrorLog = quiet
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want, err := os.ReadFile(tokenFile)
		if err != nil || r.Header.Get("Authorization") != "Bearer "+strings.TrimSpace(string(want)) {
			refused.Add(1)
			http.Error(w, `{"status":"error","errorType":"unauthorized","error":"bad token"}`, http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = quiet
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, &refused
}

// TestPrometheusEvidence runs the evidence end to end against a real Prometheus server: the
// shipped templates and thresholds (config.yaml, with a 10 s window), series scraped from fake
// pods, the queries through a TLS proxy that checks the bearer token.
func TestPrometheusEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	const ns = "shop"
	stable := []string{"web-old.0", "web-old-1"}
	pods := []fakePod{
		{ns, "web-old.0", 40, 0.005, false}, {ns, "web-old-1", 40, 0.005, false},
		{ns, "web-bad-0", 40, 0.2, false},    // errors
		{ns, "web-good-0", 40, 0.005, false}, // as stable
		{ns, "web-slow-0", 40, 0.005, true},  // latency
		{ns, "web-quiet-0", 2, 0, false},     // 20 requests in the window
		// Decoys the selector must not match: a name the unescaped dot of web-old.0 would match,
		// and web-good-0 in another namespace; both fail every request, slowly.
		{ns, "web-oldx0", 400, 1, true}, {"other", "web-good-0", 400, 1, true},
	}
	promAddr, stopProm := startPrometheus(t, fakePods(t, pods), pods)

	dir := t.TempDir()
	tokenFile, caFile := filepath.Join(dir, "token"), filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(tokenFile, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proxyURL, refused := tokenProxy(t, promAddr, tokenFile, caFile)

	shipped, err := conf.Load("../configs/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	shipped.Metrics.Prometheus = &conf.Prometheus{URL: proxyURL, BearerTokenFile: tokenFile, CAFile: caFile, Timeout: 2 * time.Second}
	shipped.Metrics.Evidence.Window = 10 * time.Second
	prom, err := NewPrometheus(shipped.Metrics.Prometheus, noop.NewTracerProvider())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := EvidenceConfig(shipped.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := evidence.New(cfg, prom)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Wait until every target is up and the window holds the samples of its whole length.
	deadline := time.Now().Add(40 * time.Second)
	for {
		v, err := prom.Instant(ctx, `count(count_over_time(up[10s]) >= 9)`)
		if err == nil && len(v) == 1 && int(v[0]) == len(pods) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus did not scrape %d targets for 10 s: %v %v", len(pods), v, err)
		}
		time.Sleep(500 * time.Millisecond)
	}

	cases := []struct {
		canary string
		want   evidence.Verdict
	}{
		{"web-bad-0", evidence.Worse},
		{"web-good-0", evidence.NotWorse},
		{"web-slow-0", evidence.Worse},
		{"web-quiet-0", evidence.NotEnoughData},
	}
	for _, c := range cases {
		r, err := ev.Evaluate(ctx, evidence.Subject{Namespace: ns, Canary: []string{c.canary}, Stable: stable})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s (%s); canary %s, stable %s", c.canary, r.Verdict, r.Reason, show(r.Canary), show(r.Stable))
		if r.Verdict != c.want {
			t.Errorf("%s: got %s (%s), want %s", c.canary, r.Verdict, r.Reason, c.want)
		}
		if r.Template != "http" || !strings.Contains(r.Canary.Queries.Requests, `namespace="shop",pod=~"`+c.canary+`"`) {
			t.Errorf("%s: template %s, queries %+v", c.canary, r.Template, r.Canary.Queries)
		}
	}
	// The stable side's numbers: about 80 req/s (rate() extrapolates), 0.5 % failing, half within 50 ms.
	r, err := ev.Evaluate(ctx, evidence.Subject{Namespace: ns, Canary: []string{"web-good-0"}, Stable: stable})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Stable
	if s.RequestRate == nil || *s.RequestRate < 60 || *s.RequestRate > 90 || s.ErrorRatio == nil || *s.ErrorRatio < 0.004 || *s.ErrorRatio > 0.006 ||
		s.LatencyP50 == nil || *s.LatencyP50 > 0.051 || s.LatencyP95 == nil || *s.LatencyP95 < 0.05 || *s.LatencyP95 > 0.1 ||
		s.Requests == nil || *s.Requests < 600 {
		t.Errorf("stable: %s", show(s))
	}

	// An override among the configured templates: the Istio convention has no series here.
	r, err = ev.Evaluate(ctx, evidence.Subject{Namespace: ns, Canary: []string{"web-bad-0"}, Stable: stable,
		Annotations: map[string]string{evidence.TemplateAnnotation: "istio"}})
	if err != nil || r.Verdict != evidence.NotEnoughData || r.Template != "istio" {
		t.Errorf("istio: %v %+v", err, r)
	}

	// The token is read again when the file changes (the proxy only takes the file's token).
	if err := os.WriteFile(tokenFile, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := refused.Load()
	if _, err := prom.Instant(ctx, "vector(1)"); err != nil || refused.Load() != before {
		t.Errorf("after the token changed: %v, refused %d", err, refused.Load()-before)
	}
	// A wrong token: the query fails, with the server's reason.
	wrong, _ := NewPrometheus(&conf.Prometheus{URL: proxyURL, CAFile: caFile, Timeout: time.Second}, noop.NewTracerProvider())
	if _, err := wrong.Instant(ctx, "vector(1)"); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("without the token: %v", err)
	}
	// Without the CA the certificate is refused.
	noCA, _ := NewPrometheus(&conf.Prometheus{URL: proxyURL, BearerTokenFile: tokenFile, Timeout: time.Second}, noop.NewTracerProvider())
	if _, err := noCA.Instant(ctx, "vector(1)"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v", err)
	}
	// A bad query: Prometheus' own error.
	if _, err := prom.Instant(ctx, "sum(("); err == nil || !strings.Contains(err.Error(), "bad_data") {
		t.Errorf("bad query: %v", err)
	}

	// Not configured: unavailable.
	off, err := NewPrometheus(&conf.Prometheus{}, noop.NewTracerProvider())
	if err != nil || off != nil {
		t.Fatalf("no URL: %v %v", off, err)
	}
	evOff, _ := evidence.New(cfg, off)
	if r, _ := evOff.Evaluate(ctx, evidence.Subject{Namespace: ns, Canary: []string{"web-good-0"}, Stable: stable}); r.Verdict != evidence.Unavailable {
		t.Errorf("not configured: %s (%s)", r.Verdict, r.Reason)
	}

	// Prometheus stopped: unavailable, never green, directly and through the proxy.
	direct, err := NewPrometheus(&conf.Prometheus{URL: "http://" + promAddr, Timeout: time.Second}, noop.NewTracerProvider())
	if err != nil {
		t.Fatal(err)
	}
	evDirect, _ := evidence.New(cfg, direct)
	subject := evidence.Subject{Namespace: ns, Canary: []string{"web-good-0"}, Stable: stable}
	if r, err := evDirect.Evaluate(ctx, subject); err != nil || r.Verdict != evidence.NotWorse {
		t.Fatalf("direct: %v %+v", err, r)
	}
	stopProm()
	for name, e := range map[string]*evidence.Evidence{"direct": evDirect, "proxied": ev} {
		r, err = e.Evaluate(ctx, subject)
		if err != nil || r.Verdict != evidence.Unavailable {
			t.Fatalf("Prometheus stopped, %s: %v %s (%s)", name, err, r.Verdict, r.Reason)
		}
		t.Logf("stopped, %s: %s", name, r.Reason)
	}
}

func show(s evidence.Side) string {
	v := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.4g", *p)
	}
	return fmt.Sprintf("pods %d rate %s requests %s errors %s p50 %s p95 %s", s.Pods, v(s.RequestRate), v(s.Requests), v(s.ErrorRatio), v(s.LatencyP50), v(s.LatencyP95))
}
