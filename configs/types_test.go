package configs_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/adapters/declared"
	"github.com/kruise-dashboard/kruise-dashboard/configs"
)

// shipped are the adapters of the shipped declarations.
func shipped(t *testing.T) []adapters.Adapter {
	t.Helper()
	dir, err := fs.Sub(configs.Types, "types")
	if err != nil {
		t.Fatal(err)
	}
	decls, err := declared.Load(dir, "configs/types")
	if err != nil {
		t.Fatal(err)
	}
	var out []adapters.Adapter
	for _, d := range decls {
		a, err := declared.New(&adapters.Cluster{}, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestShippedStates checks the state expressions of the shipped apps/v1 types against the rule
// they write in CEL (docs/semantics.md §6.3).
func TestShippedStates(t *testing.T) {
	byType := map[string]adapters.Adapter{}
	for _, a := range shipped(t) {
		byType[a.Info().Type] = a
	}
	for _, c := range []struct{ name, typ, object, want string }{
		{"sts ready", "apps-statefulset", `{"metadata":{"generation":2},"spec":{"replicas":3},"status":{"observedGeneration":2,"replicas":3,"readyReplicas":3,"updatedReplicas":3}}`, "ready"},
		{"sts no replicas field means one", "apps-statefulset", `{"metadata":{},"spec":{},"status":{"replicas":1,"readyReplicas":1,"updatedReplicas":1}}`, "ready"},
		{"sts updating", "apps-statefulset", `{"metadata":{},"spec":{"replicas":3},"status":{"replicas":3,"readyReplicas":3,"updatedReplicas":1}}`, "updating"},
		{"sts status behind", "apps-statefulset", `{"metadata":{"generation":3},"spec":{"replicas":3},"status":{"observedGeneration":2,"replicas":3,"readyReplicas":3,"updatedReplicas":3}}`, "updating"},
		{"sts partitioned", "apps-statefulset", `{"metadata":{},"spec":{"replicas":4,"updateStrategy":{"rollingUpdate":{"partition":3}}},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1}}`, "partitioned"},
		{"sts held by its release", "apps-statefulset", `{"metadata":{"annotations":{"rollouts.kruise.io/in-progressing":"{}"}},"spec":{"replicas":4,"updateStrategy":{"rollingUpdate":{"partition":3}}},"status":{"replicas":4,"readyReplicas":4,"updatedReplicas":1}}`, "inRelease"},
		{"sts partition above replicas", "apps-statefulset", `{"metadata":{},"spec":{"replicas":2,"updateStrategy":{"rollingUpdate":{"partition":9}}},"status":{"replicas":2,"readyReplicas":2,"updatedReplicas":0}}`, "partitioned"},
		{"sts not ready", "apps-statefulset", `{"metadata":{},"spec":{"replicas":3},"status":{"replicas":3,"readyReplicas":1,"updatedReplicas":3}}`, "notReady"},
		{"sts scaled to zero", "apps-statefulset", `{"metadata":{},"spec":{"replicas":0},"status":{}}`, "scaledToZero"},
		{"ds ready", "apps-daemonset", `{"metadata":{},"spec":{},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":3,"updatedNumberScheduled":3}}`, "ready"},
		{"ds updating", "apps-daemonset", `{"metadata":{},"spec":{},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":3,"updatedNumberScheduled":1}}`, "updating"},
		{"ds not ready", "apps-daemonset", `{"metadata":{},"spec":{},"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":1,"updatedNumberScheduled":3}}`, "notReady"},
		{"ds no nodes", "apps-daemonset", `{"metadata":{},"spec":{},"status":{}}`, "ready"},
		{"united: the replica rule", "uniteddeployment", `{"metadata":{},"spec":{"replicas":2},"status":{"replicas":2,"readyReplicas":1,"updatedReplicas":2}}`, "notReady"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var content map[string]any
			if err := json.Unmarshal([]byte(c.object), &content); err != nil {
				t.Fatal(err)
			}
			a := byType[c.typ]
			if _, got := a.Summarize(content); got != c.want {
				t.Errorf("state %s, want %s", got, c.want)
			}
		})
	}
}

// TestClusterRoleCoversRegistry names every served type (Go kinds and the shipped declarations)
// whose resource the dashboard's role may not get, list and watch: the informers would fail.
func TestClusterRoleCoversRegistry(t *testing.T) {
	raw, err := os.ReadFile("clusterrole.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(raw, &role); err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	for _, r := range role.Rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					granted[g+"/"+res+"/"+v] = true
				}
			}
		}
	}
	infos := []adapters.Info{}
	for _, a := range adapters.All(&adapters.Cluster{}) {
		infos = append(infos, a.Info())
	}
	for _, a := range shipped(t) {
		infos = append(infos, a.Info())
	}
	for _, info := range infos {
		gvr := info.GVR()
		for _, verb := range []string{"get", "list", "watch"} {
			if !granted[gvr.Group+"/"+gvr.Resource+"/"+verb] {
				t.Errorf("type %s: configs/clusterrole.yaml does not grant %s on %s.%s (the chart's role is this file)", info.Type, verb, gvr.Resource, gvr.Group)
			}
		}
	}
}

// TestWorkloadTypesFixture keeps the UI's tests on the types as the server describes them: the
// built-in kinds and the shipped declarations, as GET /workload-types lists them
// (app/web/src/api/workloadTypes.json; KD_UPDATE_OPENAPI=1, make openapi, rewrites it).
func TestWorkloadTypesFixture(t *testing.T) {
	const file = "../app/web/src/api/workloadTypes.json"
	var infos []adapters.Info
	for _, a := range adapters.All(&adapters.Cluster{}) {
		infos = append(infos, a.Info())
	}
	for _, a := range shipped(t) {
		infos = append(infos, a.Info())
	}
	want, err := json.MarshalIndent(infos, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if os.Getenv("KD_UPDATE_OPENAPI") != "" {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != string(want) {
		t.Fatalf("%s is stale (%v): run make openapi", file, err)
	}
}
