package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// pagesFixture is a namespace with seven CloneSets cs-0..cs-6: replicas i%3 (so with no
// controller cs-0, cs-3 and cs-6 are scaledToZero, the others updating), label tier=a on the
// even ones.
func pagesFixture(t *testing.T) string {
	t.Helper()
	ns := newNamespace(t, "pages")
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("cs-%d", i)
		createCloneSet(t, ns, name, int32(i%3))
		if i%2 == 0 {
			_, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, name, types.MergePatchType, []byte(`{"metadata":{"labels":{"tier":"a"}}}`), metav1.PatchOptions{})
			must(t, "label "+name, err)
		}
	}
	apiclient.Eventually(t, "the seven CloneSets labelled in the cache", 10*time.Second, func() error {
		var p struct{ Total int }
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/cloneset?labelSelector=tier%3Da", &p)
		if p.Total != 4 {
			return fmt.Errorf("%d labelled", p.Total)
		}
		return nil
	})
	return ns
}

type page struct {
	Items    []map[string]any `json:"items"`
	Total    int              `json:"total"`
	Continue string           `json:"continue"`
}

func names(items []map[string]any) string {
	var out []string
	for _, it := range items {
		out = append(out, it["metadata"].(map[string]any)["name"].(string))
	}
	return strings.Join(out, ",")
}

// dataOf is the data member of a raw {"data": ...} body, byte for byte.
func dataOf(t *testing.T, body []byte) []byte {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(`{"data":`)) || !bytes.HasSuffix(body, []byte("}")) {
		t.Fatalf("not an envelope: %.200s", body)
	}
	return body[len(`{"data":`) : len(body)-1]
}

// TestListAnswersUnchanged: the pre-encoded list is byte for byte the list of the objects the
// object endpoint encodes one by one, and every type's list in the namespace answer too.
func TestListAnswersUnchanged(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	_, list := shared.dash.Raw(http.MethodGet, "/api/v1/workload/"+ns+"/cloneset", nil)
	var parts [][]byte
	for i := 0; i < 7; i++ {
		_, one := shared.dash.Raw(http.MethodGet, fmt.Sprintf("/api/v1/workload/%s/cloneset/cs-%d", ns, i), nil)
		parts = append(parts, dataOf(t, one))
	}
	want := append(append([]byte("["), bytes.Join(parts, []byte(","))...), ']')
	if got := dataOf(t, list); !bytes.Equal(got, want) {
		t.Errorf("list differs from the objects:\n got %.300s\nwant %.300s", got, want)
	}
	_, all := shared.dash.Raw(http.MethodGet, "/api/v1/workload/"+ns, nil)
	var byPlural map[string]json.RawMessage
	must(t, "decode the namespace answer", json.Unmarshal(dataOf(t, all), &byPlural))
	if !bytes.Equal(byPlural["clonesets"], want) || string(byPlural["deployments"]) != "[]" {
		t.Errorf("namespace answer: clonesets %.200s deployments %s", byPlural["clonesets"], byPlural["deployments"])
	}
}

