package server

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// minGzip is the smallest body worth compressing.
const minGzip = 1 << 10

// writeRepresentation writes a successful JSON body. A GET gets a strong ETag (a hash of the
// body; the gzip representation has its own) and answers 304 when the client has it already;
// a client that accepts gzip gets bodies of 1 KiB or more compressed, each distinct body
// compressed once (an unchanged list polled by many clients costs one compression).
func writeRepresentation(w http.ResponseWriter, r *http.Request, body []byte) error {
	h := w.Header()
	zip := len(body) >= minGzip && acceptsGzip(r)
	if len(body) >= minGzip {
		h.Add("Vary", "Accept-Encoding")
	}
	sum := xxhash.Sum64(body)
	if r.Method == http.MethodGet {
		tag := strconv.FormatUint(sum, 36)
		etag := `"` + tag + `"`
		if zip {
			etag = `"` + tag + `-gz"`
		}
		h.Set("ETag", etag)
		// Revalidated on every use: the browser may keep the answer but must ask first.
		h.Set("Cache-Control", "private, no-cache")
		if notModified(r.Header.Get("If-None-Match"), tag) {
			w.WriteHeader(http.StatusNotModified)
			_, _ = w.Write(nil) // Kratos' writer sends the status with the first write
			return nil
		}
	}
	if zip {
		body = compressed.get(sum, body)
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, err := w.Write(body)
	return err
}

// notModified reports whether If-None-Match names either representation of tag.
func notModified(ifNoneMatch, tag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == `"`+tag+`"` || t == `"`+tag+`-gz"` {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		// "gzip;q=0" says no.
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// gzipCache keeps the compressed form of recent bodies by hash, bounded in bytes (oldest out).
type gzipCache struct {
	mu    sync.Mutex
	byKey map[uint64][]byte
	order []uint64
	size  int
	limit int
}

var compressed = &gzipCache{byKey: map[uint64][]byte{}, limit: 64 << 20}

func (c *gzipCache) get(sum uint64, body []byte) []byte {
	c.mu.Lock()
	z, ok := c.byKey[sum]
	c.mu.Unlock()
	if ok {
		return z
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the level is valid
	_, _ = zw.Write(body)                              // a bytes.Buffer does not fail
	_ = zw.Close()
	z = buf.Bytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[sum]; !ok && len(z) <= c.limit {
		c.byKey[sum] = z
		c.order = append(c.order, sum)
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
