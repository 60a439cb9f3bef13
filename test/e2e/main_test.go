// Package e2e proves the dashboard's actions against the real controllers: the live local
// cluster (kube-controller-manager, kube-scheduler, kwok fake nodes, the OpenKruise v1.8.0 and
// Kruise Rollout v0.6.1 managers) and the dashboard binary built from this repository, driven over
// HTTP. `go test -short` skips it.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kruiseclient "github.com/openkruise/kruise-api/client/clientset/versioned"
	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/test/apicheck"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

var env struct {
	cluster  *localcluster.Cluster
	kube     kubernetes.Interface
	kruise   kruiseclient.Interface
	rollouts rolloutclient.Interface
	dash     apiclient.Client
	// dir is the run's temporary directory; bin the dashboard binary built there.
	dir, bin string
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() || os.Getenv("KD_SKIP_E2E") != "" {
		os.Exit(m.Run())
	}
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "kd-e2e-")
	if err != nil {
		return 0, err
	}
	// KD_E2E_KEEP=1 keeps the cluster's folder (its components' logs) to read after a failure.
	if os.Getenv("KD_E2E_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		defer fmt.Fprintln(os.Stderr, "e2e: the cluster's folder is kept:", dir)
	}
	env.dir = dir
	start := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: dir, Full: true})
	if err != nil {
		return 0, err
	}
	defer c.Stop()
	fmt.Fprintf(os.Stderr, "e2e: live cluster up in %s\n", time.Since(start).Round(time.Second))
	env.cluster = c
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return 0, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	if env.kube, err = kubernetes.NewForConfig(cfg); err != nil {
		return 0, err
	}
	if env.kruise, err = kruiseclient.NewForConfig(cfg); err != nil {
		return 0, err
	}
	if env.rollouts, err = rolloutclient.NewForConfig(cfg); err != nil {
		return 0, err
	}
	stop, err := startDashboard(ctx, dir, c.Kubeconfig)
	if err != nil {
		return 0, err
	}
	defer stop()
	// Every answer the tests receive is validated against the dashboard's OpenAPI document.
	if err := apicheck.Install(env.dash); err != nil {
		return 0, err
	}
	code := m.Run()
	if !apicheck.Report(os.Stderr) {
		code = 1
	}
	if err := c.CheckLive(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: a component died during the tests:", err)
		code = 1
	}
	return code, nil
}

// startDashboard builds the binary and runs it against the live cluster, as `make run` does.
func startDashboard(ctx context.Context, dir, kubeconfig string) (func(), error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	env.bin = filepath.Join(dir, "kruise-dashboard")
	build := exec.CommandContext(ctx, "go", "build", "-o", env.bin, "./app")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build dashboard: %w", err)
	}
	addr, err := apiclient.FreeAddr()
	if err != nil {
		return nil, err
	}
	client, stop, err := runDashboard(dir, "dashboard", kubeconfig, addr)
	env.dash = client
	return stop, err
}

// runDashboard runs the built binary on addr with extra KD_ settings ("KEY=value") and waits
// until it is ready; its log is dir/<name>.log.
func runDashboard(dir, name, kubeconfig, addr string, settings ...string) (apiclient.Client, func(), error) {
	client, _, stop, err := launchDashboard(dir, name, kubeconfig, addr, settings...)
	return client, stop, err
}

// launchDashboard is runDashboard that also gives the process (to kill it).
func launchDashboard(dir, name, kubeconfig, addr string, settings ...string) (apiclient.Client, *os.Process, func(), error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	logFile, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return apiclient.Client{}, nil, nil, err
	}
	cmd := exec.Command(env.bin, "-conf", filepath.Join(root, "configs", "config.yaml"))
	cmd.Env = append(append(os.Environ(), "KD_KUBECONFIG_PATH="+kubeconfig, "KD_HTTP_ADDR="+addr, "KD_HEALTH_INTERVAL=500ms", "KD_METRICS_ADDR=127.0.0.1:0",
		// Sign-in modes record sign-outs in a ConfigMap: outside a cluster its namespace is named.
		"KD_AUTH_SESSIONS_NAMESPACE=default"), settings...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return apiclient.Client{}, nil, nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		logFile.Close()
	}
	client := apiclient.Client{URL: "http://" + addr}
	err = apiclient.Poll(60*time.Second, func() error {
		if status, body := client.Raw("GET", "/readyz", nil); status != 200 {
			return &apiclient.StatusError{Status: status, Body: string(body)}
		}
		return nil
	})
	if err != nil {
		stop()
		return client, nil, nil, fmt.Errorf("dashboard %s not ready (log %s): %w", name, logFile.Name(), err)
	}
	return client, cmd.Process, stop, nil
}

func skipShort(t *testing.T) {
	t.Helper()
	if env.cluster == nil {
		t.Skip("end-to-end test: needs the live local cluster (run without -short)")
	}
}
