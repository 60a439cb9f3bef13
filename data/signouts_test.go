package data

import (
	"fmt"
	"testing"
	"time"
)

func TestSignOutRecord(t *testing.T) {
	now := time.Unix(10_000, 0)
	s := &SignOuts{max: 4, now: func() time.Time { return now }}
	at := func(sec int64) time.Time { return time.Unix(sec, 0) }
	cases := []struct {
		name    string
		entries map[string]string
		want    map[string]string
	}{
		{"the first", nil, map[string]string{"new": "9000 12000"}},
		{"kept beside a live one", map[string]string{"a": "8000 11000"}, map[string]string{"a": "8000 11000", "new": "9000 12000"}},
		{"an expired one dropped", map[string]string{"a": "1000 5000"}, map[string]string{"new": "9000 12000"}},
		{"garbage dropped", map[string]string{"a": "x y", "b": "17"}, map[string]string{"new": "9000 12000"}},
		{"past the bound the oldest give way to not-before",
			map[string]string{"a": "100 11000", "b": "200 11000", "c": "300 11000", "d": "400 11000", "e": "500 11000"},
			map[string]string{"new": "9000 12000", "e": "500 11000", "d": "400 11000", "not-before": "301"}},
		{"an earlier not-before stays",
			map[string]string{"not-before": "50", "a": "100 11000"},
			map[string]string{"not-before": "50", "a": "100 11000", "new": "9000 12000"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.record(c.entries, "new", at(9000), at(12000))
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}
