package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestKubectlPlugin: the binary installed as kubectl-kruise_dashboard starts through
// `kubectl kruise-dashboard` with the kubeconfig's current context, serves on 127.0.0.1, and
// stops on Ctrl-C.
func TestKubectlPlugin(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, PluginName), ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	addr, err := apiclient.FreeAddr()
	must(t, "free address", err)
	port := addr[strings.LastIndex(addr, ":")+1:]
	cmd := exec.Command("kubectl", "kruise-dashboard", "--no-browser", "--port", port)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "KUBECONFIG="+shared.cluster.Kubeconfig, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	must(t, "start kubectl kruise-dashboard", cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	client := apiclient.Client{URL: "http://127.0.0.1:" + port}
	apiclient.Eventually(t, "the plugin's dashboard ready", time.Minute, func() error {
		if status, body := client.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: string(body) + out.String()}
		}
		return nil
	})
	var names []string
	client.MustOK(t, http.MethodGet, "/namespaces", &names)
	if len(names) == 0 || !strings.Contains(out.String(), "on http://127.0.0.1:"+port) || !strings.Contains(out.String(), `context "`) {
		t.Errorf("namespaces %v, output %q", names, out.String())
	}
	must(t, "Ctrl-C", cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopped with %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after Ctrl-C\n%s", out.String())
	}
}

func TestPluginContexts(t *testing.T) {
	for _, c := range []struct {
		list   string
		all    bool
		home   string
		others []string
	}{
		{"", false, "", nil},
		{"a", false, "a", []string{}},
		{"a,b, c", false, "a", []string{"b", "c"}},
		{"", true, "", []string{"*"}},
		{"a,b", true, "a", []string{"*"}},
		{" , ", false, "", nil},
	} {
		home, others := pluginContexts(c.list, c.all)
		if home != c.home || len(others) != len(c.others) || (len(others) > 0 && !reflect.DeepEqual(others, c.others)) {
			t.Errorf("pluginContexts(%q, %v) = %q %v, want %q %v", c.list, c.all, home, others, c.home, c.others)
		}
	}
}
