package openapi

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

type inner struct {
	A string `json:"a"`
}

type sample struct {
	inner
	Plain    string             `json:"plain"`
	Optional int32              `json:"optional,omitempty"`
	Ptr      *inner             `json:"ptr"`
	OmitPtr  *inner             `json:"omitPtr,omitempty"`
	Struct   inner              `json:"struct,omitempty"`
	When     *metav1.Time       `json:"when"`
	Replicas intstr.IntOrString `json:"replicas"`
	Labels   map[string]string  `json:"labels"`
	Any      any                `json:"any"`
	Skipped  string             `json:"-"`
	//lint:ignore U1000 never read on purpose: the test checks that unexported fields are left out
	hidden string
}

// TestDerivedSchemas: a schema says what encoding/json writes for the type.
func TestDerivedSchemas(t *testing.T) {
	s := newSchemas()
	if got := s.of(reflect.TypeFor[sample]()); !reflect.DeepEqual(got, ref("Sample")) {
		t.Fatalf("named struct: %v", got)
	}
	obj := s.components["Sample"]
	props := obj["properties"].(Schema)
	for name, want := range map[string]Schema{
		"a":        {"type": "string"}, // the embedded struct's field, inline
		"plain":    {"type": "string"},
		"optional": {"type": "integer", "format": "int32"},
		"ptr":      {"allOf": []any{ref("Inner")}, "nullable": true},
		"omitPtr":  ref("Inner"), // nil is omitted, never written as null
		"when":     {"type": "string", "format": "date-time", "nullable": true},
		"replicas": {"oneOf": []any{Schema{"type": "integer"}, Schema{"type": "string"}}},
		"labels":   {"type": "object", "additionalProperties": Schema{"type": "string"}},
		"any":      {},
	} {
		if !reflect.DeepEqual(props[name], want) {
			t.Errorf("%s: %v, want %v", name, props[name], want)
		}
	}
	for _, absent := range []string{"Skipped", "-", "hidden", "inner"} {
		if _, ok := props[absent]; ok {
			t.Errorf("%s is not written by encoding/json but is in the schema", absent)
		}
	}
	if want := []string{"a", "plain", "ptr", "struct", "when", "replicas", "labels", "any"}; !reflect.DeepEqual(obj["required"], want) {
		t.Errorf("required %v, want %v (all but omitempty; a struct is written anyway)", obj["required"], want)
	}
	body := s.of(reflect.TypeOf(struct {
		Token string `json:"token"`
	}{}))
	if body["type"] != "object" || body["$ref"] != nil {
		t.Errorf("an anonymous struct is written in place: %v", body)
	}
}
