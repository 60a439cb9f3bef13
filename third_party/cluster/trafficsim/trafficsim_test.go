package trafficsim

import (
	"encoding/json"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestBadImage(t *testing.T) {
	for image, want := range map[string]bool{
		"nginx:1.28-bad": true, "nginx:BAD": true, "registry:5000/shop:bad": true, "nginx:1.28": false,
		"bad/nginx:1.28": false, "registry.bad:5000/nginx": false, "nginx": false, "nginx@sha256:bad0": false,
		"nginx:1.28-bad@sha256:0123": true,
	} {
		if got := BadImage(image); got != want {
			t.Errorf("BadImage(%q) = %v, want %v", image, got, want)
		}
	}
}

// scrape parses the simulator's answer into its metric families.
func scrape(t *testing.T, s *Simulator) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse the exposition: %v\n%s", err, rec.Body)
	}
	return families
}

// series is a family's samples of one pod, by the value of the other label (code or le).
func series(t *testing.T, f *dto.MetricFamily, ns, pod string) map[string]*dto.Metric {
	out := map[string]*dto.Metric{}
	for _, m := range f.Metric {
		l := map[string]string{}
		for _, p := range m.Label {
			l[p.GetName()] = p.GetValue()
		}
		if l["namespace"] != ns || l["pod"] != pod {
			continue
		}
		delete(l, "namespace")
		delete(l, "pod")
		if len(l) > 1 {
			t.Errorf("%s of %s/%s has labels beyond namespace, pod and code: %v", f.GetName(), ns, pod, l)
		}
		out[l["code"]] = m
	}
	return out
}

// TestSimulatorSeries: each listed pod's counters grow at its profile's rates from when it was
// first listed; a bad image fails more and answers more slowly; only namespace and pod (and
// code) label the series; a pod no longer listed has no series.
func TestSimulatorSeries(t *testing.T) {
	pods := []Pod{{"demo", "shop-a", false}, {"demo", "shop-b", true}}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	s := New(19, func() ([]Pod, error) { return pods, nil })
	s.now = func() time.Time { return now }
	first := scrape(t, s)
	if got := series(t, first["http_requests_total"], "demo", "shop-a")["200"].GetCounter().GetValue(); got != 0 {
		t.Errorf("a new pod's counter starts at %g, want 0", got)
	}
	now = now.Add(100 * time.Second)
	families := scrape(t, s)
	for _, p := range pods {
		pr := ProfileOf(19, p)
		if pr != ProfileOf(19, p) || pr == ProfileOf(20, p) {
			t.Errorf("%s: the profile must follow the seed and the pod", p.Name)
		}
		reqs := series(t, families["http_requests_total"], p.Namespace, p.Name)
		ok, failed := reqs["200"].GetCounter().GetValue(), reqs["500"].GetCounter().GetValue()
		if total := ok + failed; total < 100*pr.RPS*0.999 || total > 100*pr.RPS*1.001 || total < 800 || total > 1200 {
			t.Errorf("%s: %g requests in 100 s, want %g (8–12/s)", p.Name, total, 100*pr.RPS)
		}
		ratio := failed / (ok + failed)
		if p.Bad != (ratio > 0.05) || ratio < 0.002 || ratio > 0.1 {
			t.Errorf("%s (bad %v): error ratio %g", p.Name, p.Bad, ratio)
		}
		h := series(t, families["http_request_duration_seconds"], p.Namespace, p.Name)[""].GetHistogram()
		// The text parser keeps whole numbers of a histogram's counts.
		if c := float64(h.GetSampleCount()); c > ok+failed || c < ok+failed-1 {
			t.Errorf("%s: histogram count %d, requests %g", p.Name, h.GetSampleCount(), ok+failed)
		}
		// p95 from the buckets, as histogram_quantile does (linear within the bucket).
		p95, prevLE, prevN := 0.0, 0.0, 0.0
		for _, b := range h.Bucket {
			if n := b.GetCumulativeCount(); float64(n) >= 0.95*(ok+failed) {
				p95 = prevLE + (b.GetUpperBound()-prevLE)*(0.95*(ok+failed)-prevN)/(float64(n)-prevN)
				break
			}
			prevLE, prevN = b.GetUpperBound(), float64(b.GetCumulativeCount())
		}
		if p.Bad != (p95 > 0.25) || p95 < 0.05 || p95 > 0.5 {
			t.Errorf("%s (bad %v): p95 %gs", p.Name, p.Bad, p95)
		}
	}
	pods = pods[:1]
	if got := series(t, scrape(t, s)["http_requests_total"], "demo", "shop-b"); len(got) != 0 {
		t.Errorf("a pod no longer listed still has series: %v", got)
	}
}

