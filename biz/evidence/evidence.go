package evidence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Verdict is the dashboard's reading of the evidence; only NotWorse is green.
type Verdict string

const (
	// Worse: the canary's error ratio or p95 latency is beyond the thresholds.
	Worse Verdict = "worse"
	// NotWorse: both sides had enough requests and neither rule found the canary worse.
	NotWorse Verdict = "notWorse"
	// NotEnoughData: a side has no pods or fewer requests in the window than the minimum.
	NotEnoughData Verdict = "notEnoughData"
	// Unavailable: Prometheus is not configured or a query failed.
	Unavailable Verdict = "unavailable"
)

// ErrNotConfigured is what a Querier answers when no Prometheus server is configured.
var ErrNotConfigured = errors.New("no Prometheus server is configured (metrics.prometheus.url)")

// Querier runs an instant PromQL query and gives the values of its result: one per series of a
// vector, one for a scalar, none for an empty vector.
type Querier interface {
	Instant(ctx context.Context, query string) ([]float64, error)
}

// Thresholds decide the verdict.
type Thresholds struct {
	// MinRequests is how many requests each side must have had in the window.
	MinRequests int `json:"minRequests"`
	// ErrorRatioPoints (percentage points) and ErrorRatioFactor: the canary's error ratio is
	// worse when above stable's by more than both.
	ErrorRatioPoints float64 `json:"errorRatioPoints"`
	ErrorRatioFactor float64 `json:"errorRatioFactor"`
	// LatencyFactor: the canary's p95 is worse at this many times stable's or more.
	LatencyFactor float64 `json:"latencyFactor"`
}

// DefaultThresholds are the defaults (docs/configuration.md).
var DefaultThresholds = Thresholds{MinRequests: 100, ErrorRatioPoints: 1, ErrorRatioFactor: 1.5, LatencyFactor: 1.5}

// Config is the evidence's settings (from the configuration's metrics.evidence).
type Config struct {
	Window     time.Duration
	Thresholds Thresholds
	// Default names the template used without a Rollout annotation; Templates are those allowed.
	Default   string
	Templates []Template
	// Simulated: the series are made up (the local cluster's traffic simulator).
	Simulated bool
}

// Evidence computes the evidence of releases.
type Evidence struct {
	q          Querier
	window     time.Duration
	thresholds Thresholds
	def        string
	templates  map[string]Template
	simulated  bool
	now        func() time.Time
}

// New checks the configuration's templates (refusing any that does not confine its queries to
// the injected selector) and returns the use case. q nil, or answering ErrNotConfigured: no
// Prometheus server, every result Unavailable.
func New(c Config, q Querier) (*Evidence, error) {
	if c.Window < time.Second {
		return nil, fmt.Errorf("evidence window %s: must be at least 1s", c.Window)
	}
	if c.Thresholds.MinRequests < 1 {
		return nil, fmt.Errorf("evidence minimum requests %d: must be at least 1", c.Thresholds.MinRequests)
	}
	e := &Evidence{q: q, window: c.Window, thresholds: c.Thresholds, def: c.Default, templates: map[string]Template{},
		simulated: c.Simulated, now: time.Now}
	for _, t := range c.Templates {
		if err := t.Check(); err != nil {
			return nil, err
		}
		if _, dup := e.templates[t.Name]; dup {
			return nil, fmt.Errorf("template %q configured twice", t.Name)
		}
		e.templates[t.Name] = t
	}
	if _, ok := e.templates[c.Default]; !ok {
		return nil, fmt.Errorf("default evidence template %q is not among the templates (%s)", c.Default,
			strings.Join(slices.Sorted(maps.Keys(e.templates)), ", "))
	}
	return e, nil
}

// Subject is the release the evidence is for: the Rollout's namespace and annotations, and the
// names of its canary and stable pods (biz.ReleasePods). The caller has checked that the user
// may read the namespace.
type Subject struct {
	Namespace   string
	Annotations map[string]string
	Canary      []string
	Stable      []string
}

