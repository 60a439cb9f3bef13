package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// The benchmarks load the local API server with 2,000 workloads (1,000 CloneSets, 500
// Deployments with a ReplicaSet each, 500 Advanced StatefulSets) owning 10 pods each: 20,000
// pods, created directly (no kubelet). Run with `make bench`.

const (
	benchNS          = "bench"
	benchWorkloads   = 2000
	benchPodsPerLoad = 10
)

var benchSetup sync.Once

func loadBenchCluster(b *testing.B) {
	skipShort(b)
	benchSetup.Do(func() {
		start := time.Now()
		_, err := shared.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNS}}, metav1.CreateOptions{})
		must(b, "create namespace", err)
		must(b, "load", inParallel(benchWorkloads, createBenchWorkload))
		apiclient.Eventually(b, "the dashboard cache to hold the benchmark objects", 5*time.Minute, func() error {
			var pods podsAnswer
			if status, e := shared.dash.Call(b, http.MethodGet, "/workload/"+benchNS+"/cloneset/cs-0998/pods", &pods); status != http.StatusOK {
				return fmt.Errorf("%d %s", status, e.Message)
			}
			var all map[string][]object
			shared.dash.MustOK(b, http.MethodGet, "/workload/"+benchNS, &all)
			if n := len(all["clonesets"]) + len(all["deployments"]) + len(all["statefulsets"]); n != benchWorkloads || len(pods.Pods) != benchPodsPerLoad {
				return fmt.Errorf("%d workloads, %d pods of the last", n, len(pods.Pods))
			}
			return nil
		})
		fmt.Fprintf(os.Stderr, "bench: created %d workloads and %d pods in %s\n", benchWorkloads, benchWorkloads*benchPodsPerLoad, time.Since(start).Round(time.Second))
	})
}

// inParallel runs create(0..n-1) on 32 workers and returns the first error.
func inParallel(n int, create func(i int) error) error {
	jobs, errs := make(chan int), make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := create(i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// createBenchWorkload creates workload i (and its ReplicaSet, for a Deployment) and its pods.
func createBenchWorkload(i int) error {
	var owner metav1.OwnerReference
	tmpl := podTemplate("bench-" + strconv.Itoa(i))
	sel := &metav1.LabelSelector{MatchLabels: tmpl.Labels}
	switch {
	case i < 1000:
		cs, err := shared.kruise.AppsV1alpha1().CloneSets(benchNS).Create(ctx, &kruiseappsv1alpha1.CloneSet{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cs-%04d", i)},
			Spec:       kruiseappsv1alpha1.CloneSetSpec{Replicas: ptr.To[int32](benchPodsPerLoad), Selector: sel, Template: tmpl},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		owner = ownerRef(cs, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("CloneSet"))
	case i < 1500:
		d, err := shared.kube.AppsV1().Deployments(benchNS).Create(ctx, &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("deploy-%04d", i)},
			Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](benchPodsPerLoad), Selector: sel, Template: tmpl},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		rs, err := shared.kube.AppsV1().ReplicaSets(benchNS).Create(ctx, &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-rs", OwnerReferences: []metav1.OwnerReference{ownerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))}},
			Spec:       appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: sel, Template: tmpl},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		owner = ownerRef(rs, appsv1.SchemeGroupVersion.WithKind("ReplicaSet"))
	default:
		s, err := shared.kruise.AppsV1beta1().StatefulSets(benchNS).Create(ctx, &kruiseappsv1beta1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("sts-%04d", i)},
			Spec:       kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To[int32](benchPodsPerLoad), Selector: sel, Template: tmpl},
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		owner = ownerRef(s, kruiseappsv1beta1.SchemeGroupVersion.WithKind("StatefulSet"))
	}
	for p := 0; p < benchPodsPerLoad; p++ {
		_, err := shared.kube.CoreV1().Pods(benchNS).Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", owner.Name, p), Labels: tmpl.Labels, OwnerReferences: []metav1.OwnerReference{owner}},
			Spec:       tmpl.Spec,
		}, metav1.CreateOptions{})
		if err != nil {
			return err
		}
	}
	return nil
}

func benchmarkGET(b *testing.B, path string) {
	loadBenchCluster(b)
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	for i := 0; i < b.N; i++ {
		status, body := shared.dash.Raw(http.MethodGet, path, nil)
		if status != http.StatusOK {
			b.Fatalf("%s: %d %s", path, status, body)
		}
		size = len(body)
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/1024, "KiB/resp")
	b.ReportMetric(rssMiB(), "RSS-MiB")
}

// BenchmarkListAllWorkloads is GET /workload/:ns over 2,000 workloads.
func BenchmarkListAllWorkloads(b *testing.B) { benchmarkGET(b, "/api/v1/workload/"+benchNS) }

// BenchmarkListCloneSets is GET /workload/:ns/cloneset over 1,000 CloneSets.
func BenchmarkListCloneSets(b *testing.B) { benchmarkGET(b, "/api/v1/workload/"+benchNS+"/cloneset") }

// BenchmarkWorkloadPods is GET .../pods of one CloneSet among 20,000 pods.
func BenchmarkWorkloadPods(b *testing.B) {
	benchmarkGET(b, "/api/v1/workload/"+benchNS+"/cloneset/cs-0500/pods")
}

