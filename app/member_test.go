package main

import (
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/data/clusters"
)

// A registered cluster's evidence comes from its own Prometheus or none: never the home's.
func TestMemberMetrics(t *testing.T) {
	home := &conf.Metrics{Prometheus: &conf.Prometheus{URL: "http://127.0.0.1:9090", BearerTokenFile: "/token", Timeout: 7}, Evidence: &conf.Evidence{Window: 60}}
	for _, c := range []struct {
		name       string
		prometheus string
		want       string
	}{
		{"without its own", "", ""},
		{"with its own", "http://127.0.0.1:9191", "http://127.0.0.1:9191"},
	} {
		got := memberMetrics(home, clusters.Registration{Name: "b", Prometheus: c.prometheus})
		if got.Prometheus.URL != c.want || got.Prometheus.BearerTokenFile != "" || got.Prometheus.Timeout != 7 || got.Evidence != home.Evidence {
			t.Errorf("%s: %+v", c.name, got.Prometheus)
		}
	}
	if got := memberMetrics(&conf.Metrics{}, clusters.Registration{Prometheus: "http://127.0.0.1:9191"}); got.Evidence != nil {
		t.Errorf("no evidence section: evidence stays off, got %+v", got)
	}
}