// Side is what was measured over one side's pods; a nil value was not measured.
type Side struct {
	Pods int `json:"pods"`
	// RequestRate is requests per second, Requests how many in the window (rate × window).
	RequestRate *float64 `json:"requestRate"`
	Requests    *float64 `json:"requests"`
	// ErrorRatio is failed requests over all (0..1); nil without requests.
	ErrorRatio *float64 `json:"errorRatio"`
	// LatencyP50 and LatencyP95 are in seconds; nil when the histogram has no data.
	LatencyP50 *float64 `json:"latencyP50"`
	LatencyP95 *float64 `json:"latencyP95"`
	// Queries are the PromQL run (empty when the side has no pods).
	Queries Queries `json:"queries"`
}

// Result is the evidence of one release: the dashboard's verdict, why, and what it rests on.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Reason says in a sentence what decided the verdict.
	Reason string `json:"reason"`
	// Template names the convention the queries were written for.
	Template string `json:"template"`
	// WindowSeconds is the window the rates and quantiles were taken over.
	WindowSeconds int64      `json:"windowSeconds"`
	Thresholds    Thresholds `json:"thresholds"`
	Canary        Side       `json:"canary"`
	Stable        Side       `json:"stable"`
	At            time.Time  `json:"at"`
	// Simulated: the series are made up (metrics.evidence.simulated: the local cluster's traffic
	// simulator); the numbers show how the evidence works, not how an application behaves.
	Simulated bool `json:"simulated"`
}

// Evaluate measures the canary and the stable pods and gives the verdict. Failed queries and a
// missing Prometheus give the verdict Unavailable, not an error; the error is only for a
// Rollout annotation naming a template that is not configured (no query is made).
func (e *Evidence) Evaluate(ctx context.Context, s Subject) (*Result, error) {
	t, err := choose(e.templates, e.def, s.Annotations)
	if err != nil {
		return nil, err
	}
	r := &Result{Template: t.Name, WindowSeconds: int64(e.window / time.Second), Thresholds: e.thresholds, At: e.now().UTC(),
		Canary: Side{Pods: len(s.Canary)}, Stable: Side{Pods: len(s.Stable)}, Simulated: e.simulated}
	if e.q == nil {
		r.Verdict, r.Reason = Unavailable, ErrNotConfigured.Error()
		return r, nil
	}
	type job struct {
		value **float64
		query string
		err   error
		vals  []float64
	}
	var jobs []*job
	for _, side := range []struct {
		s    *Side
		pods []string
	}{{&r.Canary, s.Canary}, {&r.Stable, s.Stable}} {
		if len(side.pods) == 0 {
			continue
		}
		sel, err := Selector(s.Namespace, side.pods)
		if err != nil {
			r.Verdict, r.Reason = Unavailable, "cannot select the pods: "+err.Error()
			return r, nil
		}
		side.s.Queries = t.Render(sel, e.window)
		q := side.s.Queries
		jobs = append(jobs, &job{value: &side.s.RequestRate, query: q.Requests},
			&job{value: &side.s.ErrorRatio, query: q.Errors},
			&job{value: &side.s.LatencyP50, query: q.LatencyP50},
			&job{value: &side.s.LatencyP95, query: q.LatencyP95})
	}
	if len(jobs) > 0 {
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Go(func() { j.vals, j.err = e.q.Instant(ctx, j.query) })
		}
		wg.Wait()
	}
	var failed []string
	for _, j := range jobs {
		if j.err == nil && len(j.vals) > 1 {
			j.err = fmt.Errorf("%d series: the template must aggregate to one value", len(j.vals))
		}
		if j.err != nil {
			if errors.Is(j.err, ErrNotConfigured) {
				r.Verdict, r.Reason = Unavailable, ErrNotConfigured.Error()
				return r, nil
			}
			failed = append(failed, fmt.Sprintf("%v (query %s)", j.err, j.query)) // why first: "Prometheus is starting", …
			continue
		}
		if len(j.vals) == 1 && !math.IsNaN(j.vals[0]) && !math.IsInf(j.vals[0], 0) {
			v := j.vals[0]
			*j.value = &v
		}
	}
	if len(failed) > 0 {
		r.Verdict, r.Reason = Unavailable, "Prometheus query failed: "+failed[0]
		if len(failed) > 1 {
			r.Reason += fmt.Sprintf(" (and %d more of the %d queries)", len(failed)-1, len(jobs))
		}
		return r, nil
	}
	for _, side := range []*Side{&r.Canary, &r.Stable} {
		finish(side, e.window)
	}
	r.Verdict, r.Reason = Judge(e.thresholds, r.Canary, r.Stable)
	return r, nil
}

