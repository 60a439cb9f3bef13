package biz

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

func rowsNamed(names ...string) []*listing.Row {
	var rows []*listing.Row
	for i, n := range names {
		rows = append(rows, &listing.Row{Name: n, Created: time.Unix(int64(1000-i), 0), State: "ready", Labels: map[string]string{"n": n}})
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
