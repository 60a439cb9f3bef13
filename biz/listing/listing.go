// Package listing is the wire format of the workload lists: the row a cached object is kept as
// (its JSON, whole and compact, and what pages filter and sort by), the compact projection, and
// answers already encoded. It is a leaf: the cache (data) writes rows, the use cases (biz) page
// through them, and the HTTP layer writes Encoded answers as they are.
package listing

import (
	"time"

	"github.com/cespare/xxhash/v2"
)

// Encoded is an answer already encoded as JSON, with its hash: the server writes it as the data
// unchanged and takes its ETag from Sum, so a cached answer costs neither encoding nor hashing.
type Encoded struct {
	JSON []byte
	Sum  uint64
}

// NewEncoded hashes an encoded answer.
func NewEncoded(json []byte) Encoded { return Encoded{JSON: json, Sum: xxhash.Sum64(json)} }

// Size is the length of the rows' JSON array (whole or compact objects).
func Size(rows []*Row, compact bool) int {
	n := 2
	for _, r := range rows {
		n += len(r.encoding(compact)) + 1
	}
	return n
}

// Append appends the rows' JSON array (whole or compact objects) to out.
func Append(out []byte, rows []*Row, compact bool) []byte {
	out = append(out, '[')
	for i, r := range rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, r.encoding(compact)...)
	}
	return append(out, ']')
}

func (r *Row) encoding(compact bool) []byte {
	if compact {
		return r.Compact
	}
	return r.Full
}

// Compact is the object pruned to what a list shows (its identity, the images, the spec and
// status fields kubectl users look for), with the columns and the state its adapter computed: a
// fifth to a tenth of the whole object.
func Compact(obj map[string]any, columns map[string]any, state string) map[string]any {
	meta := mapAt(obj, "metadata")
	m := pick(meta, "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels")
	if rev, ok := mapAt(meta, "annotations")[deploymentRevision]; ok {
		m["annotations"] = map[string]any{deploymentRevision: rev}
	}
	// The controller that owns the object (a UnitedDeployment's subset): the list says so.
	if refs, ok := meta["ownerReferences"].([]any); ok {
		for _, r := range refs {
			if ref, ok := r.(map[string]any); ok && ref["controller"] == true {
				m["ownerReferences"] = []any{pick(ref, "apiVersion", "kind", "name", "uid", "controller")}
				break
			}
		}
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
	return map[string]any{"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": m, "spec": s, "status": st, "columns": columns, "state": state}
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

func pick(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}
