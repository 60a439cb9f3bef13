// Package audit writes one JSON line per mutating API request, allowed or refused: when, who
// (user and groups), what (route, type, namespace, name, parameters), the outcome (status and
// code) and the trace id. The layers that learn these facts note them on the request's entry
// (SetUser, SetRoute, SetCode); the filter writes the line when the answer has gone out.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/recorder"
)

// Entry is one audit line.
type Entry struct {
	Time   time.Time `json:"time"`
	User   string    `json:"user"`
	Groups []string  `json:"groups"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Action string    `json:"action"`
	// Cluster is the cluster the path names (/clusters/{cluster}/…); empty: the home cluster.
	Cluster   string            `json:"cluster,omitempty"`
	Type      string            `json:"type,omitempty"`
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	// Reason is an approver's written reason (approve, approve-many).
	Reason  string `json:"reason,omitempty"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	TraceID string `json:"trace_id"`
}

// Log is where the lines go.
type Log struct {
	mu sync.Mutex
	w  io.Writer
}

// New opens the audit log: the file at c.Path (appended), or standard output.
func New(c *conf.Audit) (*Log, func(), error) {
	if c == nil || c.Path == "" {
		return &Log{w: os.Stdout}, func() {}, nil
	}
	f, err := os.OpenFile(c.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("audit.path: %w", err)
	}
	return &Log{w: f}, func() { _ = f.Close() }, nil
}

type entryKey struct{}

// Filter records every request with an unsafe method under /api/.
func (l *Log) Filter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isMutation(r) {
			next.ServeHTTP(w, r)
			return
		}
		e := &Entry{Time: time.Now().UTC(), Method: r.Method, Path: r.URL.Path, Action: r.Method + " " + r.URL.Path, Groups: []string{}}
		for k, v := range r.URL.Query() {
			if e.Params == nil {
				e.Params = map[string]string{}
			}
			e.Params[k] = v[0]
		}
		rec := recorder.New(w)
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), entryKey{}, e)))
		e.Status = rec.Code
		if e.Code == "" {
			e.Code = "OK"
		}
		e.TraceID = trace.SpanFromContext(r.Context()).SpanContext().TraceID().String()
		l.write(e)
	})
}

func (l *Log) write(e *Entry) {
	line, _ := json.Marshal(e)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(line, '\n'))
}

func isMutation(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/"
}

func entry(ctx context.Context) *Entry {
	e, _ := ctx.Value(entryKey{}).(*Entry)
	return e
}

// SetUser notes who the request acts for.
func SetUser(ctx context.Context, name string, groups []string) {
	if e := entry(ctx); e != nil {
		e.User, e.Groups = name, append([]string{}, groups...)
	}
}

// SetRoute notes the route template and its path variables.
func SetRoute(ctx context.Context, method, template string, vars url.Values) {
	if e := entry(ctx); e != nil {
		e.Action = method + " " + template
		e.Cluster, e.Type, e.Namespace, e.Name = vars.Get("cluster"), vars.Get("type"), vars.Get("namespace"), vars.Get("name")
	}
}

// SetCode notes the error code of a refused request.
func SetCode(ctx context.Context, code string) {
	if e := entry(ctx); e != nil {
		e.Code = code
	}
}

// SetReason notes an approver's written reason.
func SetReason(ctx context.Context, reason string) {
	if e := entry(ctx); e != nil {
		e.Reason = reason
	}
}
