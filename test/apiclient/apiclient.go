// Package apiclient is a small client of the dashboard's HTTP API for tests: it decodes the
// {"data": ...} envelope and the error body, and waits with bounded polls that say what they
// waited for.
package apiclient

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Client calls one dashboard.
type Client struct {
	// URL is the dashboard's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Header is sent with every request (e.g. Authorization); HTTP is the client (nil: the
	// default client), e.g. one with a cookie jar holding a session.
	Header http.Header
	HTTP   *http.Client
}

// Error is the API's error body (docs/api.md §1).
type Error struct {
	TraceID string `json:"trace_id"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// Raw sends a request and returns the status (0 when nothing answered) and the body.
func (c Client) Raw(method, path string, header http.Header) (int, []byte) {
	return c.RawBody(method, path, header, "")
}

// RawBody is Raw with a JSON request body (none when empty).
func (c Client) RawBody(method, path string, header http.Header, body string) (int, []byte) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.URL+path, reader)
	if err != nil {
		return 0, nil
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host // Go sends req.Host, not a Host header
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	check(resp, answer)
	return resp.StatusCode, answer
}

// Checker validates every answer this package receives (the tests install apicheck's, from
// the dashboard's OpenAPI document); what it finds is kept for Violations.
var Checker interface {
	Check(req *http.Request, status int, header http.Header, body []byte) error
}

var violations struct {
	sync.Mutex
	checked int
	list    []string
}

func check(resp *http.Response, body []byte) {
	if Checker == nil {
		return
	}
	err := Checker.Check(resp.Request, resp.StatusCode, resp.Header, body)
	violations.Lock()
	defer violations.Unlock()
	violations.checked++
	if err != nil {
		violations.list = append(violations.list, err.Error())
	}
}

// Violations are the answers Checker refused so far, of how many it was given.
func Violations() (list []string, checked int) {
	violations.Lock()
	defer violations.Unlock()
	return append([]string(nil), violations.list...), violations.checked
}

// Call sends a request to /api/v1 and decodes the data into out (on 200) or returns the error
// body; it fails the test on a body that breaks the API's envelope (docs/api.md §1).
func (c Client) Call(t testing.TB, method, path string, out any) (int, Error) {
	t.Helper()
	return c.Send(t, method, path, nil, out)
}

// Send is Call with extra request headers.
func (c Client) Send(t testing.TB, method, path string, header http.Header, out ...any) (int, Error) {
	t.Helper()
	return c.SendBody(t, method, path, header, "", out...)
}

// SendBody is Send with a JSON request body.
func (c Client) SendBody(t testing.TB, method, path string, header http.Header, reqBody string, out ...any) (int, Error) {
	t.Helper()
	status, body := c.RawBody(method, "/api/v1"+path, header, reqBody)
	if status == 0 {
		t.Fatalf("%s %s: no response", method, path)
	}
	var e Error
	if status != http.StatusOK {
		if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.TraceID == "" {
			t.Fatalf("%s %s: status %d with a body that is not the error contract: %s", method, path, status, body)
		}
		return status, e
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Data == nil {
		t.Fatalf("%s %s: 200 without a data envelope: %s", method, path, body)
	}
	if len(out) > 0 && out[0] != nil {
		if err := json.Unmarshal(env.Data, out[0]); err != nil {
			t.Fatalf("%s %s: decode data: %v\n%s", method, path, err, env.Data)
		}
	}
	return status, e
}

// Post sends a JSON body to path (a full path, e.g. /api/v1/auth/login) and returns the status
// and body.
func (c Client) Post(t testing.TB, path, jsonBody string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.URL+path, strings.NewReader(jsonBody))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	check(resp, body)
	return resp.StatusCode, body
}

// MustOKBody is MustOK with a JSON request body.
func (c Client) MustOKBody(t testing.TB, method, path, body string, out ...any) {
	t.Helper()
	if status, e := c.SendBody(t, method, path, nil, body, out...); status != http.StatusOK {
		t.Fatalf("%s %s: %d %s: %s", method, path, status, e.Code, e.Message)
	}
}

// MustOK is Call that fails the test unless the answer is 200.
func (c Client) MustOK(t testing.TB, method, path string, out any) {
	t.Helper()
	if status, e := c.Call(t, method, path, out); status != http.StatusOK {
		t.Fatalf("%s %s: %d %s: %s", method, path, status, e.Code, e.Message)
	}
}

// Get is MustOK for Eventually's conditions: an answer other than 200 is a reason to wait (the
// dashboard's cache may not have seen an object the test just created), not a failure.
func (c Client) Get(t testing.TB, path string, out any) error {
	t.Helper()
	if status, e := c.Call(t, http.MethodGet, path, out); status != http.StatusOK {
		return &StatusError{Status: status, Body: e.Code + " " + e.Message}
	}
	return nil
}

// Eventually polls cond until it returns nil or timeout passes, then fails the test with what it
// waited for and the last reason.
func Eventually(t testing.TB, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	if err := Poll(timeout, cond); err != nil {
		t.Fatalf("waited %s for %s: %v", timeout, what, err)
	}
}

// Poll polls cond every 100ms until it returns nil or timeout passes, and returns the last error.
func Poll(timeout time.Duration, cond func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// StatusError is an unexpected answer, for Eventually's reasons.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// FreeAddr is a free loopback address to listen on.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
