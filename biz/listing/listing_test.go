package listing

import (
	"encoding/json"
	"testing"
)

func TestCompact(t *testing.T) {
	var obj map[string]any
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(json.Unmarshal([]byte(`{"apiVersion":"apps.kruise.io/v1alpha1","kind":"AdvancedCronJob",
		"metadata":{"name":"nightly","namespace":"demo","uid":"u1","labels":{"a":"b"},"annotations":{"big":"x","deployment.kubernetes.io/revision":"3"},"finalizers":["f"]},
		"spec":{"schedule":"*/5 * * * *","paused":false,"concurrencyPolicy":"Allow",
		  "template":{"jobTemplate":{"spec":{"template":{"metadata":{"labels":{"x":"y"}},"spec":{"containers":[{"name":"main","image":"busybox","args":["sleep"]}],"restartPolicy":"Never"}}}}}},
		"status":{"active":[{"name":"j1"}],"lastScheduleTime":"2026-01-01T00:00:00Z","conditions":[{"type":"Ready"}]}}`), &obj))
	got, err := json.Marshal(Compact(obj, map[string]any{"schedule": "*/5 * * * *"}, "active"))
	must(err)
	want := `{"apiVersion":"apps.kruise.io/v1alpha1","columns":{"schedule":"*/5 * * * *"},"kind":"AdvancedCronJob",` +
		`"metadata":{"annotations":{"deployment.kubernetes.io/revision":"3"},"labels":{"a":"b"},"name":"nightly","namespace":"demo","uid":"u1"},` +
		`"spec":{"paused":false,"schedule":"*/5 * * * *","template":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"image":"busybox","name":"main"}]}}}}}},` +
		`"state":"active","status":{"active":[{"name":"j1"}],"lastScheduleTime":"2026-01-01T00:00:00Z"}}`
	if string(got) != want {
		t.Errorf("Compact =\n%s\nwant\n%s", got, want)
	}
}

// TestCompactOwner: a list names the controller that owns an object (a UnitedDeployment's
// subset), and only that one of its owner references.
func TestCompactOwner(t *testing.T) {
	var obj map[string]any
	if err := json.Unmarshal([]byte(`{"apiVersion":"apps.kruise.io/v1beta1","kind":"StatefulSet","metadata":{"name":"regions-zone-a","ownerReferences":[
		{"apiVersion":"v1","kind":"ConfigMap","name":"other","uid":"u0"},
		{"apiVersion":"apps.kruise.io/v1alpha1","kind":"UnitedDeployment","name":"regions","uid":"u1","controller":true,"blockOwnerDeletion":true}]}}`), &obj); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(Compact(obj, nil, "ready")["metadata"])
	want := `{"name":"regions-zone-a","ownerReferences":[{"apiVersion":"apps.kruise.io/v1alpha1","controller":true,"kind":"UnitedDeployment","name":"regions","uid":"u1"}]}`
	if string(got) != want {
		t.Errorf("metadata %s, want %s", got, want)
	}
}
