package data

import (
	"slices"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// RolloutRowStore keeps every cached Rollout's normalised status and its JSON, computed when the
// informer delivers the Rollout and again when the registry names its workload's type
// differently (what a list item's status reads besides the Rollout), in name order per
// namespace. A list is then filtering by namespace and concatenating ready bytes, as RowStore
// does for workloads; the fleet reads each member's waiting rows from here (Waiting).
type RolloutRowStore struct {
	reg *registry.Registry

	mu         sync.RWMutex
	byNS       map[string]*rolloutList // each list replaced, never mutated
	namespaces []string                // the keys of byNS, sorted; read under the lock only
	version    uint64                  // of the last change

	allMu sync.Mutex
	all   *rolloutAnswers // every namespace's answers, valid while version is the store's
}

// rolloutEntry is a row and the object it was computed from (to compute it again).
type rolloutEntry struct {
	row *biz.RolloutRow
	obj biz.RolloutObject
}

// rolloutList is one namespace's rows in name order, and its parts of the answers once asked for.
type rolloutList struct {
	namespace string
	entries   []rolloutEntry
	waiting   []*biz.RolloutRow
	once      sync.Once
	parts     rolloutParts
	answers   *rolloutAnswers
}

// rolloutParts are the comma-joined JSON of the active rows and of the others.
type rolloutParts struct{ active, rest []byte }

// rolloutAnswers are the JSON arrays of the whole list (active first) and of the active rows.
type rolloutAnswers struct {
	version      uint64
	full, active listing.Encoded
}

var emptyRolloutAnswers = &rolloutAnswers{full: listing.NewEncoded([]byte("[]")), active: listing.NewEncoded([]byte("[]"))}

// NewRolloutRowStore builds an empty store; the cache feeds it.
func NewRolloutRowStore(reg *registry.Registry) *RolloutRowStore {
	return &RolloutRowStore{reg: reg, byNS: map[string]*rolloutList{}}
}

func (l *rolloutList) encoded() (rolloutParts, *rolloutAnswers) {
	l.once.Do(func() {
		for _, e := range l.entries {
			if e.row.Status.Active {
				l.parts.active = appendPart(l.parts.active, e.row.JSON)
			} else {
				l.parts.rest = appendPart(l.parts.rest, e.row.JSON)
			}
		}
		l.answers = answersOf([]rolloutParts{l.parts})
	})
	return l.parts, l.answers
}

func appendPart(part, item []byte) []byte {
	if len(part) > 0 {
		part = append(part, ',')
	}
	return append(part, item...)
}

// answersOf joins the parts of namespaces in order: every active row, then the others.
func answersOf(parts []rolloutParts) *rolloutAnswers {
	size := 2
	for _, p := range parts {
		size += len(p.active) + len(p.rest) + 2
	}
	full := make([]byte, 0, size)
	full = append(full, '[')
	for _, p := range parts {
		full = joinPart(full, p.active)
	}
	activeEnd := len(full)
	for _, p := range parts {
		full = joinPart(full, p.rest)
	}
	full = append(full, ']')
	active := append(append(make([]byte, 0, activeEnd+1), full[:activeEnd]...), ']')
	return &rolloutAnswers{full: listing.NewEncoded(full), active: listing.NewEncoded(active)}
}

func joinPart(out, part []byte) []byte {
	if len(part) == 0 {
		return out
	}
	if len(out) > 1 {
		out = append(out, ',')
	}
	return append(out, part...)
}

// snapshot is the lists of namespace ("" for every one, in namespace order) and the version.
func (s *RolloutRowStore) snapshot(namespace string) ([]*rolloutList, uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if namespace != "" {
		if l := s.byNS[namespace]; l != nil {
			return []*rolloutList{l}, s.version
		}
		return nil, s.version
	}
	out := make([]*rolloutList, len(s.namespaces))
	for i, ns := range s.namespaces {
		out[i] = s.byNS[ns]
	}
	return out, s.version
}

// Rows are the rows of namespace ("" for every one) in namespace/name order. Shared: read only.
func (s *RolloutRowStore) Rows(namespace string) []*biz.RolloutRow {
	lists, _ := s.snapshot(namespace)
	var out []*biz.RolloutRow
	for _, l := range lists {
		for _, e := range l.entries {
			out = append(out, e.row)
		}
	}
	return out
}

// List is the JSON array of the rows of namespace ("" for every one) in the namespaces visible
// admits (nil: all), active rows first (only them when activeOnly), each part in namespace/name
// order: the order of a stable sort, active first, of the namespace/name-ordered rows.
func (s *RolloutRowStore) List(namespace string, activeOnly bool, visible func(string) bool) listing.Encoded {
	lists, version := s.snapshot(namespace)
	var a *rolloutAnswers
	switch {
	case namespace != "":
		a = emptyRolloutAnswers
		if len(lists) == 1 && (visible == nil || visible(namespace)) {
			_, a = lists[0].encoded()
		}
	case visible == nil:
		s.allMu.Lock()
		if s.all == nil || s.all.version != version {
			s.all = s.join(lists, nil)
			s.all.version = version
		}
		a = s.all
		s.allMu.Unlock()
	default:
		a = s.join(lists, visible)
	}
	if activeOnly {
		return a.active
	}
	return a.full
}

func (s *RolloutRowStore) join(lists []*rolloutList, visible func(string) bool) *rolloutAnswers {
	parts := make([]rolloutParts, 0, len(lists))
	for _, l := range lists {
		if visible == nil || visible(l.namespace) {
			p, _ := l.encoded()
			parts = append(parts, p)
		}
	}
	return answersOf(parts)
}

// Waiting are the rows of every namespace waiting for a person, in namespace/name order: what
// the fleet inbox reads of each member. Shared: read only.
func (s *RolloutRowStore) Waiting() []*biz.RolloutRow {
	lists, _ := s.snapshot("")
	var out []*biz.RolloutRow
	for _, l := range lists {
		out = append(out, l.waiting...)
	}
	return out
}

// handler keeps the rows in step with the Rollout informer.
func (s *RolloutRowStore) handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    s.put,
		UpdateFunc: func(_, obj any) { s.put(obj) },
		DeleteFunc: s.remove,
	}
}

