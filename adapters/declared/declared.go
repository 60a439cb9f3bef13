package declared

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// Type is a workload type read from a Declaration: reads through a dynamic informer, pods,
// columns, state and actions as the file says.
type Type struct {
	adapters.Resource
	decl     *Declaration
	expr     *expressions
	children []func() cache.SharedIndexInformer
	// The type's informers are its own, not the shared factories', so a declaration removed or
	// changed while the dashboard runs stops them (Stop).
	informers dynamicinformer.DynamicSharedInformerFactory
	stop      chan struct{}
	stopOnce  sync.Once
}

// New builds the adapter of a checked declaration, with exactly the capability
// interfaces it declares (the registry checks flags against interfaces, as for Go adapters).
func New(c *adapters.Cluster, d *Declaration) (adapters.Adapter, error) {
	expr, err := newExpressions(d)
	if err != nil {
		return nil, err
	}
	info := adapters.Info{
		Type: d.Type, Plural: d.Plural, Resource: d.Resource, GVK: d.GVK(), Capabilities: d.Capabilities,
		Title: d.Title, Titles: d.Titles,
		Source: adapters.SourceDeclared, Scope: d.Scope, File: d.file, Columns: []adapters.Column{},
	}
	info.Origin, info.ConfigMap, info.FileName = adapters.OriginOf(d.file)
	switch {
	case len(d.States) > 0:
		info.States = d.States
	case d.State != "":
		info.States = adapters.States
	default:
		info.States = adapters.ReplicaStates
	}
	// kubectl's own verbs for the apps group; elsewhere only the declaration knows where the pod
	// template is, so no single command restarts or sets an image.
	info.Commands = info.KubectlCommands()
	for _, col := range d.Columns {
		col.Expression = ""
		if col.Title == "" {
			col.Title = col.Name
		}
		info.Columns = append(info.Columns, col)
	}
	for _, a := range d.Actions {
		a.Patch = ""
		if a.Title == "" {
			a.Title = a.Name
		}
		if a.PatchType == "" {
			a.PatchType = "merge"
		}
		// The UI shows the merge patch between the object and the server's dry run of the action.
		a.Command = info.PatchCommand(a.Subresource, "{patch}")
		info.Actions = append(info.Actions, a)
	}
	gvr := info.GVR()
	dec := &Type{decl: d, expr: expr, stop: make(chan struct{})}
	if c.Dynamic != nil {
		dec.informers = dynamicinformer.NewDynamicSharedInformerFactory(c.Dynamic, 0)
	}
	dec.Resource = adapters.NewResource(c, info, func() cache.SharedIndexInformer {
		inf := dec.informers.ForResource(gvr).Informer()
		_ = inf.SetTransform(stripManagedFields) // before the start; an error means it started already
		// The children's informers are registered with the parent's, so the factory starts them.
		for _, child := range dec.children {
			child()
		}
		return inf
	})
	for _, child := range d.Pods.Through {
		dec.children = append(dec.children, func() cache.SharedIndexInformer {
			inf := dec.informers.ForResource(child.GVR()).Informer()
			_ = inf.SetTransform(stripManagedFields)
			return adapters.Indexed(inf)
		})
	}
	return compose(dec), nil
}

// Start implements Lifecycle: it starts the informers registered so far.
func (d *Type) Start() {
	if d.informers != nil {
		d.informers.Start(d.stop)
	}
}

// Stop implements Lifecycle: the informers stop and are waited for; the adapter is not used again.
func (d *Type) Stop() {
	d.stopOnce.Do(func() {
		close(d.stop)
		if d.informers != nil {
			d.informers.Shutdown()
		}
	})
}

func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// compose gives the adapter the capability interfaces its declaration names, and no others.
func compose(d *Type) adapters.Adapter {
	s, r, t := scaleVia{d}, restartVia{d}, templateVia{d}
	switch c := d.decl.Capabilities; {
	case c.Scalable && c.Restartable && c.ImageSettable:
		return struct {
			*Type
			scaleVia
			restartVia
			templateVia
		}{d, s, r, t}
	case c.Scalable && c.Restartable:
		return struct {
			*Type
			scaleVia
			restartVia
		}{d, s, r}
	case c.Scalable && c.ImageSettable:
		return struct {
			*Type
			scaleVia
			templateVia
		}{d, s, t}
	case c.Restartable && c.ImageSettable:
		return struct {
			*Type
			restartVia
			templateVia
		}{d, r, t}
	case c.Scalable:
		return struct {
			*Type
			scaleVia
		}{d, s}
	case c.Restartable:
		return struct {
			*Type
			restartVia
		}{d, r}
	case c.ImageSettable:
		return struct {
			*Type
			templateVia
		}{d, t}
	}
	return d
}

