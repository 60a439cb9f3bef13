package data

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
)

// Prometheus runs instant queries against the configured Prometheus server (GET /api/v1/query),
// with the bearer token of a file (read again when the file changes) and a CA of its own. A nil
// *Prometheus is the server not configured: its queries answer evidence.ErrNotConfigured.
type Prometheus struct {
	base      *url.URL
	client    *http.Client
	timeout   time.Duration
	tokenFile string
	tracer    trace.Tracer

	mu       sync.Mutex
	token    string
	tokenMod time.Time
	tokenLen int64
}

var _ evidence.Querier = (*Prometheus)(nil)

// maxPrometheusBody bounds a query's answer: the evidence's queries aggregate to one series.
const maxPrometheusBody = 4 << 20

// NewPrometheus builds the client of c; nil (no error) when c or its URL is empty.
func NewPrometheus(c *conf.Prometheus, tp trace.TracerProvider) (*Prometheus, error) {
	if c == nil || c.URL == "" {
		return nil, nil
	}
	base, err := url.Parse(strings.TrimSuffix(c.URL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("prometheus url %q: not an http or https URL", c.URL)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the server is named by the administrator; no proxy from the environment
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("prometheus CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("prometheus CA file %s: no PEM certificate in it", c.CAFile)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	p := &Prometheus{
		base:      base,
		timeout:   timeout,
		tokenFile: c.BearerTokenFile,
		tracer:    tp.Tracer("github.com/kruise-dashboard/kruise-dashboard/data"),
		client: &http.Client{
			Timeout: timeout,
			Transport: otelhttp.NewTransport(transport, otelhttp.WithTracerProvider(tp),
				otelhttp.WithPropagators(propagation.TraceContext{})),
			// A redirect would carry the token elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	if p.tokenFile != "" {
		if _, err := p.bearer(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// bearer is the token file's content, read again when its size or modification time changed
// (a rotated Secret).
func (p *Prometheus) bearer() (string, error) {
	if p.tokenFile == "" {
		return "", nil
	}
	st, err := os.Stat(p.tokenFile)
	if err != nil {
		return "", fmt.Errorf("prometheus bearer token file: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token != "" && st.ModTime().Equal(p.tokenMod) && st.Size() == p.tokenLen {
		return p.token, nil
	}
	b, err := os.ReadFile(p.tokenFile)
	if err != nil {
		return "", fmt.Errorf("prometheus bearer token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("prometheus bearer token file %s is empty", p.tokenFile)
	}
	p.token, p.tokenMod, p.tokenLen = tok, st.ModTime(), st.Size()
	return tok, nil
}

// promResponse is the query API's envelope.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// Instant runs q at the present time and returns the values of its result: one per series of a
// vector, one for a scalar, none for an empty vector.
func (p *Prometheus) Instant(ctx context.Context, q string) (values []float64, err error) {
	if p == nil {
		return nil, evidence.ErrNotConfigured
	}
	ctx, span := p.tracer.Start(ctx, "prometheus.query", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", "prometheus"), attribute.String("db.statement", q)))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		} else {
			span.SetAttributes(attribute.Int("prometheus.series", len(values)))
		}
		span.End()
	}()
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	u := *p.base
	u.Path += "/api/v1/query"
	u.RawQuery = url.Values{"query": {q}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("prometheus query: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	tok, err := p.bearer()
	if err != nil {
		return nil, err
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("prometheus query at %s: %w", p.base.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPrometheusBody+1))
	if err != nil {
		return nil, fmt.Errorf("prometheus query at %s: read the answer: %w", p.base.Host, err)
	}
	if len(body) > maxPrometheusBody {
		return nil, fmt.Errorf("prometheus query at %s: answer larger than %d bytes", p.base.Host, maxPrometheusBody)
	}
	var pr promResponse
	if err := json.Unmarshal(body, &pr); err != nil {
		return nil, fmt.Errorf("prometheus query at %s: HTTP %d, not the query API's JSON: %s", p.base.Host, resp.StatusCode, snippet(body))
	}
	if resp.StatusCode != http.StatusOK || pr.Status != "success" {
		return nil, fmt.Errorf("prometheus query at %s: HTTP %d: %s: %s", p.base.Host, resp.StatusCode, pr.ErrorType, pr.Error)
	}
	return promValues(pr.Data.ResultType, pr.Data.Result)
}

// promValues reads a result's values: a vector's [{metric, value: [t, "v"]}], a scalar's [t, "v"].
func promValues(kind string, raw json.RawMessage) ([]float64, error) {
	switch kind {
	case "vector":
		var samples []struct {
			Value [2]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(raw, &samples); err != nil {
			return nil, fmt.Errorf("prometheus vector result: %w", err)
		}
		out := make([]float64, 0, len(samples))
		for _, s := range samples {
			v, err := promNumber(s.Value[1])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "scalar":
		var pair [2]json.RawMessage
		if err := json.Unmarshal(raw, &pair); err != nil {
			return nil, fmt.Errorf("prometheus scalar result: %w", err)
		}
		v, err := promNumber(pair[1])
		if err != nil {
			return nil, err
		}
		return []float64{v}, nil
	default:
		return nil, fmt.Errorf("prometheus result of type %q: want a vector or a scalar", kind)
	}
}

// promNumber is a sample value, a JSON string ("1.5", "NaN", "+Inf").
func promNumber(raw json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("prometheus sample value %s: %w", snippet(raw), err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("prometheus sample value %q: %w", s, err)
	}
	return v, nil
}

func snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "(empty)"
	}
	if len(b) > 200 {
		b = append(b[:200:200], "…"...)
	}
	return string(b)
}

// EvidenceConfig is biz/evidence's settings from the configuration's metrics section; a section
// left out gives the defaults with no template, which evidence.New refuses: the shipped
// config.yaml has the templates.
func EvidenceConfig(m *conf.Metrics) (evidence.Config, error) {
	if m == nil || m.Evidence == nil {
		return evidence.Config{}, errors.New("no metrics.evidence section: the templates are in configs/config.yaml")
	}
	e := m.Evidence
	c := evidence.Config{
		Window: e.Window,
		Thresholds: evidence.Thresholds{MinRequests: e.MinRequests, ErrorRatioPoints: e.ErrorRatioPoints,
			ErrorRatioFactor: e.ErrorRatioFactor, LatencyFactor: e.LatencyFactor},
		Default: e.Template, Simulated: e.Simulated,
	}
	for name, t := range e.Templates {
		c.Templates = append(c.Templates, evidence.Template{Name: name, Requests: t.Requests, Errors: t.Errors, Latency: t.Latency})
	}
	slices.SortFunc(c.Templates, func(a, b evidence.Template) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}
