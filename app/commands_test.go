package main

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// TestKubectlCommands pastes every command the types describe (GET /workload-types), filled as
// the UI fills them, into a shell with --dry-run=server against the real API server: each must be
// accepted, and the Advanced StatefulSet's must reach Kruise's resource, not apps/v1's.
func TestKubectlCommands(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "commands")
	createAppsStatefulSet(t, ns, "plain")
	objects := map[string]string{"apps-statefulset": "plain"}
	for _, o := range oneOfEach(t, ns) {
		objects[o.typ] = o.name
	}

	var types []adapters.Info
	shared.dash.MustOK(t, http.MethodGet, "/workload-types", &types)
	var tested atomic.Int32
	t.Cleanup(func() {
		if n := tested.Load(); n < 15 {
			t.Errorf("only %d commands ran", n)
		}
	})
	for _, ty := range types {
		name, ok := objects[ty.Type]
		if !ok {
			continue
		}
		values := map[string]string{"name": name, "namespace": ns, "replicas": "3", "images": "main=nginx:1.29", "now": time.Now().UTC().Format(time.RFC3339)}
		commands := map[string]string{"scale": ty.Commands.Scale, "restart": ty.Commands.Restart, "setImage": ty.Commands.SetImage, "delete": ty.Commands.Delete}
		for _, a := range ty.Actions {
			// The UI puts the merge patch of the server's dry run there; an empty one is accepted alike.
			commands["action "+a.Name] = adapters.Fill(a.Command, map[string]string{"patch": "{}"})
		}
		for action, command := range commands {
			if command == "" {
				continue
			}
			t.Run(ty.Type+" "+action, func(t *testing.T) {
				t.Parallel()
				line := adapters.Fill(command, values)
				if strings.Contains(line, "{") && !strings.Contains(line, "'") {
					t.Fatalf("placeholder left in %q", line)
				}
				if strings.HasPrefix(line, "kubectl-kruise ") {
					// Its module is not served here; the resource it names is checked by kubectl.
					t.Skipf("kubectl-kruise is not installable here: %s", line)
				}
				// kubectl rollout restart has no dry run: it runs for real, on the test's own object.
				run := line + " --dry-run=server"
				if strings.Contains(line, " rollout restart ") {
					run = line
				}
				cmd := exec.Command("bash", "-c", run)
				cmd.Env = append(os.Environ(), "KUBECONFIG="+shared.cluster.Kubeconfig)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%s\n%s: %v", line, out, err)
				}
				if ty.Type == "statefulset" && !strings.Contains(line, "statefulsets.apps.kruise.io") {
					t.Errorf("%q does not name Kruise's StatefulSet", line)
				}
				tested.Add(1)
			})
		}
	}
}
