package evidence

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

var httpTemplate = Template{
	Name:     "http",
	Requests: `sum(rate(http_requests_total{$selector}[$window]))`,
	Errors:   `sum(rate(http_requests_total{code=~"5..",$selector}[$window]))`,
	Latency:  `histogram_quantile($quantile, sum by (le) (rate(http_request_duration_seconds_bucket{$selector}[$window])))`,
}

var istioTemplate = Template{
	Name:     "istio",
	Requests: `sum(rate(istio_requests_total{reporter="destination",$selector}[$window]))`,
	Errors:   `sum(rate(istio_requests_total{reporter="destination",response_code=~"5..",$selector}[$window]))`,
	Latency:  `histogram_quantile($quantile, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",$selector}[$window]))) / 1000`,
}

func f(v float64) *float64 { return &v }

// side is a side with n requests, e of them failed, and a p95 (0: unknown).
func side(pods int, n, e, p95 float64) Side {
	s := Side{Pods: pods, Requests: f(n), RequestRate: f(n / 300)}
	if n > 0 {
		s.ErrorRatio = f(e / n)
	}
	if p95 > 0 {
		s.LatencyP95 = f(p95)
	}
	return s
}

func TestJudge(t *testing.T) {
	th := DefaultThresholds
	cases := []struct {
		name           string
		canary, stable Side
		want           Verdict
		reason         string
	}{
		{"equal", side(2, 1000, 10, 0.1), side(3, 3000, 30, 0.1), NotWorse, "within"},
		{"errors 5% against 1%", side(2, 1000, 50, 0.1), side(3, 3000, 30, 0.1), Worse, "error ratio 5.00% against stable's 1.00%"},
		{"errors 1.9% against 1%: 0.9 points, not more than 1", side(2, 1000, 19, 0.1), side(3, 1000, 10, 0.1), NotWorse, ""},
		{"errors 12% against 10%: 2 points but 1.2×", side(2, 1000, 120, 0.1), side(3, 1000, 100, 0.1), NotWorse, ""},
		{"errors 16% against 10%: 6 points and 1.6×", side(2, 1000, 160, 0.1), side(3, 1000, 100, 0.1), Worse, "error ratio"},
		{"errors 2% against none", side(2, 1000, 20, 0.1), side(3, 1000, 0, 0.1), Worse, "error ratio"},
		{"p95 1.5× stable", side(2, 1000, 0, 0.15), side(3, 1000, 0, 0.1), Worse, "p95 latency 150ms against stable's 100ms"},
		{"p95 1.4× stable", side(2, 1000, 0, 0.14), side(3, 1000, 0, 0.1), NotWorse, ""},
		{"canary faster", side(2, 1000, 0, 0.05), side(3, 1000, 0, 0.1), NotWorse, ""},
		{"too few canary requests", side(1, 99, 50, 0.5), side(3, 1000, 0, 0.1), NotEnoughData, "canary pods had 99 requests"},
		{"too few stable requests", side(2, 1000, 0, 0.1), side(3, 10, 0, 0.1), NotEnoughData, "stable pods had 10 requests"},
		{"no requests measured", Side{Pods: 2}, side(3, 1000, 0, 0.1), NotEnoughData, "had 0 requests"},
		{"no canary pods", Side{}, side(3, 1000, 0, 0.1), NotEnoughData, "no canary pods"},
		{"no stable pods", side(2, 1000, 0, 0.1), Side{}, NotEnoughData, "no stable pods"},
		{"exactly the minimum", side(2, 100, 1, 0.1), side(3, 100, 1, 0.1), NotWorse, ""},
		{"no latency: never green", side(2, 1000, 10, 0), side(3, 1000, 10, 0.1), Unavailable, "no p95"},
		{"no latency but errors worse", side(2, 1000, 100, 0), side(3, 1000, 10, 0), Worse, "error ratio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reason := Judge(th, c.canary, c.stable)
			if got != c.want || !strings.Contains(reason, c.reason) {
				t.Errorf("got %s (%s), want %s (…%s…)", got, reason, c.want, c.reason)
			}
		})
	}
	// Other thresholds are honoured.
	if got, _ := Judge(Thresholds{MinRequests: 10, ErrorRatioPoints: 0.5, ErrorRatioFactor: 1.1, LatencyFactor: 3},
		side(1, 100, 2, 0.25), side(1, 100, 1, 0.1)); got != Worse {
		t.Errorf("2%% against 1%% with 0.5 points and 1.1×: got %s", got)
	}
	if got, _ := Judge(Thresholds{MinRequests: 10, ErrorRatioPoints: 5, ErrorRatioFactor: 1.1, LatencyFactor: 3},
		side(1, 100, 2, 0.25), side(1, 100, 1, 0.1)); got != NotWorse {
		t.Errorf("2.5× latency under a factor of 3: got %s", got)
	}
}

