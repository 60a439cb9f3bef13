// Package declared is the declaration engine: a workload type written as one YAML file (what the
// resource is, how its pods are found, its state, columns and actions as CEL expressions) is
// parsed and checked here (Parse, Load) and turned into an adapter (New) that the registry serves
// like a Go kind. Where declarations come from, and keeping them current, is data/typesource's.
package declared

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// A Declaration is a workload type written as one YAML file instead of a Go file: what the
// resource is, how its pods are found, and its columns and actions as CEL expressions over the
// object. Load reads a folder of them; New turns one into an adapters.Adapter.
type Declaration struct {
	Type   string `json:"type"`
	Plural string `json:"plural"`
	// adapters.Resource is the resource name when the plural (the key in GET /workload/:ns) must differ.
	Resource string `json:"resource,omitempty"`
	Group    string `json:"group"`
	Version  string `json:"version"`
	Kind     string `json:"kind"`
	// Title is the type's name as the UI shows it (the kind when not said): say "StatefulSet" for
	// apps/v1's beside Kruise's "Advanced StatefulSet". Titles are the name in other languages.
	Title  string            `json:"title,omitempty"`
	Titles map[string]string `json:"titles,omitempty"`
	// Scope is Namespaced (default) or adapters.Cluster; a cluster-scoped type is served under the
	// namespace segment _cluster.
	Scope        string                `json:"scope,omitempty"`
	Capabilities adapters.Capabilities `json:"capabilities,omitempty"`
	Pods         PodsRule              `json:"pods"`
	// Templates are the dotted paths where the object may keep its pod template (the first one
	// present is used): restart stamps it, history compares with it.
	Templates []string `json:"templates,omitempty"`
	// History is not supported yet (revisions and undo need a Go adapter); any value is refused
	// with that message rather than ignored.
	History string `json:"history,omitempty"`
	// State is a CEL expression giving one of the dashboard's states; without it the replica
	// rule of the built-in kinds (spec.replicas against status.readyReplicas/updatedReplicas).
	State string `json:"state,omitempty"`
	// adapters.States are the states the expression gives (the list's filter offers them); every state
	// when not said. Without an expression, those of the replica rule.
	States  []string          `json:"states,omitempty"`
	Columns []adapters.Column `json:"columns,omitempty"`
	Actions []adapters.Action `json:"actions,omitempty"`
	// CostLimit bounds one evaluation of any of the expressions (CEL cost units).
	CostLimit uint64 `json:"costLimit,omitempty"`

	file string
}

// PodsRule says which pods are the object's: exactly one of the three.
type PodsRule struct {
	// Owned: pods whose controller is the object.
	Owned bool `json:"owned,omitempty"`
	// Through: pods owned by the objects of these resources that the object owns.
	Through []Child `json:"through,omitempty"`
	// Selector: a CEL expression giving a label selector ({matchLabels, matchExpressions}) over
	// pods, in the object's namespace (every namespace for a cluster-scoped type).
	Selector string `json:"selector,omitempty"`
}

// Child is a resource whose objects the declared object owns.
type Child struct {
	Group    string `json:"group"`
	Version  string `json:"version"`
	Resource string `json:"resource"`
}

// GVR is the child's resource.
func (c Child) GVR() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: c.Group, Version: c.Version, Resource: c.Resource}
}

// DefaultCostLimit bounds an evaluation when a declaration sets none: far above what a column or
// a patch over one object needs, far below what would stall the informer that computes columns.
const DefaultCostLimit = 100000

