package adapters

import (
	"errors"
	"path"
	"strings"
)

// The vocabulary a type's description uses beyond its kind: columns, actions and their
// parameters (declared types have actions; every type has columns), scopes and sources.

// Column is a value the UI lists for each object, like a CRD's printer column: a CEL
// expression in a declaration, a Go function (Value) in a kind's file.
type Column struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty" openapi:"required"`
	// Titles are the title in other languages, by language tag (zh-CN).
	Titles     map[string]string `json:"titles,omitempty"`
	Expression string            `json:"expression,omitempty"`
	// Type hints how to show it: string (default), number, time (an RFC 3339 timestamp).
	Type string `json:"type,omitempty" enum:"string,number,time"`
	// Detail keeps the column to the object's page; lists leave it out.
	Detail bool `json:"detail,omitempty"`
	// Value computes a Go kind's column from the object.
	Value func(Object) any `json:"-"`
}

// Action is a named change: a CEL expression over the object and the typed parameters giving a
// patch. The user needs patch on the resource (or the subresource) for it.
type Action struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty" openapi:"required"`
	// Titles are the title in other languages, by language tag (zh-CN).
	Titles      map[string]string `json:"titles,omitempty"`
	Subresource string            `json:"subresource,omitempty"`
	PatchType   string            `json:"patchType,omitempty" enum:"merge,json" openapi:"required"` // merge (default) or json
	Params      []Param           `json:"params,omitempty"`
	Patch       string            `json:"patch,omitempty"`
	// Command is the kubectl command that makes the same change, with the placeholders of
	// Commands and {patch}: the merge patch between the object and the server's dry run.
	Command string `json:"command,omitempty" openapi:"required"`
}

// Param is one typed parameter of an action, asked for by the UI.
type Param struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	// Titles are the title in other languages, by language tag (zh-CN).
	Titles   map[string]string `json:"titles,omitempty"`
	Type     string            `json:"type" enum:"string,integer,boolean"`
	Required bool              `json:"required,omitempty"`
	Min      *int64            `json:"min,omitempty"`
	Max      *int64            `json:"max,omitempty"`
}

// Languages are the language tags a title may be given in besides English (the UI's languages).
var Languages = []string{"zh-CN"}

// Scopes of a declared type.
const (
	ScopeNamespaced = "Namespaced"
	ScopeCluster    = "Cluster"
)

// Sources of a type in GET /workload-types.
const (
	SourceBuiltin  = "builtin"
	SourceDeclared = "declared"
	SourceRefused  = "refused"
)

// Origins of a declared type (Info.Origin): where its declaration was read, told without the
// server's paths.
const (
	OriginShipped   = "shipped"
	OriginFolder    = "folder"
	OriginConfigMap = "configmap"
)

// ShippedWhere is the folder name the shipped declarations are loaded under (their files are
// named ShippedWhere/<file>); ConfigMapWhere that of a ConfigMap's ("configmap ns/name/<key>").
const ShippedWhere = "configs/types (built in)"

// ConfigMapWhere is the folder name a ConfigMap's declarations are loaded under.
func ConfigMapWhere(namespace, name string) string { return "configmap " + namespace + "/" + name }

// OriginOf tells where a declaration file named where/name came from: shipped, a ConfigMap
// (namespace/name), or the types folder; and the file's name (the ConfigMap's key) there. A bare
// name has no origin.
func OriginOf(file string) (origin, configMap, name string) {
	dir, name := path.Split(file)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case dir == "":
		return "", "", name
	case dir == ShippedWhere:
		return OriginShipped, "", name
	case strings.HasPrefix(dir, "configmap "):
		return OriginConfigMap, strings.TrimPrefix(dir, "configmap "), name
	}
	return OriginFolder, "", name
}

// Errors of ActionPatch the API maps to statuses.
var (
	ErrUnknownAction = errors.New("unknown action")
	ErrBadParams     = errors.New("bad parameters")
	// ErrCostLimit is the cause of an evaluation stopped by its cost limit.
	ErrCostLimit = errors.New("CEL cost limit exceeded")
)
