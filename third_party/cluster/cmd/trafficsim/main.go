// Command trafficsim runs beside the local cluster's Prometheus (`make cluster-up FULL=1`, `make
// run`): it serves the demo's SIMULATED per-pod traffic for Prometheus to scrape (package
// trafficsim) and, on a second listener, the Prometheus URL given to the dashboard, which passes
// requests to the real server and says why while it does not answer (being built, starting, not
// running). Both listen on 127.0.0.1 only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/trafficsim"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "the cluster's admin kubeconfig")
	metricsAddr := flag.String("metrics-addr", "127.0.0.1:0", "where the simulated series are served (/metrics)")
	gateAddr := flag.String("gate-addr", "", "where the Prometheus URL is served (empty: not)")
	upstream := flag.String("upstream", "", "the real Prometheus server's host:port")
	dir := flag.String("dir", "", "the cluster's folder (prometheus.pid, prometheus.building)")
	buildNote := flag.String("build-note", "from the module proxy", "what the background build is, after \"being built\"")
	seed := flag.Uint64("seed", 19, "the seed of the pods' profiles")
	flag.Parse()
	if err := run(*kubeconfig, *metricsAddr, *gateAddr, *upstream, *dir, *buildNote, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "trafficsim:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, metricsAddr, gateAddr, upstream, dir, buildNote string, seed uint64) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	source, err := trafficsim.ClusterPods(ctx, kube)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", trafficsim.New(seed, source))
	servers := []*http.Server{{Addr: metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	if gateAddr != "" {
		servers = append(servers, &http.Server{Addr: gateAddr, Handler: trafficsim.NewGate(upstream, dir, buildNote), ReadHeaderTimeout: 10 * time.Second})
	}
	errs := make(chan error, len(servers))
	for _, s := range servers {
		l, err := net.Listen("tcp", s.Addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "trafficsim: serving on %s\n", l.Addr())
		go func() { errs <- s.Serve(l) }()
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		for _, s := range servers {
			if err := s.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
		}
		return nil
	}
}
