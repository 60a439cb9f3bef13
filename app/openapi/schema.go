package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Schema is an OpenAPI 3.0 schema object, as JSON.
type Schema = map[string]any

// schemas derives component schemas from Go types by their JSON encoding: the answers are the
// Go values encoding/json writes, so their types are the truest description of them.
type schemas struct {
	components map[string]Schema
	names      map[reflect.Type]string
}

func newSchemas() *schemas {
	return &schemas{components: map[string]Schema{}, names: map[reflect.Type]string{}}
}

func ref(name string) Schema { return Schema{"$ref": "#/components/schemas/" + name} }

// nullable is s that may also be null (3.0: a $ref cannot carry siblings, so it is wrapped).
func nullable(s Schema) Schema {
	if _, isRef := s["$ref"]; isRef {
		return Schema{"allOf": []any{s}, "nullable": true}
	}
	out := Schema{"nullable": true}
	for k, v := range s {
		out[k] = v
	}
	return out
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	metaTimeType  = reflect.TypeFor[metav1.Time]()
	microTimeType = reflect.TypeFor[metav1.MicroTime]()
	quantityType  = reflect.TypeFor[resource.Quantity]()
	intOrStrType  = reflect.TypeFor[intstr.IntOrString]()
	objectType    = reflect.TypeFor[runtime.Object]()
	rawType       = reflect.TypeFor[json.RawMessage]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
)

// of is the schema of values of type t.
func (s *schemas) of(t reflect.Type) Schema {
	switch t {
	case timeType:
		return Schema{"type": "string", "format": "date-time"}
	case metaTimeType, microTimeType: // the zero time is written as null
		return Schema{"type": "string", "format": "date-time", "nullable": true}
	case quantityType:
		return Schema{"type": "string", "description": "a Kubernetes quantity, e.g. 500m or 1Gi"}
	case intOrStrType:
		return Schema{"oneOf": []any{Schema{"type": "integer"}, Schema{"type": "string"}}}
	case objectType:
		return ref(KubeObject)
	case rawType:
		return Schema{}
	}
	if name, ok := s.names[t]; ok {
		return ref(name)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(s.of(t.Elem()))
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return Schema{"type": "integer", "format": "int32"}
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		return Schema{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return Schema{"type": "string", "format": "byte"}
		}
		return Schema{"type": "array", "items": s.element(t.Elem())}
	case reflect.Map:
		return Schema{"type": "object", "additionalProperties": s.element(t.Elem())}
	case reflect.Interface:
		return Schema{}
	case reflect.Struct:
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
			return Schema{} // its own encoding: nothing is promised
		}
		if t.Name() == "" { // an anonymous struct (a request body) is written in place
			return s.object(t)
		}
		return s.named(t)
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

// element is the schema of a list's or map's values: a pointer there is never nil (a nil item
// would be a bug the answers' validation finds), so it is the pointed-to type's.
func (s *schemas) element(t reflect.Type) Schema {
	if t.Kind() == reflect.Pointer {
		return s.of(t.Elem())
	}
	return s.of(t)
}

// named registers a struct type as a component and refers to it.
func (s *schemas) named(t reflect.Type) Schema {
	name := s.nameFor(t)
	s.names[t] = name // before its fields: a type may contain itself
	s.components[name] = s.object(t)
	return ref(name)
}

// object is a struct's schema.
func (s *schemas) object(t reflect.Type) Schema {
	props, required := Schema{}, []string{}
	s.fields(t, props, &required)
	obj := Schema{"type": "object", "properties": props}
	if len(required) > 0 {
		obj["required"] = required
	}
	return obj
}

// fields adds t's JSON fields (embedded structs' inline) to props; a field without omitempty
// or omitzero is always written, so it is required. An `enum:"a,b"` tag lists a string's values;
// `openapi:"nonnull"` says a pointer is never nil, `openapi:"required"` that the server always
// fills a field the type may omit (a declaration's defaults).
func (s *schemas) fields(t reflect.Type, props Schema, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				s.fields(ft, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		// encoding/json never omits a struct value for omitempty (only for omitzero); a nil
		// pointer it omits is never null.
		omitted := strings.Contains(opts, "omitzero") || strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Struct
		omitted = omitted && f.Tag.Get("openapi") != "required"
		schema := s.of(f.Type)
		if f.Type.Kind() == reflect.Pointer && (omitted || f.Tag.Get("openapi") == "nonnull") {
			schema = s.of(f.Type.Elem())
		}
		if enum := f.Tag.Get("enum"); enum != "" { // the values a string field takes
			schema = Schema{"type": "string", "enum": strings.Split(enum, ",")}
		}
		props[name] = schema
		if !omitted {
			*required = append(*required, name)
		}
	}
}

// nameFor is the type's name, qualified by its package when another type took it.
func (s *schemas) nameFor(t reflect.Type) string {
	if n, ok := renamed[t]; ok {
		return n
	}
	name := strings.ToUpper(t.Name()[:1]) + t.Name()[1:]
	for other, taken := range s.names {
		if taken == name && other != t {
			parts := strings.Split(t.PkgPath(), "/")
			pkg := strings.ReplaceAll(parts[len(parts)-1], "-", "")
			return strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
	}
	return name
}
