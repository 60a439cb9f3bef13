package data

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	rolloutinformers "github.com/openkruise/kruise-rollout-api/client/informers/externalversions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// Cache owns the shared informers. It is a Kratos server: Start registers the informers of the
// types the cluster serves (found by discovery) and starts them; a loop then probes the API
// server's /readyz and re-runs discovery, so an outage is reported and a CRD installed later is
// picked up without a restart.
type Cache struct {
	clients  *Clients
	cluster  *adapters.Cluster
	registry *registry.Registry
	health   time.Duration
	discover time.Duration
	log      *log.Helper

	mu        sync.RWMutex
	served    map[schema.GroupVersionResource]bool
	informers map[string]cache.SharedIndexInformer // by workload type, once started
	adapters  map[string]adapters.Adapter          // the adapter each informer was started for
	encoded   *RowStore
	changes   *Changes
	feeds     map[string]cache.ResourceEventHandlerRegistration // the encoded store's, by workload type
	streams   map[string]cache.ResourceEventHandlerRegistration // the live stream's, by workload type
	related   map[string][]relatedFeed                          // adapters.Related's, by workload type
	probeErr  error                                             // last /readyz failure, nil when healthy
	downSince time.Time                                         // when the probes started failing (zero: healthy)
	lastOK    time.Time                                         // the last probe the API server answered
	version   string                                            // the API server's git version, read once reachable
	listErrs  map[string]error                                  // last list/watch failure by informer
	core      map[string]cache.SharedIndexInformer              // built-in informers every request may need
	rollouts  rolloutinformers.SharedInformerFactory
	// rollout is the Rollout informer of the version chosen by discovery (v1beta1, else v1alpha1).
	rollout        cache.SharedIndexInformer
	rolloutVersion string
	rolloutRows    *RolloutRowStore                       // fed by rollout
	rolloutFeed    cache.ResourceEventHandlerRegistration // rolloutRows' handler
	stop           chan struct{}
	done           chan struct{}
}

// NewCache builds the cache; nothing runs until Start.
func NewCache(clients *Clients, cluster *adapters.Cluster, reg *registry.Registry, encoded *RowStore, changes *Changes, c *conf.Kubernetes, logger log.Logger) *Cache {
	k := cluster.Kube
	core := map[string]cache.SharedIndexInformer{
		"namespaces":          k.Core().V1().Namespaces().Informer(),
		"nodes":               k.Core().V1().Nodes().Informer(),
		"replicasets":         adapters.Indexed(k.Apps().V1().ReplicaSets().Informer()),
		"jobs":                adapters.Indexed(k.Batch().V1().Jobs().Informer()),
		"controllerrevisions": cluster.ControllerRevisionInformer(),
	}
	if cluster.Pods == nil { // pods on demand are started by their first read instead
		core["pods"] = cluster.PodInformer()
	}
	return &Cache{
		core:     core,
		rollouts: rolloutinformers.NewSharedInformerFactory(clients.Rollouts, 0),
		clients:  clients, cluster: cluster, registry: reg, health: c.HealthInterval, discover: c.DiscoveryInterval,
		log:    log.NewHelper(log.With(logger, "module", "data/cache")),
		served: map[schema.GroupVersionResource]bool{}, informers: map[string]cache.SharedIndexInformer{}, adapters: map[string]adapters.Adapter{},
		listErrs: map[string]error{}, encoded: encoded, changes: changes, rolloutRows: NewRolloutRowStore(reg),
		feeds: map[string]cache.ResourceEventHandlerRegistration{}, streams: map[string]cache.ResourceEventHandlerRegistration{},
		related: map[string][]relatedFeed{},
	}
}

// Start implements transport.Server. It returns once the informers are started; /readyz tells
// when they have synced.
func (c *Cache) Start(ctx context.Context) error {
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	for name, inf := range c.core {
		c.watchErrors(name, inf)
	}
	c.probe(ctx)
	c.refresh()
	// Declared types changed while running: start the new ones now rather than at the next tick.
	c.registry.OnReplace(c.refresh)
	// A Rollout's status names its workload's type from the registry.
	c.registry.OnReplace(c.rolloutRows.retype)
	go c.loop()
	return nil
}

