package conf

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const shipped = "../../configs/config.yaml"

// clearEnv unsets every KD_ variable for the test, so the file's defaults apply.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, EnvPrefix) {
			t.Setenv(k, "") // restored after the test
			_ = os.Unsetenv(k)
		}
	}
}

// defaults is configs/config.yaml with no KD_ variable set.
func defaults() *Bootstrap {
	return &Bootstrap{
		Server: &Server{Addr: "127.0.0.1:8080", Timeout: 30 * time.Second, WatchHeartbeat: 15 * time.Second,
			MetricsAddr: "127.0.0.1:9464"},
		Kubernetes: &Kubernetes{QPS: 50, Burst: 100, ReviewQPS: 20, ReviewBurst: 40, HealthInterval: time.Second, DiscoveryInterval: 30 * time.Second,
			CallTimeout: 5 * time.Second, ShippedTypes: true, TypesReload: 2 * time.Second, TypesSelector: "kruise-dashboard.io/declared-type=true"},
		Tracing: &Tracing{},
		Limits:  &Limits{MaxReplicas: 1000},
		Auth: &Auth{Mode: "none", SessionTTL: 8 * time.Hour, Recheck: time.Minute, SessionsConfigMap: "kruise-dashboard-sessions",
			DecisionTTL: 10 * time.Second, OIDC: &OIDC{
				Scopes: []string{"openid", "profile", "email", "offline_access"}, UsernameClaim: "preferred_username", GroupsClaim: "groups"},
			Limits: &AuthLimits{PerAddress: 2, PerAddressBurst: 10, Global: 10, GlobalBurst: 20, RejectedTTL: 30 * time.Second}},
		Audit: &Audit{},
		Metrics: &Metrics{Prometheus: &Prometheus{Timeout: 10 * time.Second}, Evidence: &Evidence{
			Window: 5 * time.Minute, MinRequests: 100, ErrorRatioPoints: 1, ErrorRatioFactor: 1.5, LatencyFactor: 1.5,
			Template: "http", Templates: map[string]*EvidenceTemplate{
				"http": {
					Requests: `sum(rate(http_requests_total{$selector}[$window]))`,
					Errors:   `sum(rate(http_requests_total{code=~"5..",$selector}[$window]))`,
					Latency:  `histogram_quantile($quantile, sum by (le) (rate(http_request_duration_seconds_bucket{$selector}[$window])))`,
				},
				"istio": {
					Requests: `sum(rate(istio_requests_total{reporter="destination",$selector}[$window]))`,
					Errors:   `sum(rate(istio_requests_total{reporter="destination",response_code=~"5..",$selector}[$window]))`,
					Latency:  `histogram_quantile($quantile, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",$selector}[$window]))) / 1000`,
				},
			}}},
		Fleet: &Fleet{SecretsSelector: "kruise-dashboard.io/cluster", HealthInterval: 5 * time.Second, Retry: 30 * time.Second, PodsIdle: 10 * time.Minute},
	}
}

