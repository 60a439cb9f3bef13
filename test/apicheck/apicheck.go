// Package apicheck validates the dashboard's answers against its OpenAPI document
// (/api/v1/openapi.json) with kin-openapi, so the document cannot drift from what is served.
// The integration and end-to-end tests install it in apiclient: every answer they receive is
// checked, and a run with a violation fails.
package apicheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// Checker validates answers against one document.
type Checker struct {
	router routers.Router
	spec   *openapi3.T
	mu     sync.Mutex
	seen   map[string]bool // "METHOD /path" of the operations answered
}

// New loads and validates the document (a document that is not valid OpenAPI 3 is an error).
func New(doc []byte) (*Checker, error) {
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	router, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	return &Checker{router: router, spec: spec, seen: map[string]bool{}}, nil
}

// Unchecked lists the document's operations no checked answer came from.
func (c *Checker) Unchecked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for path, item := range c.spec.Paths.Map() {
		for method := range item.Operations() {
			if op := method + " " + path; !c.seen[op] {
				out = append(out, op)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Check validates one answer to req under /api/v1: the route must be in the document, the
// status one it lists (or its default, the error body), the body its schema. Other paths and
// the event stream are not checked.
func (c *Checker) Check(req *http.Request, status int, header http.Header, body []byte) error {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || status == 0 || strings.HasPrefix(header.Get("Content-Type"), "text/event-stream") {
		return nil
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil // a route that does not exist answers so, and is not in the document
		}
		return fmt.Errorf("%s %s answered %d but is not in the OpenAPI document: %v", req.Method, req.URL.Path, status, err)
	}
	c.mu.Lock()
	c.seen[req.Method+" "+route.Path] = true
	c.mu.Unlock()
	if header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("%s %s: gzip body: %w", req.Method, req.URL.Path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			return fmt.Errorf("%s %s: gzip body: %w", req.Method, req.URL.Path, err)
		}
		header = header.Clone()
		header.Del("Content-Encoding")
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  status,
		Header:  header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s answered %d, not as the OpenAPI document says: %v\nbody: %.600s", req.Method, req.URL.RequestURI(), status, err, body)
	}
	return nil
}

// Install has every answer apiclient receives checked against the document the dashboard at c
// serves (GET /api/v1/openapi.json).
func Install(c apiclient.Client) error {
	status, doc := c.Raw(http.MethodGet, "/api/v1/openapi.json", nil)
	if status != http.StatusOK {
		return fmt.Errorf("GET /api/v1/openapi.json: %d", status)
	}
	checker, err := New(doc)
	if err != nil {
		return err
	}
	apiclient.Checker = checker
	return nil
}

// Report writes how many answers were checked, the operations none came from, and the first
// violations; it is false when there were any.
func Report(w io.Writer) bool {
	checker, ok := apiclient.Checker.(*Checker)
	if !ok {
		return true
	}
	violations, checked := apiclient.Violations()
	fmt.Fprintf(w, "%d answers checked against the OpenAPI document; operations without a checked answer: %v\n", checked, checker.Unchecked())
	if len(violations) == 0 {
		return true
	}
	fmt.Fprintf(w, "%d answers do not match the OpenAPI document, e.g.:\n", len(violations))
	for _, v := range violations[:min(len(violations), 20)] {
		fmt.Fprintln(w, " -", v)
	}
	return false
}