// Stop implements transport.Server.
func (c *Cache) Stop(context.Context) error {
	if c.stop == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	c.cluster.Kube.Shutdown()
	c.cluster.Kruise.Shutdown()
	c.mu.Lock()
	var own []adapters.Lifecycle
	for _, a := range c.adapters {
		if l, ok := a.(adapters.Lifecycle); ok {
			own = append(own, l)
		}
	}
	c.mu.Unlock()
	for _, l := range own {
		l.Stop()
	}
	c.rollouts.Shutdown()
	if p, ok := c.cluster.Pods.(*OnDemandPods); ok {
		p.Stop()
	}
	return nil
}

// loop probes and runs discovery on timers of their own: a discovery held by an API server that
// stopped answering (up to its timeout per call) must not hold the probe that marks it so.
func (c *Cache) loop() {
	defer close(c.done)
	var wg sync.WaitGroup
	every := func(d time.Duration, f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-c.stop:
					return
				case <-t.C:
					f()
				}
			}
		}()
	}
	every(c.health, func() { c.probe(context.Background()) })
	every(c.discover, func() {
		c.refresh()
		if p, ok := c.cluster.Pods.(*OnDemandPods); ok {
			p.DropIdle(time.Now())
		}
	})
	wg.Wait()
}

// probe asks the API server's /readyz and records the outcome.
func (c *Cache) probe(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := c.clients.Plain.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).Error()
	c.mu.Lock()
	defer c.mu.Unlock()
	if (err == nil) != (c.probeErr == nil) {
		if err != nil {
			c.log.Warnf("API server %s not ready: %v", c.clients.Host, err)
		} else {
			c.log.Infof("API server %s ready again", c.clients.Host)
		}
	}
	c.probeErr = err
	now := time.Now()
	switch {
	case err == nil:
		c.downSince, c.lastOK = time.Time{}, now
	case c.downSince.IsZero():
		c.downSince = now
	}
	if err == nil && c.version == "" {
		c.mu.Unlock()
		v, verr := c.clients.Discovery.ServerVersion()
		c.mu.Lock()
		if verr == nil {
			c.version = v.GitVersion
		}
	}
}

// Health is what the fleet says of this cluster's connection: reachable or since when not, the
// last error, the last answer, whether the cache has synced, and the versions found (the API
// server's, the OpenKruise and Kruise Rollouts API versions it serves; "" not found).
func (c *Cache) Health() biz.ClusterHealth {
	synced := c.Synced()
	c.mu.RLock()
	defer c.mu.RUnlock()
	h := biz.ClusterHealth{Reachable: c.probeErr == nil && !c.lastOK.IsZero(), Kubernetes: c.version, Rollouts: c.rolloutVersion}
	if !c.downSince.IsZero() {
		h.UnreachableSince = c.downSince.UTC()
	}
	if !c.lastOK.IsZero() {
		h.LastContact = c.lastOK.UTC()
	}
	if c.probeErr != nil {
		h.LastError = c.probeErr.Error()
	}
	h.Synced = synced == nil
	h.PodsCached = true
	if p, ok := c.cluster.Pods.(*OnDemandPods); ok {
		h.PodsCached, _ = p.State()
	}
	for gvr := range c.served {
		if gvr.Group == "apps.kruise.io" && (h.OpenKruise == "" || gvr.Version > h.OpenKruise) {
			h.OpenKruise = gvr.Version
		}
	}
	return h
}

