package server

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"

	"github.com/kruise-dashboard/kruise-dashboard/app/compress"
)

// minGzip is the smallest body worth compressing.
const minGzip = 1 << 10

// writeRepresentation writes a successful JSON body, given in parts with a hash that identifies
// it. A GET gets a strong ETag from the hash (the gzip representation has its own) and answers
// 304 when the client has it already; a client that accepts gzip gets bodies of 1 KiB or more
// compressed, each distinct body compressed once (an unchanged list polled by many clients costs
// one compression).
func writeRepresentation(w http.ResponseWriter, r *http.Request, sum uint64, parts ...[]byte) error {
	h := w.Header()
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	zip := size >= minGzip && compress.Accepts(r)
	if size >= minGzip {
		h.Add("Vary", "Accept-Encoding")
	}
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
		parts = [][]byte{compressed.Get(sum, parts...)}
		h.Set("Content-Encoding", "gzip")
		size = len(parts[0])
	}
	h.Set("Content-Length", strconv.Itoa(size))
	out := w
	for i, p := range parts {
		if _, err := out.Write(p); err != nil {
			// The status is sent: the client went away, and an error body could not follow.
			return nil
		}
		// Kratos' writer sends the status again on every write: the rest go to the one inside.
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok && i == 0 {
			out = u.Unwrap()
		}
	}
	return nil
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

// compressed keeps the gzip form of recent answers by body hash.
var compressed = compress.NewCache(gzip.BestSpeed, 64<<20)
