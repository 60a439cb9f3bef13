package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/configs"
)

// DeclaredAdapters loads the declared types: the shipped ones (configs/types, built in) unless
// turned off, then the folder's, a folder file replacing a shipped type of the same name. Each
// is checked against what the cluster serves, when it serves the group-version already: the kind,
// the scope, and the /scale subresource of a scalable type.
func DeclaredAdapters(c *adapters.Cluster, clients *Clients, k *conf.Kubernetes) ([]adapters.Adapter, error) {
	var decls []*adapters.Declaration
	if k.ShippedTypes {
		shipped, err := fs.Sub(configs.Types, "types")
		if err != nil {
			return nil, err
		}
		if decls, err = adapters.LoadDeclarations(shipped, "configs/types (built in)"); err != nil {
			return nil, err
		}
	}
	if k.TypesDir != "" {
		own, err := adapters.LoadDeclarations(os.DirFS(k.TypesDir), k.TypesDir)
		if err != nil {
			return nil, err
		}
		for _, d := range own {
			decls = replaceType(decls, d)
		}
	}
	var out []adapters.Adapter
	var errs []error
	served := discovered(clients)
	for _, d := range decls {
		if err := checkServed(served, d); err != nil {
			errs = append(errs, err)
			continue
		}
		a, err := adapters.NewDeclared(c, d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, a)
	}
	return out, errors.Join(errs...)
}

func replaceType(decls []*adapters.Declaration, d *adapters.Declaration) []*adapters.Declaration {
	for i, old := range decls {
		if old.Type == d.Type {
			decls[i] = d
			return decls
		}
	}
	return append(decls, d)
}

// discovered asks discovery for a group-version's resources once, however many declarations
// share it; nil when it cannot be told now.
func discovered(clients *Clients) func(gv string) *metav1.APIResourceList {
	seen := map[string]*metav1.APIResourceList{}
	return func(gv string) *metav1.APIResourceList {
		if list, ok := seen[gv]; ok {
			return list
		}
		list, err := clients.Plain.Discovery().ServerResourcesForGroupVersion(gv)
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
func checkServed(discover func(gv string) *metav1.APIResourceList, d *adapters.Declaration) error {
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
