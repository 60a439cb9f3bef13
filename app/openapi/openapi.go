// Package openapi writes the OpenAPI 3 document of /api/v1, served at /api/v1/openapi.json, from
// the operations the route table (app/server/routes.go) lists: their bodies' and answers'
// schemas are derived from the Go types the handlers take and return (what encoding/json
// writes), so the document follows the code. The integration tests validate every answer they
// receive against it, and the UI's TypeScript types are generated from it.
package openapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Names of the schemas written here rather than derived.
const (
	KubeObject      = "KubeObject"
	CompactWorkload = "CompactWorkload"
	WorkloadPage    = "WorkloadPage"
	Error           = "Error"
)

// renamed are Go types whose name says less than the API's.
var renamed = map[reflect.Type]string{
	reflect.TypeFor[adapters.Info]():      "WorkloadType",
	reflect.TypeFor[biz.ApproveOutcome](): "ApproveItemResult",
	reflect.TypeFor[biz.Event]():          "KubeEvent",
	reflect.TypeFor[biz.WorkloadPods]():   "WorkloadWithPods",
	reflect.TypeFor[biz.ObjectChange]():   "WatchChange",
}

// Extra are types the API sends outside the JSON answers: a live stream's change event.
var Extra = []any{biz.ObjectChange{}}

// Op is one operation, as the route table (app/server/routes.go) describes it: the body's and
// the answer's Go types are its handler's.
type Op struct {
	Method, Path, ID, Summary, Tag string
	Query                          []Param
	// Body is the request body's Go type (nil: none; a pointer: the body may be left out). Its
	// schema is written in place.
	Body reflect.Type
	// Answer is the data's Go type. A pointer is never nil unless Nullable.
	Answer   reflect.Type
	Nullable bool
	// Schema, when set, is the data's schema where its Go type says less (an answer encoded
	// ahead of time).
	Schema Schema
	// Raw: the answer is not enveloped (the document itself, the event stream, redirects).
	Raw Schema
	// Public: no sign-in needed in any mode.
	Public bool
	// Deprecated marks an operation kept for existing clients (OpenAPI "deprecated").
	Deprecated bool
}

// Param is a query parameter.
type Param struct {
	Name, Type, Description string
	Enum                    []string
}

// Q is a query parameter of a type (string, integer, boolean), optionally of enumerated values.
func Q(name, typ, desc string, enum ...string) Param {
	return Param{Name: name, Type: typ, Description: desc, Enum: enum}
}

// DryRun is the query parameter of the writes that can be previewed.
var DryRun = Q("dryRun", "boolean", "true: run it through the API server's admission and store nothing (the preview)")

// Ref refers to a component schema.
func Ref(name string) Schema { return ref(name) }

