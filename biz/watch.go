package biz

import (
	"context"
	"strconv"
	"strings"
)

// ObjectChange is one event of the live stream: an object of a workload type (kind "workload") or a
// Rollout (kind "rollout", type "rollout") was added, modified or deleted.
type ObjectChange struct {
	ID              uint64 `json:"-"`
	Kind            string `json:"kind" enum:"workload,rollout"`
	Type            string `json:"type"`
	Namespace       string `json:"namespace"`
	Name            string `json:"name"`
	Action          string `json:"action" enum:"ADDED,MODIFIED,DELETED"`
	ResourceVersion string `json:"resourceVersion"`
}

// ChangeFeed is the one feed of changes the shared informers deliver, whatever the number of
// viewers, with the recent ones kept for clients that reconnect.
type ChangeFeed interface {
	// Subscribe starts delivering changes after id (resume); the ones already missed come back
	// as replay, or reset is true when they are no longer kept. Without resume, only new ones.
	Subscribe(after uint64, resume bool) (sub Subscription, replay []ObjectChange, reset bool)
	// Epoch names this process's sequence of ids: an id from another replica (or an earlier run)
	// cannot be resumed here.
	Epoch() string
}

// Subscription is one client's queue of changes. Done is closed when the client could not keep
// up and was dropped (it reconnects and resumes).
type Subscription interface {
	// Position is the id of the last change before the subscription began.
	Position() uint64
	Changes() <-chan ObjectChange
	Done() <-chan struct{}
	Close()
}

// WatchQuery is what a client watches, as given in the query.
type WatchQuery struct {
	Namespace, Type, Name, LastEventID string
}

// Watch is one open stream for one user: its subscription and the changes missed since the
// client's last event.
type Watch struct {
	Subscription
	Replay []ObjectChange
	Reset  bool
	// Epoch prefixes the stream's event ids ("<epoch>-<n>").
	Epoch string
	uc    *WatchUsecase
	q     WatchQuery
}

// WatchUsecase opens live streams and decides, per user, which changes each may receive.
type WatchUsecase struct {
	feed      ChangeFeed
	workloads *WorkloadUsecase
}

// NewWatchUsecase builds the watch use case.
func NewWatchUsecase(feed ChangeFeed, w *WorkloadUsecase) *WatchUsecase {
	return &WatchUsecase{feed: feed, workloads: w}
}

// RolloutType is the type name of Rollouts in the stream.
const RolloutType = "rollout"

// Open validates the query, refuses up front what the user may not list, and subscribes.
func (uc *WatchUsecase) Open(ctx context.Context, q WatchQuery) (*Watch, error) {
	if q.Namespace == "" {
		return nil, BadRequest("query parameter namespace is required (a namespace, or %s for every one)", AllNamespaces)
	}
	if q.Namespace != AllNamespaces { // _cluster: the changes of cluster-scoped types
		if err := uc.workloads.checkNamespace(q.Namespace); err != nil {
			return nil, err
		}
	}
	if q.Type != "" && q.Type != RolloutType {
		if _, err := uc.workloads.adapter(q.Type); err != nil {
			return nil, err
		}
	}
	if q.Name != "" {
		if err := ValidateName(q.Name); err != nil {
			return nil, err
		}
	}
	if q.Type != "" && q.Namespace != AllNamespaces {
		if attrs, ok := uc.attributes(q.Type, q.Namespace); ok {
			if err := Authorize(ctx, uc.workloads.access, attrs); err != nil {
				return nil, err
			}
		}
	}
	after, resume, err := uc.position(q.LastEventID)
	if err != nil {
		return nil, err
	}
	sub, replay, reset := uc.feed.Subscribe(after, resume)
	if q.LastEventID != "" && !resume {
		reset = true // another replica's (or run's) id: what was missed cannot be told
	}
	w := &Watch{Subscription: sub, Reset: reset, Epoch: uc.feed.Epoch(), uc: uc, q: q}
	for _, c := range replay {
		if w.Wants(ctx, c) {
			w.Replay = append(w.Replay, c)
		}
	}
	return w, nil
}

// position parses a Last-Event-ID ("<epoch>-<n>"): resume is false for another epoch's id.
func (uc *WatchUsecase) position(id string) (after uint64, resume bool, err error) {
	if id == "" {
		return 0, false, nil
	}
	epoch, n, ok := strings.Cut(id, "-")
	seq, perr := strconv.ParseUint(n, 10, 64)
	if !ok || epoch == "" || perr != nil {
		return 0, false, BadRequest("Last-Event-ID must be an event id of this stream (<epoch>-<n>), got %q", id)
	}
	if epoch != uc.feed.Epoch() {
		return 0, false, nil
	}
	return seq, true, nil
}

// Wants reports whether the change matches the query and the user may list what it is about.
func (w *Watch) Wants(ctx context.Context, c ObjectChange) bool {
	q := w.q
	if q.Namespace != AllNamespaces && c.Namespace != namespaceOf(q.Namespace) || q.Type != "" && c.Type != q.Type || q.Name != "" && c.Name != q.Name {
		return false
	}
	attrs, ok := w.uc.attributes(c.Type, c.Namespace)
	return ok && Authorize(ctx, w.uc.workloads.access, attrs) == nil
}

// attributes is the list permission a change of this type needs.
func (uc *WatchUsecase) attributes(workloadType, ns string) (Attributes, bool) {
	if workloadType == RolloutType {
		return rolloutAttributes("list", ns, ""), true
	}
	a, ok := uc.workloads.registry.Get(workloadType)
	if !ok {
		return Attributes{}, false
	}
	return attributesOf(a, "list", ns, ""), true
}