func TestSelector(t *testing.T) {
	cases := []struct {
		ns   string
		pods []string
		want string
		err  string
	}{
		{"shop", []string{"web-7d9f-b2x", "web-7d9f-a1c"}, `namespace="shop",pod=~"web-7d9f-a1c|web-7d9f-b2x"`, ""},
		// Dots are regular-expression characters: escaped, and the backslash escaped in the literal.
		{"shop", []string{"web.0", "web.0"}, `namespace="shop",pod=~"web\\.0"`, ""},
		{"shop", nil, "", "no pods"},
		{"shop", []string{"web|.*"}, "", `pod "web|.*"`},
		{"shop", []string{`a"}`}, "", `pod "a\"}"`},
		{`shop",namespace=~".*`, []string{"web-0"}, "", "namespace"},
		{"", []string{"web-0"}, "", "namespace"},
	}
	for _, c := range cases {
		got, err := Selector(c.ns, c.pods)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Selector(%q, %q): got %q, %v; want an error with %q", c.ns, c.pods, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Selector(%q, %q): got %q, %v; want %q", c.ns, c.pods, got, err, c.want)
		}
	}
}

func TestRender(t *testing.T) {
	sel, err := Selector("shop", []string{"web-1", "web.2"})
	if err != nil {
		t.Fatal(err)
	}
	q := istioTemplate.Render(sel, 5*time.Minute)
	want := Queries{
		Requests:   `sum(rate(istio_requests_total{reporter="destination",namespace="shop",pod=~"web-1|web\\.2"}[300s]))`,
		Errors:     `sum(rate(istio_requests_total{reporter="destination",response_code=~"5..",namespace="shop",pod=~"web-1|web\\.2"}[300s]))`,
		LatencyP50: `histogram_quantile(0.5, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",namespace="shop",pod=~"web-1|web\\.2"}[300s]))) / 1000`,
		LatencyP95: `histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",namespace="shop",pod=~"web-1|web\\.2"}[300s]))) / 1000`,
	}
	if q != want {
		t.Errorf("got\n%+v\nwant\n%+v", q, want)
	}
}

