package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
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

// workloadTypes is GET /workload-types by source/type (a refused one under "refused/").
func workloadTypes(t testing.TB, d *dashboard) map[string]adapters.Info {
	t.Helper()
	var list []adapters.Info
	d.MustOK(t, http.MethodGet, "/workload-types", &list)
	out := map[string]adapters.Info{}
	for _, i := range list {
		out[i.Source+"/"+i.Type] = i
	}
	return out
}

// columnsOf names a type's columns, comma-separated.
func columnsOf(i adapters.Info) string {
	var names []string
	for _, c := range i.Columns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

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

	types := func() map[string]adapters.Info { return workloadTypes(t, dash) }
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

// cronsDecl declares batch/v1 CronJobs, which configs/clusterrole.yaml does not let the
// dashboard list or watch.
const cronsDecl = `type: crons
plural: crons
resource: cronjobs
group: batch
version: v1
kind: CronJob
pods: {owned: true}
`

// syncBuffer collects a dashboard's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDeclarationsRefusedFromConfigMaps: a dashboard with only its minimal RBAC
// (configs/clusterrole.yaml, and configs/role.yaml in its own namespace) refuses a ConfigMap's
// declaration of a kind it may not list and watch, and a broken one (bad CEL, an unknown field),
// each with its reason — in GET /workload-types, /readyz?verbose and its log — while the last good
// declaration of the type keeps serving (docs/configuration.md §4).
func TestDeclarationsRefusedFromConfigMaps(t *testing.T) {
	skipShort(t)
	setUpRoles(t) // binds configs/clusterrole.yaml to the "dashboard" user
	ctx := context.Background()
	ns := newNamespace(t, "refused")
	home := newNamespace(t, "dashboard-home")
	out, err := runKubectl(shared.cluster.Kubeconfig, "-n", home, "apply", "-f", "../configs/role.yaml")
	must(t, "apply configs/role.yaml: "+out, err)
	out, err = runKubectl(shared.cluster.Kubeconfig, "-n", home, "create", "rolebinding", "kruise-dashboard", "--role=kruise-dashboard", "--user=dashboard")
	must(t, "bind configs/role.yaml: "+out, err)
	kubeconfig, err := shared.cluster.TokenKubeconfig("dashboard", shared.cluster.Tokens["dashboard"])
	must(t, "dashboard kubeconfig", err)
	logs := &syncBuffer{}
	dash, err := startDashboardLogging(kubeconfig, adapters.All, true, log.NewStdLogger(logs), func(bc *conf.Bootstrap) {
		bc.Kubernetes.ShippedTypes = false
		bc.Kubernetes.TypesReload = 200 * time.Millisecond
		bc.Kubernetes.TypesNamespace, bc.Kubernetes.TypesSelector = home, "kruise-dashboard.io/declared-type=true"
	})
	must(t, "start dashboard", err)
	defer dash.stop()

	// apply creates or replaces the labelled ConfigMap name holding one declaration, key.
	apply := func(t *testing.T, name, key, body string) {
		t.Helper()
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: home, Labels: map[string]string{"kruise-dashboard.io/declared-type": "true"}},
			Data:       map[string]string{key: body},
		}
		_, err := shared.kube.CoreV1().ConfigMaps(home).Update(ctx, cm, metav1.UpdateOptions{})
		if apierrors.IsNotFound(err) {
			_, err = shared.kube.CoreV1().ConfigMaps(home).Create(ctx, cm, metav1.CreateOptions{})
		}
		must(t, "apply ConfigMap "+name, err)
	}
	teamSets := strings.NewReplacer("node-agents", "team-sets", "daemonsets", "statefulsets", "DaemonSet", "StatefulSet",
		"desiredNumberScheduled", "replicas").Replace(daemonsDecl)
	apply(t, "team-types", "stateful.yaml", teamSets)
	apiclient.Eventually(t, "team-sets served", 10*time.Second, func() error {
		if _, ok := workloadTypes(t, dash)["declared/team-sets"]; !ok {
			return fmt.Errorf("not listed")
		}
		return nil
	})
	createAppsStatefulSet(t, ns, "db")
	waitServedBy(t, dash, "team-sets", ns, "db")

	// refused waits for typ's refusal, from ConfigMap cm, saying says; then checks that it is
	// told in /readyz?verbose and the log, and that team-sets keeps serving as first declared.
	refused := func(t *testing.T, typ, cm, says string) {
		t.Helper()
		file := adapters.ConfigMapWhere(home, cm)
		apiclient.Eventually(t, "the refusal listed", 10*time.Second, func() error {
			r, ok := workloadTypes(t, dash)["refused/"+typ]
			if !ok || !strings.Contains(r.Refusal, says) || !strings.HasPrefix(r.File, file+"/") {
				return fmt.Errorf("refusal %+v", r)
			}
			return nil
		})
		types := workloadTypes(t, dash)
		if got := columnsOf(types["declared/team-sets"]); got != "desired" {
			t.Errorf("the last good team-sets declaration is not serving: columns %q", got)
		}
		var p struct {
			Items []map[string]any `json:"items"`
		}
		if status, _ := dash.Call(t, http.MethodGet, "/workload/"+ns+"/team-sets?view=compact", &p); status != http.StatusOK || len(p.Items) != 1 {
			t.Errorf("team-sets list after the refusal: %d %v", status, p.Items)
		}
		var ready struct {
			Data struct {
				Cache   string             `json:"cache"`
				Refused []registry.Refusal `json:"refusedDeclarations"`
			} `json:"data"`
		}
		status, body := dash.Raw(http.MethodGet, "/readyz?verbose", nil)
		if err := json.Unmarshal(body, &ready); err != nil || status != http.StatusOK || ready.Data.Cache != "ok" ||
			!slices.ContainsFunc(ready.Data.Refused, func(r registry.Refusal) bool {
				return r.Type == typ && strings.HasPrefix(r.File, file+"/") && strings.Contains(r.Reason, says)
			}) {
			t.Errorf("/readyz?verbose: %d %s, want the cache ok and %s's refusal", status, body, typ)
		}
		if status, body := dash.Raw(http.MethodGet, "/readyz", nil); status != http.StatusOK || string(body) != `{"data":"ok"}` {
			t.Errorf("/readyz: %d %s", status, body)
		}
		// The refusal is logged once it is made: the log line names the file and the reason.
		apiclient.Eventually(t, "the refusal logged", 5*time.Second, func() error {
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "declared type refused") && strings.Contains(line, file) && strings.Contains(line, says) {
					return nil
				}
			}
			return fmt.Errorf("not in the log:\n%s", logs.String())
		})
	}

	t.Run("a kind the dashboard may not watch", func(t *testing.T) {
		apply(t, "cron-types", "crons.yaml", cronsDecl)
		refused(t, "crons", "cron-types", "the dashboard's own identity may not list cronjobs.batch in every namespace, so it cannot watch them; grant it (the chart's rbac.extraRules)")
		if _, ok := workloadTypes(t, dash)["declared/crons"]; ok {
			t.Error("crons is served though the dashboard may not watch them")
		}
	})

	for _, c := range []struct{ name, body, says string }{
		{"bad CEL", strings.Replace(teamSets, "orValue(0)", "orValue(", 1), "columns[0].expression: invalid CEL"},
		{"an unknown field", strings.Replace(teamSets, "kind: StatefulSet", "kind: StatefulSet\ncolour: blue", 1), `json: unknown field "colour"`},
	} {
		t.Run("a broken declaration: "+c.name, func(t *testing.T) {
			apply(t, "team-types", "stateful.yaml", c.body)
			refused(t, "team-sets", "team-types", c.says)
		})
	}
}
