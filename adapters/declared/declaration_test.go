package declared

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/configs"
)

const validDecl = `
type: widget
plural: widgets
group: example.com
version: v1
kind: Widget
capabilities: {scalable: true, restartable: true}
pods: {owned: true}
templates: [spec.template]
columns:
  - {name: replicas, expression: "object.spec.?replicas.orValue(1)", type: number}
actions:
  - name: pause
    params: [{name: count, type: integer, required: true, min: 0, max: 5}]
    patch: '{"spec": {"paused": true, "count": params.count}}'
`

// TestBrokenDeclarations: each kind of mistake stops loading with the file, the field and why.
func TestBrokenDeclarations(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(validDecl, old, new, 1) }
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"unknown field", replace("kind: Widget", "kind: Widget\ncolour: blue"), `w.yaml: json: unknown field "colour"`},
		{"type not a label", replace("type: widget", "type: Widget_X"), `w.yaml: type: "Widget_X" is not a DNS-1123 label`},
		{"no kind", replace("kind: Widget", ""), "w.yaml: kind: required"},
		{"bad scope", replace("kind: Widget", "kind: Widget\nscope: Global"), `w.yaml: scope: must be Namespaced or Cluster, got "Global"`},
		{"two pod rules", replace("pods: {owned: true}", "pods: {owned: true, selector: object.spec.selector}"), "w.yaml: pods: give exactly one of owned, through or selector"},
		{"restart without a template", replace("templates: [spec.template]", ""), "w.yaml: capabilities.restartable: needs templates: where the pod template is"},
		{"image without spec.template", strings.Replace(replace("capabilities: {scalable: true, restartable: true}", "capabilities: {imageSettable: true}"), "templates: [spec.template]", "templates: [spec.pod.template]", 1), "w.yaml: capabilities.imageSettable: needs templates to be exactly [spec.template]"},
		{"bad CEL", replace(`object.spec.?replicas.orValue(1)`, `object.spec.replicas +`), "w.yaml: columns[0].expression: invalid CEL: ERROR: <input>:1:23: Syntax error: mismatched input '<EOF>'"},
		{"undeclared variable", replace(`object.spec.?replicas.orValue(1)`, `obj.spec`), "w.yaml: columns[0].expression: invalid CEL: ERROR: <input>:1:1: undeclared reference to 'obj'"},
		{"bad column type", replace("type: number", "type: colour"), `w.yaml: columns[0].type: must be string, number or time, got "colour"`},
		{"bad patch type", replace("  - name: pause\n", "  - name: pause\n    patchType: strategic\n"), `w.yaml: actions[0].patchType: must be merge or json, got "strategic"`},
		{"bad param type", replace("type: integer", "type: float"), `w.yaml: actions[0].params[0].type: must be one of string, integer, boolean, got "float"`},
		{"bounds on a string", replace("type: integer", "type: string"), "w.yaml: actions[0].params[0]: min and max are for integer parameters"},
		{"history", replace("kind: Widget", "kind: Widget\nhistory: controllerRevisions"), "w.yaml: history: revision history is not supported by declarations yet"},
		{"a title's language unknown", replace("kind: Widget", "kind: Widget\ntitles: {zh: 小部件}"), `w.yaml: type.titles: "zh" is not a language the dashboard has (zh-CN; English is title)`},
		{"an empty column title", replace("type: number}", "type: number, titles: {zh-CN: ' '}}"), "w.yaml: columns[0].titles: the zh-CN title is empty"},
		{"an action title's language", replace("  - name: pause\n", "  - name: pause\n    titles: {fr: Pause}\n"), `w.yaml: actions[0].titles: "fr" is not a language`},
		{"a parameter title's language", replace("required: true, min: 0", "titles: {en: Count}, required: true, min: 0"), `w.yaml: actions[0].params[0].titles: "en" is not a language`},
		{"bad subresource", replace("  - name: pause\n", "  - name: pause\n    subresource: logs\n"), `w.yaml: actions[0].subresource: must be status, scale or empty, got "logs"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nwant it to contain %q", err, c.want)
			}
		})
	}
	if _, err := Parse("w.yaml", []byte(validDecl)); err != nil {
		t.Errorf("the valid declaration: %v", err)
	}
}

func TestShippedDeclarationsLoad(t *testing.T) {
	shipped, err := fs.Sub(configs.Types, "types")
	if err != nil {
		t.Fatal(err)
	}
	decls, err := Load(shipped, "configs/types")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, d := range decls {
		types = append(types, d.Type)
		if _, err := New(&adapters.Cluster{}, d); err != nil {
			t.Errorf("%s: %v", d.Type, err)
		}
	}
	if got := strings.Join(types, ","); got != "apps-daemonset,apps-statefulset,imagepulljob,sidecarset,uniteddeployment" {
		t.Errorf("shipped: %s", got)
	}
	// Every label a shipped declaration gives is in every language the UI has (the zh-CN pages
	// show no English: the browser tests scan them).
	for _, d := range decls {
		for _, lang := range adapters.Languages {
			for _, c := range d.Columns {
				if c.Titles[lang] == "" {
					t.Errorf("%s: column %s has no %s title", d.Type, c.Name, lang)
				}
			}
			for _, a := range d.Actions {
				if a.Titles[lang] == "" {
					t.Errorf("%s: action %s has no %s title", d.Type, a.Name, lang)
				}
				for _, p := range a.Params {
					if p.Titles[lang] == "" {
						t.Errorf("%s: action %s's parameter %s has no %s title", d.Type, a.Name, p.Name, lang)
					}
				}
			}
		}
	}
	bad := fstest.MapFS{"a.yaml": {Data: []byte("type: x\n")}, "b.yml": {Data: []byte(validDecl + "extra: 1\n")}, "notes.txt": {Data: []byte("ignored")}}
	_, err = Load(bad, "dir")
	if err == nil || !strings.Contains(err.Error(), "dir/a.yaml: ") || !strings.Contains(err.Error(), `dir/b.yml: json: unknown field "extra"`) {
		t.Errorf("every broken file named: %v", err)
	}
}

func declared(t *testing.T, yaml string) *Type {
	t.Helper()
	d, err := Parse("w.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(&adapters.Cluster{}, d)
	if err != nil {
		t.Fatal(err)
	}
	_, isScaler := a.(adapters.Scaler)
	_, isRestarter := a.(adapters.Restarter)
	_, isTemplated := a.(adapters.Templated)
	if isScaler != d.Capabilities.Scalable || isRestarter != d.Capabilities.Restartable || isTemplated != d.Capabilities.ImageSettable {
		t.Fatalf("interfaces scale %v restart %v template %v for %+v", isScaler, isRestarter, isTemplated, d.Capabilities)
	}
	return a.(interface{ self() *Type }).self()
}

// self reaches the *Type inside a composed adapter.
func (d *Type) self() *Type { return d }

func widget(spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w", "namespace": "ns"}, "spec": spec}}
}

// TestDeclaredTitles: the titles in other languages reach GET /workload-types (the type's, its
// columns', actions' and parameters').
func TestDeclaredTitles(t *testing.T) {
	yaml := strings.NewReplacer(
		"kind: Widget", "kind: Widget\ntitles: {zh-CN: 小部件}",
		"type: number}", "type: number, title: Replicas, titles: {zh-CN: 副本}}",
		"  - name: pause\n", "  - name: pause\n    title: Pause\n    titles: {zh-CN: 暂停}\n",
		"required: true, min: 0", "title: Count, titles: {zh-CN: 数量}, required: true, min: 0",
	).Replace(validDecl)
	info := declared(t, yaml).Info()
	if info.Titles["zh-CN"] != "小部件" || info.Columns[0].Titles["zh-CN"] != "副本" || info.Actions[0].Titles["zh-CN"] != "暂停" || info.Actions[0].Params[0].Titles["zh-CN"] != "数量" {
		t.Errorf("titles: type %v, column %v, action %v, param %v", info.Titles, info.Columns[0].Titles, info.Actions[0].Titles, info.Actions[0].Params[0].Titles)
	}
}

func TestDeclaredColumnsAndActions(t *testing.T) {
	d := declared(t, validDecl)
	cols, state := d.Summarize(map[string]any{"spec": map[string]any{"replicas": float64(3)}})
	// No state expression: the replica rule (3 wanted, none updated).
	if cols["replicas"] != float64(3) || state != "updating" {
		t.Errorf("columns %v state %q", cols, state)
	}
	obj := widget(map[string]any{"template": map[string]any{"spec": map[string]any{}}})
	for _, c := range []struct {
		params map[string]any
		want   string
		err    error
	}{
		{map[string]any{"count": float64(2)}, `{"spec":{"count":2,"paused":true}}`, nil},
		{map[string]any{}, "", adapters.ErrBadParams},
		{map[string]any{"count": float64(9)}, "", adapters.ErrBadParams},
		{map[string]any{"count": 1.5}, "", adapters.ErrBadParams},
		{map[string]any{"count": "2"}, "", adapters.ErrBadParams},
		{map[string]any{"count": float64(1), "more": true}, "", adapters.ErrBadParams},
	} {
		p, err := d.ActionPatch(obj, "pause", c.params)
		if !errors.Is(err, c.err) || c.err == nil && string(p.Data) != c.want {
			t.Errorf("%v: %s %v, want %s %v", c.params, p.Data, err, c.want, c.err)
		}
	}
	if _, err := d.ActionPatch(obj, "explode", nil); !errors.Is(err, adapters.ErrUnknownAction) {
		t.Errorf("unknown action: %v", err)
	}
	patch, err := restartVia{d}.RestartPatch(obj, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil || string(patch) != `{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-02T03:04:05Z"}}}}}` {
		t.Errorf("restart patch %s %v", patch, err)
	}
	if _, err := (restartVia{d}).RestartPatch(widget(map[string]any{}), time.Now()); !errors.Is(err, adapters.ErrRestartRefused) {
		t.Errorf("restart without a template: %v", err)
	}
}

func TestCostLimit(t *testing.T) {
	costly := strings.Replace(validDecl, `object.spec.?replicas.orValue(1)`,
		`[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a + b + c > 0)))`, 1)
	costly = strings.Replace(costly, "kind: Widget", "kind: Widget\ncostLimit: 500", 1)
	d := declared(t, costly)
	p := d.expr.columns[0]
	if _, err := p.eval(map[string]any{}, nil); !errors.Is(err, adapters.ErrCostLimit) || !strings.Contains(err.Error(), "columns[0].expression: CEL cost limit exceeded (500)") {
		t.Errorf("over the limit: %v", err)
	}
	if cols, _ := d.Summarize(map[string]any{}); cols["replicas"] != nil {
		t.Errorf("a column over its limit is %v, want null", cols["replicas"])
	}
}
