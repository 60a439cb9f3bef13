package clusters

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Config says where registrations come from.
type Config struct {
	// Static are registrations read once at start-up (the kubeconfig's contexts, LoadKubeconfig).
	Static []Registration
	// Namespace and Selector name the dashboard's cluster Secrets (FromSecret); off unless both
	// are set.
	Namespace, Selector string
	// ArgoCDNamespace is where Argo CD's cluster Secrets are read (FromArgoCDSecret, label
	// ArgoCDSelector); "" off.
	ArgoCDNamespace string
}

// Change is how the set changed: registrations that appeared, that now say something else
// (another server, credential, or refusal), and that are gone (by their last content). A
// registration is identified by its name and source, so one name can be in Removed and in Added
// or Updated of the same change (the Secret that had the name was deleted, and another that was
// refused for it is now the one): apply Removed first. Refused registrations are reported too;
// only Usable ones can be connected to.
type Change struct {
	Added, Updated, Removed []Registration
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Added)+len(c.Updated)+len(c.Removed) == 0 }

// Set is the watched set of registrations; a Kratos server (Start and Stop run the Secrets'
// informers). Registrations are by name: when two sources name the same cluster the first in
// the order static, the dashboard's Secrets, Argo CD's (each by namespace/name) is used and the
// others are kept refused, saying which one has the name.
type Set struct {
	cfg     Config
	log     *log.Helper
	own     source
	argo    source
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started bool

	// rebuilding serialises rebuilds, so watchers hear of changes one at a time and in order.
	rebuilding sync.Mutex

	mu      sync.RWMutex
	all     []Registration          // every registration, refused ones included, in order
	byName  map[string]Registration // the usable ones
	digests map[string]string       // by name, of every registration kept by name (see key)
	watch   []func(Change)
}

// source is one informer of Secrets and how its Secrets are read.
type source struct {
	factory informers.SharedInformerFactory
	inf     cache.SharedIndexInformer
	read    func(*corev1.Secret) Registration
}

// New builds the set from cfg, reading Secrets with client (the dashboard's own identity) once
// Started; until then it holds the static registrations.
func New(cfg Config, client kubernetes.Interface, logger log.Logger) (*Set, error) {
	s := &Set{cfg: cfg, log: log.NewHelper(log.With(logger, "module", "data/clusters")), kick: make(chan struct{}, 1), byName: map[string]Registration{}, digests: map[string]string{}}
	if cfg.Namespace != "" && cfg.Selector != "" {
		if _, err := labels.Parse(cfg.Selector); err != nil {
			return nil, fmt.Errorf("cluster Secret selector %q: %w", cfg.Selector, err)
		}
		s.own = newSource(client, cfg.Namespace, cfg.Selector, FromSecret, s)
	}
	if cfg.ArgoCDNamespace != "" {
		s.argo = newSource(client, cfg.ArgoCDNamespace, ArgoCDSelector, FromArgoCDSecret, s)
	}
	s.rebuild()
	return s, nil
}

func newSource(client kubernetes.Interface, namespace, selector string, read func(*corev1.Secret) Registration, s *Set) source {
	f := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = selector }))
	inf := f.Core().V1().Secrets().Informer()
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		s.log.Warnf("reading cluster Secrets in %s labelled %s: %v", namespace, selector, err)
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	return source{factory: f, inf: inf, read: read}
}

// OnChange calls f with every change of the set from now on, one at a time, in order. Subscribe
// before Start, and take the set as it stands from List: nothing is missed between the two.
func (s *Set) OnChange(f func(Change)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watch = append(s.watch, f)
}

// List is every registration, refused ones included: the static ones, then the Secrets'.
func (s *Set) List() []Registration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Registration(nil), s.all...)
}

// Get is the usable registration of a name.
func (s *Set) Get(name string) (Registration, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.byName[name]
	return r, ok
}

// syncWait bounds how long Start waits for the Secrets' first list.
const syncWait = 10 * time.Second

