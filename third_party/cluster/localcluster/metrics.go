package localcluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// The live stack's metrics (Options.Full): the demo's traffic simulator (third_party/cluster/
// trafficsim: SIMULATED per-pod series of the pods in namespaces labelled
// kruise-dashboard.io/simulated-traffic=true) and a real Prometheus server scraping it every 2 s.
// The dashboard is given the simulator's gate as the Prometheus URL (Cluster.PrometheusURL, also
// in <dir>/prometheus.url): it passes requests to Prometheus and, until Prometheus answers, says
// why (503 "Prometheus is starting…"), so the evidence says so instead of a bare failure.
//
// Prometheus is Debian's (`make prometheus`) when on PATH, else github.com/prometheus/prometheus
// built from the module proxy into the cache (build.sh prometheus) — in the background, which takes
// about 7 minutes on 2 cores the first time: nothing waits for it. KD_LOCAL_PROMETHEUS chooses.

// metricsComponents start after liveComponents; Down stops them first.
var metricsComponents = []string{"trafficsim", "prometheus"}

// PrometheusEnv chooses the local Prometheus: empty, Debian's on PATH or else the module's;
// "module", github.com/prometheus/prometheus at PROMETHEUS_VERSION (versions.sh), built once into
// the cache; otherwise the path of a prometheus binary.
const PrometheusEnv = "KD_LOCAL_PROMETHEUS"

// PrometheusScrapeInterval is how often the local Prometheus scrapes the simulator.
const PrometheusScrapeInterval = 2 * time.Second

func (c *Cluster) startMetrics(ctx context.Context) error {
	ports := map[string]int{}
	for _, name := range []string{"sim", "gate", "prometheus"} {
		var err error
		if ports[name], err = freePort(); err != nil {
			return err
		}
	}
	addr := func(name string) string { return "127.0.0.1:" + strconv.Itoa(ports[name]) }
	promCmd, note, err := c.prometheusCommand(addr("prometheus"), addr("sim"))
	if err != nil {
		return err
	}
	sim := filepath.Join(c.Dir, "trafficsim")
	build := exec.CommandContext(ctx, "go", "build", "-buildvcs=false", "-o", sim, "./third_party/cluster/cmd/trafficsim")
	build.Dir = filepath.Join(sourceDir(), "..", "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build the traffic simulator: %w: %s", err, out)
	}
	c.trafficsim = &process{name: "trafficsim", dir: c.Dir, bin: sim, args: []string{
		"-kubeconfig=" + c.Kubeconfig, "-metrics-addr=" + addr("sim"), "-gate-addr=" + addr("gate"),
		"-upstream=" + addr("prometheus"), "-dir=" + c.Dir, "-build-note=" + note,
	}}
	c.prometheus = promCmd
	for _, p := range []*process{c.trafficsim, c.prometheus} {
		if err := p.start(); err != nil {
			return err
		}
		c.live = append(c.live, p)
	}
	c.PrometheusURL = "http://" + addr("gate")
	if err := os.WriteFile(filepath.Join(c.Dir, "prometheus.url"), []byte(c.PrometheusURL+"\n"), 0o600); err != nil {
		return fmt.Errorf("write prometheus.url: %w", err)
	}
	return waitFor(ctx, "the traffic simulator", 60*time.Second, c.trafficsim, func() error {
		return httpOK(http.DefaultClient, "http://"+addr("sim")+"/metrics")
	})
}

// prometheusCommand is the Prometheus process: Debian's or the cached build, or a shell that
// builds it (writing <dir>/prometheus.building meanwhile) and then becomes it. note says what the
// build is, for the gate's message.
func (c *Cluster) prometheusCommand(listen, sim string) (*process, string, error) {
	cfg := fmt.Sprintf(`global: {scrape_interval: %s, evaluation_interval: %s}
scrape_configs:
# SIMULATED traffic of the demo's pods (trafficsim): each series is labelled by namespace and pod.
- job_name: simulated-pods
  honor_labels: true
  static_configs: [{targets: [%q]}]
`, PrometheusScrapeInterval, PrometheusScrapeInterval, sim)
	cfgFile := filepath.Join(c.Dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		return nil, "", fmt.Errorf("write prometheus.yml: %w", err)
	}
	data := filepath.Join(c.Dir, "prometheus-data")
	_ = os.RemoveAll(data)
	_ = os.Remove(filepath.Join(c.Dir, "prometheus.building")) // of a build stopped by cluster-down
	args := []string{"--config.file=" + cfgFile, "--storage.tsdb.path=" + data, "--web.listen-address=" + listen,
		"--storage.tsdb.retention.time=1d", "--log.level=warn"}
	v := versions()["PROMETHEUS_VERSION"]
	note := fmt.Sprintf("(Prometheus %s from the module proxy, about 7 minutes on 2 cores, once)", v)
	choice := os.Getenv(PrometheusEnv)
	if choice != "" && choice != "module" {
		return &process{name: "prometheus", dir: c.Dir, bin: choice, args: args}, note, nil
	}
	if bin, err := exec.LookPath("prometheus"); err == nil && choice == "" {
		return &process{name: "prometheus", dir: c.Dir, bin: bin, args: args}, note, nil
	}
	cached := filepath.Join(cacheDir(), "bin", "prometheus-"+v)
	if _, err := os.Stat(cached); err == nil {
		return &process{name: "prometheus", dir: c.Dir, bin: cached, args: args}, note, nil
	}
	fmt.Fprintf(os.Stderr, "building Prometheus %s from the module proxy in the background (about 7 minutes on 2 cores, once; "+
		"or install Debian's: make prometheus); the evidence says starting until it answers (log %s)\n", v, filepath.Join(c.Dir, "prometheus.log"))
	// bash waits for the build in the background so that SIGTERM (cluster-down) is handled at
	// once: it stops the whole build (its process group), then exec makes the PID Prometheus'.
	script := `marker=$1 pidfile=$2 build=$3 bin=$4; shift 4
trap 'rm -f "$marker"' EXIT
trap 'trap - TERM; kill 0' TERM INT
date -u +%Y-%m-%dT%H:%M:%SZ >"$marker"
bash "$build" prometheus & wait $! || exit 1
rm -f "$marker"; trap - EXIT TERM INT
touch "$pidfile"
exec "$bin" "$@"`
	return &process{name: "prometheus", dir: c.Dir, bin: "bash", args: append([]string{"-c", script, "prometheus",
		filepath.Join(c.Dir, "prometheus.building"), filepath.Join(c.Dir, "prometheus.pid"),
		filepath.Join(sourceDir(), "..", "build.sh"), cached}, args...)}, note, nil
}

// StopPrometheus stops the local Prometheus server (a test of the evidence without it).
func (c *Cluster) StopPrometheus() error { return stopPID(c.Dir, "prometheus", 10*time.Second) }

// StartPrometheus starts the local Prometheus server again after StopPrometheus.
func (c *Cluster) StartPrometheus() error {
	if c.prometheus == nil {
		return fmt.Errorf("no Prometheus in this cluster (Options.Full starts one)")
	}
	return c.prometheus.start()
}