// refresh runs discovery for the adapters' group-versions, then registers and starts the
// informers of newly served types.
func (c *Cache) refresh() {
	served := map[schema.GroupVersionResource]bool{}
	known := map[schema.GroupVersion]bool{}
	groupVersions := make([]schema.GroupVersion, 0, len(c.registry.All())+len(RolloutVersions))
	for _, a := range c.registry.All() {
		groupVersions = append(groupVersions, a.Info().GVK.GroupVersion())
	}
	for _, v := range RolloutVersions {
		groupVersions = append(groupVersions, rolloutGVR(v).GroupVersion())
	}
	for _, gv := range groupVersions {
		if known[gv] {
			continue
		}
		known[gv] = true
		list, err := c.clients.Discovery.ServerResourcesForGroupVersion(gv.String())
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			c.log.Warnf("discovery of %s failed, keeping what was known: %v", gv, err)
			c.mu.RLock()
			for gvr, ok := range c.served {
				if gvr.GroupVersion() == gv {
					served[gvr] = ok
				}
			}
			c.mu.RUnlock()
			continue
		}
		for _, r := range list.APIResources {
			served[gv.WithResource(r.Name)] = true
		}
	}

	c.mu.Lock()
	if c.stop == nil {
		c.mu.Unlock()
		return
	}
	select {
	case <-c.stop:
		c.mu.Unlock()
		return
	default:
	}
	c.served = served
	c.mu.Unlock()
	c.retire()
	c.mu.Lock()
	var own []adapters.Lifecycle
	for _, a := range c.registry.All() {
		info := a.Info()
		if l, ok := a.(adapters.Lifecycle); ok && c.adapters[info.Type] == a {
			own = append(own, l)
		}
		if _, started := c.informers[info.Type]; started || !served[info.GVR()] {
			continue
		}
		inf := a.Informer()
		c.watchErrorsLocked(info.Type, inf)
		feed, err := inf.AddEventHandler(c.encoded.handler(info.Type, a))
		if err != nil {
			c.log.Errorf("feed the encoded store from %s: %v", info.Plural, err)
			continue
		}
		c.feeds[info.Type] = feed
		if c.streams[info.Type], err = inf.AddEventHandler(c.changes.handler("workload", info.Type)); err != nil {
			c.log.Errorf("feed the live stream from %s: %v", info.Plural, err)
		}
		c.informers[info.Type], c.adapters[info.Type] = inf, a
		if r, ok := a.(adapters.Related); ok {
			for _, child := range r.RelatedInformers(func(gvr schema.GroupVersionResource) bool { return served[gvr] }) {
				reg, err := child.AddEventHandler(c.relatedHandler(info.Type, a, inf))
				if err != nil {
					c.log.Errorf("recompute %s from the objects they control: %v", info.Plural, err)
					continue
				}
				c.related[info.Type] = append(c.related[info.Type], relatedFeed{child, reg})
			}
		}
		if l, ok := a.(adapters.Lifecycle); ok {
			own = append(own, l)
		}
		c.log.Infof("watching %s (%s)", info.Plural, info.APIVersion)
	}
	c.chooseRolloutVersionLocked(served)
	c.mu.Unlock()
	// Start only starts informers not yet running, so calling it again adds the new ones.
	c.cluster.Kube.Start(c.stop)
	c.cluster.Kruise.Start(c.stop)
	for _, l := range own {
		l.Start()
	}
	c.rollouts.Start(c.stop)
}

// retire stops watching the types that left the registry or are served by another adapter now
// (their declaration changed): the stream and the encoded store stop hearing of them, their own
// informers (a declared type's) stop, and then their rows are dropped — before a new adapter of
// the same type fills them again.
func (c *Cache) retire() {
	current := map[string]adapters.Adapter{}
	for _, a := range c.registry.All() {
		current[a.Info().Type] = a
	}
	type leaving struct {
		typ     string
		a       adapters.Adapter
		inf     cache.SharedIndexInformer
		regs    []cache.ResourceEventHandlerRegistration
		related []relatedFeed
	}
	var gone []leaving
	c.mu.Lock()
	for typ, a := range c.adapters {
		if current[typ] == a {
			continue
		}
		gone = append(gone, leaving{typ, a, c.informers[typ], []cache.ResourceEventHandlerRegistration{c.feeds[typ], c.streams[typ]}, c.related[typ]})
		delete(c.related, typ)
		delete(c.informers, typ)
		delete(c.adapters, typ)
		delete(c.feeds, typ)
		delete(c.streams, typ)
		delete(c.listErrs, typ)
	}
	c.mu.Unlock()
	// Outside the lock: an informer stopping may still report a watch error, which takes it.
	for _, g := range gone {
		for _, reg := range g.regs {
			if reg != nil {
				_ = g.inf.RemoveEventHandler(reg)
			}
		}
		for _, r := range g.related {
			_ = r.inf.RemoveEventHandler(r.reg)
		}
		if l, ok := g.a.(adapters.Lifecycle); ok {
			l.Stop()
		}
		c.encoded.drop(g.typ)
		c.log.Infof("no longer watching %s (%s)", g.a.Info().Plural, g.a.Info().APIVersion)
	}
}

