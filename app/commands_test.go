package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// kubectlKruiseDocs is what kubectl-kruise's documentation (openkruise/kruise-tools' README and
// openkruise.io's kubectl-plugin page) names for each subcommand the dashboard shows: the objects
// it takes, as resource/name, and its flags. Its module is not served here, so its commands are
// checked against this table rather than run; the names in it that the dashboard uses are also
// resolved by kubectl against the API server (kubectl-kruise resolves names as kubectl does).
var kubectlKruiseDocs = map[string]struct{ resources, flags []string }{
	// "kubectl kruise set image cloneset/<name> ...", asts/<name> or advancedstatefulset/<name>,
	// ads/<name> or advanceddaemonset/<name>; the apps/v1 kinds as kubectl's own set image.
	"set image": {[]string{"cloneset", "asts", "advancedstatefulset", "ads", "advanceddaemonset", "deployment", "statefulset", "daemonset"}, []string{"-n"}},
	// rollout restart/undo/status of the workloads; approve, pause, resume and undo of rollout/<name>.
	"rollout restart": {[]string{"cloneset", "asts", "advancedstatefulset", "ads", "advanceddaemonset", "deployment", "statefulset", "daemonset"}, []string{"-n"}},
	"rollout undo":    {[]string{"rollout", "cloneset", "asts", "advancedstatefulset", "ads", "advanceddaemonset", "deployment", "statefulset", "daemonset"}, []string{"-n", "--to-revision"}},
	"rollout approve": {[]string{"rollout"}, []string{"-n"}},
	"rollout pause":   {[]string{"rollout", "cloneset", "deployment"}, []string{"-n"}},
	"rollout resume":  {[]string{"rollout", "cloneset", "deployment"}, []string{"-n"}},
}

// checkKubectlKruise checks a kubectl-kruise command against its documentation (subcommand,
// resource name, flags) and resolves the object it names with kubectl against the API server:
// it must be the one meant (wantAPIVersion, e.g. asts/<name> Kruise's StatefulSet, not apps/v1's).
func checkKubectlKruise(t *testing.T, line, wantAPIVersion string) {
	t.Helper()
	words := strings.Fields(line)
	if len(words) < 4 || words[0] != "kubectl-kruise" {
		t.Fatalf("not a kubectl-kruise command: %q", line)
	}
	sub := words[1]
	rest := words[2:]
	if sub == "rollout" {
		sub, rest = "rollout "+words[2], words[3:]
	} else if sub == "set" {
		sub, rest = "set "+words[2], words[3:]
	}
	doc, ok := kubectlKruiseDocs[sub]
	if !ok {
		t.Fatalf("%q: kubectl-kruise documents no %q", line, sub)
	}
	object := rest[0]
	resource, name, ok := strings.Cut(object, "/")
	if !ok || !slices.Contains(doc.resources, resource) {
		t.Fatalf("%q: kubectl-kruise %s is documented for %v/<name>, not %q", line, sub, doc.resources, object)
	}
	ns := ""
	for i := 1; i < len(rest); i++ {
		w := rest[i]
		switch {
		case w == "-n" && i+1 < len(rest):
			ns = rest[i+1]
			i++
		case strings.HasPrefix(w, "-"):
			flag, _, _ := strings.Cut(w, "=")
			if !slices.Contains(doc.flags, flag) {
				t.Errorf("%q: kubectl-kruise %s documents no flag %s", line, sub, flag)
			}
		case sub == "set image" && strings.Contains(w, "="):
		default:
			t.Errorf("%q: unexpected argument %q", line, w)
		}
	}
	get := exec.Command("kubectl", "get", resource+"/"+name, "-n", ns, "-o", "jsonpath={.apiVersion}")
	get.Env = append(os.Environ(), "KUBECONFIG="+shared.cluster.Kubeconfig)
	out, err := get.CombinedOutput()
	if err != nil {
		t.Fatalf("%q names %s, which kubectl does not resolve: %s %v", line, object, out, err)
	}
	if got := string(out); got != wantAPIVersion {
		t.Errorf("%q names a %s object, want %s", line, got, wantAPIVersion)
	}
}

// pasteCommand runs a kubectl command as a shell would (quotes included) with --dry-run=server.
// kubectl rollout restart has no dry run: it runs for real, on the test's own object.
func pasteCommand(t *testing.T, line string) {
	t.Helper()
	if strings.Contains(line, "{") && !strings.Contains(line, "'") {
		t.Fatalf("placeholder left in %q", line)
	}
	run := line + " --dry-run=server"
	if strings.Contains(line, " rollout restart ") {
		run = line
	}
	cmd := exec.Command("bash", "-c", run)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+shared.cluster.Kubeconfig)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s\n%s: %v", line, out, err)
	}
}