func TestWorkloadPages(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	base := "/workload/" + ns + "/cloneset?"

	t.Run("limit and continue walk every item once", func(t *testing.T) {
		for _, c := range []struct{ query, want string }{
			{"limit=3", "cs-0,cs-1,cs-2,cs-3,cs-4,cs-5,cs-6"},
			{"limit=2&sort=-name", "cs-6,cs-5,cs-4,cs-3,cs-2,cs-1,cs-0"},
			{"limit=4&sort=created", "cs-0,cs-1,cs-2,cs-3,cs-4,cs-5,cs-6"},
			{"limit=1&state=scaledToZero", "cs-0,cs-3,cs-6"},
			{"limit=2&labelSelector=" + url.QueryEscape("tier=a"), "cs-0,cs-2,cs-4,cs-6"},
		} {
			var got []string
			next, pages := "", 0
			for {
				var p page
				shared.dash.MustOK(t, http.MethodGet, base+c.query+"&continue="+url.QueryEscape(next), &p)
				pages++
				if got = append(got, names(p.Items)); p.Total != strings.Count(c.want, ",")+1 {
					t.Errorf("%s: total %d", c.query, p.Total)
				}
				if next = p.Continue; next == "" || pages > 10 {
					break
				}
			}
			if strings.Join(got, ",") != c.want {
				t.Errorf("%s: %s, want %s", c.query, strings.Join(got, ","), c.want)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		for query, want := range map[string]string{
			"q=CS-1":                   "cs-1",
			"state=updating&sort=name": "cs-1,cs-2,cs-4,cs-5",
			"labelSelector=" + url.QueryEscape("tier!=a"): "cs-1,cs-3,cs-5",
			"q=nothing-like-it":                           "",
		} {
			var p page
			shared.dash.MustOK(t, http.MethodGet, base+query, &p)
			if names(p.Items) != want || p.Continue != "" {
				t.Errorf("%s: %q (continue %q), want %q", query, names(p.Items), p.Continue, want)
			}
		}
	})
	t.Run("compact items carry the columns and the state, not the whole object", func(t *testing.T) {
		var compact, full page
		shared.dash.MustOK(t, http.MethodGet, base+"q=cs-1", &compact)
		shared.dash.MustOK(t, http.MethodGet, base+"q=cs-1&view=full", &full)
		c, f := compact.Items[0], full.Items[0]
		if c["state"] != "updating" || c["kind"] != "CloneSet" || f["state"] != nil {
			t.Errorf("state: compact %v, full %v", c["state"], f["state"])
		}
		containers := c["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
		if got := fmt.Sprint(containers[0]); got != "map[image:nginx:1.27 name:main]" {
			t.Errorf("compact containers: %s", got)
		}
		if _, ok := c["spec"].(map[string]any)["selector"]; ok {
			t.Error("compact item keeps spec.selector")
		}
		cb, _ := json.Marshal(c)
		fb, _ := json.Marshal(f)
		if len(cb) >= len(fb) {
			t.Errorf("compact item %d bytes against %d for the object", len(cb), len(fb))
		}
	})
	t.Run("bad parameters are 400", func(t *testing.T) {
		var first page
		shared.dash.MustOK(t, http.MethodGet, base+"limit=1", &first)
		for _, query := range []string{"limit=0", "limit=1001", "limit=01", "limit=x", "limit=-1", "sort=age", "state=bogus",
			"labelSelector=" + url.QueryEscape("a in ("), "view=tiny", "continue=%21%21", "q=a&q=b",
			"limit=1&sort=-name&continue=" + url.QueryEscape(first.Continue)} {
			if status, e := shared.dash.Call(t, http.MethodGet, base+query, nil); status != http.StatusBadRequest || e.Code != biz.CodeBadRequest {
				t.Errorf("%s: %d %s %s, want 400", query, status, e.Code, e.Message)
			}
		}
	})
}

func TestConditionalAndCompressedAnswers(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	path := "/api/v1/workload/" + ns + "/cloneset"
	identity := http.Header{"Accept-Encoding": {"identity"}} // Go's client asks for gzip otherwise
	resp, body, err := shared.dash.Response(path, identity)
	must(t, "GET", err)
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || resp.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	resp, again, _ := shared.dash.Response(path, http.Header{"If-None-Match": {etag}, "Accept-Encoding": {"identity"}})
	if resp.StatusCode != http.StatusNotModified || len(again) != 0 {
		t.Errorf("unchanged poll: %d with %d bytes, want 304 and none", resp.StatusCode, len(again))
	}

	resp, zipped, _ := shared.dash.Response(path, http.Header{"Accept-Encoding": {"gzip"}})
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	must(t, "gunzip", err)
	plain, err := io.ReadAll(zr)
	must(t, "gunzip", err)
	if !bytes.Equal(plain, body) || len(zipped) >= len(body) {
		t.Errorf("gzip body: %d bytes unzipping to %d (identity %d), equal %v", len(zipped), len(plain), len(body), bytes.Equal(plain, body))
	}
	if gzTag := resp.Header.Get("ETag"); gzTag == etag {
		t.Errorf("the gzip representation has the identity ETag %s", gzTag)
	} else if resp, _, _ := shared.dash.Response(path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {gzTag}}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("unchanged gzip poll: %d", resp.StatusCode)
	}

	_, err = shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, "cs-1", types.MergePatchType, []byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{})
	must(t, "scale cs-1", err)
	apiclient.Eventually(t, "a changed list to answer 200 with a new ETag", 10*time.Second, func() error {
		resp, _, err := shared.dash.Response(path, http.Header{"If-None-Match": {etag}, "Accept-Encoding": {"identity"}})
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
			return fmt.Errorf("status %d, ETag %s", resp.StatusCode, resp.Header.Get("ETag"))
		}
		return nil
	})
}

