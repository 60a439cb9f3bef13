package clusters

import (
	"context"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestSetChanges checks what subscribers are told, with a fake clientset: a Secret's token
// rotated is an update, a Secret renaming its cluster is one removal and one addition, a deleted
// Secret a removal, and a Secret outside the namespace is never read. (The fake's watch does not
// filter by label; the integration test checks that with the real API server.)
func TestSetChanges(t *testing.T) {
	labelled := func(name, cluster, token string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kd", Name: name, Labels: map[string]string{DefaultSecretSelector: "true"}},
			Data: map[string][]byte{KeyName: []byte(cluster), KeyServer: []byte("https://" + cluster), KeyToken: []byte(token)}}
	}
	client := fake.NewClientset(labelled("s-a", "a", "t1"))
	static := []Registration{finish(Registration{Name: "home", Server: "https://home", Origin: OriginKubeconfig, Source: "context home", Credentials: Credentials{BearerToken: "h"}})}
	set, err := New(Config{Static: static, Namespace: "kd", Selector: DefaultSecretSelector}, client, log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	changes := make(chan Change, 10)
	set.OnChange(func(ch Change) { changes <- ch })
	ctx := context.Background()
	if err := set.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = set.Stop(ctx) }()

	names := func(l []Registration) (out []string) {
		for _, r := range l {
			out = append(out, r.Name)
		}
		return out
	}
	expect := func(what string, added, updated, removed []string) {
		t.Helper()
		select {
		case ch := <-changes:
			if !same(names(ch.Added), added) || !same(names(ch.Updated), updated) || !same(names(ch.Removed), removed) {
				t.Fatalf("%s: added %v updated %v removed %v; want %v %v %v", what, names(ch.Added), names(ch.Updated), names(ch.Removed), added, updated, removed)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no change; the set is %v", what, set.List())
		}
	}
	expect("start", []string{"a"}, nil, nil)
	if _, ok := set.Get("home"); !ok {
		t.Fatal("the static registration is missing")
	}

	secrets := client.CoreV1().Secrets("kd")
	if _, err := secrets.Update(ctx, labelled("s-a", "a", "t2"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("token rotated", nil, []string{"a"}, nil)
	if _, err := secrets.Update(ctx, labelled("s-a", "a2", "t2"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("renamed", []string{"a2"}, nil, []string{"a"})
	elsewhere := labelled("s-x", "x", "t")
	elsewhere.Namespace = "elsewhere"
	if _, err := client.CoreV1().Secrets("elsewhere").Create(ctx, elsewhere, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Delete(ctx, "s-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("deleted", nil, nil, []string{"a2"})

	// Two Secrets name cluster b: the first (by namespace/name) has it; when it goes, the other,
	// refused until then, is updated to usable in the same change that removes the first.
	if _, err := secrets.Create(ctx, labelled("s-b1", "b", "t"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("b", []string{"b"}, nil, nil)
	if _, err := secrets.Create(ctx, labelled("s-b2", "b", "u"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("a second b", []string{"b"}, nil, nil)
	if l := set.List(); len(l) != 3 || l[2].Source != "Secret kd/s-b2" || l[2].Usable() {
		t.Fatalf("the second b is not refused: %v", l)
	}
	if err := secrets.Delete(ctx, "s-b1", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("the first b deleted", nil, []string{"b"}, []string{"b"})
	if r, ok := set.Get("b"); !ok || r.Source != "Secret kd/s-b2" || r.Credentials.BearerToken != "u" {
		t.Fatalf("b is now %v (%v)", r, ok)
	}
	if err := secrets.Delete(ctx, "s-b2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("the second b deleted", nil, nil, []string{"b"})
	if l := set.List(); len(l) != 1 || l[0].Name != "home" {
		t.Fatalf("the set is %v", l)
	}
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
