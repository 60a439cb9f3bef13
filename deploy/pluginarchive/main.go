// Command pluginarchive packs the kubectl plugin for each platform: an archive
// kubectl-kruise_dashboard_<version>_<os>_<arch>.tar.gz holding the binary under the name kubectl
// looks for, with SHA256SUMS and a krew manifest, so the plugin installs from a download
// (`tar xzf … -C ~/.local/bin`) or with `kubectl krew install --manifest=… --archive=…`.
//
//	go run ./deploy/pluginarchive -version 0.1.0 -out bin/plugin-archives linux-amd64=bin/plugin-archives/linux-amd64/kubectl-kruise_dashboard …
package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Binary is the plugin's file name: kubectl runs `kubectl kruise-dashboard` from it.
const Binary = "kubectl-kruise_dashboard"

// Download is where the archives of a tagged release are published.
const Download = "https://github.com/kruise-dashboard/kruise-dashboard/releases/download"

func main() {
	version := flag.String("version", "dev", "the release version (without v)")
	out := flag.String("out", "bin/plugin-archives", "where to write the archives, SHA256SUMS and the krew manifest")
	flag.Parse()
	builds := map[string]string{}
	for _, arg := range flag.Args() {
		platform, path, ok := strings.Cut(arg, "=")
		if !ok || !strings.Contains(platform, "-") {
			fmt.Fprintf(os.Stderr, "release: %q is not <os>-<arch>=<binary>\n", arg)
			os.Exit(2)
		}
		builds[platform] = path
	}
	if err := release(*version, *out, builds); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// release writes one archive per platform ("linux-amd64" → binary path), SHA256SUMS, and the
// krew manifest kruise-dashboard.yaml.
func release(version, out string, builds map[string]string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	platforms := make([]string, 0, len(builds))
	for p := range builds {
		platforms = append(platforms, p)
	}
	sort.Strings(platforms)
	var sums strings.Builder
	var entries []any
	for _, p := range platforms {
		goos, goarch, _ := strings.Cut(p, "-")
		name := fmt.Sprintf("%s_%s_%s_%s.tar.gz", Binary, version, goos, goarch)
		sum, err := archive(builds[p], filepath.Join(out, name))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, name)
		entries = append(entries, map[string]any{
			"selector": map[string]any{"matchLabels": map[string]string{"os": goos, "arch": goarch}},
			"uri":      fmt.Sprintf("%s/v%s/%s", Download, version, name),
			"sha256":   sum,
			"bin":      Binary,
		})
	}
	if err := os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		return err
	}
	manifest, err := yaml.Marshal(map[string]any{
		"apiVersion": "krew.googlecontainertools.github.com/v1alpha2",
		"kind":       "Plugin",
		"metadata":   map[string]any{"name": "kruise-dashboard"},
		"spec": map[string]any{
			"version":          "v" + version,
			"homepage":         "https://github.com/kruise-dashboard/kruise-dashboard",
			"shortDescription": "Dashboard for OpenKruise workloads and Kruise Rollouts",
			"description":      "Serves the Kruise Dashboard for the current kubeconfig context on 127.0.0.1 and opens the browser; Ctrl-C stops it. It acts as your kubeconfig's identity and refuses cross-site writes.",
			"platforms":        entries,
		},
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "kruise-dashboard.yaml"), manifest, 0o644)
}

// archive writes the binary as the archive's only file, executable, with fixed owner and time
// (the same binary gives the same archive), and returns the archive's SHA-256.
func archive(binary, path string) (string, error) {
	in, err := os.Open(binary)
	if err != nil {
		return "", err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return "", err
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	zw := gzip.NewWriter(io.MultiWriter(f, h))
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{Name: Binary, Mode: 0o755, Size: st.Size(), ModTime: time.Unix(0, 0).UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return "", err
	}
	if _, err := io.Copy(tw, in); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}
