package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// mountedDir is a folder laid out as the kubelet mounts a ConfigMap: the files are symlinks
// through ..data, and an update writes a new timestamped folder and swaps the ..data symlink, so
// the files' own names never change (a watch on them would miss it).
type mountedDir struct {
	dir string
	n   int
}

func (m *mountedDir) write(t *testing.T, files map[string]string) {
	t.Helper()
	m.n++
	version := fmt.Sprintf("..2026_12_06_00_00_%02d.%d", m.n, m.n)
	must(t, "mkdir", os.Mkdir(filepath.Join(m.dir, version), 0o755))
	for name, body := range files {
		must(t, "write "+name, os.WriteFile(filepath.Join(m.dir, version, name), []byte(body), 0o644))
		if _, err := os.Lstat(filepath.Join(m.dir, name)); os.IsNotExist(err) {
			must(t, "link "+name, os.Symlink(filepath.Join("..data", name), filepath.Join(m.dir, name)))
		}
	}
	// The atomic swap: a new link renamed over ..data.
	must(t, "link ..data_tmp", os.Symlink(version, filepath.Join(m.dir, "..data_tmp")))
	must(t, "swap ..data", os.Rename(filepath.Join(m.dir, "..data_tmp"), filepath.Join(m.dir, "..data")))
}

const daemonsDecl = `type: node-agents
plural: node-agents
resource: daemonsets
group: apps
version: v1
kind: DaemonSet
pods: {owned: true}
columns:
  - {name: desired, title: Desired, type: number, expression: "object.?status.?desiredNumberScheduled.orValue(0)"}
`

