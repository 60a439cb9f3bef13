package data

import (
	"math/rand/v2"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Sizes of the change feed: how many recent changes are kept for clients that reconnect, and how
// many one client may have queued before it is dropped as too slow.
const (
	feedHistory = 10000
	feedQueue   = 1024
)

// Changes is the feed of the live stream: the shared informers' events, numbered, kept in a ring
// for resumption, and fanned out to subscribers without ever waiting for one.
type Changes struct {
	epoch string // this process's: ids are "<epoch>-<n>"
	mu    sync.Mutex
	seq   uint64
	ring  []biz.ObjectChange // the last feedHistory changes: change n at ring[(n-1) % feedHistory]
	subs  map[*subscription]struct{}
}

// NewChanges builds an empty feed; the cache feeds it.
func NewChanges() *Changes {
	return &Changes{epoch: strconv.FormatUint(rand.Uint64()>>16, 36), subs: map[*subscription]struct{}{}}
}

// Epoch implements biz.ChangeFeed.
func (c *Changes) Epoch() string { return c.epoch }

type subscription struct {
	feed *Changes
	pos  uint64
	ch   chan biz.ObjectChange
	done chan struct{}
	once sync.Once
}

func (s *subscription) Position() uint64                 { return s.pos }
func (s *subscription) Changes() <-chan biz.ObjectChange { return s.ch }
func (s *subscription) Done() <-chan struct{}            { return s.done }

// Close ends the subscription (the client went away, or it was dropped).
func (s *subscription) Close() {
	s.once.Do(func() {
		s.feed.mu.Lock()
		delete(s.feed.subs, s)
		s.feed.mu.Unlock()
		close(s.done)
	})
}

// Subscribe implements biz.ChangeFeed.
func (c *Changes) Subscribe(after uint64, resume bool) (biz.Subscription, []biz.ObjectChange, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := &subscription{feed: c, pos: c.seq, ch: make(chan biz.ObjectChange, feedQueue), done: make(chan struct{})}
	c.subs[s] = struct{}{}
	if !resume || after >= c.seq {
		return s, nil, resume && after > c.seq // an id from the future: another process's stream
	}
	if c.seq-after > uint64(len(c.ring)) {
		return s, nil, true // the changes after it are no longer kept
	}
	replay := make([]biz.ObjectChange, 0, c.seq-after)
	for id := after + 1; id <= c.seq; id++ {
		replay = append(replay, c.ring[(id-1)%feedHistory])
	}
	return s, replay, false
}

// Clients is the number of open subscriptions (for the metrics).
func (c *Changes) Clients() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subs)
}

// Latest is the id of the last change.
func (c *Changes) Latest() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seq
}

func (c *Changes) publish(ch biz.ObjectChange) {
	c.mu.Lock()
	c.seq++
	ch.ID = c.seq
	if len(c.ring) < feedHistory {
		c.ring = append(c.ring, ch)
	} else {
		c.ring[(ch.ID-1)%feedHistory] = ch
	}
	var slow []*subscription
	for s := range c.subs {
		select {
		case s.ch <- ch:
		default:
			slow = append(slow, s)
		}
	}
	c.mu.Unlock()
	for _, s := range slow {
		s.Close() // the client resumes from its last event when it reconnects
	}
}

// handler publishes an informer's events; the initial list and resyncs are not changes.
func (c *Changes) handler(kind, workloadType string) cache.ResourceEventHandler {
	emit := func(action string, obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			c.publish(biz.ObjectChange{Kind: kind, Type: workloadType, Namespace: m.GetNamespace(), Name: m.GetName(), Action: action, ResourceVersion: m.GetResourceVersion()})
		}
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if !initial {
				emit("ADDED", obj)
			}
		},
		UpdateFunc: func(old, obj any) {
			if o, ok := old.(metav1.Object); ok {
				if n, ok := obj.(metav1.Object); ok && o.GetResourceVersion() == n.GetResourceVersion() {
					return
				}
			}
			emit("MODIFIED", obj)
		},
		DeleteFunc: func(obj any) { emit("DELETED", obj) },
	}
}