func TestLoadShipped(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want func(*Bootstrap)
	}{
		{"defaults", nil, func(*Bootstrap) {}},
		{"every kind from the environment", map[string]string{
			"KD_HTTP_ADDR": "0.0.0.0:9090", "KD_REQUEST_TIMEOUT": "1m30s", "KD_READ_ONLY": "true",
			"KD_EXTERNAL_HOSTS": " dash.example.com, ,other.example.com:443 ", "KD_KUBE_QPS": "20.5",
			"KD_KUBE_BURST": "40", "KD_SHIPPED_TYPES": "false", "KD_MAX_REPLICAS": "5", "KD_AUTH_MODE": "token",
			"KD_AUTH_DECISION_TTL": "250ms", "KD_OIDC_SCOPES": "openid,groups", "KD_TRACING_EXPORTER": "stdout",
			// Digits stay a string: a client id is not a number.
			"KD_OIDC_CLIENT_ID": "0123456789", "KD_AUDIT_LOG_PATH": "/var/log/kd.log",
			"KD_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7", "KD_KUBE_REVIEW_QPS": "5", "KD_KUBE_REVIEW_BURST": "7",
			"KD_AUTH_LIMIT_PER_ADDRESS": "0.5", "KD_AUTH_LIMIT_PER_ADDRESS_BURST": "3", "KD_AUTH_LIMIT_GLOBAL": "4",
			"KD_AUTH_LIMIT_GLOBAL_BURST": "8", "KD_AUTH_REJECTED_TTL": "1m",
			"KD_PROMETHEUS_URL": "https://prom.example.com:9090", "KD_PROMETHEUS_BEARER_TOKEN_FILE": "/var/run/prom/token",
			"KD_PROMETHEUS_CA_FILE": "/var/run/prom/ca.crt", "KD_PROMETHEUS_TIMEOUT": "3s", "KD_EVIDENCE_WINDOW": "10m",
			"KD_EVIDENCE_MIN_REQUESTS": "50", "KD_EVIDENCE_ERROR_RATIO_POINTS": "2.5", "KD_EVIDENCE_ERROR_RATIO_FACTOR": "2",
			"KD_EVIDENCE_LATENCY_FACTOR": "1.2", "KD_EVIDENCE_TEMPLATE": "istio", "KD_EVIDENCE_SIMULATED": "true",
		}, func(b *Bootstrap) {
			b.Metrics.Prometheus = &Prometheus{URL: "https://prom.example.com:9090", BearerTokenFile: "/var/run/prom/token",
				CAFile: "/var/run/prom/ca.crt", Timeout: 3 * time.Second}
			e := b.Metrics.Evidence
			e.Window, e.MinRequests, e.ErrorRatioPoints, e.ErrorRatioFactor, e.LatencyFactor, e.Template, e.Simulated =
				10*time.Minute, 50, 2.5, 2, 1.2, "istio", true
			b.Server.Addr, b.Server.Timeout, b.Server.ReadOnly = "0.0.0.0:9090", 90*time.Second, true
			b.Server.ExternalHosts = []string{"dash.example.com", "other.example.com:443"}
			b.Kubernetes.QPS, b.Kubernetes.Burst, b.Kubernetes.ShippedTypes = 20.5, 40, false
			b.Limits.MaxReplicas = 5
			b.Auth.Mode, b.Auth.DecisionTTL = "token", 250*time.Millisecond
			b.Auth.OIDC.Scopes, b.Auth.OIDC.ClientID = []string{"openid", "groups"}, "0123456789"
			b.Tracing.Exporter = "stdout"
			b.Audit.Path = "/var/log/kd.log"
			b.Server.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.7"}
			b.Kubernetes.ReviewQPS, b.Kubernetes.ReviewBurst = 5, 7
			b.Auth.Limits = &AuthLimits{PerAddress: 0.5, PerAddressBurst: 3, Global: 4, GlobalBurst: 8, RejectedTTL: time.Minute}
		}},
		{"empty list", map[string]string{"KD_OIDC_SCOPES": " , "}, func(b *Bootstrap) { b.Auth.OIDC.Scopes = nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			got, err := Load(shipped)
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			c.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%s\nwant\n%s", dump(got), dump(want))
			}
		})
	}
}