func TestTemplateCheck(t *testing.T) {
	with := func(change func(*Template)) Template {
		c := httpTemplate
		change(&c)
		return c
	}
	cases := []struct {
		name string
		t    Template
		err  string
	}{
		{"http", httpTemplate, ""},
		{"istio", istioTemplate, ""},
		{"no name", with(func(t *Template) { t.Name = "" }), "no name"},
		{"no selector", with(func(t *Template) { t.Requests = `sum(rate(http_requests_total[$window]))` }), "requests: does not use $selector"},
		{"no window", with(func(t *Template) { t.Errors = `sum(http_requests_total{$selector})` }), "errors: does not use $window"},
		{"no quantile", with(func(t *Template) {
			t.Latency = `histogram_quantile(0.9, sum by (le) (rate(x_bucket{$selector}[$window])))`
		}), "latency: does not use $quantile"},
		{"a matcher without the selector", with(func(t *Template) {
			t.Errors = `sum(rate(http_requests_total{code=~"5..",$selector}[$window])) / sum(rate(http_requests_total{namespace="other"}[$window]))`
		}), "does not use $selector: it would read series of any namespace"},
		{"selector only in a string", with(func(t *Template) {
			t.Requests = `sum(rate(http_requests_total{job="$selector"}[$window]))`
		}), "does not use $selector"},
		{"braces in a string are not matchers", with(func(t *Template) {
			t.Errors = `sum(rate(http_requests_total{path="{x}",$selector}[$window]))`
		}), ""},
		{"unknown placeholder", with(func(t *Template) { t.Requests = `sum(rate(r{$selector,pod="$pod"}[$window]))` }), "names $pod"},
		{"quantile in a rate", with(func(t *Template) { t.Requests = `sum(rate(r{$selector}[$window])) * $quantile` }), "names $quantile"},
		{"unbalanced", with(func(t *Template) { t.Requests = `sum(rate(r{$selector[$window]))` }), "unterminated"},
		{"empty", with(func(t *Template) { t.Latency = " " }), "latency: empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.t.Check()
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("got %v, want %q", err, c.err)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	ok := Config{Window: 5 * time.Minute, Thresholds: DefaultThresholds, Default: "http", Templates: []Template{httpTemplate, istioTemplate}}
	if _, err := New(ok, nil); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*Config){
		"unknown default": func(c *Config) { c.Default = "nginx" },
		"bad template":    func(c *Config) { c.Templates = []Template{httpTemplate, {Name: "x", Requests: "up"}} },
		"duplicate":       func(c *Config) { c.Templates = []Template{httpTemplate, httpTemplate} },
		"no window":       func(c *Config) { c.Window = 0 },
		"no minimum":      func(c *Config) { c.Thresholds.MinRequests = 0 },
	}
	for name, change := range bad {
		c := ok
		change(&c)
		if _, err := New(c, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// fakeQuerier answers by the query's metric and the side's pods.
type fakeQuerier struct {
	answer func(q string) ([]float64, error)
	mu     sync.Mutex
	asked  []string
}

func (f *fakeQuerier) Instant(_ context.Context, q string) ([]float64, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	return f.answer(q)
}

func TestEvaluate(t *testing.T) {
	cfg := Config{Window: 5 * time.Minute, Thresholds: DefaultThresholds, Default: "http", Templates: []Template{httpTemplate, istioTemplate}}
	canaryPods, stablePods := []string{"web-new-0"}, []string{"web-old-0", "web-old-1"}
	// healthy answers 10 req/s per side, errRate failed on the canary, 0.1 s p95 (0.05 p50).
	healthy := func(canaryErrRate float64) func(q string) ([]float64, error) {
		return func(q string) ([]float64, error) {
			canary := strings.Contains(q, "web-new-0")
			switch {
			case strings.HasPrefix(q, "histogram_quantile(0.95"):
				return []float64{0.1}, nil
			case strings.HasPrefix(q, "histogram_quantile(0.5"):
				return []float64{0.05}, nil
			case strings.Contains(q, "5.."):
				if canary {
					return []float64{canaryErrRate}, nil
				}
				return nil, nil // no 5xx series at all
			default:
				return []float64{10}, nil
			}
		}
	}
	cases := []struct {
		name     string
		q        *fakeQuerier
		subject  Subject
		want     Verdict
		template string
		err      string
	}{
		{name: "not worse", q: &fakeQuerier{answer: healthy(0)}, want: NotWorse, template: "http"},
		{name: "worse", q: &fakeQuerier{answer: healthy(1)}, want: Worse, template: "http"},
		{name: "override among the configured", q: &fakeQuerier{answer: healthy(0)},
			subject: Subject{Annotations: map[string]string{TemplateAnnotation: "istio"}}, want: NotWorse, template: "istio"},
		{name: "override not configured", q: &fakeQuerier{answer: healthy(0)},
			subject: Subject{Annotations: map[string]string{TemplateAnnotation: "custom"}}, err: `names the evidence template "custom", which is not configured (configured: http, istio)`},
		{name: "a query fails", q: &fakeQuerier{answer: func(q string) ([]float64, error) {
			if strings.Contains(q, "0.95") {
				return nil, errors.New("connection refused")
			}
			return healthy(0)(q)
		}}, want: Unavailable},
		{name: "not configured", q: &fakeQuerier{answer: func(string) ([]float64, error) { return nil, fmt.Errorf("query: %w", ErrNotConfigured) }}, want: Unavailable},
		{name: "more than one series", q: &fakeQuerier{answer: func(string) ([]float64, error) { return []float64{1, 2}, nil }}, want: Unavailable},
		{name: "NaN latency", q: &fakeQuerier{answer: func(q string) ([]float64, error) {
			if strings.HasPrefix(q, "histogram_quantile") {
				return []float64{math.NaN()}, nil
			}
			return healthy(0)(q)
		}}, want: Unavailable},
		{name: "no traffic", q: &fakeQuerier{answer: func(string) ([]float64, error) { return nil, nil }}, want: NotEnoughData},
		{name: "no canary pods: no query for them", q: &fakeQuerier{answer: healthy(0)}, subject: Subject{Canary: []string{}}, want: NotEnoughData, template: "http"},
		{name: "a bad pod name: no query", q: &fakeQuerier{answer: healthy(0)}, subject: Subject{Canary: []string{"web|.*"}}, want: Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(cfg, c.q)
			if err != nil {
				t.Fatal(err)
			}
			s := c.subject
			s.Namespace = "shop"
			if s.Canary == nil {
				s.Canary = canaryPods
			}
			s.Stable = stablePods
			r, err := e.Evaluate(context.Background(), s)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || len(c.q.asked) > 0 {
					t.Fatalf("got %v (asked %q), want %q and no query", err, c.q.asked, c.err)
				}
				var ute *UnknownTemplateError
				if !errors.As(err, &ute) {
					t.Errorf("want *UnknownTemplateError, got %T", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != c.want || c.template != "" && r.Template != c.template {
				t.Fatalf("got %s (%s) with %s, want %s with %s", r.Verdict, r.Reason, r.Template, c.want, c.template)
			}
			for _, q := range c.q.asked {
				if !strings.Contains(q, `namespace="shop",pod=~"`) {
					t.Errorf("query without the injected selector: %s", q)
				}
			}
		})
	}

	// The numbers of a measured result.
	e, _ := New(cfg, &fakeQuerier{answer: healthy(0.5)})
	r, err := e.Evaluate(context.Background(), Subject{Namespace: "shop", Canary: canaryPods, Stable: stablePods})
	if err != nil {
		t.Fatal(err)
	}
	c, s := r.Canary, r.Stable
	if c.Pods != 1 || s.Pods != 2 || *c.RequestRate != 10 || *c.Requests != 3000 || *c.ErrorRatio != 0.05 || *s.ErrorRatio != 0 ||
		*c.LatencyP50 != 0.05 || *c.LatencyP95 != 0.1 || r.Verdict != Worse {
		t.Errorf("got %+v / %+v: %s", c, s, r.Verdict)
	}
	if !strings.Contains(c.Queries.Requests, `pod=~"web-new-0"`) || !strings.Contains(s.Queries.Requests, `pod=~"web-old-0|web-old-1"`) {
		t.Errorf("queries: %+v / %+v", c.Queries, s.Queries)
	}
	// Made-up series (the local cluster's simulator) are said to be so.
	if r.Simulated {
		t.Error("simulated without the setting")
	}
	simulated := cfg
	simulated.Simulated = true
	e, _ = New(simulated, &fakeQuerier{answer: healthy(0.5)})
	if r, _ := e.Evaluate(context.Background(), Subject{Namespace: "shop", Canary: canaryPods, Stable: stablePods}); !r.Simulated {
		t.Error("the setting simulated: the result does not say so")
	}

	// No Prometheus at all.
	e, _ = New(cfg, nil)
	if r, _ := e.Evaluate(context.Background(), Subject{Namespace: "shop", Canary: canaryPods, Stable: stablePods}); r.Verdict != Unavailable {
		t.Errorf("without a querier: %s", r.Verdict)
	}
}