// Declaration is what the adapter was built from.
func (d *Type) Declaration() *Declaration { return d.decl }

// Fetch reads the object from the API server as the cache holds it (unstructured).
func (d *Type) Fetch(ctx context.Context, namespace, name string) (runtime.Object, error) {
	u, err := d.Dynamic(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	u.SetManagedFields(nil)
	return u, nil
}

func contentOf(obj any) (map[string]any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.Object, nil
	}
	if ro, ok := obj.(runtime.Object); ok {
		return runtime.DefaultUnstructuredConverter.ToUnstructured(ro)
	}
	return nil, fmt.Errorf("object %T is not a Kubernetes object", obj)
}

// Pods finds the object's pods by the declared rule.
func (d *Type) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	c := d.Cluster()
	switch rule := d.decl.Pods; {
	case rule.Owned:
		return c.PodsOwnedBy(obj.GetUID())
	case len(rule.Through) > 0:
		var owners []types.UID
		for _, child := range d.children {
			uids, err := adapters.OwnedUIDs(child(), obj.GetUID())
			if err != nil {
				return nil, err
			}
			owners = append(owners, uids...)
		}
		return c.PodsOwnedBy(owners...)
	}
	content, err := contentOf(obj)
	if err != nil {
		return nil, err
	}
	v, err := d.expr.selector.eval(wholeNumbers(content), nil)
	if err != nil {
		return nil, err
	}
	var ls metav1.LabelSelector
	raw, _ := json.Marshal(v)
	if err := json.Unmarshal(raw, &ls); err != nil {
		return nil, fmt.Errorf("pods.selector: not a label selector: %v", err)
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return nil, fmt.Errorf("pods.selector: %v", err)
	}
	if sel.Empty() {
		return []*corev1.Pod{}, nil // an empty selector would match every pod
	}
	inf, err := c.PodCache()
	if err != nil {
		return nil, err
	}
	var objs []any
	if d.decl.Scope == adapters.ScopeCluster {
		objs = inf.GetIndexer().List()
	} else if objs, err = inf.GetIndexer().ByIndex(cache.NamespaceIndex, obj.GetNamespace()); err != nil {
		return nil, err
	}
	pods := []*corev1.Pod{}
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok && sel.Matches(labels.Set(p.Labels)) {
			pods = append(pods, p)
		}
	}
	return pods, nil
}

// Summarize implements Summarizer: a column whose expression fails is null.
func (d *Type) Summarize(content map[string]any) (map[string]any, string) {
	object := wholeNumbers(content)
	cols := make(map[string]any, len(d.expr.columns))
	for _, p := range d.expr.columns {
		v, err := p.eval(object, nil)
		if err != nil {
			v = nil
		}
		cols[p.name] = v
	}
	if d.expr.state != nil {
		if v, err := d.expr.state.eval(object, nil); err == nil {
			if state, ok := v.(string); ok && slices.Contains(adapters.States, state) {
				return cols, state
			}
		}
	}
	// No expression, or one that failed or gave a word that is no state: the replica rule.
	return cols, adapters.ReplicaRule{}.State(adapters.Object(content))
}