// p95 is the 0.95 quantile histogram_quantile reads from a pod's buckets (linear within a bucket).
func p95(median float64) float64 {
	prevLE, prevShare := 0.0, 0.0
	for _, le := range Buckets {
		if share := lognormalCDF(le, median); share >= 0.95 {
			return prevLE + (le-prevLE)*(0.95-prevShare)/(share-prevShare)
		}
		prevLE, prevShare = le, lognormalCDF(le, median)
	}
	return math.Inf(1)
}

// TestProfilesWithinThresholds: over many pods (their names are the controllers' random ones), a
// good canary is never worse than a good stable pod by the default thresholds, with a margin, and
// a bad one always is: error ratio, and p95 as Prometheus reads it from the buckets.
func TestProfilesWithinThresholds(t *testing.T) {
	var good, bad []Profile
	for i := range 500 {
		good = append(good, ProfileOf(19, Pod{"ns", "pod-" + strconv.Itoa(i), false}))
		bad = append(bad, ProfileOf(19, Pod{"ns", "pod-" + strconv.Itoa(i), true}))
	}
	maxGood, minGood, minBad := 0.0, math.Inf(1), math.Inf(1)
	for _, c := range good {
		maxGood, minGood = max(maxGood, p95(c.LatencyMedian)), min(minGood, p95(c.LatencyMedian))
		for _, s := range good {
			if c.ErrorRatio-s.ErrorRatio > 0.01 {
				t.Fatalf("good %+v worse than good %+v", c, s)
			}
		}
		for _, b := range bad {
			minBad = min(minBad, p95(b.LatencyMedian))
			if b.ErrorRatio-c.ErrorRatio <= 0.01 || b.ErrorRatio <= 1.5*c.ErrorRatio {
				t.Fatalf("bad %+v not worse than good %+v", b, c)
			}
		}
	}
	t.Logf("p95 from the buckets: good %.1f–%.1f ms, bad from %.1f ms", 1000*minGood, 1000*maxGood, 1000*minBad)
	if maxGood >= 1.35*minGood || minBad < 2*maxGood {
		t.Errorf("p95 from the buckets: good %g–%g, bad from %g: want good within 1.35× and bad 2× beyond", minGood, maxGood, minBad)
	}
}

// TestGate: the Prometheus URL passes requests to Prometheus when it answers; otherwise it
// answers 503 in the query API's format saying it is being built, starting, or not running.
func TestGate(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upstream := l.Addr().String()
	l.Close() // nothing listens there now
	gate := httptest.NewServer(NewGate(upstream, dir, "(Prometheus v0 from the module proxy)"))
	defer gate.Close()
	ask := func() (int, string) {
		resp, err := http.Get(gate.URL + "/api/v1/query?query=up")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Status, ErrorType, Error string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body.Status + " " + body.ErrorType + ": " + body.Error
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		setup func()
		want  string
	}{
		{func() {}, "error unavailable: Prometheus is not running (no "},
		{func() { write("prometheus.pid", "999999999") }, "error unavailable: Prometheus is not running (it stopped; see "},
		{func() { write("prometheus.pid", strconv.Itoa(os.Getpid())) }, "error unavailable: Prometheus is starting"},
		{func() { write("prometheus.building", time.Now().UTC().Format(time.RFC3339)) },
			"error unavailable: Prometheus is starting: being built (Prometheus v0 from the module proxy) (since "},
	} {
		c.setup()
		if status, msg := ask(); status != http.StatusServiceUnavailable || !strings.HasPrefix(msg, c.want) {
			t.Errorf("got %d %q, want 503 %q…", status, msg, c.want)
		}
	}
	// Prometheus answers: the gate passes the answer on.
	prom := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","errorType":"","error":"` + r.URL.Query().Get("query") + `"}`))
	})}
	l, err = net.Listen("tcp", upstream)
	if err != nil {
		t.Skipf("the upstream port was taken meanwhile: %v", err)
	}
	go func() { _ = prom.Serve(l) }()
	defer prom.Close()
	if status, msg := ask(); status != http.StatusOK || msg != "success : up" {
		t.Errorf("with Prometheus answering: %d %q", status, msg)
	}
}
