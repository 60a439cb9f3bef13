package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// A sign-in flood (docs/configuration.md §2, "no amplification"): anonymous clients sending
// random bearer tokens and failed token sign-ins at a fixed rate while a signed-in user scales a CloneSet every
// 100 ms. Half the flooding clients come from loopback itself, the other half through a trusted
// proxy (loopback, KD_TRUSTED_PROXIES=127.0.0.1) naming a new X-Forwarded-For address on every
// request, so both the per-address and the global limit are exercised; one of them repeats a
// single bad token (the memory of rejected tokens).
const (
	floodClients = 32
	floodPace    = 40 * time.Millisecond // per client: 32 × 25/s = 800 requests/s
	scalePace    = 100 * time.Millisecond
)

// latencies are a phase's scale requests.
type latencies struct {
	n        int
	p50, p99 time.Duration
}

func latenciesOf(ds []time.Duration) latencies {
	return latencies{n: len(ds), p50: percentile(ds, 0.50), p99: percentile(ds, 0.99)}
}

// floodFigures are one measurement: the scales without and with the flood, the TokenReviews the
// API server counted during the flood, and what the flood got.
type floodFigures struct {
	quiet, flooded latencies
	seconds        float64        // the flood's length
	sent           int            // flood requests answered
	answers        map[string]int // flood answers by status and code, e.g. "429 TOO_MANY_REQUESTS"
	badAnswers     []string       // anything but 401 UNAUTHORIZED or 429 with Retry-After, by example
	reviews        float64        // TokenReviews the API server counted during the flood
	dashReviews    uint64         // reviews the dashboard counted (kd_auth_token_checks_total)
	remembered     uint64         // rejected from memory, without a review
	limited        uint64         // kd_auth_limited_total during the flood
	cpuQuiet       float64        // CPU seconds per second of this process (dashboard and clients)
	cpuFlooded     float64
	scaleErrors    []string
}

func (f floodFigures) reviewsPerSecond() float64 { return f.reviews / f.seconds }

func (f floodFigures) String() string {
	return fmt.Sprintf("scale every %s: quiet p50 %s p99 %s (n=%d); flooded p50 %s p99 %s (n=%d); flood %d clients, %d requests in %.1fs (%.0f/s): %v; "+
		"TokenReviews %.0f (%.1f/s; the dashboard counted %d); remembered %d; limited %d; CPU of the test process %.2f quiet, %.2f flooded",
		scalePace, fmtDur(f.quiet.p50), fmtDur(f.quiet.p99), f.quiet.n, fmtDur(f.flooded.p50), fmtDur(f.flooded.p99), f.flooded.n,
		floodClients, f.sent, f.seconds, float64(f.sent)/f.seconds, f.answers, f.reviews, f.reviewsPerSecond(), f.dashReviews, f.remembered, f.limited, f.cpuQuiet, f.cpuFlooded)
}

