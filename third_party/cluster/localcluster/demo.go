package localcluster

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// DemoManifest is the home cluster's demo objects (../demo.yaml); FleetDemoManifest a fleet
// member's (../fleet-demo.yaml).
func DemoManifest() string      { return filepath.Join(sourceDir(), "..", "demo.yaml") }
func FleetDemoManifest() string { return filepath.Join(sourceDir(), "..", "fleet-demo.yaml") }

// Apply applies a manifest file with kubectl (server-side) to the cluster of kubeconfig.
func Apply(ctx context.Context, kubeconfig, manifest string) error {
	if _, err := runCmd(ctx, "", "kubectl", "--kubeconfig", kubeconfig, "apply", "--server-side", "-f", manifest); err != nil {
		return fmt.Errorf("apply %s: %w", filepath.Base(manifest), err)
	}
	return nil
}

// WaitingRelease makes the Deployment namespace/name, under a Rollout of the same name whose
// first step is a manual pause, release image in its container: it waits until the Rollout is
// Healthy and the Deployment rolled out, sets the image, and waits until the release waits for
// approval at that step — as a person would see it in the dashboard. It needs a live cluster
// (the controller-manager, kwok and the Kruise Rollouts manager).
func WaitingRelease(ctx context.Context, kubeconfig, namespace, name, container, image string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	kubectl := func(what string, args ...string) error {
		args = append([]string{"--kubeconfig", kubeconfig, "-n", namespace}, args...)
		if _, err := runCmd(ctx, "", "kubectl", args...); err != nil {
			return fmt.Errorf("release of %s/%s: %s: %w", namespace, name, what, err)
		}
		return nil
	}
	rollout := "rollouts.v1beta1.rollouts.kruise.io/" + name
	timeout := "--timeout=" + (3 * time.Minute).String()
	// The Rollout's phase is set by the manager shortly after it starts: kubectl wait fails at
	// once on an object without the field yet, so it is waited for with a few tries.
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = kubectl("wait until the Rollout is Healthy", "wait", "--for=jsonpath={.status.phase}=Healthy", timeout, rollout); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		return err
	}
	if err := kubectl("wait until the Deployment rolled out", "rollout", "status", timeout, "deployment/"+name); err != nil {
		return err
	}
	if err := kubectl("set the image", "set", "image", "deployment/"+name, container+"="+image); err != nil {
		return err
	}
	return kubectl("wait until step 1 waits for approval", "wait", "--for=jsonpath={.status.canaryStatus.currentStepState}=StepPaused", timeout, rollout)
}
