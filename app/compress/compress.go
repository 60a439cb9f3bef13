// Package compress negotiates gzip and keeps the compressed form of bodies served many times
// (list answers polled by every open tab, the UI's bundle), so each is compressed once.
package compress

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Accepts reports whether the client takes gzip ("gzip;q=0" says no).
func Accepts(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// Cache keeps compressed bodies by a key (a hash of the body, or a file name), bounded in bytes:
// the oldest go first.
type Cache struct {
	level int
	mu    sync.Mutex
	byKey map[any][]byte
	order []any
	size  int
	limit int
}

// NewCache builds a cache of at most limit compressed bytes at a gzip level.
func NewCache(level, limit int) *Cache {
	return &Cache{level: level, byKey: map[any][]byte{}, limit: limit}
}

// Get returns the body (given in parts) compressed, from the cache when key was compressed
// before.
func (c *Cache) Get(key any, parts ...[]byte) []byte {
	c.mu.Lock()
	z, ok := c.byKey[key]
	c.mu.Unlock()
	if ok {
		return z
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, c.level)
	if err != nil {
		zw = gzip.NewWriter(&buf)
	}
	for _, p := range parts {
		_, _ = zw.Write(p) // a bytes.Buffer does not fail
	}
	_ = zw.Close()
	z = buf.Bytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; !ok && len(z) <= c.limit {
		c.byKey[key] = z
		c.order = append(c.order, key)
		c.size += len(z)
		for c.size > c.limit {
			oldest := c.order[0]
			c.order = c.order[1:]
			c.size -= len(c.byKey[oldest])
			delete(c.byKey, oldest)
		}
	}
	return z
}