// apiServerTokenReviews is the API server's own count of TokenReview requests
// (apiserver_request_total{resource="tokenreviews"}, every code), read as the admin.
func apiServerTokenReviews(tb testing.TB) float64 {
	tb.Helper()
	raw, err := shared.kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	must(tb, "read the API server's /metrics", err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(raw)))
	must(tb, "parse the API server's /metrics", err)
	var n float64
	for _, m := range families["apiserver_request_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "resource" && l.GetValue() == "tokenreviews" {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// processCPU is the CPU time this process (the dashboard and the test's clients) has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dashCounters are the dashboard's own counts of unknown tokens.
type dashCounters struct{ reviewed, remembered, limited uint64 }

// dashboardCounters reads kd_auth_token_checks_total and kd_auth_limited_total from the
// dashboard's metrics listener.
func dashboardCounters(tb testing.TB, metricsAddr string) (c dashCounters) {
	tb.Helper()
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	must(tb, "GET /metrics", err)
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	must(tb, "parse /metrics", err)
	for _, m := range families["kd_auth_token_checks_total"].GetMetric() {
		switch m.GetLabel()[0].GetValue() {
		case "accepted", "rejected", "error":
			c.reviewed += uint64(m.GetCounter().GetValue())
		case "remembered":
			c.remembered += uint64(m.GetCounter().GetValue())
		}
	}
	for _, m := range families["kd_auth_limited_total"].GetMetric() {
		c.limited += uint64(m.GetCounter().GetValue())
	}
	return c
}

// startFloodTarget runs a token-mode dashboard behind "a proxy" on loopback, with its metrics
// listener on metricsAddr and the sign-in limits changed by limits (nil: the shipped defaults).
func startFloodTarget(tb testing.TB, metricsAddr string, limits func(*conf.AuthLimits)) *dashboard {
	setUpRoles(tb)
	return startSignedIn(tb, "token", os.DevNull, func(bc *conf.Bootstrap) {
		bc.Server.TrustedProxies = []string{"127.0.0.1"}
		bc.Server.MetricsAddr = metricsAddr
		if limits != nil {
			limits(bc.Auth.Limits)
		}
	})
}

// measureFlood scales ns/shop as the editor (a bearer token) every scalePace: for half of quiet,
// then for flood while the flood runs, then for the other half of quiet (so a change in the
// machine's other load during the measurement weighs on both figures alike).
func measureFlood(tb testing.TB, d *dashboard, metricsAddr, ns string, quiet, flood time.Duration) floodFigures {
	tb.Helper()
	editor := http.Header{"Authorization": {"Bearer " + shared.cluster.Tokens["editor"]}}
	hc := &http.Client{Timeout: time.Minute}
	var replicas atomic.Int32
	var scaleErrors []string
	scale := func() time.Duration {
		path := fmt.Sprintf("%s/api/v1/workload/%s/cloneset/shop/scale?replicas=%d", d.URL, ns, 2+replicas.Add(1)%2)
		req, _ := http.NewRequest(http.MethodPost, path, nil)
		req.Header = editor.Clone()
		t0 := time.Now()
		resp, err := hc.Do(req)
		took := time.Since(t0)
		if err != nil {
			scaleErrors = append(scaleErrors, err.Error())
			return took
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			scaleErrors = append(scaleErrors, fmt.Sprintf("%d %s", resp.StatusCode, body))
		}
		return took
	}
	scaleFor := func(d time.Duration) []time.Duration {
		var out []time.Duration
		tick := time.NewTicker(scalePace)
		defer tick.Stop()
		for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
			out = append(out, scale())
		}
		return out
	}
	for range 5 { // the token's first review, the access decision, the connection
		scale()
	}
	// The flood's one repeated token is rejected once before it starts: then only from memory.
	const repeated = "the-same-bad-token"
	if status, _ := (apiclient.Client{URL: d.URL, Header: http.Header{"Authorization": {"Bearer " + repeated}}}).Raw(http.MethodGet, "/api/v1/namespaces", nil); status != http.StatusUnauthorized {
		tb.Fatalf("the repeated bad token: %d, want 401", status)
	}
	cpu0, t0 := processCPU(), time.Now()
	quietScales := scaleFor(quiet / 2)
	quietCPU, quietTime := processCPU()-cpu0, time.Since(t0)
	f := floodFigures{answers: map[string]int{}}

	reviewsBefore := apiServerTokenReviews(tb)
	before := dashboardCounters(tb, metricsAddr)
	cpu0 = processCPU()
	stop := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: floodClients}
	defer tr.CloseIdleConnections()
	flooder := &http.Client{Transport: tr, Timeout: time.Minute}
	began := time.Now()
	for i := range floodClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(floodPace)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				token := rand.Text()
				if i == 0 {
					token = repeated
				}
				var req *http.Request
				if n%4 == 3 { // every 4th a failed sign-in
					req, _ = http.NewRequest(http.MethodPost, d.URL+"/api/v1/auth/login", strings.NewReader(`{"token":"`+token+`"}`))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req, _ = http.NewRequest(http.MethodGet, d.URL+"/api/v1/namespaces", nil)
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if i%2 == 1 { // through the proxy, from anywhere
					req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", mrand.IntN(256), 1+mrand.IntN(254)))
				}
				resp, err := flooder.Do(req)
				if err != nil {
					mu.Lock()
					f.badAnswers = append(f.badAnswers, err.Error())
					mu.Unlock()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var e apiclient.Error
				_ = json.Unmarshal(body, &e)
				key := fmt.Sprintf("%d %s", resp.StatusCode, e.Code)
				ok := key == "401 "+biz.CodeUnauthorized ||
					key == "429 "+biz.CodeTooManyRequests && resp.Header.Get("Retry-After") != "" && e.TraceID != "" && e.Message != ""
				mu.Lock()
				f.answers[key]++
				f.sent++
				if !ok && len(f.badAnswers) < 5 {
					f.badAnswers = append(f.badAnswers, fmt.Sprintf("%s Retry-After %q: %s", key, resp.Header.Get("Retry-After"), body))
				}
				mu.Unlock()
			}
		}()
	}
	flooded := scaleFor(flood)
	close(stop)
	wg.Wait()
	f.seconds = time.Since(began).Seconds()
	f.cpuFlooded = (processCPU() - cpu0).Seconds() / f.seconds
	f.flooded = latenciesOf(flooded)
	f.reviews = apiServerTokenReviews(tb) - reviewsBefore
	after := dashboardCounters(tb, metricsAddr)
	f.dashReviews, f.remembered, f.limited = after.reviewed-before.reviewed, after.remembered-before.remembered, after.limited-before.limited
	cpu0, t0 = processCPU(), time.Now()
	f.quiet = latenciesOf(append(quietScales, scaleFor(quiet/2)...))
	f.cpuQuiet = (quietCPU + processCPU() - cpu0).Seconds() / (quietTime + time.Since(t0)).Seconds()
	f.scaleErrors = scaleErrors
	return f
}

