package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// scrape reads the metrics listener with the Prometheus text parser.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	must(t, "GET /metrics", err)
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	must(t, "parse /metrics", err)
	return families
}

func hasSeries(f *dto.MetricFamily, labels map[string]string) bool {
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range labels {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if match {
			return true
		}
	}
	return false
}

// TestMetrics: after traffic, the metrics listener has the request, cache, stream, decision,
// API-server client and build series; the UI's port serves none of it; pprof only when enabled.
func TestMetrics(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	addr, err := apiclient.FreeAddr()
	must(t, "free address", err)
	d, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Server.MetricsAddr, bc.Server.Pprof = addr, true })
	must(t, "start dashboard", err)
	defer d.stop()
	d.MustOK(t, http.MethodGet, "/workload/"+ns+"/cloneset", nil)
	d.Call(t, http.MethodGet, "/workload/"+ns+"/cloneset/missing", nil)
	stream, err := d.Watch("namespace="+ns, "")
	must(t, "watch", err)
	defer stream.Close()
	if _, err := stream.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" }); err != nil {
		t.Fatal(err)
	}
	families := scrape(t, addr)
	for name, labels := range map[string]map[string]string{
		"kd_http_request_duration_seconds":  {"route": "/api/v1/workload/{namespace}/{type}", "method": "GET", "code": "200"},
		"kd_cache_objects":                  {"type": "cloneset"},
		"kd_stream_clients":                 {},
		"kd_access_decisions_total":         {"result": "hit"},
		"kd_kube_request_duration_seconds":  {"verb": "GET"},
		"kd_kube_rate_limiter_wait_seconds": {},
		"kd_kube_requests_total":            {},
		"kd_build_info":                     {"version": Version},
	} {
		f, ok := families[name]
		if !ok || !hasSeries(f, labels) {
			t.Errorf("%s%v missing (family present: %v)", name, labels, ok)
		}
	}
	if f := families["kd_http_request_duration_seconds"]; !hasSeries(f, map[string]string{"route": "/api/v1/workload/{namespace}/{type}/{name}", "code": "404"}) {
		t.Error("the 404 is not counted under its route")
	}
	if g := families["kd_stream_clients"].GetMetric()[0].GetGauge().GetValue(); g < 1 {
		t.Errorf("stream clients %v with one open", g)
	}
	if resp, err := http.Get("http://" + addr + "/debug/pprof/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("pprof enabled: %v %v", err, resp)
	}
	resp, body, _ := d.Response("/metrics", nil)
	if strings.Contains(string(body), "kd_build_info") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the UI's port serves metrics: %s", resp.Header.Get("Content-Type"))
	}
	// Off by default: no pprof on a listener without it.
	addr2, err := apiclient.FreeAddr()
	must(t, "free address", err)
	d2, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Server.MetricsAddr = addr2 })
	must(t, "start dashboard", err)
	defer d2.stop()
	resp, err = http.Get("http://" + addr2 + "/debug/pprof/")
	must(t, "GET pprof", err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("pprof without KD_PPROF: %d", resp.StatusCode)
	}
}

// TestMetricsBeyondLoopback: on an address beyond loopback (the chart's :9464) the metrics
// listener answers only a bearer token whose user may get the path (nonResourceURLs), as the
// Kubernetes components guard theirs: 401 without one, 403 naming what is missing, the series
// for a scraper that may.
func TestMetricsBeyondLoopback(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	grant(t, "scrape-metrics", "viewer", rbacv1.PolicyRule{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}})
	// A free port on 127.0.0.1 may be taken on another address before the dashboard binds it on
	// all of them (other packages' tests run alongside): another port then.
	var d *dashboard
	var port string
	for attempt := 1; ; attempt++ {
		addr, err := apiclient.FreeAddr()
		must(t, "free address", err)
		port = addr[strings.LastIndex(addr, ":")+1:]
		d, err = startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Server.MetricsAddr, bc.Server.Pprof = "0.0.0.0:"+port, true })
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("start dashboard: %v", err)
		}
	}
	defer d.stop()
	metricsAt := apiclient.Client{URL: "http://127.0.0.1:" + port}
	for _, c := range []struct {
		name, path, token string
		status            int
		code, says        string
	}{
		{"no token", "/metrics", "", http.StatusUnauthorized, biz.CodeUnauthorized, "Bearer"},
		{"a token the API server rejects", "/metrics", "not-a-token", http.StatusUnauthorized, biz.CodeUnauthorized, "rejected"},
		{"a user without the right", "/metrics", shared.cluster.Tokens["nobody"], http.StatusForbidden, biz.CodeForbidden, `"nobody" may not get /metrics`},
		{"pprof is another path", "/debug/pprof/", shared.cluster.Tokens["viewer"], http.StatusForbidden, biz.CodeForbidden, `"viewer" may not get /debug/pprof/`},
	} {
		header := http.Header{}
		if c.token != "" {
			header.Set("Authorization", "Bearer "+c.token)
		}
		status, body := metricsAt.Raw(http.MethodGet, c.path, header)
		var e apiclient.Error
		_ = json.Unmarshal(body, &e)
		if status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %d %s, want %d %s saying %q", c.name, status, body, c.status, c.code, c.says)
		}
	}
	status, body := metricsAt.Raw(http.MethodGet, "/metrics", http.Header{"Authorization": {"Bearer " + shared.cluster.Tokens["viewer"]}})
	if status != http.StatusOK {
		t.Fatalf("a scraper that may get /metrics: %d %s", status, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	must(t, "parse /metrics", err)
	if families["kd_build_info"] == nil {
		t.Errorf("no build info among %d families", len(families))
	}
}
