package data

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// RowStore keeps every cached workload as JSON, encoded once per resourceVersion when the
// informer delivers it (as the API server's watch cache does), in name order per namespace. A
// list answer is then the concatenation of ready bytes instead of a reflection walk of every
// object on every request.
type RowStore struct {
	mu      sync.RWMutex
	lists   map[string]map[string]*list // type → namespace → its list; replaced, never mutated
	version uint64                      // of the last list made

	combinedMu sync.Mutex
	combined   map[string]*combined // the answers of GET /workload/:ns, by namespace and types
}

// list is one type's rows in one namespace, and their JSON array once asked for.
type list struct {
	rows    []*listing.Row
	version uint64 // unique per list: a change makes a new one
	once    sync.Once
	json    listing.Encoded
}

func (l *list) encoded() listing.Encoded {
	l.once.Do(func() {
		l.json = listing.NewEncoded(listing.Append(make([]byte, 0, listing.Size(l.rows, false)), l.rows, false))
	})
	return l.json
}

var emptyList = &list{}

// combined is a namespace's object of lists, valid while its lists are the same versions.
type combined struct {
	versions []uint64
	json     listing.Encoded
}

// maxCombined bounds the cached namespace answers (namespaces × the type sets users may list).
const maxCombined = 1000

// NewRowStore builds an empty store; the cache feeds it.
func NewRowStore() *RowStore {
	return &RowStore{lists: map[string]map[string]*list{}, combined: map[string]*combined{}}
}

func (e *RowStore) list(workloadType, ns string) *list {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if l := e.lists[workloadType][ns]; l != nil {
		return l
	}
	return emptyList
}

// Counts is the number of cached objects of each type (for the metrics).
func (e *RowStore) Counts() map[string]int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]int, len(e.lists))
	for t, byNS := range e.lists {
		for _, l := range byNS {
			out[t] += len(l.rows)
		}
	}
	return out
}

// Rows implements biz.WorkloadRows. The slice is shared: read only.
func (e *RowStore) Rows(workloadType, ns string) []*listing.Row { return e.list(workloadType, ns).rows }

// List implements biz.WorkloadRows.
func (e *RowStore) List(workloadType, ns string) listing.Encoded {
	return e.list(workloadType, ns).encoded()
}

// Lists implements biz.WorkloadRows: keys in order, as encoding/json writes a map.
func (e *RowStore) Lists(ns string, plurals map[string]string) listing.Encoded {
	types := make([]string, 0, len(plurals))
	for t := range plurals {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return plurals[types[i]] < plurals[types[j]] })
	lists := make([]*list, len(types))
	versions := make([]uint64, len(types))
	for i, t := range types {
		lists[i] = e.list(t, ns)
		versions[i] = lists[i].version
	}
	key := ns + "\x00" + strings.Join(types, "\x00")
	e.combinedMu.Lock()
	c := e.combined[key]
	e.combinedMu.Unlock()
	if c != nil && slices.Equal(c.versions, versions) {
		return c.json
	}
	size := 2
	for i, l := range lists {
		size += len(plurals[types[i]]) + 4 + len(l.encoded().JSON)
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, l := range lists {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendQuote(out, plurals[types[i]])
		out = append(out, ':')
		out = append(out, l.encoded().JSON...)
	}
	c = &combined{versions: versions, json: listing.NewEncoded(append(out, '}'))}
	e.combinedMu.Lock()
	if len(e.combined) >= maxCombined {
		clear(e.combined)
	}
	e.combined[key] = c
	e.combinedMu.Unlock()
	return c.json
}

// handler keeps the rows of one type in step with its informer; sum, when not nil, computes a
// declared type's columns and state.
func (e *RowStore) handler(workloadType string, sum summarizer) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { e.put(workloadType, sum, obj) },
		UpdateFunc: func(_, obj any) { e.put(workloadType, sum, obj) },
		DeleteFunc: func(obj any) { e.remove(workloadType, obj) },
	}
}

func (e *RowStore) put(workloadType string, sum summarizer, obj any) {
	e.store(workloadType, sum, obj, false)
}

// refresh computes an object's row again (what it reads besides the object changed) and keeps
// it when its columns or state differ from the stored row's; it reports whether they did.
func (e *RowStore) refresh(workloadType string, sum summarizer, obj any) bool {
	return e.store(workloadType, sum, obj, true)
}

func (e *RowStore) store(workloadType string, sum summarizer, obj any, onlyChanged bool) bool {
	meta, ok := obj.(metav1.Object)
	if !ok {
		return false
	}
	row, err := encodeRow(obj, meta, sum)
	if err != nil {
		return false // not JSON-encodable: the object path (json.Marshal) would fail the same way
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.lists[workloadType][meta.GetNamespace()].rowsOrNil()
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Name >= row.Name })
	if onlyChanged && (i == len(rows) || rows[i].Name != row.Name || bytes.Equal(rows[i].Compact, row.Compact)) {
		return false // not stored yet (its own event will store it), or unchanged
	}
	next := make([]*listing.Row, 0, len(rows)+1)
	next = append(next, rows[:i]...)
	next = append(next, row)
	if i < len(rows) && rows[i].Name == row.Name {
		i++ // replaces the old row
	}
	next = append(next, rows[i:]...)
	e.set(workloadType, meta.GetNamespace(), next)
	return true
}

func (e *RowStore) remove(workloadType string, obj any) {
	meta, ok := deleted(obj)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	rows := e.lists[workloadType][meta.GetNamespace()].rowsOrNil()
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Name >= meta.GetName() })
	if i == len(rows) || rows[i].Name != meta.GetName() {
		return
	}
	next := append(append(make([]*listing.Row, 0, len(rows)-1), rows[:i]...), rows[i+1:]...)
	e.set(workloadType, meta.GetNamespace(), next)
}

// deleted is the object a delete event names, also when the informer missed the delete.
func deleted(obj any) (metav1.Object, bool) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	meta, ok := obj.(metav1.Object)
	return meta, ok
}

// drop forgets every row of a type (it left the registry).
func (e *RowStore) drop(workloadType string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.lists, workloadType)
	e.version++
}

func (e *RowStore) set(workloadType, ns string, rows []*listing.Row) {
	byNS := e.lists[workloadType]
	if byNS == nil {
		byNS = map[string]*list{}
		e.lists[workloadType] = byNS
	}
	if len(rows) == 0 {
		delete(byNS, ns)
		return
	}
	e.version++
	byNS[ns] = &list{rows: rows, version: e.version}
}

func (l *list) rowsOrNil() []*listing.Row {
	if l == nil {
		return nil
	}
	return l.rows
}

// summarizer computes a row's columns and state (every adapter does).
type summarizer interface {
	Summarize(content map[string]any) (columns map[string]any, state string)
}

// encodeRow encodes the object as the object path would (json.Marshal of the typed object) and
// its compact projection (from that JSON, so numbers and names are exactly what clients see).
func encodeRow(obj any, meta metav1.Object, sum summarizer) (*listing.Row, error) {
	full, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var content map[string]any
	if err := json.Unmarshal(full, &content); err != nil {
		return nil, err
	}
	cols, state := sum.Summarize(content)
	view := listing.Compact(content, cols, state)
	compact, err := json.Marshal(view)
	if err != nil {
		return nil, err
	}
	return &listing.Row{
		Name: meta.GetName(), Created: meta.GetCreationTimestamp().Time, Labels: meta.GetLabels(),
		State: state, Full: full, Compact: compact,
	}, nil
}
