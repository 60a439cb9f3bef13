package main

import (
	"archive/tar"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestImage builds the dashboard statically, builds its image, and inspects the tarball as a
// runtime would read it: the entrypoint, a non-root user, and exactly the three files.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dashboard binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kruise-dashboard")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "../../app")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	static(t, bin)
	out := filepath.Join(dir, "image.tar")
	if err := build_(bin, out); err != nil {
		t.Fatal(err)
	}

	img := readLayout(t, out)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Config
	if !slices.Equal(c.Entrypoint, []string{BinaryPath, "-conf", ConfigPath}) || c.User != User || strings.HasPrefix(c.User, "0") || cfg.OS != "linux" {
		t.Errorf("config: entrypoint %v, user %q, os %q", c.Entrypoint, c.User, cfg.OS)
	}
	if !slices.Contains(c.Env, "SSL_CERT_FILE="+CertsPath) {
		t.Errorf("env %v", c.Env)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers, %v: want one on an empty base", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			files["/"+h.Name] = h.Mode
			if h.Uid != 0 || h.Mode&0o222 != 0 {
				t.Errorf("%s: uid %d mode %o: the user it runs as must not be able to change it", h.Name, h.Uid, h.Mode)
			}
		}
	}
	if len(files) != 3 || files[BinaryPath]&0o111 == 0 || files[ConfigPath] == 0 || files[CertsPath] == 0 {
		t.Errorf("files %v", files)
	}
	if m, err := img.Manifest(); err != nil || m.MediaType != types.OCIManifestSchema1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("manifest %+v %v: want OCI media types", m, err)
	}
}

// readLayout unpacks the tar file and reads its OCI layout's one image, checking its name.
func readLayout(t *testing.T, archive string) v1.Image {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			must(t, os.MkdirAll(p, 0o755))
			continue
		}
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		body, err := io.ReadAll(tr)
		must(t, err)
		must(t, os.WriteFile(p, body, 0o644))
	}
	idx, err := layout.ImageIndexFromPath(dir)
	must(t, err)
	m, err := idx.IndexManifest()
	must(t, err)
	if len(m.Manifests) != 1 || m.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "kruise-dashboard:test" {
		t.Fatalf("index %+v", m.Manifests)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	must(t, err)
	return img
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// build_ builds the image from the checkout's config and the machine's CA bundle.
func build_(bin, out string) error {
	return build(bin, "../../configs/config.yaml", "/etc/ssl/certs/ca-certificates.crt", out, "kruise-dashboard:test", "test")
}

// static fails unless the binary needs no dynamic loader (it runs on an empty base).
func static(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary asks for a dynamic loader")
		}
	}
}
