// Package fleet holds the clusters the dashboard serves: the home cluster and every usable
// registration of the watched set (data/clusters), each as a Member — the whole per-cluster stack
// (clients, cache, adapters, use cases, routes) built by the same injector, so a request for
// another cluster runs the home's code path over that cluster's data. It builds, swaps and stops
// members as registrations come, change and go, and says what it knows of each (/clusters).
package fleet

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/transport"
	khttp "github.com/go-kratos/kratos/v2/transport/http"

	"github.com/kruise-dashboard/kruise-dashboard/app/server"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/data"
	"github.com/kruise-dashboard/kruise-dashboard/data/clusters"
)

// OriginHome is the home cluster's origin: where the dashboard runs, or the kubeconfig's
// current context.
const OriginHome clusters.Origin = "home"

// Member is one cluster's stack.
type Member struct {
	Registration clusters.Registration
	Routes       server.Routes
	Cache        *data.Cache
	Rows         *data.RowStore
	Changes      *data.Changes
	Access       *data.Access
	Rollouts     *biz.RolloutUsecase
	Workloads    *biz.WorkloadUsecase
	Cluster      *biz.ClusterUsecase
	Evidence     *biz.EvidenceUsecase
	Watch        *biz.WatchUsecase
	// Servers run the member's caches (started and stopped with it).
	Servers []transport.Server
	// Reviewer reviews bearer tokens on this cluster (token mode, §3 of docs/fleet-design.md).
	Reviewer Reviewer
	// Handlers are Routes' handlers by route ID, built once.
	Handlers map[string]khttp.HandlerFunc
}

// Name is the member's cluster name.
func (m *Member) Name() string { return m.Registration.Name }

// Start starts the member's caches; they fill in the background.
func (m *Member) Start(ctx context.Context) error {
	for i, s := range m.Servers {
		if err := s.Start(ctx); err != nil {
			for _, started := range m.Servers[:i] {
				_ = started.Stop(ctx)
			}
			return fmt.Errorf("start cluster %s: %w", m.Name(), err)
		}
	}
	return nil
}

// Stop stops the member's caches.
func (m *Member) Stop(ctx context.Context) {
	for i := len(m.Servers) - 1; i >= 0; i-- {
		_ = m.Servers[i].Stop(ctx)
	}
}

// Build builds a member from a usable registration (not started).
type Build func(clusters.Registration) (*Member, func(), error)

// Fleet is the home member and the members of the watched set; a Kratos server.
type Fleet struct {
	home  *Member
	set   *clusters.Set // nil: one cluster
	build Build
	retry time.Duration
	ids   *identities
	log   *log.Helper

	syncing sync.Mutex // one sync at a time (the set's changes and the retry timer)
	mu      sync.RWMutex
	members map[string]*entry
	regs    []clusters.Registration // the set as last heard, refused ones included

	stop chan struct{}
	done chan struct{}
}

// entry is a registration's member, or why it could not be built.
type entry struct {
	member  *Member
	cleanup func()
	err     error // the last build or start failure; retried every retry interval
	reg     clusters.Registration
	failed  time.Time
}

// Options tune the fleet.
type Options struct {
	// Retry is how often a registration that could not be connected to is tried again.
	Retry time.Duration
	// Recheck is how long a cluster's review of a person's token is kept (auth.recheck).
	Recheck time.Duration
}

// New is the fleet of home and set's registrations (set nil: home alone).
func New(home *Member, set *clusters.Set, build Build, o Options, logger log.Logger) *Fleet {
	if o.Retry <= 0 {
		o.Retry = 30 * time.Second
	}
	return &Fleet{home: home, set: set, build: build, retry: o.Retry, ids: newIdentities(o.Recheck), members: map[string]*entry{},
		log: log.NewHelper(log.With(logger, "module", "app/fleet"))}
}

// Start implements transport.Server: it follows the set (the members start filling in the
// background; a cluster that cannot be reached is shown, not waited for).
func (f *Fleet) Start(ctx context.Context) error {
	if f.set == nil {
		return nil
	}
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	f.set.OnChange(func(clusters.Change) { f.sync(context.Background()) })
	if err := f.set.Start(ctx); err != nil {
		return err
	}
	f.sync(ctx)
	go f.retryLoop()
	return nil
}

// Stop implements transport.Server.
func (f *Fleet) Stop(ctx context.Context) error {
	if f.set == nil {
		return nil
	}
	close(f.stop)
	<-f.done
	err := f.set.Stop(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, e := range f.members {
		f.drop(ctx, e)
		delete(f.members, name)
	}
	return err
}

func (f *Fleet) retryLoop() {
	defer close(f.done)
	t := time.NewTicker(f.retry)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
			f.sync(context.Background())
		}
	}
}

