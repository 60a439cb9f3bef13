package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// fakePrometheus answers the query API on loopback: every query the same one-series vector, or
// a server error while failing; it keeps the queries it was sent.
type fakePrometheus struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
	failing bool
}

func newFakePrometheus(t *testing.T) *fakePrometheus {
	p := &fakePrometheus{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.queries = append(p.queries, r.URL.Query().Get("query"))
		failing := p.failing
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/v1/query" || failing {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"status":"error","errorType":"internal","error":"the fake is failing"}`)
			return
		}
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"10"]}]}}`)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *fakePrometheus) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

func (p *fakePrometheus) fail(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failing = on
}

// TestRolloutEvidence: GET /rollout/evidence/{namespace}/{name} compares the release's canary
// pods with its stable pods. Without Prometheus it is 200 "unavailable"; a user who may not read
// the Rollout gets 403 and no query is sent; an unknown Rollout is 404, one with no release in
// progress 409; with Prometheus the queries select the namespace and each side's pods, and a
// failing server is "unavailable" again.
func TestRolloutEvidence(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns := newNamespace(t, "evidence")
	createReleasePods(t, ns)
	setInRolling(t, createRollout(t, ns, "shop-ro", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(false)), 1, "StepPaused", false)
	createCloneSet(t, ns, "idle", 1)
	createRollout(t, ns, "idle-ro", refTo(kruiseV1alpha1, "CloneSet", "idle"), canaryStrategy(false))

	prom := newFakePrometheus(t)
	off := startSignedIn(t, "token", os.DevNull)
	on := startSignedIn(t, "token", os.DevNull, prometheusAt(t, prom.URL))
	path := "/rollout/evidence/" + ns + "/shop-ro"
	// evidenceOf waits until the dashboard's cache has both pods and returns the answer.
	evidenceOf := func(t *testing.T, d *dashboard) evidence.Result {
		t.Helper()
		var r evidence.Result
		apiclient.Eventually(t, "both pods in the evidence", 10*time.Second, func() error {
			r = evidence.Result{}
			if status, e := as(d, "viewer").Call(t, http.MethodGet, path, &r); status != http.StatusOK {
				return &apiclient.StatusError{Status: status, Body: e.Message}
			}
			if r.Canary.Pods != 1 || r.Stable.Pods != 1 {
				return errString(fmt.Sprintf("canary %d pods, stable %d", r.Canary.Pods, r.Stable.Pods))
			}
			return nil
		})
		return r
	}

	t.Run("without Prometheus the evidence is unavailable", func(t *testing.T) {
		r := evidenceOf(t, off)
		if r.Verdict != evidence.Unavailable || !strings.Contains(r.Reason, "no Prometheus server is configured") || r.Template == "" {
			t.Errorf("%+v, want verdict unavailable saying no Prometheus server is configured", r)
		}
	})
	t.Run("a user who may not read the Rollout gets 403 and no query is sent", func(t *testing.T) {
		for _, d := range []*dashboard{off, on} {
			status, e := as(d, "nobody").Call(t, http.MethodGet, path, nil)
			if status != http.StatusForbidden || e.Code != biz.CodeForbidden || !strings.Contains(e.Message, `"nobody"`) {
				t.Errorf("nobody: %d %s %q, want 403 naming nobody", status, e.Code, e.Message)
			}
		}
		if q := prom.sent(); len(q) != 0 {
			t.Errorf("Prometheus was sent %d queries for a refused user: %q", len(q), q)
		}
	})
	t.Run("an unknown Rollout is 404, one without a release in progress 409", func(t *testing.T) {
		viewer := as(off, "viewer")
		if status, e := viewer.Call(t, http.MethodGet, "/rollout/evidence/"+ns+"/missing", nil); status != http.StatusNotFound || e.Code != biz.CodeNotFound {
			t.Errorf("missing: %d %s %q, want 404 NOT_FOUND", status, e.Code, e.Message)
		}
		apiclient.Eventually(t, "idle-ro in the cache", 10*time.Second, func() error {
			status, e := viewer.Call(t, http.MethodGet, "/rollout/evidence/"+ns+"/idle-ro", nil)
			if status != http.StatusConflict || e.Code != biz.CodeConflict || !strings.Contains(e.Message, "no release in progress") {
				return &apiclient.StatusError{Status: status, Body: e.Code + " " + e.Message}
			}
			return nil
		})
	})
	t.Run("with Prometheus the queries select each side's pods in the namespace", func(t *testing.T) {
		r := evidenceOf(t, on)
		if r.Verdict != evidence.NotWorse || r.Canary.Requests == nil || r.Stable.LatencyP95 == nil {
			t.Errorf("%+v, want notWorse from identical sides", r)
		}
		sel := `namespace="` + ns + `",pod=~"`
		if !strings.Contains(r.Canary.Queries.Requests, sel+`shop-canary"`) || !strings.Contains(r.Stable.Queries.Requests, sel+`shop-stable"`) {
			t.Errorf("queries %q and %q do not select the namespace and each side's pod", r.Canary.Queries.Requests, r.Stable.Queries.Requests)
		}
		for _, q := range prom.sent() {
			if !strings.Contains(q, sel) {
				t.Errorf("query without the namespace's selector: %q", q)
			}
		}
		prom.fail(true)
		defer prom.fail(false)
		var failed evidence.Result
		as(on, "viewer").MustOK(t, http.MethodGet, path, &failed)
		if failed.Verdict != evidence.Unavailable || !strings.Contains(failed.Reason, "Prometheus query failed") {
			t.Errorf("%+v, want unavailable saying the query failed", failed)
		}
	})
}