// floodAttempts and floodSlowdown: the signed-in user's scale p50 under the flood stays within
// floodSlowdown times its quiet p50, measured in the same run; another load on the machine can
// slow one run's flooded phase alone, so the test fails only when every one of floodAttempts runs
// is over.
const (
	floodAttempts = 5
	floodSlowdown = 2.0
)

// TestFloodNoAmplification: under the flood the TokenReviews stay within the global limit,
// the flood gets only 401 and 429 (with Retry-After), the signed-in user's scales all succeed, and
// their p50 stays within 2× the quiet one (docs/configuration.md §2).
func TestFloodNoAmplification(t *testing.T) {
	skipShort(t)
	metricsAddr, err := apiclient.FreeAddr()
	must(t, "free address", err)
	d := startFloodTarget(t, metricsAddr, nil)
	ns := newNamespace(t, "flood")
	createCloneSet(t, ns, "shop", 2)
	waitServedBy(t, &dashboard{Client: as(d, "editor")}, "cloneset", ns, "shop")

	var f floodFigures
	var over []string
	for attempt := 1; attempt <= floodAttempts; attempt++ {
		f = measureFlood(t, d, metricsAddr, ns, 3*time.Second, 5*time.Second)
		ratio := float64(f.flooded.p50) / float64(f.quiet.p50)
		t.Logf("attempt %d: flooded/quiet p50 %.2f; %v", attempt, ratio, f)
		if f.quiet.p50 > 0 && ratio <= floodSlowdown {
			over = nil
			break
		}
		over = append(over, fmt.Sprintf("attempt %d: quiet p50 %s, flooded %s (%.2f×)", attempt, fmtDur(f.quiet.p50), fmtDur(f.flooded.p50), ratio))
	}
	if len(over) > 0 {
		t.Errorf("the signed-in user's scale p50 under the flood was over %g× its quiet figure in all %d attempts: %s",
			floodSlowdown, floodAttempts, strings.Join(over, "; "))
	}
	// The other checks hold for any run: they read the last one.
	limits, err := conf.Load("../configs/config.yaml")
	must(t, "load the shipped limits", err)
	l := limits.Auth.Limits
	// The global bucket: its burst plus its rate over the flood, and the editor's own reviews
	// (its token is reviewed again every 10 s).
	bound := float64(l.GlobalBurst) + l.Global*f.seconds + math.Ceil(f.seconds/10) + 1
	if f.reviews > bound {
		t.Errorf("%.0f TokenReviews during a %.1fs flood (%.1f/s), want at most %.0f (global limit %g/s, burst %d)",
			f.reviews, f.seconds, f.reviewsPerSecond(), bound, l.Global, l.GlobalBurst)
	}
	if math.Abs(f.reviews-float64(f.dashReviews)) > 2 {
		t.Errorf("the API server counted %.0f TokenReviews, the dashboard %d", f.reviews, f.dashReviews)
	}
	if f.answers["429 "+biz.CodeTooManyRequests] == 0 || f.limited == 0 || f.answers["401 "+biz.CodeUnauthorized] == 0 {
		t.Errorf("answers %v, limited %d: want both 401 and 429", f.answers, f.limited)
	}
	// The repeated token (a 32nd of the flood) costs no review: answered from memory.
	if perClient := f.seconds * float64(time.Second/floodPace); float64(f.remembered) < 0.8*perClient {
		t.Errorf("%d answers from the memory of rejected tokens, want about %.0f (the repeated token's)", f.remembered, perClient)
	}
	if len(f.badAnswers) > 0 {
		t.Errorf("flood answers other than 401 and 429 with Retry-After: %q", f.badAnswers)
	}
	if len(f.scaleErrors) > 0 {
		t.Errorf("the editor's scales failed: %q", f.scaleErrors)
	}
	if f.sent < int(0.8*f.seconds*float64(floodClients)*float64(time.Second/floodPace)) {
		t.Errorf("the flood sent %d requests in %.1fs, below its rate", f.sent, f.seconds)
	}
}

