package data

import (
	"encoding/json"
	"sort"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Encoded keeps every cached workload as JSON, encoded once per resourceVersion when the
// informer delivers it (as the API server's watch cache does), in name order per namespace. A
// list answer is then the concatenation of ready bytes instead of a reflection walk of every
// object on every request.
type Encoded struct {
	mu    sync.RWMutex
	lists map[string]map[string][]*biz.Row // type → namespace → rows by name; replaced, never mutated
}

// NewEncoded builds an empty store; the cache feeds it.
func NewEncoded() *Encoded { return &Encoded{lists: map[string]map[string][]*biz.Row{}} }

// Rows returns the rows of a type in a namespace, sorted by name. The slice is shared: read only.
func (e *Encoded) Rows(workloadType, ns string) []*biz.Row {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.lists[workloadType][ns]
}

// handler keeps the rows of one type in step with its informer.
func (e *Encoded) handler(workloadType string) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { e.put(workloadType, obj) },
		UpdateFunc: func(_, obj any) { e.put(workloadType, obj) },
		DeleteFunc: func(obj any) { e.remove(workloadType, obj) },
	}
}

func (e *Encoded) put(workloadType string, obj any) {
	meta, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	row, err := encodeRow(obj, meta)
	if err != nil {
		return // not JSON-encodable: the object path (json.Marshal) would fail the same way
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.lists[workloadType][meta.GetNamespace()]
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Name >= row.Name })
	next := make([]*biz.Row, 0, len(rows)+1)
	next = append(next, rows[:i]...)
	next = append(next, row)
	if i < len(rows) && rows[i].Name == row.Name {
		i++ // replaces the old row
	}
	next = append(next, rows[i:]...)
	e.set(workloadType, meta.GetNamespace(), next)
}

func (e *Encoded) remove(workloadType string, obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	meta, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.lists[workloadType][meta.GetNamespace()]
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Name >= meta.GetName() })
	if i == len(rows) || rows[i].Name != meta.GetName() {
		return
	}
	next := append(append(make([]*biz.Row, 0, len(rows)-1), rows[:i]...), rows[i+1:]...)
	e.set(workloadType, meta.GetNamespace(), next)
}

func (e *Encoded) set(workloadType, ns string, rows []*biz.Row) {
	byNS := e.lists[workloadType]
	if byNS == nil {
		byNS = map[string][]*biz.Row{}
		e.lists[workloadType] = byNS
	}
	if len(rows) == 0 {
		delete(byNS, ns)
		return
	}
	byNS[ns] = rows
}

// encodeRow encodes the object as the object path would (json.Marshal of the typed object) and
// its compact projection (from that JSON, so numbers and names are exactly what clients see).
func encodeRow(obj any, meta metav1.Object) (*biz.Row, error) {
	full, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var content map[string]any
	if err := json.Unmarshal(full, &content); err != nil {
		return nil, err
	}
	compact, err := json.Marshal(biz.Compact(content))
	if err != nil {
		return nil, err
	}
	return &biz.Row{
		Name: meta.GetName(), Created: meta.GetCreationTimestamp().Time, Labels: meta.GetLabels(),
		State: biz.StateOf(content), Full: full, Compact: compact,
	}, nil
}
