package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
)

// TestUI drives the web UI in headless Chromium against the dashboard binary and the live
// cluster: overview, namespace picker, scaling a CloneSet, approving a Rollout's waiting step
// (the real controller moves on), a change made with kubectl arriving over the live stream, an
// error with its trace id, and the language switch. The
// browser script is app/web/e2e/ui.test.mjs; its screenshots go to test-artifacts/ui.
func TestUI(t *testing.T) {
	skipShort(t)
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	web := filepath.Join(root, "app", "web")
	if _, err := os.Stat(filepath.Join(web, "dist", "index.html")); err != nil {
		t.Fatal("the web UI is not built (app/web/dist/index.html missing): run `make ui` (make test does)")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Fatal("Chromium is not installed at /usr/bin/chromium: run `make browser` (make test does)")
	}
	ns := newNamespace(t, "e2e-ui")
	createCloneSet(t, ns, "catalog", 2, kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	cloneSetUnderRollout(t, ns, "shop", kruiseappsv1alpha1.RecreateCloneSetUpdateStrategyType)
	setCloneSetImage(t, ns, "shop", "nginx:1.28")
	waitStatus(t, ns, "shop", "the release waiting at step 1", 2*time.Minute, waitingAt(1))

	shots := filepath.Join(root, "test-artifacts", "ui")
	cmd := exec.Command("node", "--test", "--test-reporter=spec", "e2e/ui.test.mjs")
	cmd.Dir = web
	// KUBECONFIG: the live cluster's, for the change the browser test makes behind the dashboard's back.
	cmd.Env = append(os.Environ(), "DASHBOARD_URL="+env.dash.URL, "UI_NAMESPACE="+ns, "SCREENSHOT_DIR="+shots, "KUBECONFIG="+env.cluster.Kubeconfig)
	out, err := cmd.CombinedOutput()
	t.Logf("browser tests:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v (screenshots in %s)", err, shots)
	}
}
