package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNotModified(t *testing.T) {
	for header, want := range map[string]bool{
		`"abc"`: true, `"abc-gz"`: true, `W/"abc"`: true, `"x", "abc"`: true, `*`: true,
		`"ab"`: false, `"abcd"`: false, ``: false, `abc`: false,
	} {
		if got := notModified(header, "abc"); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}

func TestWriteRepresentation(t *testing.T) {
	body := []byte(`{"data":"` + strings.Repeat("x", 4000) + `"}`)
	get := func(header http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
		r.Header = header
		w := httptest.NewRecorder()
		if err := writeRepresentation(w, r, 42, body); err != nil {
			t.Fatal(err)
		}
		return w
	}
	plain := get(http.Header{})
	etag := plain.Header().Get("ETag")
	if plain.Code != 200 || !bytes.Equal(plain.Body.Bytes(), body) || etag == "" {
		t.Fatalf("identity: %d, ETag %q", plain.Code, etag)
	}
	if w := get(http.Header{"If-None-Match": {etag}}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes", w.Code, w.Body.Len())
	}
	zipped := get(http.Header{"Accept-Encoding": {"gzip"}})
	first := bytes.Clone(zipped.Body.Bytes())
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if zipped.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(unzipped, body) || zipped.Header().Get("ETag") == etag {
		t.Errorf("gzip: encoding %q, ETag %q, round trip %v", zipped.Header().Get("Content-Encoding"), zipped.Header().Get("ETag"), bytes.Equal(unzipped, body))
	}
	if again := get(http.Header{"Accept-Encoding": {"gzip"}}); !bytes.Equal(again.Body.Bytes(), first) {
		t.Error("the second gzip answer differs from the first (not from the cache)")
	}
	small := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	_ = writeRepresentation(small, r, 7, []byte(`{"data":1}`))
	if small.Header().Get("Content-Encoding") != "" {
		t.Error("a 10-byte answer was compressed")
	}
}

// TestCacheControl: a successful read is never stored unless allowStore marked the request (mode
// none); HEAD gets GET's validators.
func TestCacheControl(t *testing.T) {
	for _, c := range []struct {
		method string
		store  bool
		want   string
	}{
		{http.MethodGet, false, "no-store"},
		{http.MethodHead, false, "no-store"},
		{http.MethodGet, true, "private, no-cache"},
	} {
		w := httptest.NewRecorder()
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = writeRepresentation(w, r, 42, []byte(`{"data":1}`)) })
		if c.store {
			h = allowStore(h)
		}
		h.ServeHTTP(w, httptest.NewRequest(c.method, "/api/v1/x", nil))
		if got := w.Header().Get("Cache-Control"); got != c.want || w.Header().Get("ETag") == "" {
			t.Errorf("%s, store %v: Cache-Control %q, ETag %q; want %q and an ETag", c.method, c.store, got, w.Header().Get("ETag"), c.want)
		}
	}
}