func TestSummary(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	var s biz.Summary
	shared.dash.MustOK(t, http.MethodGet, "/summary/"+ns, &s)
	byType := map[string]biz.WorkloadCount{}
	for _, w := range s.Workloads {
		byType[w.Type] = w
	}
	cs := byType["cloneset"]
	if cs.Total != 7 || cs.States["scaledToZero"] != 3 || cs.States["updating"] != 4 || len(cs.States) != 2 {
		t.Errorf("clonesets: %+v", cs)
	}
	namespaced := 0
	for _, ty := range adapterTypes(t) {
		if ty["scope"] == "Namespaced" {
			namespaced++
		}
	}
	if d, ok := byType["deployment"]; !ok || d.Total != 0 || len(s.Workloads) != namespaced {
		t.Errorf("workloads: %+v", s.Workloads)
	}
	if s.Rollouts == nil || s.Rollouts.Total != 0 || len(s.Rollouts.InFlight) != 0 || s.Cluster == nil || s.Namespace != ns {
		t.Errorf("rollouts %+v, cluster %+v, namespace %q", s.Rollouts, s.Cluster, s.Namespace)
	}
	// A release waiting at step 1 of 3 is counted and listed in brief.
	setInRolling(t, createRollout(t, ns, "cs-1-ro", refTo(kruiseV1alpha1, "CloneSet", "cs-1"), canaryStrategy(false)), 1, "StepPaused", false)
	apiclient.Eventually(t, "the release in the summary", 10*time.Second, func() error {
		shared.dash.MustOK(t, http.MethodGet, "/summary/"+ns, &s)
		if r := s.Rollouts; r == nil || r.Total != 1 || r.Active != 1 || r.Waiting != 1 || len(r.InFlight) != 1 {
			return fmt.Errorf("rollouts %+v", r)
		}
		return nil
	})
	if b := s.Rollouts.InFlight[0]; b.Name != "cs-1-ro" || !b.WaitingForApproval || b.CurrentStepIndex != 1 || b.StepCount != 3 || b.Workload.Name != "cs-1" || b.Workload.Type != "cloneset" {
		t.Errorf("in brief: %+v", b)
	}
	_, body := shared.dash.Raw(http.MethodGet, "/api/v1/summary/"+ns, nil)
	if len(body) > 5000 {
		t.Errorf("summary is %d bytes", len(body))
	}
	if status, e := shared.dash.Call(t, http.MethodGet, "/summary/no-such-namespace", nil); status != http.StatusNotFound {
		t.Errorf("missing namespace: %d %s", status, e.Code)
	}
	if status, e := shared.dash.Call(t, http.MethodGet, "/summary/Bad_NS", nil); status != http.StatusBadRequest {
		t.Errorf("bad namespace: %d %s", status, e.Code)
	}
}

