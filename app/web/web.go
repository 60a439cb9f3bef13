// Package web embeds the built single-page app (app/web/dist, made by `make ui`) and serves it.
package web

import (
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/kruise-dashboard/kruise-dashboard/app/compress"
)

// assets keeps the UI's files compressed, each once (at the best level: they never change).
var assets = compress.NewCache(gzip.BestCompression, 32<<20)

//go:embed all:dist
var dist embed.FS

// SPA serves the app's files, and index.html for any other GET outside /api/ so that deep links
// to UI routes reload. Everything else (API paths, other methods) goes to fallback.
func SPA(fallback http.Handler) http.Handler {
	files, _ := fs.Sub(dist, "dist")
	index, err := fs.ReadFile(files, "index.html")
	static := http.FileServer(http.FS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || strings.HasPrefix(r.URL.Path, "/api/") {
			fallback.ServeHTTP(w, r)
			return
		}
		if err != nil {
			http.Error(w, "the web UI is not built into this binary: run `make build`", http.StatusServiceUnavailable)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			// Regular files only: a directory would be listed.
			if info, err := fs.Stat(files, name); err == nil && !info.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // hashed names
				}
				w.Header().Add("Vary", "Accept-Encoding")
				if compress.Accepts(r) && compressible(name) {
					serveGzip(w, r, files, name)
					return
				}
				static.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}

// compressible are the text files of the bundle (images and fonts are compressed already).
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".js", ".css", ".html", ".svg", ".json", ".map", ".txt":
		return true
	}
	return false
}

func serveGzip(w http.ResponseWriter, r *http.Request, files fs.FS, name string) {
	body, err := fs.ReadFile(files, name)
	if err != nil {
		http.Error(w, "read "+name, http.StatusInternalServerError)
		return
	}
	z := assets.Get(name, body)
	h := w.Header()
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(z)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(z)
}