// TestDeclarationsReload: a declaration changed in the folder (as the kubelet updates a mounted
// ConfigMap) and one applied as a labelled ConfigMap take effect without a restart — in
// /workload-types, the lists, /me and the live stream; a broken one is refused with its reason
// and the last good one keeps serving; a removed one stops being served.
func TestDeclarationsReload(t *testing.T) {
	skipShort(t)
	ctx := context.Background()
	ns := newNamespace(t, "reload")
	home := newNamespace(t, "dashboard-home") // the dashboard's own namespace, for ConfigMaps
	m := &mountedDir{dir: t.TempDir()}
	m.write(t, map[string]string{"agents.yaml": daemonsDecl})
	const selector = "kruise-dashboard.io/declared-type=true"
	dash, err := startDashboard(shared.cluster.Kubeconfig, adapters.All, true, func(bc *conf.Bootstrap) {
		bc.Kubernetes.ShippedTypes = false
		bc.Kubernetes.TypesDir = m.dir
		bc.Kubernetes.TypesReload = 200 * time.Millisecond
		bc.Kubernetes.TypesNamespace, bc.Kubernetes.TypesSelector = home, selector
	})
	must(t, "start dashboard", err)
	defer dash.stop()

	createAppsDaemonSet(t, ns, "logs")
	waitServedBy(t, dash, "node-agents", ns, "logs")

	types := func() map[string]adapters.Info {
		var list []adapters.Info
		dash.MustOK(t, http.MethodGet, "/workload-types", &list)
		out := map[string]adapters.Info{}
		for _, i := range list {
			out[i.Source+"/"+i.Type] = i
		}
		return out
	}
	columnsOf := func(i adapters.Info) string {
		var names []string
		for _, c := range i.Columns {
			names = append(names, c.Name)
		}
		return strings.Join(names, ",")
	}
	page := func(typ string) (int, []map[string]any) {
		var p struct {
			Items []map[string]any `json:"items"`
		}
		status, _ := dash.Call(t, http.MethodGet, "/workload/"+ns+"/"+typ+"?view=compact", &p)
		return status, p.Items
	}

	t.Run("a file changed by a ..data swap", func(t *testing.T) {
		m.write(t, map[string]string{"agents.yaml": daemonsDecl + `  - {name: ready, title: Ready, type: number, expression: "object.?status.?numberReady.orValue(0)"}
  - {name: image, title: Image, expression: "object.spec.template.spec.containers[0].image"}
`})
		apiclient.Eventually(t, "the new columns served", 10*time.Second, func() error {
			if got := columnsOf(types()["declared/node-agents"]); got != "desired,ready,image" {
				return fmt.Errorf("columns %q", got)
			}
			if _, items := page("node-agents"); len(items) != 1 || fmt.Sprint(items[0]["columns"].(map[string]any)["image"]) != "nginx:1.27" {
				return fmt.Errorf("rows %v", items)
			}
			return nil
		})
	})

	t.Run("a broken file is refused and the last good one serves", func(t *testing.T) {
		m.write(t, map[string]string{"agents.yaml": strings.Replace(daemonsDecl, "orValue(0)", "orValue(", 1)})
		apiclient.Eventually(t, "the refusal listed", 10*time.Second, func() error {
			r, ok := types()["refused/node-agents"]
			if !ok || !strings.Contains(r.Refusal, "columns[0].expression: invalid CEL") || !strings.HasSuffix(r.File, "agents.yaml") {
				return fmt.Errorf("refusal %+v", r)
			}
			return nil
		})
		if got := columnsOf(types()["declared/node-agents"]); got != "desired,ready,image" {
			t.Errorf("the last good declaration is not serving: columns %q", got)
		}
		// Readiness says so in its detail, and stays ready.
		if status, body := dash.Raw(http.MethodGet, "/readyz?verbose", nil); status != http.StatusOK ||
			!strings.Contains(string(body), `"cache":"ok"`) || !strings.Contains(string(body), "agents.yaml") || !strings.Contains(string(body), "invalid CEL") {
			t.Errorf("/readyz?verbose: %d %s", status, body)
		}
		if status, body := dash.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK || string(body) != `{"data":"ok"}` {
			t.Errorf("/readyz: %d %s", status, body)
		}
		if status, items := page("node-agents"); status != http.StatusOK || len(items) != 1 {
			t.Errorf("list after the refusal: %d %v", status, items)
		}
	})

	t.Run("a ConfigMap's declaration takes effect, in lists, /me and the live stream", func(t *testing.T) {
		stream, err := dash.Watch("namespace="+ns, "")
		must(t, "open the stream", err)
		defer stream.Close()
		_, err = stream.Until(10*time.Second, func(e apiclient.Event) bool { return e.Name == "ready" })
		must(t, "stream ready", err)
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "team-types", Namespace: home, Labels: map[string]string{"kruise-dashboard.io/declared-type": "true"}},
			Data: map[string]string{"stateful.yaml": strings.NewReplacer("node-agents", "team-sets", "daemonsets", "statefulsets", "DaemonSet", "StatefulSet",
				"desiredNumberScheduled", "replicas").Replace(daemonsDecl)},
		}
		_, err = shared.kube.CoreV1().ConfigMaps(home).Create(ctx, cm, metav1.CreateOptions{})
		must(t, "create the ConfigMap", err)
		// An unlabelled one is not read.
		_, err = shared.kube.CoreV1().ConfigMaps(home).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: home},
			Data: map[string]string{"x.yaml": strings.ReplaceAll(daemonsDecl, "node-agents", "unlabelled")}}, metav1.CreateOptions{})
		must(t, "create an unlabelled ConfigMap", err)
		apiclient.Eventually(t, "team-sets served", 10*time.Second, func() error {
			if i, ok := types()["declared/team-sets"]; !ok || !strings.HasPrefix(i.File, "configmap "+home+"/team-types") {
				return fmt.Errorf("types %v", types())
			}
			return nil
		})
		if _, ok := types()["declared/unlabelled"]; ok {
			t.Error("an unlabelled ConfigMap's declaration is served")
		}
		// The type is listed as soon as it is registered; its informer's initial list comes after.
		// An object created before that list is part of it, and the stream sends no event for it.
		apiclient.Eventually(t, "team-sets synced", 10*time.Second, func() error {
			if status, _ := page("team-sets"); status != http.StatusOK {
				return fmt.Errorf("list answers %d", status)
			}
			return nil
		})
		createAppsStatefulSet(t, ns, "db")
		waitServedBy(t, dash, "team-sets", ns, "db")
		var me struct {
			Workloads map[string]map[string]any `json:"workloads"`
		}
		dash.MustOK(t, http.MethodGet, "/me?namespace="+ns, &me)
		if _, ok := me.Workloads["team-sets"]; !ok {
			t.Errorf("/me does not describe team-sets: %v", me.Workloads)
		}
		if _, err := stream.Until(10*time.Second, func(e apiclient.Event) bool {
			return e.Name == "change" && strings.Contains(e.Data, `"type":"team-sets"`) && strings.Contains(e.Data, `"name":"db"`)
		}); err != nil {
			t.Errorf("no change event of team-sets on the stream: %v", err)
		}

		must(t, "delete the ConfigMap", shared.kube.CoreV1().ConfigMaps(home).Delete(ctx, "team-types", metav1.DeleteOptions{}))
		apiclient.Eventually(t, "team-sets no longer served", 10*time.Second, func() error {
			if _, ok := types()["declared/team-sets"]; ok {
				return fmt.Errorf("still listed")
			}
			var p any
			if status, e := dash.Call(t, http.MethodGet, "/workload/"+ns+"/team-sets", &p); status != http.StatusBadRequest || !strings.Contains(e.Message, `unknown workload type "team-sets"`) {
				return fmt.Errorf("list answers %d %s", status, e.Message)
			}
			return nil
		})
	})
}