// sync makes the members follow the set: a new usable registration is built and started, a
// changed one (another server or credential) is rebuilt and swapped in — the old one serves
// until then — a gone or now refused one is stopped; a failed build is tried again after the
// retry interval.
func (f *Fleet) sync(ctx context.Context) {
	f.syncing.Lock()
	defer f.syncing.Unlock()
	regs := f.set.List()
	want := map[string]clusters.Registration{}
	for i, r := range regs {
		if r.Usable() && r.Name == f.home.Name() {
			regs[i].Refused = fmt.Sprintf("the name %q is the home cluster's", r.Name)
			continue
		}
		if r.Usable() {
			want[r.Name] = r
		}
	}
	f.mu.Lock()
	f.regs = regs
	var gone []*entry
	todo := map[string]clusters.Registration{}
	for name, e := range f.members {
		r, ok := want[name]
		switch {
		case !ok:
			gone = append(gone, e)
			delete(f.members, name)
		case r.Digest() != e.reg.Digest():
			todo[name] = r // rebuilt below; the old one serves until the new one is in
		case e.member == nil && time.Since(e.failed) >= f.retry:
			todo[name] = r
		}
	}
	for name, r := range want {
		if _, ok := f.members[name]; !ok {
			todo[name] = r
		}
	}
	f.mu.Unlock()
	for _, e := range gone {
		f.drop(ctx, e)
	}
	for _, name := range slices.Sorted(maps.Keys(todo)) {
		r := todo[name]
		e := &entry{reg: r}
		m, cleanup, err := f.build(r)
		if err == nil {
			if err = m.Start(ctx); err != nil {
				cleanup()
			}
		}
		if err != nil {
			f.log.Warnf("cluster %s: %v", r.Name, err)
			e.err, e.failed = err, time.Now()
		} else {
			e.member, e.cleanup = m, cleanup
			f.log.Infof("serving %s", r)
		}
		f.mu.Lock()
		old := f.members[name]
		f.members[name] = e
		f.mu.Unlock()
		if old != nil {
			f.drop(ctx, old) // a changed registration: the old member stops once swapped out
		}
	}
}

func (f *Fleet) drop(ctx context.Context, e *entry) {
	if e.member == nil {
		return
	}
	e.member.Stop(ctx)
	if e.cleanup != nil {
		e.cleanup()
	}
}

// Lookup is the member serving name: the home, or a usable registration's. A name not
// registered, refused, or not connected yet is a clear 404/503.
func (f *Fleet) Lookup(name string) (*Member, error) {
	if name == f.home.Name() {
		return f.home, nil
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	if e, ok := f.members[name]; ok {
		if e.member != nil {
			return e.member, nil
		}
		return nil, biz.Unavailable(e.err, "cluster %s cannot be connected to: %v", name, e.err)
	}
	for _, r := range f.regs {
		if r.Name == name && !r.Usable() {
			return nil, clusterNotFound("cluster %s is registered but refused: %s", name, r.Refused)
		}
	}
	return nil, clusterNotFound("no cluster is registered as %q", name)
}

// Members implements biz.Fleet: the home and every connected member, as the views across
// clusters use them.
func (f *Fleet) Members() []biz.FleetMember {
	ms := f.connected()
	out := make([]biz.FleetMember, len(ms))
	for i, m := range ms {
		out[i] = biz.FleetMember{Name: m.Name(), Home: m == f.home, Rollouts: m.Rollouts, Workloads: m.Workloads, Cluster: m.Cluster, Evidence: m.Evidence,
			Health: m.Cache.Health, On: func(ctx context.Context) (context.Context, error) { return f.on(ctx, m) }}
	}
	return out
}

// connected are the home and every connected member, home first then by name.
func (f *Fleet) connected() []*Member {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := []*Member{f.home}
	for _, e := range f.members {
		if e.member != nil {
			out = append(out, e.member)
		}
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i].Name() < out[1+j].Name() })
	return out
}

// CodeClusterNotFound: the path names a cluster that is not registered or is refused.
const CodeClusterNotFound = "CLUSTER_NOT_FOUND"

func clusterNotFound(format string, args ...any) *biz.Error {
	e := biz.NotFound(format, args...)
	e.Code = CodeClusterNotFound
	return e
}

// Handler implements server.Clusters: route id of the named cluster.
func (f *Fleet) Handler(cluster, id string) (khttp.HandlerFunc, error) {
	m, err := f.Lookup(cluster)
	if err != nil {
		return nil, err
	}
	h, ok := m.Handlers[id]
	if !ok {
		return nil, biz.NotFound("route %s is not served per cluster", id)
	}
	return f.inCluster(m, h), nil
}

// Clusters implements biz.Fleet: the home, then every registration by name, with what is known
// of its connection.
func (f *Fleet) Clusters() []biz.ClusterInfo {
	out := []biz.ClusterInfo{f.home.Cache.Health().Info(info(f.home.Registration, true))}
	f.mu.RLock()
	regs := append([]clusters.Registration(nil), f.regs...)
	entries := make(map[string]*entry, len(f.members))
	for k, v := range f.members {
		entries[k] = v
	}
	f.mu.RUnlock()
	sort.SliceStable(regs, func(i, j int) bool { return regs[i].Name < regs[j].Name })
	for _, r := range regs {
		c := info(r, false)
		e, ok := entries[r.Name]
		switch {
		case !r.Usable():
			c.State, c.Refused = biz.ClusterRefused, r.Refused
		case ok && e.member != nil && e.reg.Digest() == r.Digest():
			c = e.member.Cache.Health().Info(c)
		default:
			c.State = biz.ClusterConnecting
			if ok && e.err != nil {
				c.LastError = e.err.Error()
			}
		}
		out = append(out, c)
	}
	return out
}

func info(r clusters.Registration, home bool) biz.ClusterInfo {
	return biz.ClusterInfo{Name: r.Name, Home: home, Origin: string(r.Origin), Source: r.Source, Context: r.Context}
}

// Watch resolves ?cluster= of the live stream: that cluster's changes, as the person there.
func (f *Fleet) Watch(ctx context.Context, cluster string) (context.Context, *biz.WatchUsecase, error) {
	m, err := f.Lookup(cluster)
	if err != nil {
		return nil, nil, err
	}
	ctx, err = f.ids.on(ctx, m, m == f.home)
	if err != nil {
		return nil, nil, err
	}
	return ctx, m.Watch, nil
}
