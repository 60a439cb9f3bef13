package localcluster

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"
)

// The live stack (Options.Full): kube-controller-manager and kube-scheduler, kwok making fake
// nodes and their pods Running/Ready, and the OpenKruise and Kruise Rollout managers running out
// of cluster with their webhooks served on 127.0.0.1.

// FakeNodes are the kwok nodes the live stack creates.
var FakeNodes = []string{"kwok-node-0", "kwok-node-1", "kwok-node-2"}

const kwokAnnotation = "kwok.x-k8s.io/node"

// liveComponents start after the API server, in this order.
var liveComponents = []string{"kube-controller-manager", "kube-scheduler", "kwok", "kruise-manager", "kruise-rollout"}

// stack is what a cluster runs beside etcd and kube-apiserver.
type stack struct {
	// controllers: kube-controller-manager, kube-scheduler and kwok with FakeNodes.
	controllers bool
	// kruise: the OpenKruise manager; rollouts: the Kruise Rollouts manager (each with its webhooks).
	kruise, rollouts bool
	// metrics: the demo's simulated traffic and a Prometheus scraping it (metrics.go).
	metrics bool
}

// fullStack is Options.Full, the home cluster's live stack.
var fullStack = stack{controllers: true, kruise: true, rollouts: true, metrics: true}

// rolloutsStack is a live fleet member's: enough for a Deployment canary to really run and wait
// for approval (a Deployment needs no OpenKruise manager).
var rolloutsStack = stack{controllers: true, rollouts: true}

func (s stack) any() bool { return s.controllers || s.kruise || s.rollouts || s.metrics }

