// Command image builds the dashboard's container image without a Docker engine: the static
// binary, its configuration and the CA certificates appended as one layer to an empty base, run
// as a non-root user, written as an OCI image layout in a tar file (`podman load`, `skopeo copy
// oci-archive:`, `ctr image import`, Docker 25+ `docker load` take it).
//
//	go run ./deploy/image -binary bin/kruise-dashboard-linux -out bin/kruise-dashboard-image.tar -tag kruise-dashboard:dev
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where things are in the image, and who runs it (the distroless "nonroot" user's ids).
const (
	BinaryPath = "/kruise-dashboard"
	ConfigPath = "/etc/kruise-dashboard/config.yaml"
	CertsPath  = "/etc/ssl/certs/ca-certificates.crt"
	User       = "65532:65532"
)

func main() {
	binary := flag.String("binary", "bin/kruise-dashboard-linux", "the static dashboard binary (CGO_ENABLED=0, GOOS=linux)")
	config := flag.String("config", "configs/config.yaml", "the configuration to put at "+ConfigPath)
	certs := flag.String("certs", "/etc/ssl/certs/ca-certificates.crt", "the CA certificates to put at "+CertsPath)
	out := flag.String("out", "bin/kruise-dashboard-image.tar", "the image tarball to write")
	tag := flag.String("tag", "kruise-dashboard:dev", "the image's name in the tarball")
	version := flag.String("version", "dev", "the version label")
	flag.Parse()
	if err := build(*binary, *config, *certs, *out, *tag, *version); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func build(binary, config, certs, out, tag, version string) error {
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("tag %q: %w", tag, err)
	}
	img, err := Image(binary, config, certs, version)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kd-image-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	// The name the runtimes import it as.
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref.String()})); err != nil {
		return err
	}
	return tarDir(dir, out)
}

// tarDir writes the folder's files into a tar file, paths relative to it.
func tarDir(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name, h.ModTime = filepath.ToSlash(rel), time.Unix(0, 0)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = tw.Write(body)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Image is the dashboard's image from the files given.
func Image(binary, config, certs, version string) (v1.Image, error) {
	layer, err := filesLayer([]file{
		{path: BinaryPath, src: binary, mode: 0o555},
		{path: ConfigPath, src: config, mode: 0o444},
		{path: CertsPath, src: certs, mode: 0o444},
	})
	if err != nil {
		return nil, err
	}
	// OCI throughout: an OCI manifest whose config keeps empty.Image's Docker media type is an
	// "artifact" to podman and skopeo, which refuse to load it.
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Entrypoint = []string{BinaryPath, "-conf", ConfigPath}
	cfg.Config.User = User
	cfg.Config.WorkingDir = "/"
	cfg.Config.Env = []string{"SSL_CERT_FILE=" + CertsPath}
	cfg.Config.ExposedPorts = map[string]struct{}{"8080/tcp": {}, "9464/tcp": {}}
	cfg.Config.Labels = map[string]string{"org.opencontainers.image.title": "kruise-dashboard", "org.opencontainers.image.version": version}
	return mutate.ConfigFile(img, cfg)
}

type file struct {
	path, src string
	mode      int64
}

// filesLayer is one layer holding the files, with their parent folders, owned by root and
// readable (not writable) by the user the image runs as.
func filesLayer(files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	epoch := time.Unix(0, 0) // reproducible
	for _, f := range files {
		for _, d := range parents(f.path) {
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d[1:] + "/", Mode: 0o755, ModTime: epoch}); err != nil {
					return nil, err
				}
			}
		}
		body, err := os.ReadFile(f.src)
		if err != nil {
			return nil, fmt.Errorf("read %s for %s: %w", f.src, f.path, err)
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.path[1:], Mode: f.mode, Size: int64(len(body)), ModTime: epoch}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }, tarball.WithMediaType(types.OCILayer))
}

// parents are the folders above p, outermost first ("/etc", "/etc/ssl", …).
func parents(p string) []string {
	var out []string
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}
