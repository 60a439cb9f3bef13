package trafficsim

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Gate is the local cluster's Prometheus URL: it passes every request to the real Prometheus
// server and, while that one does not answer, says why in the query API's error format (HTTP
// 503): being built from the module proxy, starting, or not running. The dashboard's evidence
// then says "unavailable" with that reason instead of a bare connection failure.
//
// It reads the state from the cluster's folder: <Dir>/prometheus.building (the background build
// writes its start time there and removes it when done) and <Dir>/prometheus.pid.
type Gate struct {
	proxy *httputil.ReverseProxy
	dir   string
	// BuildNote says what is built and how long it takes, after "being built".
	buildNote string
}

// NewGate fronts the Prometheus server at upstream (host:port) whose state is in dir.
func NewGate(upstream, dir, buildNote string) *Gate {
	g := &Gate{dir: dir, buildNote: buildNote}
	g.proxy = httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: upstream})
	g.proxy.ErrorLog = log.New(io.Discard, "", 0) // a Prometheus not answering is expected; said in the answer
	g.proxy.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
		msg := g.State()
		if msg == "" {
			msg = "Prometheus is not answering: " + err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": "unavailable", "error": msg})
	}
	return g
}

func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.proxy.ServeHTTP(w, r) }

// State says why Prometheus may not answer: being built, starting (its process runs), or not
// running; empty when its process runs and was started long enough ago to answer.
func (g *Gate) State() string {
	if raw, err := os.ReadFile(filepath.Join(g.dir, "prometheus.building")); err == nil {
		since := strings.TrimSpace(string(raw))
		if t, err := time.Parse(time.RFC3339, since); err == nil {
			since = t.UTC().Format("15:04:05 UTC") + fmt.Sprintf(", %s ago", time.Since(t).Round(time.Second))
		}
		return fmt.Sprintf("Prometheus is starting: being built %s (since %s); the evidence is available once it answers", g.buildNote, since)
	}
	pidFile := filepath.Join(g.dir, "prometheus.pid")
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		return "Prometheus is not running (no " + pidFile + ")"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || syscall.Kill(pid, 0) != nil {
		return fmt.Sprintf("Prometheus is not running (it stopped; see %s)", filepath.Join(g.dir, "prometheus.log"))
	}
	if st, err := os.Stat(pidFile); err == nil && time.Since(st.ModTime()) < time.Minute {
		return "Prometheus is starting"
	}
	return ""
}
