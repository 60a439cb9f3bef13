// Package conf is the dashboard's configuration, read from configs/config.yaml, whose
// ${ENV:default} placeholders take KD_-prefixed environment variables (KD_HTTP_ADDR fills
// ${HTTP_ADDR:...}).
package conf

import (
	"fmt"
	"time"
)

// Bootstrap is the whole configuration.
type Bootstrap struct {
	Server     *Server     `json:"server"`
	Kubernetes *Kubernetes `json:"kubernetes"`
	Tracing    *Tracing    `json:"tracing"`
	Limits     *Limits     `json:"limits"`
}

// Server configures the HTTP server.
type Server struct {
	Addr string `json:"addr"`
	// Timeout bounds each request, e.g. "30s".
	Timeout string `json:"timeout"`
}

// Kubernetes configures the clients.
type Kubernetes struct {
	// Kubeconfig is a path; empty uses $KUBECONFIG, ~/.kube/config, then in-cluster config.
	Kubeconfig string  `json:"kubeconfig"`
	QPS        float64 `json:"qps"`
	Burst      int     `json:"burst"`
	// HealthInterval is how often the API server's /readyz is probed, e.g. "1s".
	HealthInterval string `json:"health_interval"`
	// DiscoveryInterval is how often served APIs are re-read, so a CRD installed later is picked up.
	DiscoveryInterval string `json:"discovery_interval"`
}

// Tracing configures the OpenTelemetry exporter.
type Tracing struct {
	// Exporter is "otlp" (OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT), "stdout" or "none"; empty
	// means otlp when OTEL_EXPORTER_OTLP_ENDPOINT is set, else none.
	Exporter string `json:"exporter"`
}

// Limits bound what callers may ask.
type Limits struct {
	MaxReplicas int32 `json:"max_replicas"`
}

// Duration parses a duration setting, naming the key in the error.
func Duration(key, value string) (time.Duration, error) {
	d, err := time.ParseDuration(value)
	if err != nil {
		return 0, fmt.Errorf("config %s: %w", key, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("config %s: must be positive, got %s", key, value)
	}
	return d, nil
}
