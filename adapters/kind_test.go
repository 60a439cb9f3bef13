package adapters_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// byKind is the built-in adapters by kind.
func byKind(t *testing.T) map[string]adapters.Adapter {
	t.Helper()
	out := map[string]adapters.Adapter{}
	for _, a := range adapters.All(&adapters.Cluster{}) {
		out[a.Info().Kind] = a
	}
	return out
}

func content(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStates is each kind's state rule, read from its own status fields (docs/semantics.md §6.3).
func TestStates(t *testing.T) {
	kinds := byKind(t)
	for _, c := range []struct{ name, kind, object, want string }{
		{"ready", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":2,"expectedUpdatedReplicas":2}}`, "ready"},
		{"updating", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":4},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1,"expectedUpdatedReplicas":4}}`, "updating"},
		{"held by a partition", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":4},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1,"expectedUpdatedReplicas":1}}`, "partitioned"},
		{"not ready", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":3},"status":{"replicas":3,"readyReplicas":1,"updatedReplicas":3}}`, "notReady"},
		{"status behind the spec", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x","generation":2},"spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":2,"observedGeneration":1}}`, "updating"},
		{"more pods than wanted", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":2},"status":{"replicas":3,"readyReplicas":3,"updatedReplicas":2}}`, "updating"},
		{"no replicas field means one", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{},"status":{"replicas":1,"readyReplicas":1,"updatedReplicas":1}}`, "ready"},
		{"paused CloneSet", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x"},"spec":{"replicas":2,"updateStrategy":{"paused":true}},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":0}}`, "paused"},
		{"paused Deployment", "Deployment", `{"kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":2,"paused":true},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":2}}`, "paused"},
		// Kruise Rollout pauses a Deployment for its steps: part of the release, not a person's hold.
		{"paused by its release", "Deployment", `{"kind":"Deployment","metadata":{"name":"x","annotations":{"rollouts.kruise.io/in-progressing":"{\"rolloutName\":\"x\"}"}},"spec":{"replicas":2,"paused":true},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":2}}`, "inRelease"},
		{"held by its release's partition", "CloneSet", `{"kind":"CloneSet","metadata":{"name":"x","annotations":{"rollouts.kruise.io/in-progressing":"{}"}},"spec":{"replicas":4},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1,"expectedUpdatedReplicas":1}}`, "inRelease"},
		{"scaled to zero", "Deployment", `{"kind":"Deployment","metadata":{"name":"x"},"spec":{"replicas":0},"status":{}}`, "scaledToZero"},
		{"ASTS partition", "StatefulSet", `{"kind":"StatefulSet","metadata":{"name":"x"},"spec":{"replicas":4,"updateStrategy":{"rollingUpdate":{"partition":3}}},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1}}`, "partitioned"},
		{"ASTS paused", "StatefulSet", `{"kind":"StatefulSet","metadata":{"name":"x"},"spec":{"replicas":4,"updateStrategy":{"rollingUpdate":{"paused":true}}},"status":{"replicas":4}}`, "paused"},
		{"DaemonSet ready", "DaemonSet", `{"kind":"DaemonSet","metadata":{"name":"x"},"spec":{},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":3,"updatedNumberScheduled":3}}`, "ready"},
		{"DaemonSet not ready", "DaemonSet", `{"kind":"DaemonSet","metadata":{"name":"x"},"spec":{},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":1,"updatedNumberScheduled":3}}`, "notReady"},
		{"BroadcastJob running", "BroadcastJob", `{"kind":"BroadcastJob","metadata":{"name":"x"},"spec":{},"status":{"phase":"running"}}`, "running"},
		{"BroadcastJob completed", "BroadcastJob", `{"kind":"BroadcastJob","metadata":{"name":"x"},"spec":{},"status":{"phase":"completed"}}`, "completed"},
		{"BroadcastJob paused", "BroadcastJob", `{"kind":"BroadcastJob","metadata":{"name":"x"},"spec":{"paused":true},"status":{"phase":"running"}}`, "paused"},
		{"BroadcastJob without a phase", "BroadcastJob", `{"kind":"BroadcastJob","metadata":{"name":"x"},"spec":{},"status":{}}`, "pending"},
		{"cron job suspended", "AdvancedCronJob", `{"kind":"AdvancedCronJob","metadata":{"name":"x"},"spec":{"paused":true},"status":{"active":[{}]}}`, "suspended"},
		{"cron job running", "AdvancedCronJob", `{"kind":"AdvancedCronJob","metadata":{"name":"x"},"spec":{},"status":{"active":[{}]}}`, "active"},
		{"cron job idle", "AdvancedCronJob", `{"kind":"AdvancedCronJob","metadata":{"name":"x"},"spec":{},"status":{}}`, "scheduled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := kinds[c.kind]
			_, got := a.Summarize(content(t, c.object))
			if got != c.want {
				t.Errorf("state = %s, want %s", got, c.want)
			}
			if !slices.Contains(a.Info().States, got) {
				t.Errorf("%s is not one of %s's states %v", got, c.kind, a.Info().States)
			}
		})
	}
}

// TestColumns: every value is shown under a title that says what it is, so a cron schedule is
// never a replica count and a job phase never a revision.
func TestColumns(t *testing.T) {
	kinds := byKind(t)
	for _, c := range []struct {
		kind, object string
		want         map[string]any // title → value
		list         []string       // the list's titles
	}{
		{"Deployment", `{"metadata":{"annotations":{"deployment.kubernetes.io/revision":"4"}},"spec":{"replicas":3},"status":{"readyReplicas":2,"updatedReplicas":1,"availableReplicas":2}}`,
			map[string]any{"Replicas": 3.0, "Ready": 2.0, "Up to date": 1.0, "Available": 2.0, "Revision": "4"},
			[]string{"Replicas", "Ready", "Up to date", "Revision"}},
		{"CloneSet", `{"spec":{"replicas":5},"status":{"readyReplicas":5,"updatedReplicas":5,"availableReplicas":5,"updateRevision":"shop-abc","currentRevision":"shop-abc"}}`,
			map[string]any{"Replicas": 5.0, "Ready": 5.0, "Up to date": 5.0, "Available": 5.0, "Update revision": "shop-abc", "Current revision": "shop-abc"},
			[]string{"Replicas", "Ready", "Up to date", "Update revision"}},
		{"StatefulSet", `{"spec":{},"status":{}}`,
			map[string]any{"Replicas": 1.0, "Ready": 0.0, "Up to date": 0.0, "Available": 0.0, "Update revision": nil, "Current revision": nil},
			[]string{"Replicas", "Ready", "Up to date", "Update revision"}},
		{"DaemonSet", `{"spec":{},"status":{"desiredNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,"numberAvailable":2,"daemonSetHash":"h"}}`,
			map[string]any{"Desired": 3.0, "Ready": 2.0, "Up to date": 3.0, "Available": 2.0, "Update revision": "h"},
			[]string{"Desired", "Ready", "Up to date", "Update revision"}},
		{"BroadcastJob", `{"spec":{},"status":{"desired":3,"active":1,"succeeded":2,"failed":0,"phase":"running"}}`,
			map[string]any{"Desired": 3.0, "Active pods": 1.0, "Succeeded": 2.0, "Failed": 0.0, "Completed": nil},
			[]string{"Desired", "Active pods", "Succeeded", "Failed", "Completed"}},
		{"AdvancedCronJob", `{"spec":{"schedule":"*/1 * * * *"},"status":{"active":[{}],"type":"Job","lastScheduleTime":"2025-01-01T00:00:00Z"}}`,
			map[string]any{"Schedule": "*/1 * * * *", "Active jobs": 1.0, "Last scheduled": "2025-01-01T00:00:00Z", "Job kind": "Job"},
			[]string{"Schedule", "Active jobs", "Last scheduled", "Job kind"}},
		{"AdvancedCronJob", `{"spec":{"template":{"broadcastJobTemplate":{}}},"status":{}}`,
			map[string]any{"Schedule": nil, "Active jobs": 0.0, "Last scheduled": nil, "Job kind": "BroadcastJob"},
			[]string{"Schedule", "Active jobs", "Last scheduled", "Job kind"}},
	} {
		t.Run(c.kind, func(t *testing.T) {
			info := kinds[c.kind].Info()
			cols, _ := kinds[c.kind].Summarize(content(t, c.object))
			got := map[string]any{}
			var list []string
			for _, col := range info.Columns {
				got[col.Title] = cols[col.Name]
				if col.Titles["zh-CN"] == "" {
					t.Errorf("column %s has no zh-CN title", col.Name)
				}
				if !col.Detail {
					list = append(list, col.Title)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("columns %v, want %v", got, c.want)
			}
			if !slices.Equal(list, c.list) {
				t.Errorf("list columns %v, want %v", list, c.list)
			}
		})
	}
}

// TestCommands: each kind's commands, as the UI fills them.
func TestCommands(t *testing.T) {
	kinds := byKind(t)
	fill := func(kind, command string) string {
		return adapters.Fill(command, map[string]string{"name": "x", "namespace": "demo", "replicas": "3", "images": "main=nginx", "now": "T"})
	}
	for _, c := range []struct{ kind, got, want string }{
		{"StatefulSet", kinds["StatefulSet"].Info().Commands.Scale, "kubectl scale statefulsets.apps.kruise.io/x -n demo --replicas=3"},
		// kubectl-kruise's documented names: asts, ads, cloneset ("statefulset" would be apps/v1's).
		{"StatefulSet", kinds["StatefulSet"].Info().Commands.SetImage, "kubectl-kruise set image asts/x main=nginx -n demo"},
		{"DaemonSet", kinds["DaemonSet"].Info().Commands.SetImage, "kubectl-kruise set image ads/x main=nginx -n demo"},
		{"CloneSet", kinds["CloneSet"].Info().Commands.SetImage, "kubectl-kruise set image cloneset/x main=nginx -n demo"},
		{"StatefulSet", kinds["StatefulSet"].Info().Commands.KruiseResource, "asts"},
		{"DaemonSet", kinds["DaemonSet"].Info().Commands.KruiseResource, "ads"},
		{"Deployment", kinds["Deployment"].Info().Commands.KruiseResource, "deployment"},
		{"CloneSet", kinds["CloneSet"].Info().Commands.Restart, `kubectl patch clonesets.apps.kruise.io x -n demo --type merge -p '{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"T"}}}}}'`},
		{"Deployment", kinds["Deployment"].Info().Commands.Restart, "kubectl rollout restart deployments.apps/x -n demo"},
		{"Deployment", kinds["Deployment"].Info().Commands.SetImage, "kubectl set image deployments.apps/x main=nginx -n demo"},
		{"DaemonSet", kinds["DaemonSet"].Info().Commands.Scale, ""},
		{"BroadcastJob", kinds["BroadcastJob"].Info().Commands.Delete, "kubectl delete broadcastjobs.apps.kruise.io x -n demo"},
		{"BroadcastJob", kinds["BroadcastJob"].Info().Commands.Restart, ""},
	} {
		if got := fill(c.kind, c.got); got != c.want {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}

// TestTitles: the types are named so no two read alike — Kruise's StatefulSet and DaemonSet are
// the Advanced ones; plain "StatefulSet" and "DaemonSet" are apps/v1's (the shipped declarations).
func TestTitles(t *testing.T) {
	kinds := byKind(t)
	for kind, want := range map[string]string{"StatefulSet": "Advanced StatefulSet", "DaemonSet": "Advanced DaemonSet", "CloneSet": "CloneSet",
		"Deployment": "Deployment", "BroadcastJob": "BroadcastJob", "AdvancedCronJob": "AdvancedCronJob"} {
		if got := kinds[kind].Info().Title; got != want {
			t.Errorf("%s is titled %q, want %q", kind, got, want)
		}
	}
}

// TestOriginOf: where a declaration came from, without the server's paths.
func TestOriginOf(t *testing.T) {
	for file, want := range map[string][3]string{
		adapters.ShippedWhere + "/apps-statefulset.yaml":           {adapters.OriginShipped, "", "apps-statefulset.yaml"},
		adapters.ConfigMapWhere("kd", "team-types") + "/sets.yaml": {adapters.OriginConfigMap, "kd/team-types", "sets.yaml"},
		"/etc/kruise-dashboard/types/agents.yaml":                  {adapters.OriginFolder, "", "agents.yaml"},
		"agents.yaml": {"", "", "agents.yaml"},
	} {
		o, cm, name := adapters.OriginOf(file)
		if got := [3]string{o, cm, name}; got != want {
			t.Errorf("OriginOf(%q) = %v, want %v", file, got, want)
		}
	}
}
