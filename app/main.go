// Command kruise-dashboard serves the Kruise Dashboard API (and UI) for one Kubernetes cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/transport"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/fleet"
	"github.com/kruise-dashboard/kruise-dashboard/app/metrics"
	"github.com/kruise-dashboard/kruise-dashboard/app/telemetry"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/evidence"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/data/typesource"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	logger := log.With(log.NewStdLogger(os.Stdout), "ts", log.DefaultTimestamp, "caller", log.DefaultCaller)
	if isPlugin(os.Args[0]) {
		if err := runPlugin(os.Args[1:], os.Stdout, logger); err != nil {
			fmt.Fprintln(os.Stderr, "kubectl kruise-dashboard:", err)
			os.Exit(1)
		}
		return
	}
	confPath := flag.String("conf", "configs/config.yaml", "config file")
	flag.Parse()
	if err := run(*confPath, logger); err != nil {
		fmt.Fprintln(os.Stderr, "kruise-dashboard:", err)
		os.Exit(1)
	}
}

func run(confPath string, logger log.Logger) error {
	bc, err := conf.Load(confPath)
	if err != nil {
		return err
	}
	tp, flush, err := telemetry.NewTracerProvider(bc.Tracing, Version)
	if err != nil {
		return err
	}
	defer flush()
	app, cleanup, err := wireApp(bc, logger, tp, adapters.All)
	if err != nil {
		return err
	}
	defer cleanup()
	return app.Run()
}

func newApp(logger log.Logger, hs *khttp.Server, home *fleet.Member, f *fleet.Fleet, ms *metrics.Server, signOuts *data.SignOuts) *kratos.App {
	servers := append(append([]transport.Server{}, home.Servers...), signOuts, f, hs, ms)
	return kratos.New(
		kratos.Name("kruise-dashboard"),
		kratos.Version(Version),
		kratos.Logger(logger),
		kratos.Server(servers...),
	)
}

func newMetrics() *metrics.Metrics { return metrics.New(Version) }

// newEvidence is the release evidence of the metrics section: nil (off, every answer
// "unavailable") without a metrics.evidence section; a Prometheus server without a URL is none.
func newEvidence(m *conf.Metrics, tp trace.TracerProvider) (*evidence.Evidence, error) {
	if m == nil || m.Evidence == nil {
		if m != nil && m.Prometheus != nil && m.Prometheus.URL != "" {
			return nil, errors.New("metrics.prometheus.url is set but there is no metrics.evidence section (the templates are in configs/config.yaml)")
		}
		return nil, nil
	}
	prom, err := data.NewPrometheus(m.Prometheus, tp)
	if err != nil {
		return nil, err
	}
	var q evidence.Querier
	if prom != nil { // a nil *Prometheus in the interface would still be a Querier
		q = prom
	}
	c, err := data.EvidenceConfig(m)
	if err != nil {
		return nil, err
	}
	ev, err := evidence.New(c, q)
	if err != nil {
		return nil, fmt.Errorf("metrics.evidence: %w", err)
	}
	return ev, nil
}

// newApprovalPolicy is the approval rule of metrics.evidence (off without the section).
func newApprovalPolicy(m *conf.Metrics) biz.ApprovalPolicy {
	if m == nil || m.Evidence == nil {
		return biz.ApprovalPolicy{}
	}
	return biz.ApprovalPolicy{RequireReasonWhenWorse: m.Evidence.RequireReasonWhenWorse}
}

// AdapterSet builds the workload adapters the app serves.
type AdapterSet func(*adapters.Cluster) []adapters.Adapter

// buildAdapters is the Go adapters of set followed by the declared types; a broken declaration
// stops start-up with the file, the field and the reason (once running, it is refused instead and
// the last good one keeps serving).
func buildAdapters(set AdapterSet, c *adapters.Cluster, types *typesource.Source) ([]adapters.Adapter, error) {
	declared, err := types.Load(context.Background())
	if err != nil {
		return nil, fmt.Errorf("declared workload types: %w", err)
	}
	return append(set(c), declared...), nil
}

// newTypeSource reads the declared types from the shipped set, the folder and the ConfigMaps of
// the dashboard's own namespace.
func newTypeSource(k *conf.Kubernetes, c *adapters.Cluster, clients *data.Clients, logger log.Logger) *typesource.Source {
	ns := k.TypesNamespace
	if ns == "" {
		ns = typesource.OwnNamespace()
	}
	return typesource.New(typesource.Config{Shipped: k.ShippedTypes, Dir: k.TypesDir, Every: k.TypesReload, Namespace: ns, Selector: k.TypesSelector}, c, clients.Plain, logger)
}

func newLimits(c *conf.Limits) biz.Limits { return biz.Limits{MaxReplicas: c.MaxReplicas} }

func newSettings(a *conf.Auth, s *conf.Server) biz.Settings {
	return biz.Settings{Mode: a.Mode, ReadOnly: s.ReadOnly}
}