// bookkeeping are the fields the API server sets on every write: never what an action changes
// (as the UI's actionChanges leaves them out).
var bookkeeping = []string{"resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"}

// changedPart is what an action's patch is about, as the UI compares it (workloadTypes.ts).
func changedPart(obj map[string]any, a adapters.Action) map[string]any {
	if a.Subresource == "status" {
		return map[string]any{"status": obj["status"]}
	}
	meta := map[string]any{}
	for k, v := range obj["metadata"].(map[string]any) {
		if !slices.Contains(bookkeeping, k) {
			meta[k] = v
		}
	}
	return map[string]any{"metadata": meta, "spec": obj["spec"]}
}

// mergePatch is the JSON merge patch (RFC 7386) turning before into after, as the UI computes it.
func mergePatch(before, after any) any {
	b, okB := before.(map[string]any)
	a, okA := after.(map[string]any)
	if !okB || !okA {
		return after
	}
	out := map[string]any{}
	for k, bv := range b {
		av, ok := a[k]
		if !ok {
			out[k] = nil
		} else if fmt.Sprint(bv) != fmt.Sprint(av) {
			out[k] = mergePatch(bv, av)
		}
	}
	for k, av := range a {
		if _, ok := b[k]; !ok {
			out[k] = av
		}
	}
	return out
}

// paramsFor gives an action's parameters a valid value each.
func paramsFor(a adapters.Action) map[string]any {
	params := map[string]any{}
	for _, p := range a.Params {
		switch p.Type {
		case "integer":
			v := int64(1)
			if p.Min != nil && *p.Min > v {
				v = *p.Min
			}
			params[p.Name] = v
		case "boolean":
			params[p.Name] = true
		default:
			params[p.Name] = "x"
		}
	}
	return params
}

func createImagePullJob(t *testing.T, ns, name string) {
	t.Helper()
	_, err := shared.kruise.AppsV1alpha1().ImagePullJobs(ns).Create(ctx, &kruiseappsv1alpha1.ImagePullJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       kruiseappsv1alpha1.ImagePullJobSpec{Image: "nginx:1.29", ImagePullJobTemplate: kruiseappsv1alpha1.ImagePullJobTemplate{CompletionPolicy: kruiseappsv1alpha1.CompletionPolicy{Type: kruiseappsv1alpha1.Always}}},
	}, metav1.CreateOptions{})
	must(t, "create imagepulljob", err)
}