// Start implements transport.Server: it starts the Secrets' informers and returns once they have
// listed, or after syncWait (the set then fills in when they do).
func (s *Set) Start(ctx context.Context) error {
	s.stop, s.done, s.started = make(chan struct{}), make(chan struct{}), true
	var synced []cache.InformerSynced
	for _, src := range []source{s.own, s.argo} {
		if src.inf == nil {
			continue
		}
		if _, err := src.inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { s.poke() },
			UpdateFunc: func(any, any) { s.poke() },
			DeleteFunc: func(any) { s.poke() },
		}); err != nil {
			return fmt.Errorf("watch cluster Secrets: %w", err)
		}
		src.factory.Start(s.stop)
		synced = append(synced, src.inf.HasSynced)
	}
	go s.loop()
	// Without the right to read the Secrets (or with the API server down) the dashboard still
	// starts: the clusters they register appear once they are listed.
	wait, cancel := context.WithTimeout(ctx, syncWait)
	defer cancel()
	if len(synced) > 0 && !cache.WaitForCacheSync(wait.Done(), synced...) {
		s.log.Warnf("cluster Secrets not listed within %s; the clusters they register appear once they are", syncWait)
	}
	s.rebuild()
	return nil
}

// Stop implements transport.Server.
func (s *Set) Stop(context.Context) error {
	if !s.started {
		return nil
	}
	close(s.stop)
	<-s.done
	for _, src := range []source{s.own, s.argo} {
		if src.factory != nil {
			src.factory.Shutdown()
		}
	}
	return nil
}

func (s *Set) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Set) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.rebuild()
		}
	}
}

// rebuild reads every source again and tells the watchers what changed.
func (s *Set) rebuild() {
	s.rebuilding.Lock()
	defer s.rebuilding.Unlock()
	all := append([]Registration(nil), s.cfg.Static...)
	for _, src := range []source{s.own, s.argo} {
		if src.inf == nil {
			continue
		}
		var found []Registration
		for _, item := range src.inf.GetStore().List() {
			if secret, ok := item.(*corev1.Secret); ok {
				found = append(found, src.read(secret))
			}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Source < found[j].Source })
		all = append(all, found...)
	}
	all, byName := resolve(all)
	digests := make(map[string]string, len(all))
	kept := make(map[string]Registration, len(all))
	for _, r := range all {
		k := key(r)
		digests[k], kept[k] = r.Digest(), r
	}

	s.mu.Lock()
	var ch Change
	for k, d := range digests {
		old, ok := s.digests[k]
		switch {
		case !ok:
			ch.Added = append(ch.Added, kept[k])
		case old != d:
			ch.Updated = append(ch.Updated, kept[k])
		}
	}
	for _, r := range s.all {
		if _, ok := digests[key(r)]; !ok {
			ch.Removed = append(ch.Removed, r)
		}
	}
	s.all, s.byName, s.digests = all, byName, digests
	watchers := append([]func(Change){}, s.watch...)
	s.mu.Unlock()

	if ch.Empty() {
		return
	}
	for _, l := range [][]Registration{ch.Added, ch.Updated, ch.Removed} {
		sort.Slice(l, func(i, j int) bool { return key(l[i]) < key(l[j]) })
	}
	for _, r := range ch.Added {
		s.log.Infof("registered %s", r)
	}
	for _, r := range ch.Updated {
		s.log.Infof("registration changed: %s", r)
	}
	for _, r := range ch.Removed {
		s.log.Infof("no longer registered: %s", r)
	}
	for _, w := range watchers {
		w(ch)
	}
}

// key identifies a registration across rebuilds: its name, and for a registration that is not
// the one of its name, where it came from.
func key(r Registration) string { return r.Name + "\x00" + r.Source }

// resolve refuses every registration of a name but the first usable one, and returns the
// usable ones by name.
func resolve(all []Registration) ([]Registration, map[string]Registration) {
	byName := map[string]Registration{}
	for _, r := range all {
		if _, taken := byName[r.Name]; !taken && r.Usable() {
			byName[r.Name] = r
		}
	}
	for i, r := range all {
		if winner, ok := byName[r.Name]; ok && r.Usable() && winner.Source != r.Source {
			r.Refused = fmt.Sprintf("the name %q is already registered by %s", r.Name, winner.Source)
			r.Credentials, r.CAData = Credentials{}, nil
			all[i] = r
		}
	}
	return all, byName
}
