package biz

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// ErrNotInstalled is the cause of Ready's error for a type whose API the cluster does not serve.
var ErrNotInstalled = errors.New("API not served by the cluster")

// Limits are the bounds a deployer sets on what callers may ask.
type Limits struct {
	// MaxReplicas is the largest replica count a scale request may set.
	MaxReplicas int32
}

// WorkloadUsecase serves the workload endpoints through the registry's adapters.
type WorkloadUsecase struct {
	registry   *registry.Registry
	cache      Cache
	namespaces NamespaceRepo
	limits     Limits
	access     Access
	events     *EventUsecase
	rollouts   RolloutRepo
	logs       PodLogRepo
	rows       WorkloadRows
	tracer     trace.Tracer
	now        func() time.Time
}

// NewWorkloadUsecase builds the workload use cases.
func NewWorkloadUsecase(reg *registry.Registry, c Cache, ns NamespaceRepo, limits Limits, access Access, events *EventUsecase, rollouts RolloutRepo, logs PodLogRepo, rows WorkloadRows, tp trace.TracerProvider) *WorkloadUsecase {
	return &WorkloadUsecase{registry: reg, cache: c, namespaces: ns, limits: limits, access: access, events: events, rollouts: rollouts, logs: logs, rows: rows, tracer: tp.Tracer("biz"), now: time.Now}
}

// WorkloadPods is the answer of GET /workload/:ns/:type/:name/pods.
type WorkloadPods struct {
	Workload runtime.Object `json:"workload"`
	Pods     []*corev1.Pod  `json:"pods"`
}

// Deleted is the answer of DELETE /workload/:ns/:type/:name.
type Deleted struct {
	Type              string `json:"type"`
	Namespace         string `json:"namespace"`
	Name              string `json:"name"`
	PropagationPolicy string `json:"propagationPolicy"`
}

// Types describes every registered type with its capabilities, for the UI, then the
// declarations refused at the last reload (source "refused", with the reason; the last good
// declaration of their type, if any, is the one served).
func (uc *WorkloadUsecase) Types() []adapters.Info {
	all := uc.registry.All()
	infos := make([]adapters.Info, len(all))
	for i, a := range all {
		infos[i] = a.Info()
	}
	for _, r := range uc.registry.Refused() {
		info := adapters.Info{Type: r.Type, Source: adapters.SourceRefused, File: r.File, Refusal: r.Reason,
			Scope: adapters.ScopeNamespaced, Columns: []adapters.Column{}, States: []string{}}
		info.Origin, info.ConfigMap, info.FileName = adapters.OriginOf(r.File)
		infos = append(infos, info)
	}
	return infos
}

// Kind is the Kubernetes kind of a registered type.
func (uc *WorkloadUsecase) Kind(workloadType string) (string, error) {
	a, err := uc.adapter(workloadType)
	if err != nil {
		return "", err
	}
	return a.Info().GVK.Kind, nil
}

// Get returns one object.
func (uc *WorkloadUsecase) Get(ctx context.Context, ns, workloadType, name string) (runtime.Object, error) {
	ctx, span := uc.start(ctx, "Get", ns, workloadType, name)
	defer span.End()
	_, obj, err := uc.find(ctx, ns, workloadType, name)
	return obj, err
}

// Pods returns one object with exactly the pods it owns, sorted by name.
func (uc *WorkloadUsecase) Pods(ctx context.Context, ns, workloadType, name string) (*WorkloadPods, error) {
	ctx, span := uc.start(ctx, "Pods", ns, workloadType, name)
	defer span.End()
	a, obj, err := uc.find(ctx, ns, workloadType, name)
	if err != nil {
		return nil, err
	}
	if err := Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "pods", Namespace: inScope(a, ns)}); err != nil {
		return nil, err
	}
	if err := uc.cache.CoreReady(); err != nil {
		return nil, err
	}
	pods, err := a.Pods(obj.(metav1.Object))
	if err != nil {
		return nil, Internal(err, "list pods of %s %s/%s: %v", workloadType, ns, name, err)
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	span.SetAttributes(attribute.Int("pods", len(pods)))
	return &WorkloadPods{Workload: obj, Pods: pods}, nil
}