func adapterTypes(t *testing.T) []map[string]any {
	var types []map[string]any
	shared.dash.MustOK(t, http.MethodGet, "/workload-types", &types)
	return types
}

// TestLiveStream: a change made on the API server reaches a watching client with its id; a
// client that reconnects with the last id it saw gets what it missed; bad queries are refused.
func TestLiveStream(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	s, err := shared.dash.Watch("namespace="+ns, "")
	must(t, "watch", err)
	defer s.Close()
	ready, err := s.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" })
	must(t, "ready event", err)

	scale := func(name string, replicas int) {
		_, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, name, types.MergePatchType, []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas)), metav1.PatchOptions{})
		must(t, "scale "+name, err)
	}
	changeOf := func(name string) func(apiclient.Event) bool {
		return func(e apiclient.Event) bool {
			var c biz.ObjectChange
			return e.Name == "change" && json.Unmarshal([]byte(e.Data), &c) == nil && c.Name == name && c.Type == "cloneset" && c.Action == "MODIFIED" && c.Namespace == ns
		}
	}
	scale("cs-2", 4)
	sent := time.Now()
	got, err := s.Until(5*time.Second, changeOf("cs-2"))
	must(t, "the change of cs-2", err)
	t.Logf("change delivered %s after the write returned", time.Since(sent))
	if got.ID == "" {
		t.Error("change without an id")
	}

	// Missed while away: resume from the ready event's id replays cs-2's change and nothing of
	// other namespaces.
	s.Close()
	scale("cs-4", 2)
	apiclient.Eventually(t, "cs-4 scaled in the cache", 5*time.Second, func() error {
		var p page
		shared.dash.MustOK(t, http.MethodGet, "/workload/"+ns+"/cloneset?q=cs-4&view=full", &p)
		if p.Items[0]["spec"].(map[string]any)["replicas"] != float64(2) {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	resumed, err := shared.dash.Watch("namespace="+ns+"&type=cloneset", ready.ID)
	must(t, "resume", err)
	defer resumed.Close()
	if _, err := resumed.Until(5*time.Second, changeOf("cs-2")); err != nil {
		t.Errorf("replay of cs-2: %v", err)
	}
	if _, err := resumed.Until(5*time.Second, changeOf("cs-4")); err != nil {
		t.Errorf("replay of cs-4: %v", err)
	}
	if e, err := resumed.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" }); err != nil || e.ID == "" {
		t.Errorf("ready after the replay: %+v %v", e, err)
	}

	for _, query := range []string{"", "namespace=Bad_NS", "namespace=" + ns + "&type=bogus", "namespace=" + ns + "&name=Bad_Name", "namespace=a&namespace=b"} {
		if st, err := shared.dash.Watch(query, ""); err != nil || st.Status != http.StatusBadRequest {
			t.Errorf("watch?%s: %v %d, want 400", query, err, st.Status)
		}
	}
	if st, err := shared.dash.Watch("namespace="+ns, "not-a-number"); err != nil || st.Status != http.StatusBadRequest {
		t.Errorf("a bad Last-Event-ID: %v %d, want 400", err, st.Status)
	}
	if st, err := shared.dash.Watch("namespace=no-such-namespace", ""); err != nil || st.Status != http.StatusNotFound {
		t.Errorf("a missing namespace: %v %d, want 404", err, st.Status)
	}
}

// TestLiveStreamAuthorization: in token mode the stream needs a sign-in, a user never receives a
// change of something they may not list, and asking for it explicitly is 403.
func TestLiveStreamAuthorization(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns, _, _ := signInFixture(t)
	d := startSignedIn(t, "token", t.TempDir()+"/audit.log")
	if st, err := (apiclient.Client{URL: d.URL}).Watch("namespace="+ns, ""); err != nil || st.Status != http.StatusUnauthorized {
		t.Fatalf("anonymous watch: %v %d, want 401", err, st.Status)
	}
	if st, err := as(d, "nobody").Watch("namespace="+ns+"&type=cloneset", ""); err != nil || st.Status != http.StatusForbidden {
		t.Fatalf("nobody watching clonesets: %v %d, want 403", err, st.Status)
	}
	open := func(user string) *apiclient.Stream {
		s, err := as(d, user).Watch("namespace=_all", "")
		must(t, user+" watch", err)
		t.Cleanup(s.Close)
		if _, err := s.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" }); err != nil {
			t.Fatalf("%s: no ready event: %v", user, err)
		}
		return s
	}
	viewer, nobody := open("viewer"), open("nobody")
	_, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, "shop", types.MergePatchType, []byte(`{"spec":{"replicas":4}}`), metav1.PatchOptions{})
	must(t, "scale shop", err)
	if _, err := viewer.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "change" && strings.Contains(e.Data, `"name":"shop"`) }); err != nil {
		t.Fatalf("viewer: %v", err)
	}
	if e, err := nobody.Until(time.Second, func(e apiclient.Event) bool { return e.Name == "change" }); err == nil {
		t.Errorf("nobody received %s", e.Data)
	}
}

