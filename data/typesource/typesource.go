// Package typesource keeps the declared workload types current: it reads the declarations from
// where they come from — the shipped ones built into the binary, a folder (KD_TYPES_DIR) and,
// when named, the labelled ConfigMaps of the dashboard's own namespace — checks each against the
// cluster, and replaces the registry's set when they change, without a restart. A declaration
// that is refused leaves the last good one of its type serving, and says why (Refusals).
package typesource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/adapters/declared"
	"github.com/kruise-dashboard/kruise-dashboard/configs"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// Config says where declarations come from.
type Config struct {
	// Shipped loads the declarations built into the binary (configs/types).
	Shipped bool
	// Dir is a folder of declarations, read again every Every; its files replace shipped ones of
	// the same type.
	Dir   string
	Every time.Duration
	// Namespace and Selector name the ConfigMaps declarations are read from (each key ending in
	// .yaml or .yml is one); off unless both are set. They replace the folder's and shipped ones.
	Namespace, Selector string
}

// Source is the declarations' reader and the registry's keeper; a Kratos server.
type Source struct {
	cfg     Config
	cluster *adapters.Cluster
	service kubernetes.Interface // the dashboard's own identity
	reg     *registry.Registry
	log     *log.Helper

	mu      sync.Mutex
	served  map[string]*served // by type
	byFile  map[string]string  // the type each file declared when last good
	dirSum  string
	refused []registry.Refusal

	configMaps cache.SharedIndexInformer
	factory    informers.SharedInformerFactory
	kick       chan struct{}
	stop, done chan struct{}
}

// served is a declaration served, its adapter and what it was made from.
type served struct {
	sum     string
	adapter adapters.Adapter
}

// New builds the source; Load reads the start-up set, and once the registry is made from it, Keep
// hands it the registry to keep current.
func New(cfg Config, cluster *adapters.Cluster, service kubernetes.Interface, logger log.Logger) *Source {
	s := &Source{cfg: cfg, cluster: cluster, service: service, log: log.NewHelper(log.With(logger, "module", "data/typesource")),
		served: map[string]*served{}, byFile: map[string]string{}, kick: make(chan struct{}, 1)}
	if cfg.Namespace != "" && cfg.Selector != "" {
		s.factory = informers.NewSharedInformerFactoryWithOptions(service, 0, informers.WithNamespace(cfg.Namespace),
			informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = cfg.Selector }))
		s.configMaps = s.factory.Core().V1().ConfigMaps().Informer()
		// Without the right to read them (the chart's Role grants it), the folder still reloads.
		_ = s.configMaps.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
			s.log.Warnf("reading declaration ConfigMaps in %s: %v", cfg.Namespace, err)
			cache.DefaultWatchErrorHandler(ctx, r, err)
		})
	}
	return s
}

// Load reads and checks every declaration once, for the start-up set: any refusal is an error.
func (s *Source) Load(ctx context.Context) ([]adapters.Adapter, error) {
	found, errs := s.read(nil)
	discover := discovered(s.service)
	var out []adapters.Adapter
	for _, f := range found {
		a, err := s.check(ctx, discover, f.decl)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.served[f.decl.Type] = &served{sum: f.sum, adapter: a}
		s.byFile[f.decl.File()] = f.decl.Type
		out = append(out, a)
	}
	s.dirSum = dirSum(s.cfg.Dir)
	return out, errors.Join(errs...)
}

// Keep makes s keep reg's declared types current once started.
func (s *Source) Keep(reg *registry.Registry) *Source {
	s.reg = reg
	return s
}

// Start implements transport.Server: it watches the folder and the ConfigMaps.
func (s *Source) Start(context.Context) error {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	if s.configMaps != nil {
		if _, err := s.configMaps.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { s.poke() },
			UpdateFunc: func(any, any) { s.poke() },
			DeleteFunc: func(any) { s.poke() },
		}); err != nil {
			return fmt.Errorf("watch declaration ConfigMaps: %w", err)
		}
		s.factory.Start(s.stop)
		s.log.Infof("reading declared types from ConfigMaps in %s labelled %s", s.cfg.Namespace, s.cfg.Selector)
	}
	go s.loop()
	return nil
}

// Stop implements transport.Server.
func (s *Source) Stop(context.Context) error {
	if s.stop == nil {
		return nil
	}
	close(s.stop)
	<-s.done
	if s.factory != nil {
		s.factory.Shutdown()
	}
	return nil
}

func (s *Source) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Source) loop() {
	defer close(s.done)
	every := s.cfg.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
		case <-tick.C:
			// The kubelet updates a mounted ConfigMap by swapping the ..data symlink, which a watch
			// on the files misses: the folder's content is compared instead.
			if sum := dirSum(s.cfg.Dir); sum == s.dirSum {
				continue
			} else {
				s.dirSum = sum
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s.Reload(ctx)
		cancel()
	}
}

