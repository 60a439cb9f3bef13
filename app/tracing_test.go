package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestTracing sends a request with a W3C traceparent and checks the spans in the in-memory
// recorder: a server span named by the route template continuing the caller's trace, a use-case
// span under it, and a client span per API-server call under that. An error body carries the
// request's trace id.
func TestTracing(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "trace")
	createCloneSet(t, ns, "shop", 1)
	waitServed(t, "cloneset", ns, "shop")

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	header := http.Header{"Traceparent": {"00-" + traceID + "-" + parentID + "-01"}}
	status, body := shared.dash.Raw(http.MethodPost, "/api/v1/workload/"+ns+"/cloneset/shop/scale?replicas=2", header)
	if status != http.StatusOK {
		t.Fatalf("scale: %d %s", status, body)
	}

	var server, usecase, client sdktrace.ReadOnlySpan
	apiclient.Eventually(t, "the request's spans", 5*time.Second, func() error {
		server, usecase, client = nil, nil, nil
		for _, s := range shared.dash.spans.Ended() {
			if s.SpanContext().TraceID().String() != traceID {
				continue
			}
			switch {
			case s.SpanKind() == trace.SpanKindServer:
				server = s
			case s.Name() == "WorkloadUsecase.Scale":
				usecase = s
			case s.SpanKind() == trace.SpanKindClient && hasAttr(s, "http.request.method", "PATCH"):
				client = s // (the other client call is the Event recording who scaled)
			}
		}
		if server == nil || usecase == nil || client == nil {
			return fmt.Errorf("server %v, use case %v, client %v", server != nil, usecase != nil, client != nil)
		}
		return nil
	})
	if want := "POST /api/v1/workload/{namespace}/{type}/{name}/scale"; server.Name() != want {
		t.Errorf("server span name %q, want %q", server.Name(), want)
	}
	if server.Parent().SpanID().String() != parentID {
		t.Errorf("server span parent %s, want the caller's %s", server.Parent().SpanID(), parentID)
	}
	if usecase.Parent().SpanID() != server.SpanContext().SpanID() {
		t.Error("use-case span is not a child of the server span")
	}
	if client.Parent().SpanID() != usecase.SpanContext().SpanID() {
		t.Error("client span is not a child of the use-case span")
	}
	if !hasAttr(client, "http.request.method", "PATCH") {
		t.Errorf("client span should be the PATCH to the API server, attributes %v", client.Attributes())
	}

	status, body = shared.dash.Raw(http.MethodGet, "/api/v1/workload/"+ns+"/cloneset/missing", header)
	if status != http.StatusNotFound || !strings.Contains(string(body), `"trace_id":"`+traceID+`"`) {
		t.Errorf("error body should carry the request's trace id %s: %d %s", traceID, status, body)
	}
	status, body = shared.dash.Raw(http.MethodGet, "/api/v1/no/such/route", header)
	if status != http.StatusNotFound || !strings.Contains(string(body), `"trace_id":"`+traceID+`"`) {
		t.Errorf("unknown route body should carry the request's trace id: %d %s", status, body)
	}
}

func hasAttr(s sdktrace.ReadOnlySpan, key, value string) bool {
	for _, a := range s.Attributes() {
		if string(a.Key) == key && a.Value.String() == value {
			return true
		}
	}
	return false
}