// Scale sets the replicas of a scalable type through its /scale subresource. rawReplicas is the
// query parameter as given.
func (uc *WorkloadUsecase) Scale(ctx context.Context, ns, workloadType, name, rawReplicas string) (*autoscalingv1.Scale, error) {
	ctx, span := uc.start(ctx, "Scale", ns, workloadType, name)
	defer span.End()
	a, err := uc.writable(ctx, ns, workloadType, name, "patch", "scale")
	if err != nil {
		return nil, err
	}
	scaler, ok := a.(adapters.Scaler)
	if !ok {
		return nil, BadRequest("%s does not support scale (scalable types: %s)", workloadType, uc.typesWith(func(c adapters.Capabilities) bool { return c.Scalable }))
	}
	replicas, err := uc.parseReplicas(rawReplicas)
	if err != nil {
		return nil, err
	}
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, err
	}
	span.SetAttributes(attribute.Int("replicas", int(replicas)))
	scale, err := scaler.Scale(ctx, ns, name, replicas)
	if err != nil {
		return nil, FromKube(err, objectLabel(a, ns, name))
	}
	uc.events.Recorded(ctx, a.Info().GVK, scale, "ScaledByDashboard", "scaled to %d replicas", replicas)
	return scale, nil
}

// Restart stamps the pod template with the restart annotation, as `kubectl rollout restart`.
func (uc *WorkloadUsecase) Restart(ctx context.Context, ns, workloadType, name string) (runtime.Object, error) {
	ctx, span := uc.start(ctx, "Restart", ns, workloadType, name)
	defer span.End()
	a, err := uc.writable(ctx, ns, workloadType, name, "patch", "")
	if err != nil {
		return nil, err
	}
	restarter, ok := a.(adapters.Restarter)
	if !ok {
		return nil, BadRequest("%s does not support restart (restartable types: %s)", workloadType, uc.typesWith(func(c adapters.Capabilities) bool { return c.Restartable }))
	}
	_, obj, err := uc.find(ctx, ns, workloadType, name)
	if err != nil {
		return nil, err
	}
	patch, err := restarter.RestartPatch(obj, uc.now())
	if errors.Is(err, adapters.ErrRestartRefused) {
		return nil, Conflict(err, "%v", err)
	} else if err != nil {
		return nil, Internal(err, "build restart patch of %s %s/%s: %v", workloadType, ns, name, err)
	}
	updated, err := restarter.Patch(ctx, ns, name, patch)
	if err != nil {
		return nil, FromKube(err, objectLabel(a, ns, name))
	}
	uc.events.Recorded(ctx, a.Info().GVK, updated.(metav1.Object), "RestartedByDashboard", "pods restarted (template annotation %s)", adapters.RestartedAtAnnotation)
	return updated, nil
}

// Delete deletes one object with background propagation.
func (uc *WorkloadUsecase) Delete(ctx context.Context, ns, workloadType, name string) (*Deleted, error) {
	ctx, span := uc.start(ctx, "Delete", ns, workloadType, name)
	defer span.End()
	a, err := uc.writable(ctx, ns, workloadType, name, "delete", "")
	if err != nil {
		return nil, err
	}
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, err
	}
	if err := a.Delete(ctx, ns, name); err != nil {
		return nil, FromKube(err, objectLabel(a, ns, name))
	}
	uc.events.Recorded(ctx, a.Info().GVK, &metav1.ObjectMeta{Namespace: ns, Name: name}, "DeletedByDashboard", "deleted with background propagation")
	return &Deleted{Type: workloadType, Namespace: ns, Name: name, PropagationPolicy: string(metav1.DeletePropagationBackground)}, nil
}

func (uc *WorkloadUsecase) start(ctx context.Context, op, ns, workloadType, name string) (context.Context, trace.Span) {
	attrs := []attribute.KeyValue{attribute.String("k8s.namespace.name", ns)}
	if workloadType != "" {
		attrs = append(attrs, attribute.String("workload.type", workloadType))
	}
	if name != "" {
		attrs = append(attrs, attribute.String("workload.name", name))
	}
	return uc.tracer.Start(ctx, "WorkloadUsecase."+op, trace.WithAttributes(attrs...))
}

func (uc *WorkloadUsecase) adapter(workloadType string) (adapters.Adapter, error) {
	a, ok := uc.registry.Get(workloadType)
	if !ok {
		return nil, BadRequest("unknown workload type %q (known: %s)", workloadType, uc.typesWith(func(adapters.Capabilities) bool { return true }))
	}
	return a, nil
}

// writable validates the path of a write and refuses it up front when the user may not do verb
// (on subresource) to the object.
func (uc *WorkloadUsecase) writable(ctx context.Context, ns, workloadType, name, verb, subresource string) (adapters.Adapter, error) {
	a, err := uc.adapter(workloadType)
	if err != nil {
		return nil, err
	}
	if err := validScope(a, ns); err != nil {
		return nil, err
	}
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	return a, authorizeWrite(ctx, uc.access, attributesOf(a, verb, ns, name), subresource)
}

