package typesource

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// TestDirSumSeesASymlinkSwap: the kubelet updates a mounted ConfigMap by pointing ..data at a new
// folder; the files' names and links stay, only what they lead to changes.
func TestDirSumSeesASymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	write := func(version, body string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Join(dir, version), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, version, "a.yaml"), []byte(body), 0o644))
		must(t, os.Symlink(version, filepath.Join(dir, "..tmp")))
		must(t, os.Rename(filepath.Join(dir, "..tmp"), filepath.Join(dir, "..data")))
	}
	write("..v1", "type: a")
	must(t, os.Symlink("..data/a.yaml", filepath.Join(dir, "a.yaml")))
	first := dirSum(dir)
	for _, c := range []struct {
		name    string
		change  func()
		changed bool
	}{
		{"nothing", func() {}, false},
		{"a file that is no declaration", func() { must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)) }, false},
		{"the ..data swap", func() { write("..v2", "type: b") }, true},
	} {
		c.change()
		if got := dirSum(dir) != first; got != c.changed {
			t.Errorf("%s: changed %v, want %v", c.name, got, c.changed)
		}
	}
	if dirSum("") != "" || dirSum(filepath.Join(dir, "missing")) == first {
		t.Error("no folder, or an unreadable one, must not read as the folder")
	}
}

func TestRefusalOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want registry.Refusal
	}{
		{errors.New("types/a.yaml: columns[0].expression: invalid CEL"), registry.Refusal{File: "types/a.yaml", Reason: "columns[0].expression: invalid CEL"}},
		{errors.New("no file named"), registry.Refusal{Reason: "no file named"}},
	} {
		if got := refusalOf(c.err); got != c.want {
			t.Errorf("refusalOf(%v) = %+v, want %+v", c.err, got, c.want)
		}
	}
	if got := unjoin(errors.Join(errors.New("a"), errors.Join(errors.New("b"), errors.New("c")))); len(got) != 3 {
		t.Errorf("unjoin gave %d errors, want 3", len(got))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
