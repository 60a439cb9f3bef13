package data

import (
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

func TestDecisionKey(t *testing.T) {
	read := biz.Attributes{Verb: "list", Group: "apps.kruise.io", Resource: "clonesets", Namespace: "demo"}
	alice := &biz.User{Name: "alice", Groups: []string{"dev", "ops"}, Impersonate: true}
	cases := []struct {
		name       string
		a, b       string
		wantSameAs bool
	}{
		{"group order does not matter", decisionKey(alice, true, read), decisionKey(&biz.User{Name: "alice", Groups: []string{"ops", "dev"}}, true, read), true},
		{"another user", decisionKey(alice, true, read), decisionKey(&biz.User{Name: "bob", Groups: alice.Groups}, true, read), false},
		{"another group set", decisionKey(alice, true, read), decisionKey(&biz.User{Name: "alice", Groups: []string{"dev"}}, true, read), false},
		{"the dashboard itself", decisionKey(alice, true, read), decisionKey(nil, false, read), false},
		{"another namespace", decisionKey(alice, true, read), decisionKey(alice, true, biz.Attributes{Verb: "list", Group: "apps.kruise.io", Resource: "clonesets", Namespace: "prod"}), false},
		{"a subresource", decisionKey(alice, true, read), decisionKey(alice, true, biz.Attributes{Verb: "list", Group: "apps.kruise.io", Resource: "clonesets", Subresource: "scale", Namespace: "demo"}), false},
		{"no ambiguity between fields", decisionKey(&biz.User{Name: "a"}, true, biz.Attributes{Verb: "b"}), decisionKey(&biz.User{Name: "a\x00b"}, true, biz.Attributes{}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if (c.a == c.b) != c.wantSameAs {
				t.Errorf("keys %q and %q: same=%v, want %v", c.a, c.b, c.a == c.b, c.wantSameAs)
			}
		})
	}
}