// Redirect is the answer of the sign-in redirects.
var Redirect = Schema{"302": Schema{"description": "a redirect (to the provider, or back to the page)"}}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// Build writes the OpenAPI document of the operations, in their order (which names a schema
// first when two Go types share a name).
func Build(ops []Op) []byte {
	s := newSchemas()
	paths := map[string]Schema{}
	for _, op := range ops {
		operation := Schema{"operationId": op.ID, "summary": op.Summary, "tags": []string{op.Tag}}
		if op.Deprecated {
			operation["deprecated"] = true
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, Schema{"name": m[1], "in": "path", "required": true, "schema": Schema{"type": "string"}})
		}
		for _, p := range op.Query {
			schema := Schema{"type": p.Type}
			if len(p.Enum) > 0 {
				schema["enum"] = p.Enum
			}
			param := Schema{"name": p.Name, "in": "query", "schema": schema}
			if p.Description != "" {
				param["description"] = p.Description
			}
			params = append(params, param)
		}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		if op.Body != nil {
			body := Schema{"content": Schema{"application/json": Schema{"schema": s.body(op.Body)}}}
			if op.Body.Kind() != reflect.Pointer {
				body["required"] = true
			}
			operation["requestBody"] = body
		}
		responses := Schema{"default": Schema{"$ref": "#/components/responses/Error"}}
		if op.Raw != nil {
			for code, r := range op.Raw {
				responses[code] = r
			}
		} else {
			responses["200"] = Schema{"description": "OK", "content": Schema{"application/json": Schema{"schema": Schema{
				"type": "object", "required": []string{"data"}, "properties": Schema{"data": s.data(op)}}}}}
			if op.Method == "GET" {
				responses["304"] = Schema{"description": "Not Modified (If-None-Match matched the ETag)"}
			}
		}
		operation["responses"] = responses
		if op.Public {
			operation["security"] = []any{}
		}
		item := paths["/api/v1"+op.Path]
		if item == nil {
			item = Schema{}
			paths["/api/v1"+op.Path] = item
		}
		item[strings.ToLower(op.Method)] = operation
	}
	for _, v := range Extra {
		s.of(reflect.TypeOf(v))
	}
	s.written()
	doc := Schema{
		"openapi": "3.0.3",
		"info": Schema{"title": "Kruise Dashboard API", "version": "v1",
			"description": "OpenKruise workloads and Kruise Rollouts. Every answer is {\"data\": …}; every error {\"trace_id\",\"message\",\"code\"}. In auth modes token and oidc, sign in (session cookie) or send Authorization: Bearer <token>; in mode none (loopback only) nothing is needed. Kubernetes RBAC decides every action."},
		"paths": paths,
		"components": Schema{
			"schemas":   s.components,
			"responses": Schema{"Error": Schema{"description": "an error", "content": Schema{"application/json": Schema{"schema": ref(Error)}}}},
			"securitySchemes": Schema{
				"bearer":  Schema{"type": "http", "scheme": "bearer", "description": "a Kubernetes bearer token"},
				"session": Schema{"type": "apiKey", "in": "cookie", "name": "kd_session"},
			},
		},
		"security": []any{Schema{"bearer": []string{}}, Schema{"session": []string{}}},
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("openapi: " + err.Error())
	}
	return append(out, '\n')
}

// body is a request body's schema, written in place.
func (s *schemas) body(t reflect.Type) Schema {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return s.object(t)
	}
	return s.of(t)
}

// data is the schema of an operation's answer: as written, else derived from its Go type.
func (s *schemas) data(op Op) Schema {
	if op.Schema != nil {
		return op.Schema
	}
	t := op.Answer
	if t.Kind() == reflect.Pointer && !op.Nullable {
		t = t.Elem()
	}
	return s.of(t)
}

// written adds the schemas written here rather than derived: a Kubernetes object (whatever its
// kind: spec and status are the CRD's), a page's compact item, a page, and the error body.
func (s *schemas) written() {
	open := Schema{"type": "object", "additionalProperties": true, "x-kubernetes-preserve-unknown-fields": true}
	meta := s.of(reflect.TypeFor[metav1.ObjectMeta]())
	// What the API server gives every object it stores, though the Go type may omit them.
	objectMeta := s.components["ObjectMeta"]
	objectMeta["required"] = []string{"creationTimestamp", "name", "resourceVersion", "uid"}
	s.components[KubeObject] = Schema{"type": "object", "required": []string{"apiVersion", "kind", "metadata"}, "additionalProperties": true,
		"properties": Schema{"apiVersion": Schema{"type": "string"}, "kind": Schema{"type": "string"}, "metadata": meta, "spec": open, "status": open}}
	s.components[CompactWorkload] = Schema{"type": "object", "required": []string{"apiVersion", "kind", "metadata"}, "additionalProperties": true,
		"description": "view compact: the object pruned to what a list shows, with the state and the column values its type computes; view full: the whole object",
		"properties": Schema{"apiVersion": Schema{"type": "string"}, "kind": Schema{"type": "string"}, "metadata": meta, "spec": open, "status": open,
			"state": Schema{"type": "string"}, "columns": Schema{"type": "object", "additionalProperties": true}}}
	s.components[WorkloadPage] = Schema{"type": "object", "required": []string{"items", "total"},
		"properties": Schema{"items": Schema{"type": "array", "items": ref(CompactWorkload)},
			"total": Schema{"type": "integer"}, "continue": Schema{"type": "string", "description": "the next page's token; empty on the last page"}}}
	s.components[Error] = Schema{"type": "object", "required": []string{"trace_id", "message", "code"},
		"properties": Schema{"trace_id": Schema{"type": "string"}, "message": Schema{"type": "string"}, "code": Schema{"type": "string"}}}
}
