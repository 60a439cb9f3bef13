// Package telemetry builds the OpenTelemetry tracer provider. A real SDK provider is always
// used, so every request has a trace id for its error body; spans leave the process only when an
// exporter is configured.
package telemetry

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
)

// NewTracerProvider builds the provider for the configured exporter; the cleanup flushes it.
func NewTracerProvider(c *conf.Tracing, version string) (trace.TracerProvider, func(), error) {
	exporter := c.Exporter
	if exporter == "" {
		exporter = "none"
		if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
			exporter = "otlp"
		}
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(resource.NewSchemaless(
		semconv.ServiceName("kruise-dashboard"), semconv.ServiceVersion(version),
	))}
	switch exporter {
	case "none":
	case "otlp":
		// The exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself.
		exp, err := otlptracehttp.New(context.Background())
		if err != nil {
			return nil, nil, fmt.Errorf("OTLP trace exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	case "stdout":
		exp, err := stdouttrace.New()
		if err != nil {
			return nil, nil, fmt.Errorf("stdout trace exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	default:
		return nil, nil, fmt.Errorf("config tracing.exporter: unknown exporter %q (otlp, stdout, none)", exporter)
	}
	tp := sdktrace.NewTracerProvider(opts...)
	return tp, func() { _ = tp.Shutdown(context.Background()) }, nil
}