// Load reads every *.yaml and *.yml file of a folder (fsys; names in errors are
// prefixed with where) and checks each. The error names the file, the field and the reason of
// every problem found.
func Load(fsys fs.FS, where string) ([]*Declaration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("declared types: read folder %s: %w", where, err)
	}
	var names []string
	for _, e := range entries {
		if ext := path.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []*Declaration
	var errs []error
	for _, name := range names {
		file := path.Join(where, name)
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		d, err := Parse(file, raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

// Parse decodes one file strictly (an unknown field is an error) and checks it.
func Parse(file string, raw []byte) (*Declaration, error) {
	d := &Declaration{file: file}
	if err := yaml.UnmarshalStrict(raw, d); err != nil {
		return nil, fmt.Errorf("%s: %v", file, strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: "))
	}
	if d.Scope == "" {
		d.Scope = adapters.ScopeNamespaced
	}
	if d.CostLimit == 0 {
		d.CostLimit = DefaultCostLimit
	}
	if errs := d.check(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// File is where the declaration was read from.
func (d *Declaration) File() string { return d.file }

// GVK is the declared kind.
func (d *Declaration) GVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: d.Group, Version: d.Version, Kind: d.Kind}
}

// fieldError names the file and the field.
func (d *Declaration) fieldError(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s: %s", d.file, field, fmt.Sprintf(format, args...))
}

var paramTypes = []string{"string", "integer", "boolean"}

// check is every rule a declaration must follow that needs no cluster; the CEL expressions are
// compiled here too (newExpressions), so a bad one is refused at start-up.
func (d *Declaration) check() []error {
	var errs []error
	bad := func(field, format string, args ...any) { errs = append(errs, d.fieldError(field, format, args...)) }
	for field, v := range map[string]string{"type": d.Type, "plural": d.Plural, "resource": d.Resource} {
		if msgs := validation.IsDNS1123Label(v); len(msgs) > 0 && (v != "" || field != "resource") {
			bad(field, "%q is not a DNS-1123 label: %s", v, strings.Join(msgs, "; "))
		}
	}
	if d.Version == "" {
		bad("version", "required")
	}
	if d.Kind == "" {
		bad("kind", "required")
	}
	if d.Scope != adapters.ScopeNamespaced && d.Scope != adapters.ScopeCluster {
		bad("scope", "must be %s or %s, got %q", adapters.ScopeNamespaced, adapters.ScopeCluster, d.Scope)
	}
	rules := 0
	for _, set := range []bool{d.Pods.Owned, len(d.Pods.Through) > 0, d.Pods.Selector != ""} {
		if set {
			rules++
		}
	}
	if rules != 1 {
		bad("pods", "give exactly one of owned, through or selector")
	}
	for i, c := range d.Pods.Through {
		if c.Version == "" || c.Resource == "" {
			bad(fmt.Sprintf("pods.through[%d]", i), "version and resource are required")
		}
	}
	for i, p := range d.Templates {
		if p == "" || strings.HasPrefix(p, ".") || strings.HasSuffix(p, ".") || strings.Contains(p, "..") {
			bad(fmt.Sprintf("templates[%d]", i), "%q is not a dotted path such as spec.template", p)
		}
	}
	if d.Capabilities.Restartable && len(d.Templates) == 0 {
		bad("capabilities.restartable", "needs templates: where the pod template is")
	}
	if d.Capabilities.ImageSettable && !slices.Equal(d.Templates, []string{"spec.template"}) {
		bad("capabilities.imageSettable", "needs templates to be exactly [spec.template]")
	}
	if d.History != "" {
		bad("history", "revision history is not supported by declarations yet: write a Go adapter for it (ARCHITECTURE.md, Adding a Go workload type)")
	}
	for i, st := range d.States {
		if !slices.Contains(adapters.States, st) {
			bad(fmt.Sprintf("states[%d]", i), "%q is not one of %s", st, strings.Join(adapters.States, ", "))
		}
	}
	if len(d.States) > 0 && d.State == "" {
		bad("states", "lists what the state expression gives: set state too")
	}
	// titles checks a titles map: languages the UI has, and no empty title.
	titles := func(field string, m map[string]string) {
		for lang, title := range m {
			if !slices.Contains(adapters.Languages, lang) {
				bad(field+".titles", "%q is not a language the dashboard has (%s; English is title)", lang, strings.Join(adapters.Languages, ", "))
			} else if strings.TrimSpace(title) == "" {
				bad(field+".titles", "the %s title is empty", lang)
			}
		}
	}
	titles("type", d.Titles)
	seen := map[string]bool{}
	// name checks a column's or an action's name: a DNS-1123 label, once per kind.
	name := func(field, kind, n string) {
		if msgs := validation.IsDNS1123Label(n); len(msgs) > 0 {
			bad(field+".name", "%q is not a DNS-1123 label", n)
		}
		if seen[kind+" "+n] {
			bad(field+".name", "%q is used twice", n)
		}
		seen[kind+" "+n] = true
	}
	for i, c := range d.Columns {
		field := fmt.Sprintf("columns[%d]", i)
		name(field, "column", c.Name)
		titles(field, c.Titles)
		if c.Expression == "" {
			bad(field+".expression", "required")
		}
		if c.Type != "" && c.Type != "string" && c.Type != "number" && c.Type != "time" {
			bad(field+".type", "must be string, number or time, got %q", c.Type)
		}
	}
	for i, a := range d.Actions {
		field := fmt.Sprintf("actions[%d]", i)
		name(field, "action", a.Name)
		titles(field, a.Titles)
		if a.PatchType != "" && a.PatchType != "merge" && a.PatchType != "json" {
			bad(field+".patchType", "must be merge or json, got %q", a.PatchType)
		}
		if a.Subresource != "" && a.Subresource != "status" && a.Subresource != "scale" {
			bad(field+".subresource", "must be status, scale or empty, got %q", a.Subresource)
		}
		if a.Patch == "" {
			bad(field+".patch", "required")
		}
		if a.Command != "" {
			bad(field+".command", "is computed by the dashboard; leave it out")
		}
		params := map[string]bool{}
		for j, p := range a.Params {
			pf := fmt.Sprintf("%s.params[%d]", field, j)
			if p.Name == "" || params[p.Name] {
				bad(pf+".name", "required and unique, got %q", p.Name)
			}
			params[p.Name] = true
			titles(pf, p.Titles)
			if !slices.Contains(paramTypes, p.Type) {
				bad(pf+".type", "must be one of %s, got %q", strings.Join(paramTypes, ", "), p.Type)
			}
			if (p.Min != nil || p.Max != nil) && p.Type != "integer" {
				bad(pf, "min and max are for integer parameters")
			}
		}
	}
	if len(errs) == 0 {
		if _, err := newExpressions(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
