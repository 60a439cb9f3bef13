// Command localcluster starts and stops the project's local control plane (`make cluster-up`,
// `make cluster-down`). `up` prints the admin kubeconfig path as its last line; `-full` adds the
// controllers, `-demo` applies the demo objects of every workload type and two Rollouts.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: localcluster up [-dir DIR] [-full] [-demo] | down [-dir DIR] | status [-dir DIR]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := flags.String("dir", localcluster.DefaultDir(), "state directory of the cluster")
	demo := flags.Bool("demo", false, "apply the demo objects after start")
	full := flags.Bool("full", false, "also run the controllers: kube-controller-manager, kube-scheduler, kwok, OpenKruise and Kruise Rollout managers; and the demo's simulated traffic with a Prometheus scraping it")
	_ = flags.Parse(os.Args[2:])

	switch os.Args[1] {
	case "up":
		if err := up(*dir, *demo, *full); err != nil {
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

func up(dir string, demo, full bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: dir, Full: full})
	if err != nil {
		return err
	}
	if demo {
		manifest := filepath.Join(localcluster.SourceDir(), "..", "demo.yaml")
		cmd := exec.CommandContext(ctx, "kubectl", "--kubeconfig", c.Kubeconfig, "apply", "--server-side", "-f", manifest)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apply demo objects: %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "local cluster up in %s at %s (logs and PIDs in %s)\n", time.Since(start).Round(time.Millisecond), c.Server, dir)
	if c.PrometheusURL != "" {
		fmt.Fprintf(os.Stderr, "Prometheus of the SIMULATED demo traffic: %s (also in %s)\n", c.PrometheusURL, filepath.Join(dir, "prometheus.url"))
	}
	fmt.Println(c.Kubeconfig)
	return nil
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
			fmt.Printf("%-24s running (pid %d)\n", c.Name, c.PID)
			continue
		}
		healthy = false
		fmt.Printf("%-24s EXITED — see %s\n", c.Name, c.Log)
	}
	return healthy
}
