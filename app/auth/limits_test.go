package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

func TestClientAddress(t *testing.T) {
	proxies, err := parseProxies([]string{"10.0.0.0/8", "192.168.1.7", "2001:db8:ffff::/48"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string // header lines
		want       string   // "" for none
	}{
		{"no proxy: the peer", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"spoofed X-Forwarded-For from an untrusted peer is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"a trusted proxy's client", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a trusted single address", "192.168.1.7:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a neighbour of the single address is not trusted", "192.168.1.8:443", []string{"198.51.100.1"}, "192.168.1.8"},
		{"what the client prepended through a trusted proxy is ignored", "10.1.2.3:443", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"a chain of trusted proxies", "10.0.0.1:443", []string{"198.51.100.1, 10.9.9.9, 192.168.1.7"}, "198.51.100.1"},
		{"a chain over several header lines", "10.0.0.1:443", []string{"6.6.6.6, 198.51.100.1", "10.9.9.9", "192.168.1.7"}, "198.51.100.1"},
		{"every hop trusted: the left-most", "10.0.0.1:443", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5"},
		{"trusted proxy without the header: the proxy", "10.0.0.1:443", nil, "10.0.0.1"},
		{"empty header: the proxy", "10.0.0.1:443", []string{""}, "10.0.0.1"},
		{"garbage right of the chain: the proxy", "10.0.0.1:443", []string{"198.51.100.1, not-an-ip"}, "10.0.0.1"},
		{"garbage left of a trusted hop: that hop", "10.0.0.1:443", []string{"garbage, 10.7.7.7"}, "10.7.7.7"},
		{"garbage beyond the client is not read", "10.0.0.1:443", []string{"garbage, 198.51.100.1"}, "198.51.100.1"},
		{"unknown (RFC 7239's word)", "10.0.0.1:443", []string{"unknown"}, "10.0.0.1"},
		{"an entry with a port", "10.0.0.1:443", []string{"198.51.100.1:61000"}, "198.51.100.1"},
		{"IPv6 peer", "[2001:db8::1]:5000", []string{"198.51.100.1"}, "2001:db8::1"},
		{"IPv6 trusted proxy and client", "[2001:db8:ffff::2]:443", []string{"2001:db8:1::5"}, "2001:db8:1::5"},
		{"bracketed IPv6 entry with a port", "10.0.0.1:443", []string{"[2001:db8:1::5]:8443"}, "2001:db8:1::5"},
		{"IPv4-mapped IPv6 peer is IPv4", "[::ffff:10.0.0.1]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"zone dropped", "[fe80::1%eth0]:443", nil, "fe80::1"},
		{"unreadable peer", "@", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got := clientAddress(r, proxies)
			if c.want == "" {
				if got.IsValid() {
					t.Errorf("got %s, want none", got)
				}
				return
			}
			if got.String() != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
	// With no trusted proxies the header is never read.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr, r.Header["X-Forwarded-For"] = "10.1.2.3:443", []string{"198.51.100.1"}
	if got := clientAddress(r, nil); got.String() != "10.1.2.3" {
		t.Errorf("no trusted proxies: got %s", got)
	}
}

func TestParseProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.0/8/8", "", "1.2.3"} {
		if _, err := parseProxies([]string{bad}); err == nil || !strings.Contains(err.Error(), "KD_TRUSTED_PROXIES") {
			t.Errorf("%q: %v, want an error naming KD_TRUSTED_PROXIES", bad, err)
		}
	}
	got, err := parseProxies([]string{"10.1.2.3/8", "::ffff:192.0.2.1", "2001:db8::/32"})
	if err != nil || len(got) != 3 || got[0].String() != "10.0.0.0/8" || got[1].String() != "192.0.2.1/32" || got[2].String() != "2001:db8::/32" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := New(&conf.Auth{Mode: ModeNone}, &conf.Server{Addr: "127.0.0.1:8080", TrustedProxies: []string{"nope"}}, nil, &memorySignOuts{}); err == nil {
		t.Error("New accepts a bad trusted proxy")
	}
}

func TestBucketKey(t *testing.T) {
	for addr, want := range map[string]string{
		"198.51.100.1": "198.51.100.1", "2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "2001:db8:1:2::ffff": "2001:db8:1:2::/64",
	} {
		a, _ := parseHop(addr)
		if got := bucketKey(a); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
}

// scriptedReviewer accepts "good*" tokens, rejects the others, and fails "down"; it counts.
type scriptedReviewer struct {
	mu    sync.Mutex
	calls map[string]int
}

func (s *scriptedReviewer) Review(_ context.Context, token string) (*biz.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[token]++
	switch {
	case strings.HasPrefix(token, "good"):
		return &biz.User{Name: "alice", Impersonate: true}, nil
	case token == "down":
		return nil, biz.Unavailable(errors.New("dial tcp: refused"), "the API server could not review the token now")
	default:
		return nil, biz.TokenRejected("token rejected: invalid bearer token")
	}
}

func (s *scriptedReviewer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += c
	}
	return n
}

// clock is a settable time.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// TestReviewLimits walks the limits through the authenticator's two doors, a bearer token on
// an API request and a token sign-in, on a fake clock: per address 3 failures at once then one a
// second, over all addresses 5 at once then two a second.
func TestReviewLimits(t *testing.T) {
	reviewer := &scriptedReviewer{}
	a, err := New(&conf.Auth{Mode: ModeToken, SessionKey: key, SessionTTL: time.Hour, Recheck: time.Minute, Limits: &conf.AuthLimits{
		PerAddress: 1, PerAddressBurst: 3, Global: 2, GlobalBurst: 5, RejectedTTL: 30 * time.Second,
	}}, &conf.Server{Addr: "0.0.0.0:8080", TrustedProxies: []string{"10.0.0.0/8"}}, reviewer, &memorySignOuts{})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Unix(1_000_000, 0)}
	a.limits.now = clk.now
	a.limits.global = newBucket(2, 5, clk.t)
	h := a.Filter(writeStatus)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	send := func(peer, forwarded, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/namespaces", nil)
		r.RemoteAddr = peer + ":40000"
		if forwarded != "" {
			r.Header.Set("X-Forwarded-For", forwarded)
		}
		r.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	bearer := func(from, token string) int { return send(from, "", token).Code }
	login := func(from, token string) int {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", nil)
		r.RemoteAddr = from + ":40000"
		rec := httptest.NewRecorder()
		_, err := a.Login(context.Background(), service.Input{Request: r, Reply: rec.Header()}, LoginBody{Token: token})
		if err == nil {
			return http.StatusOK
		}
		var e *biz.Error
		if !errors.As(err, &e) {
			t.Fatalf("login: %v is not an API error", err)
		}
		return e.Status
	}
	expect := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d, want %d", what, got, want)
		}
	}
	const unauthorized, limited = http.StatusUnauthorized, http.StatusTooManyRequests

	// An address: 3 failures at once, then 429 without a review, at both doors.
	for i := range 3 {
		expect("failure", bearer("203.0.113.1", fmt.Sprint("bad", i)), unauthorized)
	}
	rec := send("203.0.113.1", "", "bad3")
	expect("4th failure at once", rec.Code, limited)
	if rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "from your address") {
		t.Errorf("429 Retry-After %q, body %s", rec.Header().Get("Retry-After"), rec.Body)
	}
	expect("failed sign-in from the same address", login("203.0.113.1", "bad4"), limited)
	// An unknown good token waits too: it cannot be told from a bad one before its review.
	expect("unknown good token from a drained address", bearer("203.0.113.1", "good-new"), limited)
	expect("reviews", reviewer.total(), 3)

	// Remembered: the rejected token again is 401 without a review, whatever the address.
	expect("rejected token again", bearer("203.0.113.1", "bad0"), unauthorized)
	expect("rejected token at sign-in, elsewhere", login("198.51.100.7", "bad0"), unauthorized)
	expect("reviews of the remembered token", reviewer.calls["bad0"], 1)

	// A second later the address may fail once more.
	clk.advance(time.Second)
	expect("after a second", bearer("203.0.113.1", "bad5"), unauthorized)
	expect("and no more", bearer("203.0.113.1", "bad6"), limited)

	// Global: 5 failures at once over every address, then 429 naming all clients.
	clk.advance(10 * time.Second) // every bucket full again
	for i := range 5 {
		expect("global failure", bearer(fmt.Sprint("198.51.100.", 10+i), fmt.Sprint("g", i)), unauthorized)
	}
	rec = send("198.51.100.20", "", "g5")
	if rec.Code != limited || !strings.Contains(rec.Body.String(), "all clients") {
		t.Errorf("6th failure from a 6th address: %d %s", rec.Code, rec.Body)
	}
	expect("reviews", reviewer.total(), 9)

	// An accepted token gives its token back: two failures, a good token, then still one failure.
	clk.advance(10 * time.Second)
	expect("failure", bearer("203.0.113.2", "bad7"), unauthorized)
	expect("failure", bearer("203.0.113.2", "bad8"), unauthorized)
	expect("good token", bearer("203.0.113.2", "good-script"), http.StatusOK)
	expect("failure after the good token", bearer("203.0.113.2", "bad9"), unauthorized)
	expect("then the limit", bearer("203.0.113.2", "bad10"), limited)
	// And once accepted, a token is not limited any more: the address is drained, and a flood
	// from elsewhere drains the global bucket.
	for i := range 2 {
		bearer(fmt.Sprint("198.51.100.", 30+i), fmt.Sprint("flood", i))
	}
	expect("global bucket empty", bearer("198.51.100.40", "flood9"), limited)
	for range 3 {
		expect("known good token at sign-in", login("203.0.113.2", "good-script"), http.StatusOK)
	}
	expect("reviews of the good token", reviewer.calls["good-script"], 4)

	// Reviews that got no answer count against the limits but are not remembered.
	clk.advance(10 * time.Second)
	expect("API server down", bearer("203.0.113.3", "down"), http.StatusServiceUnavailable)
	expect("API server down again", bearer("203.0.113.3", "down"), http.StatusServiceUnavailable)
	expect("reviews of down", reviewer.calls["down"], 2)

	// Behind a trusted proxy the forwarded address is the one limited.
	clk.advance(10 * time.Second)
	for i := range 3 {
		expect("proxied failure", send("10.0.0.2", "198.51.100.50", fmt.Sprint("p", i)).Code, unauthorized)
	}
	expect("proxied client over its limit", send("10.0.0.2", "198.51.100.50", "p3").Code, limited)
	expect("another client behind the same proxy", send("10.0.0.2", "198.51.100.51", "q0").Code, unauthorized)
	expect("a spoofed address from an untrusted peer", send("203.0.113.4", "198.51.100.99", "s0").Code, unauthorized)

	// After rejected_ttl the token is reviewed again.
	clk.advance(31 * time.Second)
	expect("rejected token after rejected_ttl", bearer("203.0.113.9", "bad0"), unauthorized)
	expect("reviews of it", reviewer.calls["bad0"], 2)

	checks := a.TokenChecks()
	if checks["accepted"] != 4 || checks["remembered"] != 2 || checks["error"] != 2 || checks["limited"] != 8 {
		t.Errorf("checks %v", checks)
	}
	if address, global := a.Limited(); address != 6 || global != 2 {
		t.Errorf("limited %d by address, %d globally; want 6 and 2", address, global)
	}
}

func writeStatus(w http.ResponseWriter, _ *http.Request, e *biz.Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(seconds(e.RetryAfter)/time.Second)))
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(e.Message))
}