// BenchmarkDeploymentPods is GET .../pods of one Deployment (through its ReplicaSet).
func BenchmarkDeploymentPods(b *testing.B) {
	benchmarkGET(b, "/api/v1/workload/"+benchNS+"/deployment/deploy-1200/pods")
}

// BenchmarkAuthorizedRead is the cost of authorisation on cached reads: the same GETs answered
// by a dashboard in mode none and by one in mode token for a signed-in viewer (bearer token),
// whose every read is gated by a SubjectAccessReview (answers kept 10 s), and by one that keeps
// no answer (decision TTL 1 ns: a review per read, the cost of a miss). SAR/1000reads counts the
// reviews the API server received (its apiserver_request_total) per thousand reads.
func BenchmarkAuthorizedRead(b *testing.B) {
	loadBenchCluster(b)
	setUpRoles(b)
	token := as(startSignedIn(b, "token", os.DevNull), "viewer")
	uncached := as(startSignedIn(b, "token", os.DevNull, func(bc *conf.Bootstrap) { bc.Auth.DecisionTTL = time.Nanosecond }), "viewer")
	none := apiclient.Client{URL: shared.dash.URL}
	for _, path := range []string{"/api/v1/workload/" + benchNS + "/cloneset/cs-0500", "/api/v1/workload/" + benchNS + "/cloneset"} {
		for _, c := range []struct {
			mode   string
			client apiclient.Client
		}{{"none", none}, {"token", token}, {"token-uncached", uncached}} {
			b.Run(c.mode+strings.ReplaceAll(strings.TrimPrefix(path, "/api/v1/workload/"+benchNS), "/", "_"), func(b *testing.B) {
				before := reviewsReceived(b)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if status, body := c.client.Raw(http.MethodGet, path, nil); status != http.StatusOK {
						b.Fatalf("%s: %d %s", path, status, body)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(reviewsReceived(b)-before)*1000/float64(b.N), "SAR/1000reads")
			})
		}
	}
}

// reviewsReceived is how many SubjectAccessReviews the API server has answered.
func reviewsReceived(b *testing.B) float64 {
	raw, err := shared.kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	must(b, "API server metrics", err)
	var n float64
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "apiserver_request_total{") && strings.Contains(line, `resource="subjectaccessreviews"`) {
			if v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64); err == nil {
				n += v
			}
		}
	}
	return n
}

// rssMiB is the resident set of this process, which hosts the dashboard (its informer cache
// holds the 2,000 workloads and 20,000 pods) and the test's clients, which cache nothing.
func rssMiB() float64 {
	rss, _ := procMemMiB(os.Getpid())
	return rss
}

var rolloutBenchSetup sync.Once

const benchRollouts = 1000

// loadRollouts creates 1,000 Rollouts over the benchmark's CloneSets, a third of them in flight.
func loadRollouts(b *testing.B) {
	loadBenchCluster(b)
	rolloutBenchSetup.Do(func() {
		start := time.Now()
		client := rolloutClient(b)
		jobs := make(chan int)
		var wg sync.WaitGroup
		var failed sync.Once
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					ro, err := client.RolloutsV1beta1().Rollouts(benchNS).Create(ctx, &rolloutsv1beta1.Rollout{
						ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ro-%04d", i)},
						Spec: rolloutsv1beta1.RolloutSpec{WorkloadRef: refTo(kruiseV1alpha1, "CloneSet", fmt.Sprintf("cs-%04d", i)),
							Strategy: canaryStrategy(false)},
					}, metav1.CreateOptions{})
					if err == nil && i%3 == 0 {
						setInRolling(b, ro, 1, rolloutsv1beta1.CanaryStepStatePaused, false)
					} else if err == nil {
						setHealthy(b, ro)
					}
					if err != nil {
						failed.Do(func() { b.Errorf("create rollout: %v", err) })
					}
				}
			}()
		}
		for i := 0; i < benchRollouts; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		apiclient.Eventually(b, "1,000 rollouts in the cache", 2*time.Minute, func() error {
			var list []biz.RolloutStatus
			shared.dash.MustOK(b, http.MethodGet, "/rollout/list/"+benchNS, &list)
			if len(list) != benchRollouts {
				return fmt.Errorf("%d rollouts", len(list))
			}
			return nil
		})
		fmt.Fprintf(os.Stderr, "bench: created %d rollouts in %s\n", benchRollouts, time.Since(start).Round(time.Second))
	})
}

// BenchmarkListAllRollouts is GET /rollout/list/_all over 1,000 Rollouts with their statuses.
func BenchmarkListAllRollouts(b *testing.B) {
	loadRollouts(b)
	benchmarkGET(b, "/api/v1/rollout/list/_all")
}

// BenchmarkActiveRollouts is GET /rollout/active/_all (a third are in flight).
func BenchmarkActiveRollouts(b *testing.B) {
	loadRollouts(b)
	benchmarkGET(b, "/api/v1/rollout/active/_all")
}

