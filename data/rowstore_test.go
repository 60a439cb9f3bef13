package data

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func pod(ns, name, rv string) *corev1.Pod {
	return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, ResourceVersion: rv}}
}

// fixedState summarizes every object alike.
type fixedState string

func (f fixedState) Summarize(map[string]any) (map[string]any, string) {
	return map[string]any{}, string(f)
}

func TestEncodedListsFollowChanges(t *testing.T) {
	e := NewRowStore()
	h := e.handler("pod", fixedState("ready"))
	h.OnAdd(pod("a", "y", "1"), true)
	h.OnAdd(pod("a", "x", "1"), true)
	h.OnAdd(pod("b", "z", "1"), true)

	var got []corev1.Pod
	if err := json.Unmarshal(e.List("pod", "a").JSON, &got); err != nil || len(got) != 2 || got[0].Name != "x" || got[1].Name != "y" {
		t.Fatalf("list of a: %v %+v", err, got)
	}
	want, _ := json.Marshal([]*corev1.Pod{pod("a", "x", "1"), pod("a", "y", "1")})
	if string(e.List("pod", "a").JSON) != string(want) {
		t.Errorf("list bytes differ from encoding the objects:\n%s\n%s", e.List("pod", "a").JSON, want)
	}
	if string(e.List("pod", "none").JSON) != "[]" || string(e.List("other", "a").JSON) != "[]" {
		t.Error("an empty list is not []")
	}

	plurals := map[string]string{"pod": "pods", "other": "others"}
	first := e.Lists("a", plurals)
	if string(first.JSON) != `{"others":[],"pods":`+string(want)+`}` {
		t.Errorf("combined: %s", first.JSON)
	}
	if again := e.Lists("a", plurals); &again.JSON[0] != &first.JSON[0] {
		t.Error("an unchanged namespace answer was built again")
	}
	h.OnUpdate(pod("a", "x", "1"), pod("a", "x", "2"))
	if changed := e.Lists("a", plurals); changed.Sum == first.Sum {
		t.Error("the namespace answer did not follow an update")
	}
	h.OnDelete(pod("a", "x", "2"))
	h.OnDelete(pod("a", "y", "1"))
	if string(e.List("pod", "a").JSON) != "[]" || len(e.Rows("pod", "a")) != 0 {
		t.Errorf("after deleting both: %s", e.List("pod", "a").JSON)
	}
	if rows := e.Rows("pod", "b"); len(rows) != 1 || rows[0].State == "" || rows[0].Compact == nil {
		t.Errorf("rows of b: %+v", rows)
	}
}