// relatedFeed is a handler of an adapters.Related type on an informer of the objects it reads.
type relatedFeed struct {
	inf cache.SharedIndexInformer
	reg cache.ResourceEventHandlerRegistration
}

// relatedHandler computes the row of an object of typ again when an object it controls changes
// (adapters.Related): found by the changed object's controller reference in owners, the type's
// informer. When the row changes, the live stream hears of the owner as MODIFIED.
func (c *Cache) relatedHandler(typ string, a adapters.Adapter, owners cache.SharedIndexInformer) cache.ResourceEventHandler {
	info := a.Info()
	recompute := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		child, ok := obj.(metav1.Object)
		if !ok {
			return
		}
		ref := metav1.GetControllerOfNoCopy(child)
		if ref == nil || ref.Kind != info.Kind {
			return
		}
		if gv, err := schema.ParseGroupVersion(ref.APIVersion); err != nil || gv.Group != info.GVK.Group {
			return
		}
		key := ref.Name
		if info.Namespaced() {
			key = child.GetNamespace() + "/" + ref.Name
		}
		item, exists, err := owners.GetIndexer().GetByKey(key)
		if err != nil || !exists {
			return
		}
		owner, ok := item.(metav1.Object)
		if !ok || owner.GetUID() != ref.UID {
			return
		}
		if c.encoded.refresh(typ, a, item) {
			c.changes.publish(biz.ObjectChange{Kind: "workload", Type: typ, Namespace: owner.GetNamespace(), Name: owner.GetName(),
				Action: "MODIFIED", ResourceVersion: owner.GetResourceVersion()})
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    recompute,
		UpdateFunc: func(_, obj any) { recompute(obj) },
		DeleteFunc: recompute,
	}
}

// RolloutVersions are the Rollout API versions the dashboard reads, preferred first.
var RolloutVersions = []string{"v1beta1", "v1alpha1"}

func rolloutGVR(version string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "rollouts.kruise.io", Version: version, Resource: "rollouts"}
}

// chooseRolloutVersionLocked registers the Rollout informer of the first served version, once.
func (c *Cache) chooseRolloutVersionLocked(served map[schema.GroupVersionResource]bool) {
	if c.rollout != nil {
		return
	}
	for _, v := range RolloutVersions {
		if !served[rolloutGVR(v)] {
			continue
		}
		if v == "v1beta1" {
			c.rollout = c.rollouts.Rollouts().V1beta1().Rollouts().Informer()
		} else {
			c.rollout = c.rollouts.Rollouts().V1alpha1().Rollouts().Informer()
		}
		// The generated Rollout factory has no WithTransform option; set it before the start.
		_ = c.rollout.SetTransform(stripForCache(c.clients.Scheme))
		c.watchErrorsLocked("rollouts", c.rollout)
		feed, err := c.rollout.AddEventHandler(c.rolloutRows.handler())
		if err != nil {
			c.log.Errorf("feed the Rollout rows from rollouts: %v", err)
			return
		}
		c.rolloutFeed = feed
		if _, err := c.rollout.AddEventHandler(c.changes.handler("rollout", biz.RolloutType)); err != nil {
			c.log.Errorf("feed the live stream from rollouts: %v", err)
		}
		c.rolloutVersion = v
		c.log.Infof("watching rollouts (rollouts.kruise.io/%s)", v)
		return
	}
}

// RolloutRows is the store of the Rollouts' statuses and their JSON (the fleet reads each
// member's waiting rows from it); RolloutRepo answers from it once Rollouts says it is synced.
func (c *Cache) RolloutRows() *RolloutRowStore { return c.rolloutRows }