// BenchmarkBinaryListAll is GET /workload/:ns against the real binary as a separate process, to
// report the dashboard's own resident memory with 2,000 workloads and 20,000 pods cached.
func BenchmarkBinaryListAll(b *testing.B) {
	loadBenchCluster(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "kruise-dashboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(b, "free port", err)
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-conf", "../configs/config.yaml")
	cmd.Env = append(os.Environ(), "KD_KUBECONFIG_PATH="+shared.cluster.Kubeconfig, "KD_HTTP_ADDR="+addr)
	must(b, "start binary", cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	client := apiclient.Client{URL: "http://" + addr}
	apiclient.Eventually(b, "the binary ready", time.Minute, func() error {
		if status, body := client.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK {
			return &apiclient.StatusError{Status: status, Body: string(body)}
		}
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if status, body := client.Raw(http.MethodGet, "/api/v1/workload/"+benchNS, nil); status != http.StatusOK {
			b.Fatalf("%d %s", status, body)
		}
	}
	b.StopTimer()
	rss, hwm := procMemMiB(cmd.Process.Pid)
	b.ReportMetric(rss, "RSS-MiB")
	b.ReportMetric(hwm, "peakRSS-MiB")
}

// procMemMiB reads a process's resident set and its peak.
func procMemMiB(pid int) (rss, peak float64) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak
}

// The declared path must not be the slow path: the same 2,000 CloneSets served by the built-in
// adapter and by a declared type over the same resource (columns and state from CEL).
const declaredBenchNS = "bench-declared"

var declaredBench struct {
	once sync.Once
	dash *dashboard
}

const declaredCloneSets = `type: cloneset-declared
plural: clonesets-declared
resource: clonesets
group: apps.kruise.io
version: v1alpha1
kind: CloneSet
capabilities: {scalable: true, restartable: true, imageSettable: true}
pods: {owned: true}
templates: [spec.template]
state: >-
  object.?status.?readyReplicas.orValue(0) < object.spec.?replicas.orValue(1) ? "notReady" : "ready"
columns:
  - {name: replicas, type: number, expression: "object.spec.?replicas.orValue(1)"}
  - {name: ready, type: number, expression: "object.?status.?readyReplicas.orValue(0)"}
  - {name: updated, type: number, expression: "object.?status.?updatedReplicas.orValue(0)"}
  - {name: revision, expression: "object.?status.?updateRevision.orValue('')"}
`

func loadDeclaredBench(b *testing.B) *dashboard {
	skipShort(b)
	declaredBench.once.Do(func() {
		_, err := shared.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: declaredBenchNS}}, metav1.CreateOptions{})
		must(b, "create namespace", err)
		err = inParallel(2000, func(i int) error {
			name := fmt.Sprintf("cs-%04d", i)
			_, err := shared.kruise.AppsV1alpha1().CloneSets(declaredBenchNS).Create(ctx, &kruiseappsv1alpha1.CloneSet{
				ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: declaredBenchNS},
				Spec:       kruiseappsv1alpha1.CloneSetSpec{Replicas: ptr.To[int32](3), Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
			}, metav1.CreateOptions{})
			return err
		})
		must(b, "load", err)
		dir := b.TempDir()
		must(b, "write the declaration", os.WriteFile(filepath.Join(dir, "cloneset-declared.yaml"), []byte(declaredCloneSets), 0o600))
		d, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) { bc.Kubernetes.TypesDir = dir })
		must(b, "start the dashboard with the declared type", err)
		apiclient.Eventually(b, "2,000 CloneSets under both types", 2*time.Minute, func() error {
			for _, typ := range []string{"cloneset", "cloneset-declared"} {
				var p struct{ Total int }
				if status, e := d.Call(b, http.MethodGet, "/workload/"+declaredBenchNS+"/"+typ+"?limit=1", &p); status != http.StatusOK || p.Total != 2000 {
					return fmt.Errorf("%s: %d %s, %d", typ, status, e.Message, p.Total)
				}
			}
			return nil
		})
		declaredBench.dash = d
	})
	if declaredBench.dash == nil {
		b.Fatal("the declared benchmark's setup failed earlier")
	}
	return declaredBench.dash
}

// BenchmarkDeclaredType compares a declared type with the built-in one over the same 2,000
// CloneSets: the whole list, a compact page of 100 (columns and state), and the summary.
func BenchmarkDeclaredType(b *testing.B) {
	d := loadDeclaredBench(b)
	for _, c := range []struct{ name, path string }{
		{"builtin/list", "/workload/" + declaredBenchNS + "/cloneset"},
		{"declared/list", "/workload/" + declaredBenchNS + "/cloneset-declared"},
		{"builtin/page", "/workload/" + declaredBenchNS + "/cloneset?view=compact&limit=100"},
		{"declared/page", "/workload/" + declaredBenchNS + "/cloneset-declared?view=compact&limit=100"},
		{"summary", "/summary/" + declaredBenchNS},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for i := 0; i < b.N; i++ {
				status, body := d.Raw(http.MethodGet, "/api/v1"+c.path, http.Header{"Accept-Encoding": {"identity"}})
				if status != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, status, body)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size)/1024, "KiB/resp")
		})
	}
}
