package biz

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
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

func rowsNamed(names ...string) []*Row {
	var rows []*Row
	for i, n := range names {
		rows = append(rows, &Row{Name: n, Created: time.Unix(int64(1000-i), 0), State: "ready", Labels: map[string]string{"n": n}})
	}
	return rows
}

func TestParsePage(t *testing.T) {
	for _, c := range []struct {
		q    PageQuery
		fail string
	}{
		{PageQuery{}, ""},
		{PageQuery{View: "full", Sort: "-created", Limit: "1000", State: "paused", LabelSelector: "a=b,c!=d"}, ""},
		{PageQuery{View: "tiny"}, "view must be compact or full"},
		{PageQuery{Limit: "0"}, "limit must be a whole number from 1 to 1000"},
		{PageQuery{Limit: "1001"}, "limit must be"},
		{PageQuery{Limit: "+5"}, "limit must be"},
		{PageQuery{Sort: "age"}, "sort must be one of name, -name, created, -created"},
		{PageQuery{State: "sleeping"}, `unknown state "sleeping"`},
		{PageQuery{LabelSelector: "a in ("}, "invalid labelSelector"},
		{PageQuery{Continue: "!!"}, "invalid continue token"},
	} {
		_, err := parsePage(c.q)
		if (err == nil) != (c.fail == "") || err != nil && !strings.Contains(err.Error(), c.fail) {
			t.Errorf("%+v: %v, want %q", c.q, err, c.fail)
		}
	}
}

func TestPageTokenResumesAfterTheLastRow(t *testing.T) {
	rows := rowsNamed("a", "b", "c", "d", "e")
	for _, sort := range sorts {
		p, err := parsePage(PageQuery{Sort: sort, Limit: "2"})
		if err != nil {
			t.Fatal(err)
		}
		sorted := slices.Clone(rows)
		slices.SortStableFunc(sorted, p.compare)
		token := p.token(sorted[1])
		next, err := parsePage(PageQuery{Sort: sort, Limit: "2", Continue: token})
		if err != nil {
			t.Fatal(err)
		}
		if next.compare(sorted[2], next.after) <= 0 || next.compare(sorted[1], next.after) != 0 {
			t.Errorf("%s: the token does not stand between the second and third row", sort)
		}
		if _, err := parsePage(PageQuery{Sort: sort, Limit: "2", Q: "x", Continue: token}); err == nil {
			t.Errorf("%s: a token reused with another filter was accepted", sort)
		}
	}
}
