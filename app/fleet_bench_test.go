package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// The fleet benchmark: the dashboard's cost per registered cluster. 50 clusters are registered
// as kubeconfig contexts naming two local API servers (the shared one and a second control
// plane), each holding fleetBenchWorkloads Deployments with 2 pods each and 10 Rollouts waiting
// for approval; the real binary serves them as a separate process. What is measured is the
// dashboard's own cost (its memory, its answers, its requests at rest), not the API servers'.
const (
	fleetBenchNS        = "fleetbench"
	fleetBenchClusters  = 50
	fleetBenchWorkloads = 500
	fleetBenchWaiting   = 10
)

func BenchmarkFleet(b *testing.B) {
	skipShort(b)
	m, err := localcluster.Start(ctx, localcluster.Options{Dir: b.TempDir()})
	must(b, "start the second API server", err)
	defer m.Stop()
	kubeM, _, err := clientsFor(m.Kubeconfig)
	must(b, "clients", err)
	start := time.Now()
	for _, c := range []struct {
		kube       kubernetes.Interface
		kubeconfig string
	}{{shared.kube, shared.cluster.Kubeconfig}, {kubeM, m.Kubeconfig}} {
		loadFleetBench(b, c.kube, c.kubeconfig)
	}
	fmt.Fprintf(os.Stderr, "fleet bench: loaded 2 API servers in %s\n", time.Since(start).Round(time.Second))

	dir := b.TempDir()
	kubeconfig := fleetKubeconfig(b, dir, m)
	bin := filepath.Join(dir, "kruise-dashboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	secrets := newNamespace(b, "kd-bench-clusters")

	// The home alone, then the fleet: the difference is the cost of 49 more clusters.
	homeRSS := func() float64 {
		client, pid, stop := runFleetBinary(b, bin, kubeconfig, "", secrets)
		defer stop()
		waitFleetReady(b, client, 1)
		time.Sleep(5 * time.Second)
		rss, _ := procMemMiB(pid)
		return rss
	}()
	client, pid, stop := runFleetBinary(b, bin, kubeconfig, "*", secrets)
	defer stop()
	took := waitFleetReady(b, client, fleetBenchClusters)
	time.Sleep(5 * time.Second)
	fleetRSS, _ := procMemMiB(pid)

	inbox := fleetLatencies(b, client, "/api/v1/fleet/inbox", 100, func(body []byte) error {
		if n := strings.Count(string(body), `"waitingForApproval":true`); n != fleetBenchClusters*fleetBenchWaiting {
			return fmt.Errorf("%d releases waiting in the inbox, want %d", n, fleetBenchClusters*fleetBenchWaiting)
		}
		return nil
	})
	summary := fleetLatencies(b, client, "/api/v1/fleet/summary", 100, nil)
	// Five clusters in use: their lists and a workload's pods read (which caches their pods).
	for i := 1; i <= 5; i++ {
		fleetLatencies(b, client, fmt.Sprintf("/api/v1/clusters/c%02d/workload/%s/deployment", i, fleetBenchNS), 20, nil)
		fleetLatencies(b, client, fmt.Sprintf("/api/v1/clusters/c%02d/workload/%s/deployment/d-0000/pods", i, fleetBenchNS), 5, nil)
	}
	time.Sleep(5 * time.Second)
	inUseRSS, peak := procMemMiB(pid)

	// A cold cluster: registered by a Secret while running, until its list answers in full.
	read := func(file string) []byte {
		raw, err := os.ReadFile(filepath.Join(m.Dir, file))
		must(b, "read "+file, err)
		return raw
	}
	coldStart := time.Now()
	_, err = shared.kube.CoreV1().Secrets(secrets).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "cold", Labels: map[string]string{"kruise-dashboard.io/cluster": "true"}},
		Data:       map[string][]byte{"server": []byte(m.Server), "ca.crt": read("ca.crt"), "tls.crt": read("admin.crt"), "tls.key": read("admin.key")},
	}, metav1.CreateOptions{})
	must(b, "register the cold cluster", err)
	apiclient.Eventually(b, "the cold cluster's list", 2*time.Minute, func() error {
		status, body := client.Raw(http.MethodGet, "/api/v1/clusters/cold/workload/"+fleetBenchNS+"/deployment", nil)
		if status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: string(body)}
		}
		if n := strings.Count(string(body), `"kind":"Deployment"`); n != fleetBenchWorkloads {
			return fmt.Errorf("%d deployments listed", n)
		}
		return nil
	})
	cold := time.Since(coldStart)

	// Requests at rest: the second API server serves 25 of the clusters and nothing else.
	before := apiserverRequests(b, m)
	time.Sleep(60 * time.Second)
	perMinute := apiserverRequests(b, m) - before

	b.ReportMetric(float64(took.Milliseconds()), "fleet-ready-ms")
	b.ReportMetric(homeRSS, "home-RSS-MiB")
	b.ReportMetric(fleetRSS, "fleet-RSS-MiB")
	b.ReportMetric((fleetRSS-homeRSS)/(fleetBenchClusters-1), "MiB/idle-cluster")
	b.ReportMetric(inUseRSS, "5-in-use-RSS-MiB")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(inbox[0], "inbox-p50-ms")
	b.ReportMetric(inbox[1], "inbox-p99-ms")
	b.ReportMetric(summary[0], "summary-p50-ms")
	b.ReportMetric(summary[1], "summary-p99-ms")
	b.ReportMetric(float64(cold.Milliseconds()), "cold-list-ms")
	b.ReportMetric(perMinute/26, "requests/min/cluster-at-rest") // 25 contexts and the cold Secret
}

