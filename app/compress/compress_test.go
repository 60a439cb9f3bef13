package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAccepts(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "gzip, deflate, br": true, "br;q=1.0, GZIP;q=0.5": true,
		"gzip;q=0": false, "gzip;q=0.0": false, "identity": false, "deflate": false, "x-gzip": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := Accepts(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}

func TestCache(t *testing.T) {
	c := NewCache(gzip.BestSpeed, 1000)
	body := bytes.Repeat([]byte("kruise "), 100)
	z := c.Get("a", body)
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, body) {
		t.Error("round trip differs")
	}
	if again := c.Get("a", nil); !bytes.Equal(again, z) {
		t.Error("the second Get compressed again instead of using the cache")
	}
	for i := 0; i < 100; i++ {
		c.Get(i, bytes.Repeat([]byte{byte(i)}, 500))
	}
	if c.size > c.limit || len(c.byKey) != len(c.order) {
		t.Errorf("size %d over limit %d, %d entries, %d in order", c.size, c.limit, len(c.byKey), len(c.order))
	}
	if _, ok := c.byKey[99]; !ok {
		t.Error("the newest entry was evicted")
	}
}
