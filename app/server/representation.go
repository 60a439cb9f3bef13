package server

import (
	"compress/gzip"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/kruise-dashboard/kruise-dashboard/app/compress"
)

// minGzip is the smallest body worth compressing.
const minGzip = 1 << 10

// writeRepresentation writes a successful JSON body, given in parts with a hash that identifies
// it. A GET (or HEAD) gets a strong ETag from the hash (the gzip representation has its own) and
// answers 304 when the client has it already; a client that accepts gzip gets bodies of 1 KiB or
// more compressed, each distinct body compressed once (an unchanged list polled by many clients
// costs one compression). HEAD gets the same headers: net/http drops the body.
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
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		tag := strconv.FormatUint(sum, 36)
		etag := `"` + tag + `"`
		if zip {
			etag = `"` + tag + `-gz"`
		}
		h.Set("ETag", etag)
		h.Set("Cache-Control", cacheControl(r.Context()))
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

type storableKey struct{}

// allowStore marks the requests whose successful API answers the browser may keep, revalidating
// them on every use: in mode none only, where the dashboard serves one person on loopback. In a
// sign-in mode nothing the API answers is stored (someone else may use the machine next); the UI
// keeps answers in memory and revalidates them itself.
func allowStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), storableKey{}, true)))
	})
}

// cacheControl is a successful read's Cache-Control: revalidated on every use where allowStore
// marked the request, never stored otherwise.
func cacheControl(ctx context.Context) string {
	if ok, _ := ctx.Value(storableKey{}).(bool); ok {
		return "private, no-cache"
	}
	return "no-store"
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