// ActionPatch implements adapters.Actor.
func (d *Type) ActionPatch(obj runtime.Object, name string, raw map[string]any) (adapters.Patch, error) {
	var action *adapters.Action
	for i := range d.decl.Actions {
		if d.decl.Actions[i].Name == name {
			action = &d.decl.Actions[i]
		}
	}
	if action == nil {
		return adapters.Patch{}, fmt.Errorf("%w %q of %s", adapters.ErrUnknownAction, name, d.decl.Type)
	}
	params, err := typedParams(action, raw)
	if err != nil {
		return adapters.Patch{}, err
	}
	content, err := contentOf(obj)
	if err != nil {
		return adapters.Patch{}, err
	}
	v, err := d.expr.actions[name].eval(wholeNumbers(content), params)
	if err != nil {
		return adapters.Patch{}, err
	}
	p := adapters.Patch{Type: types.MergePatchType, Subresource: action.Subresource}
	if action.PatchType == "json" {
		p.Type = types.JSONPatchType
		if _, ok := v.([]any); !ok {
			return adapters.Patch{}, fmt.Errorf("%s: a JSON patch is a list of operations, the expression gave %T", d.expr.actions[name].field, v)
		}
	} else if _, ok := v.(map[string]any); !ok {
		return adapters.Patch{}, fmt.Errorf("%s: a merge patch is an object, the expression gave %T", d.expr.actions[name].field, v)
	}
	p.Data, err = json.Marshal(v)
	return p, err
}

// typedParams checks the parameters against the action's declaration.
func typedParams(a *adapters.Action, raw map[string]any) (map[string]any, error) {
	out := map[string]any{}
	known := map[string]bool{}
	for _, p := range a.Params {
		known[p.Name] = true
		v, given := raw[p.Name]
		if !given || v == nil {
			if p.Required {
				return nil, fmt.Errorf("%w: %s is required", adapters.ErrBadParams, p.Name)
			}
			continue
		}
		switch p.Type {
		case "string":
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %s must be a string", adapters.ErrBadParams, p.Name)
			}
			out[p.Name] = s
		case "boolean":
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("%w: %s must be true or false", adapters.ErrBadParams, p.Name)
			}
			out[p.Name] = b
		case "integer":
			f, ok := v.(float64)
			if !ok || f != float64(int64(f)) {
				return nil, fmt.Errorf("%w: %s must be a whole number", adapters.ErrBadParams, p.Name)
			}
			n := int64(f)
			if p.Min != nil && n < *p.Min || p.Max != nil && n > *p.Max {
				return nil, fmt.Errorf("%w: %s must be within %s", adapters.ErrBadParams, p.Name, bounds(p))
			}
			out[p.Name] = n
		}
	}
	for name := range raw {
		if !known[name] {
			return nil, fmt.Errorf("%w: unknown parameter %q", adapters.ErrBadParams, name)
		}
	}
	return out, nil
}

func bounds(p adapters.Param) string {
	lo, hi := "-∞", "∞"
	if p.Min != nil {
		lo = fmt.Sprint(*p.Min)
	}
	if p.Max != nil {
		hi = fmt.Sprint(*p.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

// templatePath is the first declared pod-template path the object has.
func (d *Type) templatePath(content map[string]any) ([]string, map[string]any, error) {
	for _, p := range d.decl.Templates {
		path := strings.Split(p, ".")
		if t, found, _ := unstructured.NestedMap(content, path...); found {
			return path, t, nil
		}
	}
	return nil, nil, fmt.Errorf("%w: the object has no pod template at %s", adapters.ErrRestartRefused, strings.Join(d.decl.Templates, " or "))
}

type scaleVia struct{ d *Type }

func (s scaleVia) Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	return s.d.ScaleSubresource(ctx, namespace, name, replicas)
}

type restartVia struct{ d *Type }

// RestartPatch stamps the pod template wherever the declaration says it is.
func (r restartVia) RestartPatch(obj runtime.Object, at time.Time) ([]byte, error) {
	content, err := contentOf(obj)
	if err != nil {
		return nil, err
	}
	path, _, err := r.d.templatePath(content)
	if err != nil {
		return nil, err
	}
	var patch any = map[string]any{"metadata": map[string]any{"annotations": map[string]string{adapters.RestartedAtAnnotation: at.Format(time.RFC3339)}}}
	for i := len(path) - 1; i >= 0; i-- {
		patch = map[string]any{path[i]: patch}
	}
	return json.Marshal(patch)
}

type templateVia struct{ d *Type }

// TemplateOf reads the pod template at spec.template.
func (t templateVia) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	var tmpl corev1.PodTemplateSpec
	content, err := contentOf(obj)
	if err != nil {
		return tmpl, err
	}
	_, raw, err := t.d.templatePath(content)
	if err != nil {
		return tmpl, err
	}
	err = runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &tmpl)
	return tmpl, err
}
