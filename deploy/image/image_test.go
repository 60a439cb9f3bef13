package main

import (
	"archive/tar"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// work holds what the package's tests share: the image built once, and the runtimes' state.
var work string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kd-image-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	work = dir
	code := m.Run()
	cleanUpRuntimes()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "remove", dir+":", err)
	}
	os.Exit(code)
}

var built struct {
	once     sync.Once
	bin, tar string
	err      error
}

// builtImage builds the dashboard statically and its image, once for all the package's tests,
// and returns the binary's and the image tarball's paths.
func builtImage(t *testing.T) (bin, tarball string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the dashboard binary")
	}
	built.once.Do(func() {
		built.bin, built.tar = filepath.Join(work, "kruise-dashboard"), filepath.Join(work, "image.tar")
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", built.bin, "../../app")
		build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
		if out, err := build.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("build: %v\n%s", err, out)
			return
		}
		built.err = build_(built.bin, built.tar)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin, built.tar
}

// TestImage inspects the image's tarball as a runtime would read it: the entrypoint, a non-root
// user, exactly the three files, OCI media types throughout.
func TestImage(t *testing.T) {
	bin, out := builtImage(t)
	static(t, bin)

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
	if m, err := img.Manifest(); err != nil || m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || m.Layers[0].MediaType != types.OCILayer {
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
