// Package stream serves the live stream, GET /api/v1/watch: Server-Sent Events of the shared
// informers' changes, each sent only to users who may list what it is about. It runs as the last
// server filter, after sign-in, so the request's user is known and the stream is not cut by the
// per-request timeout of the routes.
package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/app/metrics"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Path is where the stream is served.
const Path = "/api/v1/watch"

// Server serves the stream.
type Server struct {
	uc *biz.WatchUsecase
	// clusters finds another cluster's changes and the person's identity there (?cluster=);
	// nil: the home only.
	clusters  Clusters
	heartbeat time.Duration
	fail      func(http.ResponseWriter, *http.Request, *biz.Error)
	closing   chan struct{}
	once      sync.Once
}

// New builds the stream server; heartbeat is how often an idle stream sends a heartbeat event (so
// proxies keep it open and a dead client is noticed).
func New(uc *biz.WatchUsecase, heartbeat time.Duration, fail func(http.ResponseWriter, *http.Request, *biz.Error)) *Server {
	return &Server{uc: uc, heartbeat: heartbeat, fail: fail, closing: make(chan struct{})}
}

// Clusters resolves the cluster a stream names: its changes, and ctx with the person's identity
// there (or why they may not watch it).
type Clusters func(ctx context.Context, cluster string) (context.Context, *biz.WatchUsecase, error)

// InClusters serves ?cluster=<name> from c (the home is served without it, as before).
func (s *Server) InClusters(c Clusters) { s.clusters = c }

// change is an event's data: the change, and the cluster it is about when the stream names one.
type change struct {
	Cluster string `json:"cluster,omitempty"`
	biz.ObjectChange
}

// Close ends every open stream: a server shutting down waits for idle connections, and a stream
// never is (clients reconnect, to another replica if need be).
func (s *Server) Close() { s.once.Do(func() { close(s.closing) }) }

// Filter serves GET (and HEAD: the stream's headers, no events) Path and passes every other
// request on.
func (s *Server) Filter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != Path {
			next.ServeHTTP(w, r)
			return
		}
		metrics.SetRoute(r.Context(), Path)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.fail(w, r, biz.MethodNotAllowed("method %s is not allowed on %s", r.Method, Path))
			return
		}
		s.serve(w, r)
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// EventSource sends Last-Event-ID when it reconnects by itself; a client that reopens the
	// stream (the UI's watchdog) cannot set headers and passes lastEventId instead.
	wq := biz.WatchQuery{LastEventID: r.Header.Get("Last-Event-ID")}
	fromQuery := ""
	cluster := ""
	for name, to := range map[string]*string{"namespace": &wq.Namespace, "type": &wq.Type, "name": &wq.Name, "lastEventId": &fromQuery, "cluster": &cluster} {
		if len(q[name]) > 1 {
			s.fail(w, r, biz.BadRequest("query parameter %s is given %d times; give it once", name, len(q[name])))
			return
		}
		*to = q.Get(name)
	}
	if wq.LastEventID == "" {
		wq.LastEventID = fromQuery
	}
	ctx, uc := r.Context(), s.uc
	if cluster != "" {
		var err error
		if s.clusters == nil {
			err = biz.NotFound("no cluster is registered as %q", cluster)
		} else {
			ctx, uc, err = s.clusters(ctx, cluster)
		}
		if err != nil {
			s.failOpen(w, r, err)
			return
		}
	}
	watch, err := uc.Open(ctx, wq)
	if err != nil {
		s.failOpen(w, r, err)
		return
	}
	defer watch.Close()

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through as they come
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	out := &writer{w: w, rc: rc, epoch: watch.Epoch, cluster: cluster}
	out.printf("retry: 3000\n\n")
	if watch.Reset {
		out.event(0, "reset", struct{}{})
	}
	for _, c := range watch.Replay {
		out.change(c)
	}
	// The ready event carries the feed's position, so a client that saw no change yet still
	// resumes from here when it reconnects.
	pos := watch.Position()
	out.printf("id: %s-%d\n", watch.Epoch, pos)
	out.event(0, "ready", map[string]uint64{"id": pos, "heartbeatMs": uint64(s.heartbeat / time.Millisecond)})
	if out.flush() != nil {
		return
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-watch.Done():
			return // too slow: dropped; the client reconnects with Last-Event-ID
		case <-tick.C:
			// An event, not a comment: EventSource shows only events, and a client that has
			// seen none for a few heartbeats knows the connection died silently.
			out.printf("event: heartbeat\ndata: {}\n\n")
		case c := <-watch.Changes():
			if watch.Wants(ctx, c) {
				out.change(c)
			}
			// Send what is queued already in one write.
			for n := len(watch.Changes()); n > 0; n-- {
				if c := <-watch.Changes(); watch.Wants(ctx, c) {
					out.change(c)
				}
			}
		}
		if out.flush() != nil {
			return
		}
	}
}

// failOpen answers a stream that could not be opened.
func (s *Server) failOpen(w http.ResponseWriter, r *http.Request, err error) {
	apiErr, ok := err.(*biz.Error)
	if !ok {
		apiErr = biz.Internal(err, "open the stream: %v", err)
	}
	s.fail(w, r, apiErr)
}

// writer writes events and remembers the first error.
type writer struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	epoch   string
	cluster string
	err     error
}

func (o *writer) change(c biz.ObjectChange) {
	o.event(c.ID, "change", change{Cluster: o.cluster, ObjectChange: c})
}

func (o *writer) printf(format string, args ...any) {
	if o.err == nil {
		// Each write gets its own deadline, replacing the server's per-request one.
		_ = o.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, o.err = fmt.Fprintf(o.w, format, args...)
	}
}

func (o *writer) event(id uint64, name string, data any) {
	body, err := json.Marshal(data)
	if err != nil {
		o.err = err
		return
	}
	if id > 0 {
		o.printf("id: %s-%d\n", o.epoch, id)
	}
	o.printf("event: %s\ndata: %s\n\n", name, body)
}

// writeTimeout bounds one write: a client that stopped reading (its TCP window full) is
// disconnected instead of holding the stream's goroutine and connection.
const writeTimeout = 10 * time.Second

func (o *writer) flush() error {
	if o.err == nil {
		o.err = o.rc.Flush()
	}
	return o.err
}