// TestKubectlCommands pastes every command the UI can show into a shell against the real API
// server: every type's (GET /workload-types: the built-in kinds and every shipped declaration),
// filled as the UI fills them, each declared action's with the merge patch of the server's dry
// run, and the Rollout pages' (components/rolloutCommands.json, which the UI's tests keep equal to
// components/commands.ts). kubectl ones run with --dry-run=server and must be accepted, naming
// Kruise's resources and not apps/v1's; kubectl-kruise ones are checked against its documented
// names and flags, and the object each names resolved by kubectl.
func TestKubectlCommands(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "commands")
	objects := map[string]string{}
	for _, o := range oneOfEach(t, ns) {
		objects[o.typ] = o.name
	}
	createAppsStatefulSet(t, ns, "plain")
	createAppsDaemonSet(t, ns, "plain-agent")
	createUnitedDeployment(t, ns, "united", 2, "zone-a")
	createImagePullJob(t, ns, "prepull")
	sidecar := ns + "-log-agent" // cluster-scoped: a name of its own
	createSidecarSet(t, sidecar, "united")
	for typ, name := range map[string]string{"apps-statefulset": "plain", "apps-daemonset": "plain-agent", "uniteddeployment": "united", "imagepulljob": "prepull", "sidecarset": sidecar} {
		objects[typ] = name
	}

	var types []adapters.Info
	shared.dash.MustOK(t, http.MethodGet, "/workload-types", &types)
	var tested, kruiseChecked atomic.Int32
	t.Cleanup(func() {
		if n, k := tested.Load(), kruiseChecked.Load(); n < 30 || k < 3 {
			t.Errorf("only %d commands ran and %d kubectl-kruise commands were checked", n, k)
		}
	})
	for _, ty := range types {
		if ty.Source == adapters.SourceRefused {
			continue
		}
		name, ok := objects[ty.Type]
		if !ok {
			t.Errorf("no %s object here: its commands would not be run", ty.Type)
			continue
		}
		apiNs := ns
		if !ty.Namespaced() {
			apiNs = "_cluster"
		}
		values := map[string]string{"name": name, "namespace": ns, "replicas": "3", "images": "main=nginx:1.29", "now": time.Now().UTC().Format(time.RFC3339)}
		commands := map[string]string{"scale": ty.Commands.Scale, "restart": ty.Commands.Restart, "setImage": ty.Commands.SetImage, "delete": ty.Commands.Delete}
		if ty.Capabilities.Scalable && ty.Commands.Scale == "" || ty.Commands.Delete == "" {
			t.Errorf("%s: no command for scale or delete: %+v", ty.Type, ty.Commands)
		}
		for _, a := range ty.Actions {
			// The UI puts the merge patch between the object and the server's dry run of the action there.
			var current, dry map[string]any
			shared.dash.MustOK(t, http.MethodGet, "/workload/"+apiNs+"/"+ty.Type+"/"+name, &current)
			body, _ := json.Marshal(map[string]any{"params": paramsFor(a)})
			shared.dash.MustOKBody(t, http.MethodPost, "/workload/"+apiNs+"/"+ty.Type+"/"+name+"/action/"+a.Name+"?dryRun=true", string(body), &dry)
			patch, _ := json.Marshal(mergePatch(changedPart(current, a), changedPart(dry, a)))
			if string(patch) == "{}" && len(a.Params) > 0 {
				t.Errorf("%s action %s: the dry run changes nothing", ty.Type, a.Name)
			}
			commands["action "+a.Name] = adapters.Fill(a.Command, map[string]string{"patch": string(patch)})
		}
		for action, command := range commands {
			if command == "" {
				continue
			}
			t.Run(ty.Type+" "+action, func(t *testing.T) {
				t.Parallel()
				line := adapters.Fill(command, values)
				if strings.HasPrefix(line, "kubectl-kruise ") {
					checkKubectlKruise(t, line, ty.APIVersion)
					kruiseChecked.Add(1)
					return
				}
				pasteCommand(t, line)
				if ty.Type == "statefulset" && !strings.Contains(line, "statefulsets.apps.kruise.io") {
					t.Errorf("%q does not name Kruise's StatefulSet", line)
				}
				tested.Add(1)
			})
		}
	}

	t.Run("the Rollout pages' commands", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join("web", "src", "components", "rolloutCommands.json"))
		must(t, "read the UI's Rollout commands", err)
		var fixture struct {
			Approve, Resume, Pause, Undo, UndoToRevision, PromoteCanary, PromoteBlueGreen, Enable, Disable string
			Restart                                                                                        map[string]string
		}
		must(t, "decode the UI's Rollout commands", json.Unmarshal(raw, &fixture))
		canary := createRollout(t, ns, "canary", refTo("apps.kruise.io/v1alpha1", "CloneSet", objects["cloneset"]), canaryStrategy(false))
		setInRolling(t, canary, 1, rolloutsv1beta1.CanaryStepStatePaused, false)
		blueGreen := createRollout(t, ns, "blue-green", refTo("apps/v1", "Deployment", objects["deployment"]),
			rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: threeSteps()}})
		setInRolling(t, blueGreen, 1, rolloutsv1beta1.CanaryStepStatePaused, true)
		fill := func(command, rollout string) string {
			return adapters.Fill(command, map[string]string{"name": rollout, "namespace": ns})
		}
		rolloutAPIVersion := rolloutsv1beta1.GroupVersion.String()
		for what, line := range map[string]string{"approve": fill(fixture.Approve, "canary"), "resume": fill(fixture.Resume, "canary"), "pause": fill(fixture.Pause, "canary"),
			"undo": fill(fixture.Undo, "canary"), "undo to a revision": fill(fixture.UndoToRevision, "canary")} {
			t.Run(what, func(t *testing.T) {
				checkKubectlKruise(t, line, rolloutAPIVersion)
			})
		}
		for what, line := range map[string]string{"promote (canary)": fill(fixture.PromoteCanary, "canary"), "promote (blue-green)": fill(fixture.PromoteBlueGreen, "blue-green"),
			"enable": fill(fixture.Enable, "canary"), "disable": fill(fixture.Disable, "canary")} {
			t.Run(what, func(t *testing.T) {
				if !strings.Contains(line, "rollouts.rollouts.kruise.io") {
					t.Errorf("%q does not name Kruise's Rollout unambiguously", line)
				}
				pasteCommand(t, line)
			})
		}
		byType := map[string]adapters.Info{}
		for _, ty := range types {
			byType[ty.Type] = ty
		}
		if len(fixture.Restart) < 5 {
			t.Errorf("restart commands for %v only", fixture.Restart)
		}
		for typ, command := range fixture.Restart {
			t.Run("restart of a "+typ, func(t *testing.T) {
				line := adapters.Fill(command, map[string]string{"workload": objects[typ], "namespace": ns})
				checkKubectlKruise(t, line, byType[typ].APIVersion)
			})
		}
	})
}
