package apicheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/app/server"
)

// TestCheck: the document is valid OpenAPI 3, and answers that break it are found.
func TestCheck(t *testing.T) {
	c, err := New(server.Document())
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name, method, path string
		status             int
		body, fault        string
	}{
		{"a list of names", "GET", "/api/v1/namespaces", 200, `{"data":["a","b"]}`, ""},
		{"not the envelope", "GET", "/api/v1/namespaces", 200, `["a"]`, "data"},
		{"a wrong item type", "GET", "/api/v1/namespaces", 200, `{"data":[1]}`, "string"},
		{"the error body", "GET", "/api/v1/namespaces", 403, `{"trace_id":"t","message":"m","code":"FORBIDDEN"}`, ""},
		{"an error body without its code", "GET", "/api/v1/namespaces", 403, `{"trace_id":"t","message":"m"}`, "code"},
		{"a missing required field", "GET", "/api/v1/auth/config", 200, `{"data":{"mode":"none"}}`, "readOnly"},
		{"null where it may be", "GET", "/api/v1/workload/ns/cloneset/shop/rollout", 200, `{"data":null}`, ""},
		{"null where it may not be", "GET", "/api/v1/rollout/status/ns/shop", 200, `{"data":null}`, "null"},
		{"a page", "GET", "/api/v1/workload/ns/cloneset?limit=1", 200, `{"data":{"items":[{"apiVersion":"v1","kind":"K","metadata":{"name":"x","uid":"u","resourceVersion":"1","creationTimestamp":"2026-12-01T00:00:00Z"},"state":"ready"}],"total":1,"continue":""}}`, ""},
		{"an object without its uid", "GET", "/api/v1/workload/ns/cloneset/shop", 200, `{"data":{"apiVersion":"v1","kind":"K","metadata":{"name":"x","resourceVersion":"1","creationTimestamp":null}}}`, "uid"},
		{"a route not documented", "GET", "/api/v1/nothing-here", 200, `{"data":1}`, "not in the OpenAPI document"},
		{"an unknown route's 404", "GET", "/api/v1/nothing-here", 404, `{"trace_id":"t","message":"m","code":"NOT_FOUND"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Check(httptest.NewRequest(tc.method, tc.path, nil), tc.status, json, []byte(tc.body))
			if tc.fault == "" && err != nil {
				t.Errorf("refused: %v", err)
			}
			if tc.fault != "" && (err == nil || !strings.Contains(err.Error(), tc.fault)) {
				t.Errorf("%v, want a complaint about %q", err, tc.fault)
			}
		})
	}
}