// finish turns the measured rates into the side's numbers: a rate without series is 0 (no
// requests, or none failed yet: the counters of a status code appear with its first request),
// the requests in the window the rate times the window, the error ratio errors over requests.
func finish(s *Side, window time.Duration) {
	if s.Pods == 0 {
		return
	}
	rate := 0.0
	if s.RequestRate != nil {
		rate = *s.RequestRate
	}
	errRate := 0.0
	if s.ErrorRatio != nil { // holds the error rate until here
		errRate = *s.ErrorRatio
	}
	n := rate * window.Seconds()
	s.RequestRate, s.Requests, s.ErrorRatio = &rate, &n, nil
	if rate > 0 {
		ratio := min(errRate/rate, 1)
		s.ErrorRatio = &ratio
	}
}

// Judge is the verdict rules: NotEnoughData when a side has no pods or fewer requests than the
// minimum; Worse when the canary's error ratio exceeds stable's by more than ErrorRatioPoints
// percentage points and ErrorRatioFactor times, or its p95 is LatencyFactor times stable's or
// more; Unavailable when no error rule fired but a p95 is unknown; else NotWorse.
func Judge(th Thresholds, canary, stable Side) (Verdict, string) {
	for _, side := range []struct {
		name string
		s    Side
	}{{"canary", canary}, {"stable", stable}} {
		if side.s.Pods == 0 {
			return NotEnoughData, fmt.Sprintf("no %s pods to compare", side.name)
		}
		if side.s.Requests == nil || *side.s.Requests < float64(th.MinRequests) {
			n := 0.0
			if side.s.Requests != nil {
				n = *side.s.Requests
			}
			return NotEnoughData, fmt.Sprintf("the %s pods had %.0f requests in the window, fewer than the minimum %d", side.name, n, th.MinRequests)
		}
	}
	var worse []string
	if canary.ErrorRatio != nil && stable.ErrorRatio != nil {
		c, s := *canary.ErrorRatio, *stable.ErrorRatio
		if c-s > th.ErrorRatioPoints/100 && c > th.ErrorRatioFactor*s {
			worse = append(worse, fmt.Sprintf("error ratio %.2f%% against stable's %.2f%% (more than %g percentage points and %g×)",
				100*c, 100*s, th.ErrorRatioPoints, th.ErrorRatioFactor))
		}
	}
	latencyKnown := canary.LatencyP95 != nil && stable.LatencyP95 != nil
	if latencyKnown {
		c, s := *canary.LatencyP95, *stable.LatencyP95
		if c > 0 && c >= th.LatencyFactor*s*(1-1e-9) { // 1e-9: 0.15 is 1.5 × 0.1 though not in floating point
			worse = append(worse, fmt.Sprintf("p95 latency %s against stable's %s (%g× or more)", seconds(c), seconds(s), th.LatencyFactor))
		}
	}
	if len(worse) > 0 {
		return Worse, "the canary is worse: " + strings.Join(worse, "; ")
	}
	if !latencyKnown {
		return Unavailable, "no p95 latency for both sides (the latency histogram has no data in the window)"
	}
	return NotWorse, "the canary's error ratio and p95 latency are within the thresholds of stable's"
}

func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Microsecond).String()
}
