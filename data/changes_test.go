package data

import (
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

func publishN(c *Changes, n int) {
	for i := 0; i < n; i++ {
		c.publish(biz.ObjectChange{Kind: "workload", Type: "cloneset", Namespace: "demo", Name: "shop", Action: "MODIFIED"})
	}
}

func TestChangesResume(t *testing.T) {
	c := NewChanges()
	publishN(c, 5)
	for _, tc := range []struct {
		name          string
		after         uint64
		resume        bool
		replay        int
		first         uint64
		reset         bool
		extra, before int
	}{
		{name: "new client gets only new changes", resume: false},
		{name: "resume replays what was missed", after: 2, resume: true, replay: 3, first: 3},
		{name: "resume from the start", after: 0, resume: true, replay: 5, first: 1},
		{name: "nothing missed", after: 5, resume: true},
		{name: "an id from another process", after: 99, resume: true, reset: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, replay, reset := c.Subscribe(tc.after, tc.resume)
			defer sub.Close()
			if len(replay) != tc.replay || reset != tc.reset || sub.Position() != 5 {
				t.Fatalf("replay %d reset %v position %d, want %d %v 5", len(replay), reset, sub.Position(), tc.replay, tc.reset)
			}
			if tc.replay > 0 && replay[0].ID != tc.first {
				t.Errorf("first replayed %d, want %d", replay[0].ID, tc.first)
			}
		})
	}
	// Past the history the missed changes are gone: reset.
	publishN(c, feedHistory)
	if _, replay, reset := c.Subscribe(3, true); !reset || replay != nil {
		t.Errorf("resume from before the history: reset %v, %d replayed", reset, len(replay))
	}
	sub, replay, _ := c.Subscribe(uint64(feedHistory), true)
	defer sub.Close()
	if len(replay) != 5 || replay[0].ID != uint64(feedHistory)+1 || replay[4].ID != uint64(feedHistory)+5 {
		t.Errorf("replay across the ring's wrap: %d from %d", len(replay), replay[0].ID)
	}
}

func TestChangesDropSlowSubscriber(t *testing.T) {
	c := NewChanges()
	slow, _, _ := c.Subscribe(0, false)
	fast, _, _ := c.Subscribe(0, false)
	defer fast.Close()
	publishN(c, feedQueue) // both queues full
	for i := 0; i < feedQueue; i++ {
		<-fast.Changes()
	}
	publishN(c, 10)
	select {
	case <-slow.Done():
	default:
		t.Fatal("a subscriber that read nothing was not dropped")
	}
	select {
	case <-fast.Done():
		t.Fatal("the subscriber that kept up was dropped")
	default:
	}
	if n := len(fast.Changes()); n != 10 {
		t.Errorf("the subscriber that kept up has %d queued, want 10", n)
	}
}