func (s *RolloutRowStore) put(obj any) {
	ro, ok := obj.(runtime.Object)
	if !ok {
		return
	}
	o := normalise(ro)
	// Computed under the lock, so a row is never older than the registry retype last read.
	s.mu.Lock()
	defer s.mu.Unlock()
	ns, name := o.Rollout.Namespace, o.Rollout.Name
	entries := s.entriesLocked(ns)
	i := sort.Search(len(entries), func(i int) bool { return entries[i].obj.Rollout.Name >= name })
	row, err := biz.NewRolloutRow(s.reg, o)
	if err != nil {
		// Not normalisable: left out of the lists rather than shown as it was before.
		if i < len(entries) && entries[i].obj.Rollout.Name == name {
			s.setLocked(ns, slices.Delete(slices.Clone(entries), i, i+1))
		}
		return
	}
	next := make([]rolloutEntry, 0, len(entries)+1)
	next = append(append(next, entries[:i]...), rolloutEntry{row: row, obj: o})
	if i < len(entries) && entries[i].obj.Rollout.Name == name {
		i++ // replaces the old row
	}
	s.setLocked(ns, append(next, entries[i:]...))
}

func (s *RolloutRowStore) remove(obj any) {
	m, ok := deleted(obj)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entries := s.entriesLocked(m.GetNamespace())
	i := sort.Search(len(entries), func(i int) bool { return entries[i].obj.Rollout.Name >= m.GetName() })
	if i == len(entries) || entries[i].obj.Rollout.Name != m.GetName() {
		return
	}
	s.setLocked(m.GetNamespace(), slices.Delete(slices.Clone(entries), i, i+1))
}

// retype computes again the rows whose workload type the registry now names differently (a
// declared type added or removed).
func (s *RolloutRowStore) retype() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ns := range s.namespaces {
		entries := s.byNS[ns].entries
		var next []rolloutEntry
		for i, e := range entries {
			if biz.WorkloadTypeOf(s.reg, e.obj.Rollout) == e.row.Status.Workload.Type {
				continue
			}
			row, err := biz.NewRolloutRow(s.reg, e.obj)
			if err != nil {
				continue
			}
			if next == nil {
				next = slices.Clone(entries)
			}
			next[i].row = row
		}
		if next != nil {
			s.setLocked(ns, next)
		}
	}
}

func (s *RolloutRowStore) entriesLocked(ns string) []rolloutEntry {
	if l := s.byNS[ns]; l != nil {
		return l.entries
	}
	return nil
}

// setLocked replaces a namespace's list.
func (s *RolloutRowStore) setLocked(ns string, entries []rolloutEntry) {
	s.version++
	i, found := slices.BinarySearch(s.namespaces, ns)
	if len(entries) == 0 {
		delete(s.byNS, ns)
		if found {
			s.namespaces = slices.Delete(s.namespaces, i, i+1)
		}
		return
	}
	l := &rolloutList{namespace: ns, entries: entries}
	for _, e := range entries {
		if e.row.Status.WaitingForApproval {
			l.waiting = append(l.waiting, e.row)
		}
	}
	s.byNS[ns] = l
	if !found {
		s.namespaces = slices.Insert(s.namespaces, i, ns)
	}
}
