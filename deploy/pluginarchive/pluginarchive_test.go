package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestRelease builds the plugin for this machine, packs it, and reads the result as an installer
// would: one executable named kubectl-kruise_dashboard, its archive's checksum in SHA256SUMS and
// in the krew manifest, and the extracted binary the one that was built.
func TestRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dashboard binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "build", Binary)
	if out, err := exec.Command("go", "build", "-o", bin, "../../app").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	platform := runtime.GOOS + "-" + runtime.GOARCH
	out := filepath.Join(dir, "release")
	if err := release("1.2.3", out, map[string]string{platform: bin}); err != nil {
		t.Fatal(err)
	}
	name := "kubectl-kruise_dashboard_1.2.3_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	data, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(data)
	sum := hex.EncodeToString(digest[:])

	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil || string(sums) != sum+"  "+name+"\n" {
		t.Errorf("SHA256SUMS %q (%v), want %s for %s", sums, err, sum, name)
	}

	f, _ := os.Open(filepath.Join(out, name))
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Name != Binary || hdr.Mode != 0o755 || hdr.Typeflag != tar.TypeReg {
		t.Errorf("archive entry %s mode %o type %c, want %s 755 regular", hdr.Name, hdr.Mode, hdr.Typeflag, Binary)
	}
	packed, _ := io.ReadAll(tr)
	built, _ := os.ReadFile(bin)
	if string(packed) != string(built) {
		t.Error("the archived binary is not the built one")
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("more than the binary in the archive: %v", err)
	}

	var manifest struct {
		Kind string
		Spec struct {
			Version   string
			Platforms []struct {
				Selector         struct{ MatchLabels map[string]string }
				URI, Sha256, Bin string
			}
		}
	}
	raw, err := os.ReadFile(filepath.Join(out, "kruise-dashboard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Kind != "Plugin" || manifest.Spec.Version != "v1.2.3" || len(manifest.Spec.Platforms) != 1 {
		t.Fatalf("krew manifest %+v", manifest)
	}
	p := manifest.Spec.Platforms[0]
	if p.Sha256 != sum || p.Bin != Binary || !strings.HasSuffix(p.URI, "/v1.2.3/"+name) ||
		p.Selector.MatchLabels["os"] != runtime.GOOS || p.Selector.MatchLabels["arch"] != runtime.GOARCH {
		t.Errorf("krew platform %+v, want sha %s for %s", p, sum, name)
	}
}