// Refusals are the declarations refused at the last reload.
func (s *Source) Refusals() []registry.Refusal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]registry.Refusal(nil), s.refused...)
}

// found is a declaration read, with the digest of what it says.
type found struct {
	decl *declared.Declaration
	sum  string
}

// Reload reads every source again and replaces the registry's declared types: unchanged ones
// keep their adapter (and informers), changed and new ones are checked, refused ones leave the
// last good declaration of their type serving. It reports whether the set changed.
func (s *Source) Reload(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cms []*corev1.ConfigMap
	if s.configMaps != nil {
		for _, o := range s.configMaps.GetStore().List() {
			cms = append(cms, o.(*corev1.ConfigMap))
		}
	}
	list, errs := s.read(cms)
	discover := discovered(s.service)
	next := map[string]*served{}
	var order []string
	var refused []registry.Refusal
	keep := func(typ string) {
		if old := s.served[typ]; old != nil && next[typ] == nil {
			next[typ] = old
			order = append(order, typ)
		}
	}
	for _, f := range list {
		typ := f.decl.Type
		if old := s.served[typ]; old != nil && old.sum == f.sum {
			next[typ], order = old, append(order, typ)
			continue
		}
		a, err := s.check(ctx, discover, f.decl)
		if err != nil {
			refused = append(refused, registry.Refusal{Type: typ, File: f.decl.File(), Reason: err.Error()})
			keep(typ)
			continue
		}
		if next[typ] == nil {
			order = append(order, typ)
		}
		next[typ] = &served{sum: f.sum, adapter: a}
	}
	for _, e := range errs {
		r := refusalOf(e)
		// A file that no longer parses keeps serving what it declared when it did.
		if typ, ok := s.byFile[r.File]; ok {
			r.Type = typ
			keep(typ)
		}
		refused = append(refused, r)
	}
	changed := len(next) != len(s.served) || !slices.EqualFunc(refused, s.refused, func(a, b registry.Refusal) bool { return a == b })
	for typ, d := range next {
		if s.served[typ] != d {
			changed = true
		}
	}
	if !changed {
		return false
	}
	set := builtins(s.reg)
	for _, typ := range order {
		set = append(set, next[typ].adapter)
	}
	if err := s.reg.Replace(set, refused); err != nil {
		s.log.Errorf("declared types not replaced, the last good set keeps serving: %v", err)
		for typ, d := range next {
			if s.served[typ] != d {
				if l, ok := d.adapter.(adapters.Lifecycle); ok {
					l.Stop()
				}
			}
		}
		return false
	}
	for _, f := range list {
		if next[f.decl.Type] != nil && next[f.decl.Type].sum == f.sum {
			s.byFile[f.decl.File()] = f.decl.Type
		}
	}
	s.served, s.refused = next, refused
	for _, r := range refused {
		s.log.Warnf("declared type refused (the last good declaration of its type, if any, keeps serving): %s: %s", r.File, r.Reason)
	}
	s.log.Infof("declared types now: %s", strings.Join(order, ", "))
	return true
}

// builtins are the registry's Go kinds, which every set begins with.
func builtins(reg *registry.Registry) []adapters.Adapter {
	var out []adapters.Adapter
	for _, a := range reg.All() {
		if a.Info().Source != adapters.SourceDeclared {
			out = append(out, a)
		}
	}
	return out
}

// read gathers the declarations of every source, a later source replacing an earlier one's
// declaration of the same type, and the errors of those that could not be read.
func (s *Source) read(cms []*corev1.ConfigMap) ([]found, []error) {
	var all []*declared.Declaration
	var errs []error
	add := func(decls []*declared.Declaration, err error) {
		all = append(all, decls...)
		if err != nil {
			errs = append(errs, unjoin(err)...)
		}
	}
	if s.cfg.Shipped {
		shipped, err := fs.Sub(configs.Types, "types")
		if err != nil {
			errs = append(errs, err)
		} else {
			add(declared.Load(shipped, adapters.ShippedWhere))
		}
	}
	if s.cfg.Dir != "" {
		add(declared.Load(os.DirFS(s.cfg.Dir), s.cfg.Dir))
	}
	sort.Slice(cms, func(i, j int) bool { return cms[i].Name < cms[j].Name })
	for _, cm := range cms {
		files := fstest.MapFS{}
		for key, value := range cm.Data {
			files[key] = &fstest.MapFile{Data: []byte(value)}
		}
		add(declared.Load(files, adapters.ConfigMapWhere(cm.Namespace, cm.Name)))
	}
	var out []found
	for _, d := range all {
		raw, err := json.Marshal(d)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.File(), err))
			continue
		}
		h := sha256.Sum256(append(raw, d.File()...))
		f := found{decl: d, sum: hex.EncodeToString(h[:])}
		if i := slices.IndexFunc(out, func(o found) bool { return o.decl.Type == d.Type }); i >= 0 {
			out[i] = f
		} else {
			out = append(out, f)
		}
	}
	return out, errs
}