func TestLoadBadValue(t *testing.T) {
	cases := []struct {
		env, value string
		want       string // the whole message of the one problem
	}{
		{"KD_REQUEST_TIMEOUT", "3x", `server.timeout: "3x": not a duration (e.g. 30s, 1m30s) (KD_REQUEST_TIMEOUT)`},
		{"KD_WATCH_HEARTBEAT", "15", `server.watch_heartbeat: "15": not a duration (e.g. 30s, 1m30s) (KD_WATCH_HEARTBEAT)`},
		{"KD_HEALTH_INTERVAL", "", `kubernetes.health_interval: "": not a duration (e.g. 30s, 1m30s) (KD_HEALTH_INTERVAL)`},
		{"KD_DISCOVERY_INTERVAL", "0s", `kubernetes.discovery_interval: "0s": must be positive (KD_DISCOVERY_INTERVAL)`},
		{"KD_KUBE_CALL_TIMEOUT", "-5s", `kubernetes.call_timeout: "-5s": must be positive (KD_KUBE_CALL_TIMEOUT)`},
		{"KD_AUTH_SESSION_TTL", "8 hours", `auth.session_ttl: "8 hours": not a duration (e.g. 30s, 1m30s) (KD_AUTH_SESSION_TTL)`},
		{"KD_AUTH_DECISION_TTL", "ten", `auth.decision_ttl: "ten": not a duration (e.g. 30s, 1m30s) (KD_AUTH_DECISION_TTL)`},
		{"KD_AUTH_REJECTED_TTL", "0s", `auth.limits.rejected_ttl: "0s": must be positive (KD_AUTH_REJECTED_TTL)`},
		{"KD_AUTH_LIMIT_PER_ADDRESS_BURST", "ten", `auth.limits.per_address_burst: "ten": not an integer (KD_AUTH_LIMIT_PER_ADDRESS_BURST)`},
		{"KD_READ_ONLY", "yes", `server.read_only: "yes": not a boolean (true or false) (KD_READ_ONLY)`},
		{"KD_PPROF", "", `server.pprof: "": not a boolean (true or false) (KD_PPROF)`},
		{"KD_KUBE_BURST", "1.5", `kubernetes.burst: "1.5": not an integer (KD_KUBE_BURST)`},
		{"KD_MAX_REPLICAS", "3000000000", `limits.max_replicas: "3000000000": out of range (KD_MAX_REPLICAS)`},
		{"KD_KUBE_QPS", "fast", `kubernetes.qps: "fast": not a number (KD_KUBE_QPS)`},
		{"KD_KUBE_QPS", "NaN", `kubernetes.qps: "NaN": not a number (KD_KUBE_QPS)`},
		{"KD_AUTH_MODE", "tokn", `auth.mode: "tokn": want none, token or oidc (KD_AUTH_MODE)`},
		{"KD_TRACING_EXPORTER", "jaeger", `tracing.exporter: "jaeger": want otlp, stdout or none (or empty) (KD_TRACING_EXPORTER)`},
		{"KD_EVIDENCE_WINDOW", "5", `metrics.evidence.window: "5": not a duration (e.g. 30s, 1m30s) (KD_EVIDENCE_WINDOW)`},
		{"KD_PROMETHEUS_URL", "prom:9090", `metrics.prometheus.url: "prom:9090": not an http or https URL (KD_PROMETHEUS_URL)`},
		{"KD_EVIDENCE_MIN_REQUESTS", "0", `metrics.evidence.min_requests: 0: must be at least 1 (KD_EVIDENCE_MIN_REQUESTS)`},
		{"KD_EVIDENCE_ERROR_RATIO_POINTS", "-1", `metrics.evidence.error_ratio_points: -1: must be between 0 and 100 (KD_EVIDENCE_ERROR_RATIO_POINTS)`},
		{"KD_EVIDENCE_ERROR_RATIO_FACTOR", "0.5", `metrics.evidence.error_ratio_factor: 0.5: must be at least 1 (KD_EVIDENCE_ERROR_RATIO_FACTOR)`},
		{"KD_EVIDENCE_LATENCY_FACTOR", "0", `metrics.evidence.latency_factor: 0: must be at least 1 (KD_EVIDENCE_LATENCY_FACTOR)`},
		{"KD_EVIDENCE_TEMPLATE", "nginx", `metrics.evidence.template: "nginx": not among metrics.evidence.templates (http, istio) (KD_EVIDENCE_TEMPLATE)`},
	}
	for _, c := range cases {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(c.env, c.value)
			_, err := Load(shipped)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want *Error, got %v", err)
			}
			if len(ce.Problems) != 1 || ce.Problems[0].String() != c.want {
				t.Fatalf("got %q, want the one problem %q", ce.Problems, c.want)
			}
			if want := "config " + shipped + ": " + c.want; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

// TestLoadEveryBadKey: one error names them all, section by section.
func TestLoadEveryBadKey(t *testing.T) {
	clearEnv(t)
	t.Setenv("KD_REQUEST_TIMEOUT", "3x")
	t.Setenv("KD_KUBE_BURST", "lots")
	t.Setenv("KD_AUTH_SESSION_TTL", "0")
	t.Setenv("KD_READ_ONLY", "maybe")
	_, err := Load(shipped)
	want := "config " + shipped + ": 4 bad keys:\n" +
		`  server.timeout: "3x": not a duration (e.g. 30s, 1m30s) (KD_REQUEST_TIMEOUT)` + "\n" +
		`  server.read_only: "maybe": not a boolean (true or false) (KD_READ_ONLY)` + "\n" +
		`  kubernetes.burst: "lots": not an integer (KD_KUBE_BURST)` + "\n" +
		`  auth.session_ttl: "0": must be positive (KD_AUTH_SESSION_TTL)`
	if err == nil || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

// configFile is a small config with every required key, its sections replaced or added by
// sections (name: flow map; an empty one leaves the section out).
func configFile(sections map[string]string) string {
	all := map[string]string{
		"server":     `{addr: "127.0.0.1:1", timeout: 2s, watch_heartbeat: 1s}`,
		"kubernetes": `{health_interval: 1s, discovery_interval: 1s, call_timeout: 1s, types_reload: 1s}`,
		"tracing":    `{}`, "limits": `{}`, "auth": `{mode: none, session_ttl: 1h, recheck: 1m, decision_ttl: 1s}`,
	}
	maps.Copy(all, sections)
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if all[name] != "" {
			b.WriteString(name + ": " + all[name] + "\n")
		}
	}
	return b.String()
}

// TestLoadFile: values written in the file itself (YAML scalars and lists, no placeholders),
// left-out sections and keys, and the file's own mistakes.
func TestLoadFile(t *testing.T) {
	cases := []struct {
		name     string
		sections map[string]string
		want     func(*Bootstrap) // nil: the problems are expected
		problems []string
	}{
		{name: "minimal", want: func(*Bootstrap) {}},
		{name: "YAML scalars and lists", sections: map[string]string{
			"limits":     `{max_replicas: 7}`,
			"kubernetes": `{qps: 12, burst: 3, shipped_types: true, health_interval: 1s, discovery_interval: 1s, call_timeout: 1s, types_reload: 1s}`,
			"auth":       `{mode: oidc, session_ttl: 1h, recheck: 1m, decision_ttl: 1s, oidc: {client_id: 42, scopes: [openid, " groups "]}}`,
			"audit":      `{path: /tmp/a}`,
		}, want: func(b *Bootstrap) {
			b.Limits.MaxReplicas = 7
			b.Kubernetes.QPS, b.Kubernetes.Burst, b.Kubernetes.ShippedTypes = 12, 3, true
			b.Auth.Mode, b.Auth.OIDC = "oidc", &OIDC{ClientID: "42", Scopes: []string{"openid", "groups"}}
			b.Audit.Path = "/tmp/a"
		}},
		{name: "an empty value is the zero value", sections: map[string]string{"tracing": `{exporter: }`}, want: func(*Bootstrap) {}},
		{name: "missing sections", sections: map[string]string{"kubernetes": "", "limits": "", "auth": ""}, problems: []string{
			"kubernetes: section missing", "limits: section missing", "auth: section missing"}},
		{name: "missing duration", sections: map[string]string{"server": `{addr: x, timeout: 1s}`}, problems: []string{
			"server.watch_heartbeat: not a duration (e.g. 30s, 1m30s)"}},
		{name: "wrong YAML types", sections: map[string]string{
			"limits":     `{max_replicas: 2.5}`,
			"kubernetes": `{qps: [1], burst: true, shipped_types: 1, health_interval: 30, discovery_interval: 1s, call_timeout: 1s, types_reload: 1s}`,
			"auth":       `{mode: none, session_ttl: 1h, recheck: 1m, decision_ttl: 1s, oidc: {client_id: [a], scopes: [1]}}`,
			"audit":      `3`,
		}, problems: []string{
			"kubernetes.shipped_types: 1: not a boolean (true or false)",
			"kubernetes.qps: [1]: not a number", "kubernetes.burst: true: not an integer",
			"kubernetes.health_interval: 30: not a duration (e.g. 30s, 1m30s)",
			"limits.max_replicas: 2.5: not an integer", "auth.oidc.client_id: [a]: not a string",
			"auth.oidc.scopes: [1]: not a list of strings", "audit: 3: not a section of keys"}},
		{name: "metrics left out (an older file)", sections: map[string]string{"metrics": ""}, want: func(*Bootstrap) {}},
		{name: "evidence templates", sections: map[string]string{"metrics": `{evidence: {window: 1m, min_requests: 5,
			error_ratio_points: 1, error_ratio_factor: 1, latency_factor: 1, template: a, templates: {
			a: {requests: "sum(rate(r{$selector}[$window]))", errors: "sum(rate(e{$selector}[$window]))",
			    latency: "histogram_quantile($quantile, sum by (le) (rate(l{$selector}[$window])))"}}}}`},
			want: func(b *Bootstrap) {
				b.Metrics = &Metrics{Evidence: &Evidence{Window: time.Minute, MinRequests: 5, ErrorRatioPoints: 1, ErrorRatioFactor: 1,
					LatencyFactor: 1, Template: "a", Templates: map[string]*EvidenceTemplate{"a": {
						Requests: "sum(rate(r{$selector}[$window]))", Errors: "sum(rate(e{$selector}[$window]))",
						Latency: "histogram_quantile($quantile, sum by (le) (rate(l{$selector}[$window])))"}}}}
			}},
		{name: "bad evidence templates", sections: map[string]string{"metrics": `{evidence: {window: 1m, min_requests: 5,
			error_ratio_points: 1, error_ratio_factor: 1, latency_factor: 1, template: a, templates: {
			a: {requests: "sum(rate(r[5m]))", errors: "sum(rate(e{$selector}[$window]))", latency: "l{$selector}", extra: x}, b: 3}}}`},
			problems: []string{
				"metrics.evidence.templates.a.extra: unknown key", "metrics.evidence.templates.b: 3: not a section of keys",
				`metrics.evidence.templates.a.requests: "sum(rate(r[5m]))": does not use $selector`,
				`metrics.evidence.templates.a.requests: "sum(rate(r[5m]))": does not use $window`,
				`metrics.evidence.templates.a.latency: "l{$selector}": does not use $window`,
				`metrics.evidence.templates.a.latency: "l{$selector}": does not use $quantile`,
			}},
		{name: "unknown keys", sections: map[string]string{
			"server": `{addr: x, timeout: 1s, watch_heartbeat: 1s, timout: 3s}`,
			"auth":   `{mode: none, session_ttl: 1h, recheck: 1m, decision_ttl: 1s, oidc: {scope: openid}, extra: 1}`,
		}, problems: []string{"server.timout: unknown key", "auth.oidc.scope: unknown key", "auth.extra: unknown key"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearEnv(t)
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(configFile(c.sections)), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if c.want == nil {
				var ce *Error
				if !errors.As(err, &ce) {
					t.Fatalf("want *Error, got %v", err)
				}
				var msgs []string
				for _, p := range ce.Problems {
					msgs = append(msgs, p.String())
				}
				if !reflect.DeepEqual(msgs, c.problems) {
					t.Errorf("problems\n%q\nwant\n%q", msgs, c.problems)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := &Bootstrap{
				Server:     &Server{Addr: "127.0.0.1:1", Timeout: 2 * time.Second, WatchHeartbeat: time.Second},
				Kubernetes: &Kubernetes{HealthInterval: time.Second, DiscoveryInterval: time.Second, CallTimeout: time.Second, TypesReload: time.Second},
				Tracing:    &Tracing{}, Limits: &Limits{}, Audit: &Audit{},
				Auth: &Auth{Mode: "none", SessionTTL: time.Hour, Recheck: time.Minute, DecisionTTL: time.Second},
			}
			c.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%s\nwant\n%s", dump(got), dump(want))
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil || !strings.Contains(err.Error(), "load config") {
		t.Errorf("got %v", err)
	}
}

func dump(b *Bootstrap) string {
	out := fmt.Sprintf("%+v %+v %+v %+v %+v %+v", b.Server, b.Kubernetes, b.Tracing, b.Limits, b.Auth, b.Audit)
	if b.Auth != nil && b.Auth.OIDC != nil {
		out += fmt.Sprintf(" oidc %+v", *b.Auth.OIDC)
	}
	if b.Auth != nil && b.Auth.Limits != nil {
		out += fmt.Sprintf(" limits %+v", *b.Auth.Limits)
	}
	if b.Metrics != nil && b.Metrics.Prometheus != nil {
		out += fmt.Sprintf(" prometheus %+v", *b.Metrics.Prometheus)
	}
	if b.Metrics != nil && b.Metrics.Evidence != nil {
		out += fmt.Sprintf(" evidence %+v", *b.Metrics.Evidence)
		for name, t := range b.Metrics.Evidence.Templates {
			out += fmt.Sprintf(" template %s %+v", name, *t)
		}
	}
	return out
}