// Rollouts returns the synced Rollout informer and its version, or an API error saying why not.
func (c *Cache) Rollouts() (cache.SharedIndexInformer, string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.reachableLocked(); err != nil {
		return nil, "", err
	}
	if c.rollout == nil {
		return nil, "", biz.Unavailable(biz.ErrNotInstalled, "rollouts (rollouts.kruise.io v1beta1 or v1alpha1) are not served by this cluster: is the Kruise Rollout CRD installed?")
	}
	// The Rollout rows have caught up once their handler has seen the informer's initial list.
	if !c.rollout.HasSynced() || !c.rolloutFeed.HasSynced() {
		return nil, "", c.notSyncedLocked("rollouts", "rollouts")
	}
	return c.rollout, c.rolloutVersion, nil
}

func (c *Cache) watchErrors(name string, inf cache.SharedIndexInformer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watchErrorsLocked(name, inf)
}

// watchErrorsLocked records list/watch failures so a cache that cannot sync says why.
func (c *Cache) watchErrorsLocked(name string, inf cache.SharedIndexInformer) {
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		c.mu.Lock()
		c.listErrs[name] = err
		c.mu.Unlock()
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
}

// Ready implements biz.Cache.
func (c *Cache) Ready(info adapters.Info) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.reachableLocked(); err != nil {
		return err
	}
	if !c.served[info.GVR()] {
		return biz.Unavailable(biz.ErrNotInstalled, "%s (%s %s) is not served by this cluster: is its CRD installed?", info.Type, info.GVR().Resource, info.APIVersion)
	}
	inf, ok := c.informers[info.Type]
	// The encoded store has caught up once its handler has seen the informer's initial list.
	if !ok || !inf.HasSynced() || !c.feeds[info.Type].HasSynced() {
		return c.notSyncedLocked(info.Type, info.Plural)
	}
	return nil
}

// Get implements biz.Cache: the object of a started type's informer.
func (c *Cache) Get(info adapters.Info, key string) (runtime.Object, bool, error) {
	c.mu.RLock()
	inf, ok := c.informers[info.Type]
	if !ok {
		// The type left the registry (or was never started) since the caller's Ready.
		defer c.mu.RUnlock()
		return nil, false, c.notSyncedLocked(info.Type, info.Plural)
	}
	c.mu.RUnlock()
	item, exists, err := inf.GetIndexer().GetByKey(key)
	if err != nil || !exists {
		return nil, exists, err
	}
	obj, ok := item.(runtime.Object)
	if !ok {
		return nil, false, fmt.Errorf("cached %s %s is a %T, not a Kubernetes object", info.Type, key, item)
	}
	return obj, true, nil
}

// CoreReady implements biz.Cache.
func (c *Cache) CoreReady() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if err := c.reachableLocked(); err != nil {
		return err
	}
	for name, inf := range c.core {
		if !inf.HasSynced() {
			return c.notSyncedLocked(name, name)
		}
	}
	return nil
}

// Synced reports whether every started informer has synced (for /readyz).
func (c *Cache) Synced() error {
	if err := c.CoreReady(); err != nil {
		return err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for name, inf := range c.informers {
		if !inf.HasSynced() || !c.feeds[name].HasSynced() {
			return c.notSyncedLocked(name, name)
		}
	}
	if c.rollout != nil && (!c.rollout.HasSynced() || !c.rolloutFeed.HasSynced()) {
		return c.notSyncedLocked("rollouts", "rollouts")
	}
	return nil
}

func (c *Cache) reachableLocked() error {
	err := c.probeErr
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err):
		return biz.FromKube(err, "the API server health check")
	default:
		return biz.Unavailable(err, "the API server %s is unreachable or not ready: %v", c.clients.Host, err)
	}
}

func (c *Cache) notSyncedLocked(name, plural string) error {
	if err := c.listErrs[name]; err != nil {
		var status apierrors.APIStatus
		if errors.As(err, &status) && (apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)) {
			return biz.FromKube(err, "list "+plural)
		}
		return biz.Unavailable(err, "the cache of %s is not synced yet: last list error: %v", plural, err)
	}
	return biz.Unavailable(nil, "the cache of %s is not synced yet", plural)
}
