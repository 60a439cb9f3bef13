package adapters

import (
	"strings"
)

// What a kind is, as lists, filters and commands show it: its columns, the states its objects can
// be in and how one is read, and the kubectl commands that do what the dashboard's actions do.
// A Go kind states them in its own file (Info.Columns, Info.States, Info.State, Info.Commands); a
// declared kind in its YAML. The server sends them with every type (GET /workload-types) and
// computes columns and state into every compact row, so the UI has one code path for all types.

// Object is an object's JSON content (numbers are float64, as encoding/json decodes them).
type Object map[string]any

// Map is the object at a path of keys, or nil.
func (o Object) Map(path ...string) Object {
	m := map[string]any(o)
	for _, k := range path {
		m, _ = m[k].(map[string]any)
	}
	return m
}

func (o Object) at(path []string) any {
	if len(path) == 0 {
		return nil
	}
	return o.Map(path[:len(path)-1]...)[path[len(path)-1]]
}

// Num is the number at a path, or 0.
func (o Object) Num(path ...string) float64 {
	f, _ := o.at(path).(float64)
	return f
}

// NumOr is the number at a path, or def when there is none.
func (o Object) NumOr(def float64, path ...string) float64 {
	if f, ok := o.at(path).(float64); ok {
		return f
	}
	return def
}

// Str is the string at a path, or "".
func (o Object) Str(path ...string) string {
	s, _ := o.at(path).(string)
	return s
}

// True reports whether the value at a path is the boolean true.
func (o Object) True(path ...string) bool { return o.at(path) == true }

// States are every state a workload can be in: the State column's vocabulary, the summary's
// counts and the list's state filter. Each kind says which of them its objects take.
var States = []string{"ready", "updating", "partitioned", "notReady", "paused", "scaledToZero", "inRelease",
	"pending", "running", "completed", "failed", "suspended", "scheduled", "active"}

// ReplicaStates are the states ReplicaRule gives.
var ReplicaStates = []string{"ready", "updating", "partitioned", "notReady", "paused", "scaledToZero", "inRelease"}

// InReleaseAnnotation is what the Kruise Rollout controller puts on a workload while a Rollout
// releases it ({"rolloutName": …}), and removes when the release ends: its pause or partition
// is then the release's steps, not a person's hold (rollouts v0.6 pkg/util/constant.go
// InRolloutProgressingAnnotation; set by its workload webhook, removed at the release's finalising).
const InReleaseAnnotation = "rollouts.kruise.io/in-progressing"

// inRelease reports whether a Rollout is releasing the object now.
func inRelease(o Object) bool { return o.Str("metadata", "annotations", InReleaseAnnotation) != "" }

// ReplicaRule reads the state of a kind that keeps replicas (docs/semantics.md §6.3): paused if
// the kind says so; scaled to zero; updating while pods are not at the new revision beyond what
// the partition holds back, or the status is older than the spec; not ready; partitioned when
// only the partition keeps pods at the old revision; else ready. A pause or a partition while a
// Rollout releases the object (InReleaseAnnotation) is the release's own: inRelease.
type ReplicaRule struct {
	// Desired, Ready, Updated and Total read the counts (default: spec.replicas, 1 when unset,
	// and status.readyReplicas, updatedReplicas and replicas).
	Desired, Ready, Updated, Total func(Object) float64
	// Paused says whether the update is paused on purpose (default never).
	Paused func(Object) bool
	// Held is how many pods the update strategy keeps at the old revision (default none).
	Held func(o Object, desired float64) float64
	// NoScaleToZero: the kind has no replica count to set to zero (one pod per node).
	NoScaleToZero bool
}

// State is the rule applied to o.
func (r ReplicaRule) State(o Object) string {
	count := func(f func(Object) float64, path ...string) float64 {
		if f != nil {
			return f(o)
		}
		return o.Num(path...)
	}
	desired := o.NumOr(1, "spec", "replicas")
	if r.Desired != nil {
		desired = r.Desired(o)
	}
	ready, updated, total := count(r.Ready, "status", "readyReplicas"), count(r.Updated, "status", "updatedReplicas"), count(r.Total, "status", "replicas")
	gen, genOK := o.Map("metadata")["generation"].(float64)
	observed, obsOK := o.Map("status")["observedGeneration"].(float64)
	stale := genOK && obsOK && observed < gen
	held := func(state string) string {
		if inRelease(o) {
			return "inRelease"
		}
		return state
	}
	if r.Paused != nil && r.Paused(o) {
		return held("paused")
	}
	if !r.NoScaleToZero && desired == 0 && total == 0 {
		return "scaledToZero"
	}
	kept := 0.0
	if r.Held != nil {
		kept = r.Held(o, desired)
	}
	switch {
	case stale || updated < desired-kept || total > desired:
		return "updating"
	case ready < desired:
		return "notReady"
	case updated < desired:
		return held("partitioned")
	}
	return "ready"
}

// Column readers shared by the kinds that keep replicas.
var (
	ReplicasColumn = Column{Name: "replicas", Title: "Replicas", Titles: zh("副本"), Type: "number",
		Value: func(o Object) any { return o.NumOr(1, "spec", "replicas") }}
	ReadyColumn           = NumberColumn("ready", "Ready", "就绪", "status", "readyReplicas")
	UpToDateColumn        = NumberColumn("updated", "Up to date", "已更新", "status", "updatedReplicas")
	AvailableColumn       = NumberColumn("available", "Available", "可用", "status", "availableReplicas").OnDetail()
	UpdateRevisionColumn  = StringColumn("revision", "Update revision", "更新版本", "status", "updateRevision")
	CurrentRevisionColumn = StringColumn("currentRevision", "Current revision", "当前版本", "status", "currentRevision").OnDetail()
)

