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
		fmt.Fprintln(os.Stderr, "usage: localcluster up [-dir DIR] [-demo] | down [-dir DIR]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := flags.String("dir", localcluster.DefaultDir(), "state directory of the cluster")
	demo := flags.Bool("demo", false, "apply the demo objects after start")
	full := flags.Bool("full", false, "also run the controllers: kube-controller-manager, kube-scheduler, kwok, OpenKruise and Kruise Rollout managers")
	_ = flags.Parse(os.Args[2:])

	switch os.Args[1] {
	case "up":
		if err := up(*dir, *demo, *full); err != nil {
			fmt.Fprintln(os.Stderr, "cluster-up:", err)
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
	fmt.Println(c.Kubeconfig)
	return nil
}
