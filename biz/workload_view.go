package biz

import (
	"strings"
	"time"
)

// The workload states of the UI's State column and filter, and of the summary's counts. The
// rules are those of stateOf in app/web/src/workloadSummary.ts, read from each kind's own status
// fields (docs/semantics.md §6.3); testdata/workload_states.json is the table both are tested against.
var States = []string{"ready", "updating", "partitioned", "notReady", "paused", "scaledToZero",
	"pending", "running", "completed", "failed", "suspended", "scheduled", "active"}

// StateOf is what a workload (as unstructured content) is doing.
func StateOf(obj map[string]any) string {
	kind, _ := obj["kind"].(string)
	spec, status := mapAt(obj, "spec"), mapAt(obj, "status")
	switch kind {
	case "BroadcastJob":
		if spec["paused"] == true {
			return "paused"
		}
		switch phase := strings.ToLower(stringAt(status, "phase")); phase {
		case "completed", "failed", "running", "paused":
			return phase
		}
		return "pending"
	case "AdvancedCronJob":
		if spec["paused"] == true {
			return "suspended"
		}
		if active, ok := status["active"].([]any); ok && len(active) > 0 {
			return "active"
		}
		return "scheduled"
	}
	daemon := kind == "DaemonSet"
	desired, ready, updated, total := 1.0, num(status["readyReplicas"]), num(status["updatedReplicas"]), num(status["replicas"])
	if r, ok := spec["replicas"].(float64); ok {
		desired = r
	}
	if daemon {
		desired, ready, updated, total = num(status["desiredNumberScheduled"]), num(status["numberReady"]), num(status["updatedNumberScheduled"]), num(status["currentNumberScheduled"])
	}
	gen, genOK := mapAt(obj, "metadata")["generation"].(float64)
	observed, obsOK := status["observedGeneration"].(float64)
	stale := genOK && obsOK && observed < gen
	if workloadPaused(kind, spec) {
		return "paused"
	}
	if !daemon && desired == 0 && total == 0 {
		return "scaledToZero"
	}
	held := partitioned(kind, spec, status, desired)
	switch {
	case stale || updated < desired-held || total > desired:
		return "updating"
	case ready < desired:
		return "notReady"
	case updated < desired:
		return "partitioned"
	}
	return "ready"
}

func workloadPaused(kind string, spec map[string]any) bool {
	switch kind {
	case "Deployment":
		return spec["paused"] == true
	case "CloneSet":
		return mapAt(spec, "updateStrategy")["paused"] == true
	case "StatefulSet", "DaemonSet":
		return mapAt(mapAt(spec, "updateStrategy"), "rollingUpdate")["paused"] == true
	}
	return false
}

// partitioned is how many pods the update strategy keeps at the old revision on purpose.
func partitioned(kind string, spec, status map[string]any, desired float64) float64 {
	switch kind {
	case "CloneSet":
		if e, ok := status["expectedUpdatedReplicas"].(float64); ok {
			return max(0, desired-e)
		}
	case "StatefulSet", "DaemonSet":
		if p, ok := mapAt(mapAt(spec, "updateStrategy"), "rollingUpdate")["partition"].(float64); ok {
			return min(desired, max(0, p))
		}
	}
	return 0
}

// Compact is the object pruned to what a list shows (the columns, the state and the images),
// with the server's state: a fifth to a tenth of the whole object.
func Compact(obj map[string]any) map[string]any {
	meta := mapAt(obj, "metadata")
	m := pick(meta, "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels")
	if rev, ok := mapAt(meta, "annotations")[deploymentRevision]; ok {
		m["annotations"] = map[string]any{deploymentRevision: rev}
	}
	spec := mapAt(obj, "spec")
	s := pick(spec, "replicas", "paused", "schedule", "updateStrategy")
	if tpl := mapAt(spec, "template"); len(tpl) > 0 {
		t := map[string]any{}
		if c := namedImages(tpl); c != nil {
			t["spec"] = map[string]any{"containers": c}
		}
		for _, job := range []string{"jobTemplate", "broadcastJobTemplate"} {
			if jt, ok := tpl[job].(map[string]any); ok {
				inner := map[string]any{}
				if c := namedImages(mapAt(mapAt(jt, "spec"), "template")); c != nil {
					inner = map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": c}}}}
				}
				t[job] = inner
			}
		}
		s["template"] = t
	}
	st := map[string]any{}
	for k, v := range mapAt(obj, "status") {
		if k != "conditions" {
			st[k] = v
		}
	}
	return map[string]any{"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": m, "spec": s, "status": st, "state": StateOf(obj)}
}

const deploymentRevision = "deployment.kubernetes.io/revision"

// namedImages is the name and image of each container of a pod template, or nil.
func namedImages(template map[string]any) []any {
	list, ok := mapAt(template, "spec")["containers"].([]any)
	if !ok {
		return nil
	}
	out := make([]any, 0, len(list))
	for _, c := range list {
		cm, _ := c.(map[string]any)
		out = append(out, pick(cm, "name", "image"))
	}
	return out
}

// Row is what a page of one type is filtered and sorted by, with the answer's encodings.
type Row struct {
	Name    string
	Created time.Time
	Labels  map[string]string
	State   string
	// Full and Compact are the JSON of the whole object and of Compact(object).
	Full, Compact []byte
}

func mapAt(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func stringAt(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
