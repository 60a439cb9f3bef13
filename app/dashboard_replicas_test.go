package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestReplicaKilledMidStream: two replicas behind a loopback proxy; a stream from one that is
// killed costs its client a reconnect: the other replica, which cannot know what was missed,
// says reset, and the changes after it arrive from there.
func TestReplicaKilledMidStream(t *testing.T) {
	skipShort(t)
	setUpRoles(t)
	ns := pagesFixture(t)
	a := startSignedIn(t, "token", filepath.Join(t.TempDir(), "a.log"))
	b := startSignedIn(t, "token", filepath.Join(t.TempDir(), "b.log"))
	var target atomic.Value
	target.Store(a.URL)
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			u, _ := url.Parse(target.Load().(string))
			r.SetURL(u)
			r.Out.Host = u.Host // the replicas know their loopback names, not the proxy's
		},
		FlushInterval: -1, // events as they come
	})
	defer proxy.Close()
	viewer := as(&dashboard{Client: apiclient.Client{URL: proxy.URL}}, "viewer")

	s, err := viewer.Watch("namespace="+ns, "")
	must(t, "watch through the proxy", err)
	ready, err := s.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" })
	must(t, "ready from the first replica", err)
	a.stop() // killed mid-stream: its shutdown ends the stream
	if _, err := s.Until(10*time.Second, func(e apiclient.Event) bool { return false }); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Fatalf("the stream did not end with its replica: %v", err)
	}
	s.Close()
	target.Store(b.URL)

	// What EventSource does next: reconnect with the last id it saw.
	again, err := viewer.Watch("namespace="+ns, ready.ID)
	must(t, "reconnect", err)
	defer again.Close()
	if again.Status != http.StatusOK {
		t.Fatalf("reconnect: %d", again.Status)
	}
	first, err := again.Next(5 * time.Second)
	if err != nil || first.Name != "reset" {
		t.Errorf("first event from the other replica: %+v %v, want reset", first, err)
	}
	_, err = shared.kruise.AppsV1alpha1().CloneSets(ns).Patch(ctx, "cs-5", types.MergePatchType, []byte(`{"spec":{"replicas":6}}`), metav1.PatchOptions{})
	must(t, "scale cs-5", err)
	if _, err := again.Until(5*time.Second, func(e apiclient.Event) bool { return e.Name == "change" && strings.Contains(e.Data, `"cs-5"`) }); err != nil {
		t.Errorf("a change after the reconnect: %v", err)
	}
}