// objectLabel names an object as the messages people read say it: its type's title and
// namespace/name ("StatefulSet demo/cache"), never the API's type id (apps-statefulset).
func objectLabel(a adapters.Adapter, ns, name string) string {
	if !a.Info().Namespaced() {
		return a.Info().Title + " " + name
	}
	return a.Info().Title + " " + ns + "/" + name
}

// ClusterScope is the namespace segment of cluster-scoped types (e.g. SidecarSet): it is not a
// DNS label, so no namespace can be called that.
const ClusterScope = "_cluster"

// validScope checks the namespace segment against the type's scope.
func validScope(a adapters.Adapter, ns string) error {
	if !a.Info().Namespaced() {
		if ns != ClusterScope {
			return BadRequest("%s (%s) is cluster-scoped: its objects are under the namespace %s", a.Info().Title, a.Info().Type, ClusterScope)
		}
		return nil
	}
	return ValidateNamespace(ns)
}

// inScope is the namespace a type's objects are read in: "" for a cluster-scoped type.
func inScope(a adapters.Adapter, ns string) string {
	if !a.Info().Namespaced() {
		return ""
	}
	return ns
}

// namespaceOf is the namespace a namespace segment reads in: "" for ClusterScope.
func namespaceOf(segment string) string {
	if segment == ClusterScope {
		return ""
	}
	return segment
}

// inNamespace tells whether a type's objects are listed under the namespace segment ns.
func inNamespace(a adapters.Adapter, ns string) bool {
	return a.Info().Namespaced() == (ns != ClusterScope)
}

func (uc *WorkloadUsecase) checkNamespace(ns string) error {
	if ns != ClusterScope {
		if err := ValidateNamespace(ns); err != nil {
			return err
		}
	}
	if err := uc.cache.CoreReady(); err != nil {
		return err
	}
	if ns == ClusterScope {
		return nil
	}
	if _, err := uc.namespaces.Get(ns); err != nil {
		return FromKube(err, "namespace "+ns)
	}
	return nil
}

// find validates the path and returns the object from the cache (once the user may get it), or
// NOT_FOUND.
func (uc *WorkloadUsecase) find(ctx context.Context, ns, workloadType, name string) (adapters.Adapter, runtime.Object, error) {
	a, err := uc.adapter(workloadType)
	if err != nil {
		return nil, nil, err
	}
	if err := ValidateName(name); err != nil {
		return nil, nil, err
	}
	if err := validScope(a, ns); err != nil {
		return nil, nil, err
	}
	if err := Authorize(ctx, uc.access, attributesOf(a, "get", ns, name)); err != nil {
		return nil, nil, err
	}
	if err := uc.checkNamespace(ns); err != nil {
		return nil, nil, err
	}
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, nil, err
	}
	key := name // a cluster-scoped object's key
	if a.Info().Namespaced() {
		key = ns + "/" + name
	}
	obj, exists, err := uc.cache.Get(a.Info(), key)
	if err != nil {
		return nil, nil, cacheError(err, "read %s from cache", objectLabel(a, ns, name))
	}
	if !exists {
		return nil, nil, NotFound("%s not found", objectLabel(a, ns, name))
	}
	return a, obj, nil
}

var wholeNumber = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// attributesOf is the access question for verb on a type's objects.
func attributesOf(a adapters.Adapter, verb, ns, name string) Attributes {
	info := a.Info()
	return Attributes{Verb: verb, Group: info.GVK.Group, Resource: info.GVR().Resource, Namespace: inScope(a, ns), Name: name}
}

func (uc *WorkloadUsecase) parseReplicas(raw string) (int32, error) {
	if raw == "" {
		return 0, BadRequest("query parameter replicas is required, e.g. ?replicas=3")
	}
	// Digits only, no sign and no leading zero: "-0", "+4" and "04" are not what a person means.
	if !wholeNumber.MatchString(raw) {
		if strings.HasPrefix(raw, "-") {
			return 0, BadRequest("replicas must not be negative or signed, got %q", raw)
		}
		return 0, BadRequest("replicas must be a whole number written plainly (digits, no sign or leading zero), got %q", raw)
	}
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil {
		return 0, BadRequest("replicas %s is over the configured maximum %d", raw, uc.limits.MaxReplicas)
	}
	if n > int64(uc.limits.MaxReplicas) {
		return 0, BadRequest("replicas %d is over the configured maximum %d", n, uc.limits.MaxReplicas)
	}
	return int32(n), nil
}

func (uc *WorkloadUsecase) typesWith(has func(adapters.Capabilities) bool) string {
	var names []string
	for _, a := range uc.registry.All() {
		if has(a.Info().Capabilities) {
			names = append(names, a.Info().Type)
		}
	}
	return fmt.Sprint(names)
}
