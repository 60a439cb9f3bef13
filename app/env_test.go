package main

// The integration tests in this package run the real application (Wire graph, Kratos server,
// informers) against a real kube-apiserver + etcd with the upstream OpenKruise and Kruise Rollout
// CRDs, started by third_party/cluster on 127.0.0.1. `go test -short` skips them.

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	kruiseclient "github.com/openkruise/kruise-api/client/clientset/versioned"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/test/apicheck"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// shared is the control plane and dashboard most tests use.
var shared struct {
	cluster *localcluster.Cluster
	kube    kubernetes.Interface
	kruise  kruiseclient.Interface
	dash    *dashboard
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() || os.Getenv("KD_SKIP_INTEGRATION") != "" {
		os.Exit(m.Run())
	}
	code, err := runWithCluster(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration setup:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithCluster(m *testing.M) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "kd-it-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: dir})
	if err != nil {
		return 0, err
	}
	defer c.Stop()
	shared.cluster = c
	if shared.kube, shared.kruise, err = clientsFor(c.Kubeconfig); err != nil {
		return 0, err
	}
	if err := prepareSignOuts(ctx, c.Kubeconfig); err != nil {
		return 0, err
	}
	if shared.dash, err = startDashboard(c.Kubeconfig, adapters.All, true); err != nil {
		return 0, err
	}
	defer shared.dash.stop()
	// Every answer the tests receive is validated against the dashboard's OpenAPI document.
	if err := apicheck.Install(shared.dash.Client); err != nil {
		return 0, err
	}
	code := m.Run()
	if !apicheck.Report(os.Stderr) {
		code = 1
	}
	return code, nil
}

// signOutsNamespace holds the sign-outs' ConfigMap of the tests' sign-in dashboards: created as
// the chart creates it, with configs/role.yaml granted there to the "dashboard" test user.
const signOutsNamespace = "kd-sessions"

func prepareSignOuts(ctx context.Context, kubeconfig string) error {
	_, err := shared.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: signOutsNamespace}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	_, err = shared.kube.CoreV1().ConfigMaps(signOutsNamespace).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kruise-dashboard-sessions"}}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	if out, err := runKubectl(kubeconfig, "-n", signOutsNamespace, "apply", "-f", "../configs/role.yaml"); err != nil {
		return fmt.Errorf("apply configs/role.yaml: %v: %s", err, out)
	}
	if out, err := runKubectl(kubeconfig, "-n", signOutsNamespace, "create", "rolebinding", "kruise-dashboard", "--role=kruise-dashboard", "--user=dashboard"); err != nil {
		return fmt.Errorf("bind configs/role.yaml: %v: %s", err, out)
	}
	return nil
}

func clientsFor(kubeconfig string) (kubernetes.Interface, kruiseclient.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, nil, err
	}
	cfg.QPS, cfg.Burst = 500, 1000
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	kruise, err := kruiseclient.NewForConfig(cfg)
	return kube, kruise, err
}

// dashboard is one running instance of the application.
type dashboard struct {
	apiclient.Client
	spans *tracetest.SpanRecorder
	stop  func()
}

// startDashboard runs the app as main does, on a free port, with an in-memory span recorder,
// and waits until /readyz answers 200 (or answers at all, when ready is false: a dashboard with
// rejected credentials never gets ready).
// configure, when given, changes the configuration after the defaults of the tests are set.
func startDashboard(kubeconfig string, set AdapterSet, ready bool, configure ...func(*conf.Bootstrap)) (*dashboard, error) {
	return startDashboardLogging(kubeconfig, set, ready, log.DefaultLogger, configure...)
}

// startDashboardLogging is startDashboard writing its log (warnings and errors) to logger.
func startDashboardLogging(kubeconfig string, set AdapterSet, ready bool, logger log.Logger, configure ...func(*conf.Bootstrap)) (*dashboard, error) {
	bc, err := conf.Load("../configs/config.yaml")
	if err != nil {
		return nil, err
	}
	addr, err := apiclient.FreeAddr()
	if err != nil {
		return nil, err
	}
	bc.Server.Addr = addr
	bc.Kubernetes.Kubeconfig = kubeconfig
	bc.Kubernetes.HealthInterval = 200 * time.Millisecond
	bc.Kubernetes.DiscoveryInterval = time.Second
	bc.Audit.Path = os.DevNull            // tests that read the audit trail set a file
	bc.Server.MetricsAddr = "127.0.0.1:0" // many dashboards per process; the metrics test sets one
	bc.Auth.SessionsNamespace = signOutsNamespace
	for _, c := range configure {
		c(bc)
	}
	addr = bc.Server.Addr
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	app, cleanup, err := wireApp(bc, log.NewFilter(logger, log.FilterLevel(log.LevelWarn)), tp, set)
	if err != nil {
		return nil, err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- app.Run() }()
	var once sync.Once // a test may stop a dashboard before its cleanup does
	d := &dashboard{Client: apiclient.Client{URL: "http://" + addr}, spans: spans, stop: func() {
		once.Do(func() {
			_ = app.Stop()
			<-runErr
			cleanup()
		})
	}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-runErr:
			return nil, fmt.Errorf("dashboard exited: %v", err)
		default:
		}
		status, _ := d.Raw(http.MethodGet, "/readyz", nil)
		if status == http.StatusOK || (!ready && status != 0) {
			return d, nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return nil, fmt.Errorf("dashboard at %s not ready after 60s (last status %d)", addr, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newNamespace creates a namespace for one test and deletes it afterwards.
func newNamespace(t testing.TB, prefix string) string {
	t.Helper()
	ns, err := shared.kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: prefix + "-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = shared.kube.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	// The dashboard answers 404 for a namespace its cache has not seen yet.
	apiclient.Eventually(t, "namespace "+ns.Name+" in the dashboard cache", 10*time.Second, func() error {
		var names []string
		shared.dash.Call(t, http.MethodGet, "/namespaces", &names)
		for _, n := range names {
			if n == ns.Name {
				return nil
			}
		}
		return fmt.Errorf("not listed yet")
	})
	return ns.Name
}

func skipShort(t testing.TB) {
	t.Helper()
	if testing.Short() || shared.dash == nil {
		t.Skip("integration test: needs the local control plane (run without -short)")
	}
}

// runKubectl runs kubectl against a kubeconfig and returns its combined output.
func runKubectl(kubeconfig string, args ...string) (string, error) {
	out, err := exec.Command("kubectl", append([]string{"--kubeconfig", kubeconfig}, args...)...).CombinedOutput()
	return string(out), err
}
