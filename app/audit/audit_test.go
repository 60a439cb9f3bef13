package audit

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestFilterWritesOneLinePerMutation(t *testing.T) {
	var out bytes.Buffer
	l := &Log{w: &out}
	h := l.Filter(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetUser(r.Context(), "alice", []string{"dev"})
		SetRoute(r.Context(), r.Method, "/api/v1/workload/{namespace}/{type}/{name}/scale", url.Values{"namespace": {"demo"}, "type": {"cloneset"}, "name": {"shop"}})
		if r.URL.Query().Get("replicas") == "9999" {
			SetCode(r.Context(), "BAD_REQUEST")
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/api/v1/namespaces", nil),
		httptest.NewRequest("POST", "/api/v1/workload/demo/cloneset/shop/scale?replicas=3", nil),
		httptest.NewRequest("POST", "/api/v1/workload/demo/cloneset/shop/scale?replicas=9999", nil),
		httptest.NewRequest("POST", "/not-api", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2 (mutations under /api/ only):\n%s", len(lines), out.String())
	}
	for i, want := range []struct {
		status  int
		code, r string
	}{{200, "OK", "3"}, {400, "BAD_REQUEST", "9999"}} {
		var e Entry
		if err := json.Unmarshal(lines[i], &e); err != nil {
			t.Fatal(err)
		}
		if e.User != "alice" || e.Groups[0] != "dev" || e.Action != "POST /api/v1/workload/{namespace}/{type}/{name}/scale" ||
			e.Namespace != "demo" || e.Type != "cloneset" || e.Name != "shop" || e.Params["replicas"] != want.r ||
			e.Status != want.status || e.Code != want.code || e.Time.IsZero() {
			t.Errorf("line %d: %+v", i, e)
		}
	}
}