var floodBench struct {
	mu      sync.Mutex
	figures map[string]floodFigures
}

// BenchmarkLoadFlood measures the flood for 10 s after 5 s quiet (as it was first measured against
// the dashboard without limits),
// with the shipped limits ("limits") and with the failure limits set out of reach
// ("review-budget-only": what the separate TokenReview client and the memory of rejected tokens
// do alone). It reports the scale p50/p99 quiet and flooded, and TokenReviews per second.
func BenchmarkLoadFlood(b *testing.B) {
	skipShort(b)
	for _, c := range []struct {
		name   string
		limits func(*conf.AuthLimits)
	}{
		{"limits", nil},
		{"review-budget-only", func(l *conf.AuthLimits) {
			l.PerAddress, l.PerAddressBurst, l.Global, l.GlobalBurst = 1e6, 1e6, 1e6, 1e6
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			floodBench.mu.Lock()
			defer floodBench.mu.Unlock()
			f, ok := floodBench.figures[c.name]
			if !ok {
				metricsAddr, err := apiclient.FreeAddr()
				must(b, "free address", err)
				d := startFloodTarget(b, metricsAddr, c.limits)
				ns := newNamespace(b, "flood")
				createCloneSet(b, ns, "shop", 2)
				waitServedBy(b, &dashboard{Client: as(d, "editor")}, "cloneset", ns, "shop")
				f = measureFlood(b, d, metricsAddr, ns, 5*time.Second, 10*time.Second)
				if floodBench.figures == nil {
					floodBench.figures = map[string]floodFigures{}
				}
				floodBench.figures[c.name] = f
				b.Log(f)
			}
			b.ReportMetric(float64(f.flooded.p50.Nanoseconds()), "ns/op")
			b.ReportMetric(ms(f.quiet.p50), "quiet-p50-ms")
			b.ReportMetric(ms(f.quiet.p99), "quiet-p99-ms")
			b.ReportMetric(ms(f.flooded.p50), "flood-p50-ms")
			b.ReportMetric(ms(f.flooded.p99), "flood-p99-ms")
			b.ReportMetric(f.reviewsPerSecond(), "reviews/s")
			b.ReportMetric(float64(f.sent)/f.seconds, "flood-rps")
		})
	}
}
