package biz

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// memRolloutRows are the cache's Rollout rows, in namespace/name order.
type memRolloutRows struct{ rows []*RolloutRow }

func (m memRolloutRows) Rows(ns string) ([]*RolloutRow, error) {
	var out []*RolloutRow
	for _, r := range m.rows {
		if ns == "" || r.Status.Namespace == ns {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m memRolloutRows) ListJSON(string, bool, func(string) bool) (listing.Encoded, error) {
	return listing.Encoded{}, nil
}

func (m memRolloutRows) Waiting() ([]*RolloutRow, error) {
	var out []*RolloutRow
	for _, r := range m.rows {
		if r.Status.WaitingForApproval {
			out = append(out, r)
		}
	}
	return out, nil
}

// namespaces is the NamespaceRepo of the namespaces named.
type namespaces []string

func (n namespaces) List() ([]*corev1.Namespace, error) { return nil, nil }
func (n namespaces) Get(name string) (*corev1.Namespace, error) {
	for _, ns := range n {
		if ns == name {
			return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, nil
		}
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, name)
}

// listsIn lets a signed-in user list Rollouts in the namespaces named only (not cluster-wide).
type listsIn []string

func (l listsIn) Allowed(_ context.Context, a Attributes) (bool, error) {
	for _, ns := range l {
		if a.Namespace == ns && a.Resource == "rollouts" && a.Verb == "list" {
			return true, nil
		}
	}
	return false, nil
}

// TestRolloutLists: List puts active releases first and keeps namespace/name order otherwise,
// activeOnly keeps only them; a user who may not list Rollouts cluster-wide sees those of the
// namespaces where they may (and Waiting too); a namespace that does not exist is a 404.
func TestRolloutLists(t *testing.T) {
	row := func(ns, name string, active, waiting bool) *RolloutRow {
		return &RolloutRow{Status: &RolloutStatus{Namespace: ns, Name: name, Active: active, WaitingForApproval: waiting}}
	}
	rows := memRolloutRows{rows: []*RolloutRow{
		row("a", "one", false, false), row("a", "two", true, true), row("b", "three", false, false), row("b", "four", true, false), row("c", "five", true, true),
	}}
	cases := []struct {
		name       string
		ns         string
		activeOnly bool
		access     Access // nil: no signed-in user
		waiting    bool   // Waiting instead of List
		want       string
		code       string
	}{
		{name: "every namespace: active first, namespace/name order within", ns: AllNamespaces, want: "a/two b/four c/five a/one b/three"},
		{name: "active only", ns: AllNamespaces, activeOnly: true, want: "a/two b/four c/five"},
		{name: "one namespace", ns: "b", want: "b/four b/three"},
		{name: "a user who may list in a and c only sees theirs", ns: AllNamespaces, access: listsIn{"a", "c"}, want: "a/two c/five a/one"},
		{name: "waiting, for that user", waiting: true, access: listsIn{"a", "b"}, want: "a/two"},
		{name: "waiting, everyone's", waiting: true, want: "a/two c/five"},
		{name: "a namespace the user may not list in: 403", ns: "b", access: listsIn{"a"}, code: CodeForbidden},
		{name: "a user who may list nowhere: an empty list", ns: AllNamespaces, access: listsIn{}, want: ""},
		{name: "a namespace that does not exist: 404", ns: "gone", code: CodeNotFound},
		{name: "an invalid namespace: 400", ns: "Not_A_Namespace", code: CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg, err := registry.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			access, ctx := Access(&denyAll{}), context.Background()
			if c.access != nil {
				access, ctx = c.access, signedIn()
			}
			tp := noop.NewTracerProvider()
			uc := NewRolloutUsecase(newMemRollouts(), rows, reg, readyCache{}, namespaces{"a", "b", "c"}, access, NewEventUsecase(&recordedEvents{}, tp), tp)
			var got []*RolloutStatus
			if c.waiting {
				got, err = uc.Waiting(ctx)
			} else {
				got, err = uc.List(ctx, c.ns, c.activeOnly)
			}
			if apiError(t, err, c.code) != nil {
				return
			}
			names := make([]string, len(got))
			for i, s := range got {
				names[i] = s.Namespace + "/" + s.Name
			}
			if strings.Join(names, " ") != c.want {
				t.Errorf("got %s, want %s", strings.Join(names, " "), c.want)
			}
		})
	}
}