// loadFleetBench creates the benchmark's namespace, Deployments (2 pods each, created directly:
// no kubelet) and waiting Rollouts on one API server.
func loadFleetBench(b *testing.B, kube kubernetes.Interface, kubeconfig string) {
	_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fleetBenchNS}}, metav1.CreateOptions{})
	must(b, "namespace", err)
	must(b, "load", inParallel(fleetBenchWorkloads, func(i int) error {
		tmpl := podTemplate("fb-" + strconv.Itoa(i))
		d, err := kube.AppsV1().Deployments(fleetBenchNS).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("d-%04d", i)},
			Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels}, Template: tmpl},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		for p := range 2 {
			if _, err := kube.CoreV1().Pods(fleetBenchNS).Create(ctx, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", d.Name, p), Labels: tmpl.Labels},
				Spec:       tmpl.Spec,
			}, metav1.CreateOptions{}); err != nil {
				return err
			}
		}
		return nil
	}))
	rollouts := rolloutClientFor(b, kubeconfig)
	for i := range fleetBenchWaiting {
		ro := createRolloutWith(b, rollouts, fleetBenchNS, fmt.Sprintf("r-%02d", i), refTo("apps/v1", "Deployment", fmt.Sprintf("d-%04d", i)), canaryStrategy(false))
		setInRollingWith(b, rollouts, ro, 1, "StepPaused", false)
	}
}

// fleetKubeconfig writes a kubeconfig whose current context "home" is the shared API server and
// whose contexts c01..c49 alternate between the second API server and the shared one.
func fleetKubeconfig(b *testing.B, dir string, m *localcluster.Cluster) string {
	cfg := clientcmdapi.NewConfig()
	for name, c := range map[string]*localcluster.Cluster{"shared": shared.cluster, "second": m} {
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthority: filepath.Join(c.Dir, "ca.crt")}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificate: filepath.Join(c.Dir, "admin.crt"), ClientKey: filepath.Join(c.Dir, "admin.key")}
	}
	cfg.Contexts["home"] = &clientcmdapi.Context{Cluster: "shared", AuthInfo: "shared"}
	for i := 1; i < fleetBenchClusters; i++ {
		target := "shared"
		if i%2 == 1 {
			target = "second"
		}
		cfg.Contexts[fmt.Sprintf("c%02d", i)] = &clientcmdapi.Context{Cluster: target, AuthInfo: target}
	}
	cfg.CurrentContext = "home"
	path := filepath.Join(dir, "fleet.kubeconfig")
	must(b, "write kubeconfig", clientcmd.WriteToFile(*cfg, path))
	return path
}

// runFleetBinary runs the dashboard binary on a free port with the fleet's contexts ("" none).
func runFleetBinary(b *testing.B, bin, kubeconfig, contexts, secrets string) (apiclient.Client, int, func()) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(b, "free port", err)
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-conf", "../configs/config.yaml")
	cmd.Env = append(os.Environ(), "KD_KUBECONFIG_PATH="+kubeconfig, "KD_HTTP_ADDR="+addr, "KD_METRICS_ADDR=",
		"KD_FLEET_CONTEXTS="+contexts, "KD_FLEET_SECRETS_NAMESPACE="+secrets, "KD_FLEET_RETRY=2s")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	must(b, "start binary", cmd.Start())
	return apiclient.Client{URL: "http://" + addr}, cmd.Process.Pid, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
}

// waitFleetReady waits until n clusters are ready and returns how long it took.
func waitFleetReady(b *testing.B, client apiclient.Client, n int) time.Duration {
	start := time.Now()
	apiclient.Eventually(b, fmt.Sprintf("%d clusters ready", n), 5*time.Minute, func() error {
		var list struct{ Data []biz.ClusterInfo }
		status, body := client.Raw(http.MethodGet, "/api/v1/clusters", nil)
		if status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: string(body)}
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return err
		}
		ready := 0
		for _, c := range list.Data {
			if c.State == biz.ClusterReady {
				ready++
			}
		}
		if ready != n {
			return fmt.Errorf("%d of %d clusters ready", ready, n)
		}
		return nil
	})
	return time.Since(start)
}

// fleetLatencies GETs path n times in a row and returns the p50 and p99 in milliseconds.
func fleetLatencies(b *testing.B, client apiclient.Client, path string, n int, check func([]byte) error) [2]float64 {
	ms := make([]float64, 0, n)
	for i := range n {
		start := time.Now()
		status, body := client.Raw(http.MethodGet, path, nil)
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
		if status != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, status, body)
		}
		if check != nil && i == 0 {
			must(b, "GET "+path, check(body))
		}
	}
	sort.Float64s(ms)
	return [2]float64{ms[n/2], ms[(n*99)/100]}
}

// apiserverRequests is the API server's count of requests served (apiserver_request_total).
func apiserverRequests(b *testing.B, c *localcluster.Cluster) float64 {
	kube, _, err := clientsFor(c.Kubeconfig)
	must(b, "clients", err)
	raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	must(b, "read metrics", err)
	total := 0.0
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		if f := strings.Fields(line); len(f) == 2 {
			v, _ := strconv.ParseFloat(f[1], 64)
			total += v
		}
	}
	return total
}
