// Package registry is the set of workload adapters the dashboard serves, checked as a whole so
// that a wrong capability flag or a duplicate type never reaches a request. A set is immutable;
// declared types changed while the dashboard runs replace it whole (Replace), and every reader
// sees one set or the other.
package registry

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/wire"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// ProviderSet provides the registry to Wire.
var ProviderSet = wire.NewSet(New)

// Registry maps a :type path segment to its adapter.
type Registry struct {
	current atomic.Pointer[set]

	mu        sync.Mutex
	listeners []func()
}

// set is one checked set of adapters, with the declarations refused when it was made.
type set struct {
	ordered []adapters.Adapter
	byType  map[string]adapters.Adapter
	refused []Refusal
}

// Refusal is a declaration that is not served as written, and why: the last good declaration of
// its type (if any) is served instead.
type Refusal struct {
	// Type is the declared type when it could be read, else "".
	Type string `json:"type,omitempty"`
	// File is where the declaration was read (a file, or configmap namespace/name key).
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// New validates the adapters and builds the registry. It refuses an empty type or plural, a
// type or plural used twice, and a capability flag that disagrees with the interfaces the
// adapter implements.
func New(list []adapters.Adapter) (*Registry, error) {
	s, err := newSet(list)
	if err != nil {
		return nil, err
	}
	r := &Registry{}
	r.current.Store(s)
	return r, nil
}

// Replace checks a new set of adapters and serves it instead of the current one; an invalid set
// changes nothing. refused are the declarations left out, reported by Refused.
func (r *Registry) Replace(list []adapters.Adapter, refused []Refusal) error {
	s, err := newSet(list)
	if err != nil {
		return err
	}
	s.refused = refused
	r.current.Store(s)
	r.mu.Lock()
	listeners := append([]func(){}, r.listeners...)
	r.mu.Unlock()
	for _, f := range listeners {
		f()
	}
	return nil
}

// OnReplace calls f after every Replace (the cache starts and stops informers).
func (r *Registry) OnReplace(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.listeners = append(r.listeners, f)
}

// Refused are the declarations the current set leaves out, and why.
func (r *Registry) Refused() []Refusal {
	return append([]Refusal(nil), r.current.Load().refused...)
}

func newSet(list []adapters.Adapter) (*set, error) {
	r := &set{byType: make(map[string]adapters.Adapter, len(list))}
	plurals := map[string]string{}
	var errs []error
	for _, a := range list {
		info := a.Info()
		if err := validate(a); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := r.byType[info.Type]; dup {
			errs = append(errs, fmt.Errorf("workload type %q registered twice", info.Type))
			continue
		}
		if other, dup := plurals[info.Plural]; dup {
			errs = append(errs, fmt.Errorf("plural %q of type %q already used by %q", info.Plural, info.Type, other))
			continue
		}
		plurals[info.Plural] = info.Type
		r.byType[info.Type] = a
		r.ordered = append(r.ordered, a)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("invalid adapter registry: %w", err)
	}
	return r, nil
}

func validate(a adapters.Adapter) error {
	info := a.Info()
	if info.Type == "" || info.Plural == "" || info.GVK.Kind == "" || info.GVK.Version == "" {
		return fmt.Errorf("adapter %T: type, plural and GVK are required (got %q, %q, %v)", a, info.Type, info.Plural, info.GVK)
	}
	if len(info.States) == 0 {
		return fmt.Errorf("type %q: Info.States must list the states its objects take", info.Type)
	}
	if info.Source != adapters.SourceDeclared && info.State == nil {
		return fmt.Errorf("type %q: Info.State must read an object's state (adapters.ReplicaRule for kinds with replicas)", info.Type)
	}
	_, scaler := a.(adapters.Scaler)
	_, restarter := a.(adapters.Restarter)
	_, templated := a.(adapters.Templated)
	checks := []struct {
		name             string
		flag, implements bool
		iface            string
	}{
		{"Scalable", info.Capabilities.Scalable, scaler, "adapters.Scaler"},
		{"Restartable", info.Capabilities.Restartable, restarter, "adapters.Restarter"},
		{"ImageSettable", info.Capabilities.ImageSettable, templated, "adapters.Templated"},
	}
	var errs []error
	for _, c := range checks {
		if c.flag != c.implements {
			errs = append(errs, fmt.Errorf("type %q: %s=%t but implements %s=%t", info.Type, c.name, c.flag, c.iface, c.implements))
		}
	}
	return errors.Join(errs...)
}

// Get returns the adapter of a :type path segment.
func (r *Registry) Get(workloadType string) (adapters.Adapter, bool) {
	a, ok := r.current.Load().byType[workloadType]
	return a, ok
}

// ByGroupKind returns the adapter serving a group and kind, whatever the version (a Rollout may
// reference apps.kruise.io/v1alpha1 StatefulSet, served by the v1beta1 adapter).
func (r *Registry) ByGroupKind(group, kind string) (adapters.Adapter, bool) {
	for _, a := range r.current.Load().ordered {
		if gvk := a.Info().GVK; gvk.Group == group && gvk.Kind == kind {
			return a, true
		}
	}
	return nil, false
}

// All returns the adapters in registration order.
func (r *Registry) All() []adapters.Adapter {
	return append([]adapters.Adapter(nil), r.current.Load().ordered...)
}

// Types returns the registered :type values in registration order.
func (r *Registry) Types() []string {
	ordered := r.current.Load().ordered
	types := make([]string, len(ordered))
	for i, a := range ordered {
		types[i] = a.Info().Type
	}
	return types
}