// startLive starts c.stack's components, then waits until the managers are ready and the
// default ServiceAccount exists.
func (c *Cluster) startLive(ctx context.Context, bin string) error {
	v := versions()
	kube, err := c.adminClient()
	if err != nil {
		return err
	}
	// The managers find their webhook configurations by these names and rewrite them to point at
	// 127.0.0.1; they must exist before the managers start.
	for _, w := range []struct {
		on                                 bool
		namespace, module, version, prefix string
	}{
		{c.stack.kruise, "kruise-system", v["KRUISE_MODULE"], v["KRUISE_VERSION"], "kruise-"},
		{c.stack.rollouts, "kruise-rollout", v["ROLLOUTS_MODULE"], v["ROLLOUTS_VERSION"], "kruise-rollout-"},
	} {
		if !w.on {
			continue
		}
		_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: w.namespace}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", w.namespace, err)
		}
		if err := c.applyWebhookConfigurations(ctx, w.module, w.version, w.prefix); err != nil {
			return err
		}
	}

	ports := map[string]int{}
	for _, name := range []string{"kcm", "scheduler", "kwok", "kruise-webhook", "kruise-metrics", "kruise-probe", "kruise-pprof", "rollout-webhook", "rollout-metrics", "rollout-probe"} {
		if ports[name], err = freePort(); err != nil {
			return err
		}
	}
	f := func(name string) string { return filepath.Join(c.Dir, name) }
	if err := writeFakeLogs(c.Dir); err != nil {
		return err
	}
	admin := c.Kubeconfig
	p := func(name string) string { return strconv.Itoa(ports[name]) }
	certDir := func(name string) string {
		dir := f(name + "-certs")
		_ = os.MkdirAll(dir, 0o700)
		return dir
	}
	var procs []*process
	// probes are the managers' readiness URLs.
	probes := map[*process]string{}
	if c.stack.controllers {
		procs = append(procs, &process{name: "kube-controller-manager", bin: filepath.Join(bin, "kube-controller-manager-"+v["KUBE_VERSION"]), args: []string{
			"--kubeconfig=" + admin, "--authentication-kubeconfig=" + admin, "--authorization-kubeconfig=" + admin,
			"--bind-address=127.0.0.1", "--secure-port=" + p("kcm"), "--leader-elect=false",
			"--service-account-private-key-file=" + f("sa.key"), "--root-ca-file=" + f("ca.crt"),
			"--use-service-account-credentials=false", "--controllers=*,-nodeipam",
			// kwok renews leases slower than the default grace period: nodes would flap NotReady.
			"--node-monitor-grace-period=1h",
		}}, &process{name: "kube-scheduler", bin: filepath.Join(bin, "kube-scheduler-"+v["KUBE_VERSION"]), args: []string{
			"--kubeconfig=" + admin, "--authentication-kubeconfig=" + admin, "--authorization-kubeconfig=" + admin,
			"--bind-address=127.0.0.1", "--secure-port=" + p("scheduler"), "--leader-elect=false",
		}}, &process{name: "kwok", bin: filepath.Join(bin, "kwok-"+v["KWOK_VERSION"]), args: []string{
			"--kubeconfig=" + admin, "--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=" + kwokAnnotation + "=fake",
			"--node-lease-duration-seconds=40", "--cidr=10.244.0.0/16", "--node-ip=127.0.0.1",
			"--server-address=127.0.0.1:" + p("kwok"),
			// The kubelet API of the fake nodes (logs), over TLS as the API server expects.
			"--node-port=" + p("kwok"), "--tls-cert-file=" + f("apiserver.crt"), "--tls-private-key-file=" + f("apiserver.key"),
			"--config=" + f("kwok.yaml"),
		}})
	}
	if c.stack.kruise {
		kruise := &process{name: "kruise-manager", bin: filepath.Join(bin, "kruise-manager-"+v["KRUISE_VERSION"]), env: []string{
			"KUBECONFIG=" + admin, "WEBHOOK_HOST=127.0.0.1", "WEBHOOK_PORT=" + p("kruise-webhook"), "WEBHOOK_CERT_DIR=" + certDir("kruise-manager"),
			"POD_NAMESPACE=kruise-system",
		}, args: []string{
			"--enable-leader-election=false", "--metrics-addr=127.0.0.1:" + p("kruise-metrics"),
			"--health-probe-addr=127.0.0.1:" + p("kruise-probe"), "--pprof-addr=127.0.0.1:" + p("kruise-pprof"),
		}}
		procs = append(procs, kruise)
		probes[kruise] = "http://127.0.0.1:" + p("kruise-probe") + "/readyz"
	}
	if c.stack.rollouts {
		// The Rollout manager reads the Lua scripts of its traffic routing (the canary Ingress's
		// annotations per ingress class) from ./lua_configuration at start-up, as laid out in its image.
		rolloutWork, err := rolloutWorkDir(ctx, c.Dir, v["ROLLOUTS_MODULE"], v["ROLLOUTS_VERSION"])
		if err != nil {
			return err
		}
		rollout := &process{name: "kruise-rollout", bin: filepath.Join(bin, "kruise-rollout-"+v["ROLLOUTS_VERSION"]), workDir: rolloutWork, env: []string{
			"KUBECONFIG=" + admin, "WEBHOOK_HOST=127.0.0.1", "WEBHOOK_PORT=" + p("rollout-webhook"), "WEBHOOK_CERT_DIR=" + certDir("kruise-rollout"),
			"POD_NAMESPACE=kruise-rollout",
		}, args: []string{
			"--leader-elect=false", "--metrics-bind-address=127.0.0.1:" + p("rollout-metrics"),
			"--health-probe-bind-address=127.0.0.1:" + p("rollout-probe"),
			// Without it a Deployment canary never gets its canary replicas.
			"--feature-gates=AdvancedDeployment=true",
		}}
		procs = append(procs, rollout)
		probes[rollout] = "http://127.0.0.1:" + p("rollout-probe") + "/readyz"
	}
	for _, proc := range procs {
		proc.dir = c.Dir
		if err := proc.start(); err != nil {
			return err
		}
		c.live = append(c.live, proc)
	}
	if c.stack.controllers {
		for _, n := range FakeNodes {
			if err := createFakeNode(ctx, kube, n); err != nil {
				return err
			}
		}
	}
	for proc, url := range probes {
		if err := waitFor(ctx, proc.name+" ready", 120*time.Second, proc, func() error { return httpOK(http.DefaultClient, url) }); err != nil {
			return err
		}
	}
	if c.stack.controllers {
		// Pods need the default ServiceAccount, which the controller-manager creates.
		if err := waitFor(ctx, "the default ServiceAccount", 60*time.Second, procs[0], func() error {
			_, err := kube.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
			return err
		}); err != nil {
			return err
		}
	}
	if !c.stack.metrics {
		return nil
	}
	return c.startMetrics(ctx) // metrics.go: the demo's simulated traffic and Prometheus
}