// check compares a declaration with the cluster (discover is one load's memo of discovery, so a
// group-version is asked once however many declarations share it) and builds its adapter.
func (s *Source) check(ctx context.Context, discover func(gv string) *metav1.APIResourceList, d *declared.Declaration) (adapters.Adapter, error) {
	if err := checkServed(discover, d); err != nil {
		return nil, err
	}
	if err := s.mayWatch(ctx, d); err != nil {
		return nil, err
	}
	return declared.New(s.cluster, d)
}

// mayWatch asks whether the dashboard's own identity may list and watch the declared resource in
// every namespace, as its informer does; an answer that cannot be had is not a refusal.
func (s *Source) mayWatch(ctx context.Context, d *declared.Declaration) error {
	resource := d.Resource
	if resource == "" {
		resource = d.Plural
	}
	for _, verb := range []string{"list", "watch"} {
		review, err := s.service.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Verb: verb, Group: d.Group, Version: d.Version, Resource: resource,
			}},
		}, metav1.CreateOptions{})
		if err != nil {
			return nil
		}
		if !review.Status.Allowed {
			return fmt.Errorf("%s: the dashboard's own identity may not %s %s.%s in every namespace, so it cannot watch them; grant it (the chart's rbac.extraRules)", d.File(), verb, resource, d.Group)
		}
	}
	return nil
}

// OwnNamespace is the namespace of the pod the dashboard runs in, or "" outside a cluster.
func OwnNamespace() string {
	raw, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(raw))
}

// refusalOf is a loading error as a refusal: the file is what the error begins with.
func refusalOf(err error) registry.Refusal {
	msg := err.Error()
	if file, reason, ok := strings.Cut(msg, ": "); ok {
		return registry.Refusal{File: file, Reason: reason}
	}
	return registry.Refusal{Reason: msg}
}

// unjoin splits errors.Join's errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// dirSum is a digest of a folder's declaration files (names and contents, through symlinks).
func dirSum(dir string) string {
	if dir == "" {
		return ""
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	h := sha256.New()
	for _, e := range entries {
		if ext := path.Ext(e.Name()); ext != ".yaml" && ext != ".yml" {
			continue
		}
		raw, err := os.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			raw = []byte(err.Error())
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(raw))
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// discovered asks discovery for a group-version's resources once, however many declarations
// share it; nil when it cannot be told now.
func discovered(client kubernetes.Interface) func(gv string) *metav1.APIResourceList {
	seen := map[string]*metav1.APIResourceList{}
	return func(gv string) *metav1.APIResourceList {
		if list, ok := seen[gv]; ok {
			return list
		}
		list, err := client.Discovery().ServerResourcesForGroupVersion(gv)
		if err != nil {
			list = nil
		}
		seen[gv] = list
		return list
	}
}

// checkServed compares a declaration with discovery. What cannot be asked now is not checked: a
// group-version not served yet (its CRD may come later; the type answers 503 until then), or an
// API server that is unreachable or refuses the dashboard (readiness reports that).
func checkServed(discover func(gv string) *metav1.APIResourceList, d *declared.Declaration) error {
	gv := d.GVK().GroupVersion()
	list := discover(gv.String())
	if list == nil {
		return nil
	}
	resource := d.Resource
	if resource == "" {
		resource = d.Plural
	}
	served, scale := false, false
	for _, r := range list.APIResources {
		switch r.Name {
		case resource:
			served = true
			if r.Kind != d.Kind {
				return fmt.Errorf("%s: kind: %s serves %s as kind %s, not %s", d.File(), gv, resource, r.Kind, d.Kind)
			}
			if r.Namespaced != (d.Scope == adapters.ScopeNamespaced) {
				return fmt.Errorf("%s: scope: %s %s is namespaced=%t, the declaration says %s", d.File(), gv, resource, r.Namespaced, d.Scope)
			}
		case resource + "/scale":
			scale = true
		}
	}
	if !served {
		return fmt.Errorf("%s: plural: %s serves no resource %q", d.File(), gv, resource)
	}
	if d.Capabilities.Scalable && !scale {
		return fmt.Errorf("%s: capabilities.scalable: %s %s has no /scale subresource in this cluster", d.File(), gv, resource)
	}
	return nil
}