// TestUIBundleCompressed: the UI's script goes out gzipped to a browser that accepts it, the
// same bytes once unzipped.
func TestUIBundleCompressed(t *testing.T) {
	skipShort(t)
	_, index := shared.dash.Raw(http.MethodGet, "/", nil)
	start := bytes.Index(index, []byte("/assets/"))
	if start < 0 {
		t.Skip("the UI is not built into this binary (make ui)")
	}
	script := string(index[start : start+bytes.IndexByte(index[start:], '"')])
	resp, plain, err := shared.dash.Response(script, http.Header{"Accept-Encoding": {"identity"}})
	must(t, "GET "+script, err)
	if resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity request answered %q", resp.Header.Get("Content-Encoding"))
	}
	resp, zipped, err := shared.dash.Response(script, http.Header{"Accept-Encoding": {"gzip, br"}})
	must(t, "GET "+script+" gzipped", err)
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	must(t, "gunzip", err)
	unzipped, _ := io.ReadAll(zr)
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(unzipped, plain) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("gzip: %q %q, equal %v", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), bytes.Equal(unzipped, plain))
	}
	t.Logf("%s: %d bytes, %d gzipped", script, len(plain), len(zipped))
}

// TestLiveStreamHeartbeat: an idle stream sends heartbeat events at the interval its ready event
// announces, and a client that reopens the stream resumes with lastEventId in the query.
func TestLiveStreamHeartbeat(t *testing.T) {
	skipShort(t)
	ns := pagesFixture(t)
	d, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Server.WatchHeartbeat = 200 * time.Millisecond })
	must(t, "start dashboard", err)
	defer d.stop()
	s, err := d.Watch("namespace="+ns, "")
	must(t, "watch", err)
	defer s.Close()
	ready, err := s.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" })
	must(t, "ready", err)
	if !strings.Contains(ready.Data, `"heartbeatMs":200`) {
		t.Errorf("ready %s", ready.Data)
	}
	if _, err := s.Until(2*time.Second, func(e apiclient.Event) bool { return e.Name == "heartbeat" }); err != nil {
		t.Errorf("no heartbeat event: %v", err)
	}
	_, err = shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, "cs-3", types.MergePatchType, []byte(`{"spec":{"replicas":7}}`), metav1.PatchOptions{})
	must(t, "scale cs-3", err)
	if _, err := s.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "change" && strings.Contains(e.Data, `"cs-3"`) }); err != nil {
		t.Fatal(err)
	}
	reopened, err := d.Watch("namespace="+ns+"&lastEventId="+ready.ID, "")
	must(t, "reopen", err)
	defer reopened.Close()
	if _, err := reopened.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "change" && strings.Contains(e.Data, `"cs-3"`) }); err != nil {
		t.Errorf("no replay from lastEventId: %v", err)
	}
}