// rolloutWorkDir makes dir/kruise-rollout-work holding a copy of the module's lua_configuration
// folder (copied, not linked: the manager walks the folder without following a link to it).
func rolloutWorkDir(ctx context.Context, dir, module, version string) (string, error) {
	src, err := moduleDir(ctx, module, version)
	if err != nil {
		return "", err
	}
	work := filepath.Join(dir, "kruise-rollout-work")
	if err := os.RemoveAll(work); err != nil {
		return "", fmt.Errorf("clear the Rollout manager's working directory: %w", err)
	}
	if err := os.CopyFS(filepath.Join(work, "lua_configuration"), os.DirFS(filepath.Join(src, "lua_configuration"))); err != nil {
		return "", fmt.Errorf("copy the Lua scripts of %s@%s: %w", module, version, err)
	}
	return work, nil
}

// CheckLive reports a crashed component of the live stack, with its log path.
func (c *Cluster) CheckLive() error {
	for _, p := range append([]*process{c.etcd, c.apiserver}, c.live...) {
		if err := p.exited(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) adminClient() (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("admin kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(cfg)
}

// createFakeNode registers a node kwok manages, with a realistic allocatable.
func createFakeNode(ctx context.Context, kube kubernetes.Interface, name string) error {
	resources := corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("16"), corev1.ResourceMemory: resource.MustParse("64Gi"),
		corev1.ResourcePods: resource.MustParse("110"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{kwokAnnotation: "fake"},
			Labels: map[string]string{"type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
		Status: corev1.NodeStatus{Capacity: resources, Allocatable: resources},
	}
	if _, err := kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create fake node %s: %w", name, err)
	}
	return nil
}

// applyWebhookConfigurations renders <module>/config/webhook, renames the configurations to the
// names the manager looks for, drops the Service (the managers serve on 127.0.0.1) and applies.
func (c *Cluster) applyWebhookConfigurations(ctx context.Context, module, version, prefix string) error {
	dir, err := moduleDir(ctx, module, version)
	if err != nil {
		return err
	}
	rendered, err := runCmd(ctx, "", "kubectl", "kustomize", filepath.Join(dir, "config", "webhook"))
	if err != nil {
		return fmt.Errorf("render webhooks of %s: %w", module, err)
	}
	var docs []string
	for _, doc := range strings.Split(rendered, "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return fmt.Errorf("parse webhooks of %s: %w", module, err)
		}
		kind, _ := obj["kind"].(string)
		if !strings.HasSuffix(kind, "WebhookConfiguration") {
			continue
		}
		meta := obj["metadata"].(map[string]any)
		meta["name"] = prefix + meta["name"].(string)
		out, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("encode webhook configuration: %w", err)
		}
		docs = append(docs, string(out))
	}
	file := filepath.Join(c.Dir, prefix+"webhooks.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(docs, "---\n")), 0o600); err != nil {
		return fmt.Errorf("write webhook configurations: %w", err)
	}
	if _, err := runCmd(ctx, "", "kubectl", "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-f", file); err != nil {
		return fmt.Errorf("apply webhook configurations of %s: %w", module, err)
	}
	return nil
}

// FakeLogLine is a line every fake container logs (kwok serves the file below as the log of every
// container), so that reading logs through the API server is real here.
const FakeLogLine = "serving on :8080 (a kwok fake container)"

// writeFakeLogs writes kwok's configuration, which serves one log file (CRI log format) as the
// log of every container, and that file.
func writeFakeLogs(dir string) error {
	logFile := filepath.Join(dir, "fake-container.log")
	var lines strings.Builder
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, msg := range []string{"starting", FakeLogLine, "ready"} {
		fmt.Fprintf(&lines, "%s stdout F %s\n", start.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), msg)
	}
	if err := os.WriteFile(logFile, []byte(lines.String()), 0o600); err != nil {
		return fmt.Errorf("write fake container log: %w", err)
	}
	config := fmt.Sprintf(`apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: every-container
spec:
  logs:
  - logsFile: %q
    follow: false
`, logFile)
	if err := os.WriteFile(filepath.Join(dir, "kwok.yaml"), []byte(config), 0o600); err != nil {
		return fmt.Errorf("write kwok config: %w", err)
	}
	return nil
}