// NumberColumn shows the number at a path (0 when unset), titled in English and Chinese.
func NumberColumn(name, title, zhTitle string, path ...string) Column {
	return Column{Name: name, Title: title, Titles: zh(zhTitle), Type: "number", Value: func(o Object) any { return o.Num(path...) }}
}

// StringColumn shows the string at a path (null when unset or empty).
func StringColumn(name, title, zhTitle string, path ...string) Column {
	return Column{Name: name, Title: title, Titles: zh(zhTitle), Value: func(o Object) any { return nonEmpty(o.Str(path...)) }}
}

// TimeColumn shows the timestamp at a path as an age (null when unset).
func TimeColumn(name, title, zhTitle string, path ...string) Column {
	c := StringColumn(name, title, zhTitle, path...)
	c.Type = "time"
	return c
}

// OnDetail keeps the column to the object's page (lists leave it out).
func (c Column) OnDetail() Column {
	c.Detail = true
	return c
}

func zh(title string) map[string]string { return map[string]string{"zh-CN": title} }

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Commands are the kubectl commands equivalent to the dashboard's actions on one object of a
// type, with placeholders the UI fills: {name}, {namespace} (absent for a cluster-scoped type),
// {replicas}, {images} (container=image pairs) and {now} (the time, RFC 3339). An empty one
// means no single command does what the dashboard does; the UI says so.
type Commands struct {
	// Resource is the type as kubectl names it unambiguously (resource.group), for commands
	// about the object written elsewhere (a Rollout's restart of its workload).
	Resource string `json:"resource"`
	// KruiseResource is the type as kubectl-kruise's documentation names it (cloneset, asts, ads;
	// deployment, statefulset, daemonset for apps/v1), for its commands about the object written
	// elsewhere (a Rollout's restart of its workload); empty when it documents none.
	KruiseResource string `json:"kruiseResource,omitempty"`
	Scale          string `json:"scale,omitempty"`
	Restart        string `json:"restart,omitempty"`
	SetImage       string `json:"setImage,omitempty"`
	Delete         string `json:"delete,omitempty"`
}

// KubectlResource is the resource as kubectl is told it unambiguously: resource.group (the
// plain resource for the core group). "statefulset" alone means apps/v1 to kubectl, never
// Kruise's Advanced StatefulSet.
func (i Info) KubectlResource() string {
	gvr := i.GVR()
	if gvr.Group == "" {
		return gvr.Resource
	}
	return gvr.Resource + "." + gvr.Group
}

// nsFlag is kubectl's namespace flag, for namespaced types.
func (i Info) nsFlag() string {
	if i.Namespaced() {
		return " -n {namespace}"
	}
	return ""
}

// RestartByPatch is the command of a restart that stamps the pod template's annotation.
const restartedAtTemplate = `{"spec":{"template":{"metadata":{"annotations":{"` + RestartedAtAnnotation + `":"{now}"}}}}}`

// KubectlCommands are the commands any type has by its capabilities, with kubectl's own verbs
// for the apps group (rollout restart, set image) and the template annotation patch otherwise; a
// kind's file overrides what it does differently.
func (i Info) KubectlCommands() Commands {
	res, ns := i.KubectlResource(), i.nsFlag()
	c := Commands{Resource: res, Delete: "kubectl delete " + res + " {name}" + ns}
	if i.Capabilities.Scalable {
		c.Scale = "kubectl scale " + res + "/{name}" + ns + " --replicas={replicas}"
	}
	apps := i.GVK.Group == "apps"
	if apps {
		// kubectl-kruise resolves names as kubectl does: "statefulset" is apps/v1's.
		c.KruiseResource = strings.ToLower(i.GVK.Kind)
	}
	if i.Capabilities.Restartable && apps {
		c.Restart = "kubectl rollout restart " + res + "/{name}" + ns
	}
	if i.Capabilities.ImageSettable && apps {
		c.SetImage = "kubectl set image " + res + "/{name} {images}" + ns
	}
	return c
}

// PatchCommand is kubectl patch of one object with a merge patch ({patch} when the UI fills it).
func (i Info) PatchCommand(subresource, patch string) string {
	sub := ""
	if subresource != "" {
		sub = " --subresource=" + subresource
	}
	return "kubectl patch " + i.KubectlResource() + " {name}" + i.nsFlag() + sub + " --type merge -p '" + patch + "'"
}

// templateRestartCommand is the restart of a kind whose pod template is spec.template.
func (i Info) templateRestartCommand() string { return i.PatchCommand("", restartedAtTemplate) }

// kruiseSetImage is kubectl-kruise's set image, which knows Kruise's templated kinds (kubectl's
// own set image refuses custom resources), naming the object as its documentation does
// (cloneset/<name>, asts/<name>, ads/<name>: the CRDs' singular and short names, which kubectl's
// resolution, and so kubectl-kruise's, maps to apps.kruise.io).
func (c Commands) kruiseSetImage(i Info) string {
	return "kubectl-kruise set image " + c.KruiseResource + "/{name} {images}" + i.nsFlag()
}

// Fill replaces a command's placeholders.
func Fill(command string, values map[string]string) string {
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(command)
}
