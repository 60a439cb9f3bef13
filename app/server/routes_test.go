package server

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/auth"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/openapi"
)

// TestRoutesAreDocumented: the route table serves exactly the OpenAPI document's operations
// under /api/v1 (the live stream is a server filter, documented but not a route), and those the
// document says need no sign-in are those sign-in lets through.
func TestRoutesAreDocumented(t *testing.T) {
	srv, err := newServer(&conf.Server{Addr: "127.0.0.1:0", Timeout: 5 * time.Second}, sdktrace.NewTracerProvider(), log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	Routes{Auth: &auth.Authenticator{}}.register(srv)
	var served []string
	err = srv.WalkRoute(func(r khttp.RouteInfo) error {
		if strings.HasPrefix(r.Path, "/api/v1/") {
			served = append(served, r.Method+" "+r.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	served = append(served, "GET /api/v1/watch")
	sort.Strings(served)
	if documented := openapi.Paths(); !reflect.DeepEqual(served, documented) {
		t.Errorf("routes and document differ:\nserved     %v\ndocumented %v", served, documented)
	}
	// The document's public operations are those sign-in lets through.
	for _, op := range openapi.Operations {
		path := "/api/v1" + op.Path
		if public := strings.HasPrefix(path, auth.Prefix) || path == auth.DocumentPath; op.Public != public {
			t.Errorf("%s %s: documented public %v, sign-in says %v", op.Method, path, op.Public, public)
		}
	}
}
