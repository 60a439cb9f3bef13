package localcluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// InstallCRDs applies the upstream CRDs of OpenKruise and Kruise Rollout, at the versions in
// versions.sh, rendered with `kubectl kustomize` from the Go module cache (the kustomization adds
// the conversion settings the bare bases lack), and the Gateway API's HTTPRoute CRD (the Rollout
// controller routes traffic by editing HTTPRoutes), and waits until they are established.
func InstallCRDs(ctx context.Context, kubeconfig string) error {
	v := versions()
	for _, mod := range [][2]string{{v["KRUISE_MODULE"], v["KRUISE_VERSION"]}, {v["ROLLOUTS_MODULE"], v["ROLLOUTS_VERSION"]}} {
		rendered, err := renderCRDs(ctx, mod[0], mod[1])
		if err != nil {
			return err
		}
		if _, err := runCmd(ctx, "", "kubectl", "--kubeconfig", kubeconfig, "apply", "--server-side", "-f", rendered); err != nil {
			return fmt.Errorf("apply CRDs of %s@%s: %w", mod[0], mod[1], err)
		}
	}
	gateway, err := moduleDir(ctx, v["GATEWAY_API_MODULE"], v["GATEWAY_API_VERSION"])
	if err != nil {
		return err
	}
	httpRoutes := filepath.Join(gateway, "config", "crd", "standard", "gateway.networking.k8s.io_httproutes.yaml")
	if _, err := runCmd(ctx, "", "kubectl", "--kubeconfig", kubeconfig, "apply", "--server-side", "-f", httpRoutes); err != nil {
		return fmt.Errorf("apply the HTTPRoute CRD of %s@%s: %w", v["GATEWAY_API_MODULE"], v["GATEWAY_API_VERSION"], err)
	}
	// kubectl wait fails at once on a CRD whose status has no conditions yet (seen in a CI run,
	// right after the apply): try again a few times.
	for attempt := 0; attempt < 10; attempt++ {
		if _, err = runCmd(ctx, "", "kubectl", "--kubeconfig", kubeconfig, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for CRDs: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("wait for CRDs: %w", err)
}

// RolloutCRDs returns the path of the rendered Kruise Rollout CRDs (for tests that install a
// changed copy, e.g. an old cluster serving only v1alpha1).
func RolloutCRDs(ctx context.Context) (string, error) {
	v := versions()
	return renderCRDs(ctx, v["ROLLOUTS_MODULE"], v["ROLLOUTS_VERSION"])
}

// renderCRDs returns the path of the rendered CRD file of module@version, rendering it once into
// the cache.
func renderCRDs(ctx context.Context, module, version string) (string, error) {
	out := filepath.Join(cacheDir(), "crds", filepath.Base(module)+"-"+version+".yaml")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	dir, err := moduleDir(ctx, module, version)
	if err != nil {
		return "", err
	}
	yaml, err := runCmd(ctx, "", "kubectl", "kustomize", filepath.Join(dir, "config", "crd"))
	if err != nil {
		return "", fmt.Errorf("render CRDs of %s@%s: %w", module, version, err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("create CRD cache: %w", err)
	}
	// Test packages, and the clusters of a fleet, render in parallel: each into a file of its own.
	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write rendered CRDs: %w", err)
	}
	_, err = tmp.WriteString(yaml)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write rendered CRDs: %w", err)
	}
	return out, os.Rename(tmp.Name(), out)
}

// moduleDir downloads module@version through the Go module proxy and returns its directory.
func moduleDir(ctx context.Context, module, version string) (string, error) {
	out, err := runCmd(ctx, os.TempDir(), "go", "mod", "download", "-json", module+"@"+version)
	if err != nil {
		return "", fmt.Errorf("download %s@%s: %w", module, version, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("locate %s@%s in the module cache: %v", module, version, err)
	}
	return info.Dir, nil
}

func cacheDir() string {
	if dir := os.Getenv("KD_CACHE"); dir != "" {
		return dir
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "kruise-dashboard")
}

// runCmd runs a command and returns its stdout; on failure the error carries stderr.
func runCmd(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %v: %w: %s", name, args, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.String(), nil
}
