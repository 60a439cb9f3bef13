// Command localcluster starts and stops the project's local control plane (`make cluster-up`,
// `make cluster-down`). `up` prints the admin kubeconfig path as its last line; `-full` adds the
// controllers, `-demo` applies the demo objects of every workload type and two Rollouts.
// `-fleet N` (N > 1) starts a local fleet: the home cluster and N-1 members (`-fleet-live`: member-2
// runs the controllers a Deployment canary needs); the last line is then the fleet kubeconfig (a
// context per cluster), and `-demo` also applies fleet-demo.yaml to each member and leaves a
// release of the Deployment web waiting for approval in the live member (and in the home, with
// -full).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: localcluster up [-dir DIR] [-full] [-demo] [-fleet N [-fleet-live]] | down [-dir DIR] | status [-dir DIR]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := flags.String("dir", localcluster.DefaultDir(), "state directory of the cluster")
	demo := flags.Bool("demo", false, "apply the demo objects after start")
	full := flags.Bool("full", false, "also run the controllers: kube-controller-manager, kube-scheduler, kwok, OpenKruise and Kruise Rollout managers; and the demo's simulated traffic with a Prometheus scraping it")
	fleet := flags.Int("fleet", 1, "the number of clusters: the home one and N-1 member control planes in DIR/member-<i> (N > 1: a fleet; the last line is then DIR/fleet.kubeconfig)")
	fleetLive := flags.Bool("fleet-live", false, "with -fleet: member-2 also runs kube-controller-manager, kube-scheduler, kwok and the Kruise Rollouts manager")
	_ = flags.Parse(os.Args[2:])

	switch os.Args[1] {
	case "up":
		opts := localcluster.Options{Dir: *dir, Full: *full, Fleet: *fleet, FleetLive: *fleetLive}
		if err := up(opts, *demo); err != nil {
			fmt.Fprintln(os.Stderr, "cluster-up:", err)
			os.Exit(1)
		}
	case "status":
		if !status(*dir) {
			os.Exit(1)
		}
	case "down":
		localcluster.Down(*dir)
		fmt.Fprintln(os.Stderr, "stopped the local cluster in", *dir)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func up(opts localcluster.Options, demo bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	if opts.Fleet > 1 {
		return upFleet(ctx, opts, demo, start)
	}
	c, err := localcluster.Start(ctx, opts)
	if err != nil {
		return err
	}
	if demo {
		if err := localcluster.Apply(ctx, c.Kubeconfig, localcluster.DemoManifest()); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "local cluster up in %s at %s (logs and PIDs in %s)\n", time.Since(start).Round(time.Millisecond), c.Server, opts.Dir)
	printPrometheus(c)
	fmt.Println(c.Kubeconfig)
	return nil
}

func upFleet(ctx context.Context, opts localcluster.Options, demo bool, start time.Time) error {
	f, err := localcluster.StartFleet(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "local fleet of %d up in %s (logs and PIDs of member-<i> in %s)\n", len(f.Names()), time.Since(start).Round(time.Millisecond), filepath.Join(opts.Dir, "member-<i>"))
	if demo {
		if err := fleetDemo(ctx, f, opts.Full); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "demo objects applied; %s\n", time.Since(start).Round(time.Millisecond))
	}
	for _, name := range f.Names() {
		c, live := f.Cluster(name), ""
		if c == f.Live || (c == f.Home && opts.Full) {
			live = " (live)"
		}
		fmt.Fprintf(os.Stderr, "  %-10s %s%s\n", name, c.Server, live)
	}
	fmt.Fprintf(os.Stderr, "cluster Secrets of the members (apply with kubectl -n <namespace> apply -f): %s\n", f.SecretsDir)
	printPrometheus(f.Home)
	fmt.Println(f.Kubeconfig)
	return nil
}

// fleetDemo applies the demo objects to every cluster at once, then leaves a release of the
// Deployment web waiting for approval in each live cluster.
func fleetDemo(ctx context.Context, f *localcluster.Fleet, homeLive bool) error {
	var wg sync.WaitGroup
	errs := make([]error, len(f.Names()))
	for i, name := range f.Names() {
		c := f.Cluster(name)
		manifest := localcluster.FleetDemoManifest()
		if c == f.Home {
			manifest = localcluster.DemoManifest()
		}
		wg.Go(func() {
			if errs[i] = localcluster.Apply(ctx, c.Kubeconfig, manifest); errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", name, errs[i])
				return
			}
			if c != f.Live && (c != f.Home || !homeLive) {
				return
			}
			if errs[i] = localcluster.WaitingRelease(ctx, c.Kubeconfig, "demo", "web", "web", "nginx:1.28"); errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", name, errs[i])
				return
			}
			fmt.Fprintf(os.Stderr, "%s: the release of demo/web (nginx:1.28) waits for approval at step 1\n", name)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func printPrometheus(c *localcluster.Cluster) {
	if c.PrometheusURL != "" {
		fmt.Fprintf(os.Stderr, "Prometheus of the SIMULATED demo traffic: %s (also in %s)\n", c.PrometheusURL, filepath.Join(c.Dir, "prometheus.url"))
	}
}

// status prints each component and says where the log of a dead one is; false if any died.
func status(dir string) bool {
	all := localcluster.Status(dir)
	if len(all) == 0 {
		fmt.Println("no local cluster in", dir)
		return false
	}
	healthy := true
	for _, c := range all {
		if c.Running {
			fmt.Printf("%-34s running (pid %d)\n", c.Name, c.PID)
			continue
		}
		healthy = false
		fmt.Printf("%-34s EXITED — see %s\n", c.Name, c.Log)
	}
	return healthy
}
