package data

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// clientsAt builds the clients for an API server at url (nothing is contacted until a call).
func clientsAt(t *testing.T, url string, c conf.Kubernetes) *Clients {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "` + url + `"}}]
users: [{name: u, user: {token: dashboard-token}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`
	if err := os.WriteFile(path, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Kubeconfig, c.CallTimeout = path, 2*time.Second
	clients, err := NewClients(&c, noop.NewTracerProvider())
	if err != nil {
		t.Fatal(err)
	}
	return clients
}

// TestReviewClientBudget: the TokenReviews have a rate limiter of their own, so a drained
// budget of the dashboard's other calls leaves them untouched, and the reverse.
func TestReviewClientBudget(t *testing.T) {
	limiter := func(c *Clients) (review, service flowcontrol.RateLimiter) {
		return c.Review.AuthenticationV1().RESTClient().GetRateLimiter(), c.Service.AuthorizationV1().RESTClient().GetRateLimiter()
	}
	c := clientsAt(t, "http://127.0.0.1:1", conf.Kubernetes{QPS: 50, Burst: 100, ReviewQPS: 7, ReviewBurst: 3})
	review, service := limiter(c)
	if review == service || review.QPS() != 7 || service.QPS() != 50 {
		t.Fatalf("review limiter %p at %v QPS, service limiter %p at %v QPS: want separate, 7 and 50", review, review.QPS(), service, service.QPS())
	}
	drained := 0
	for service.TryAccept() {
		drained++
	}
	if drained != 100 || !review.TryAccept() {
		t.Errorf("after draining the service budget (%d calls) the review budget is drained too", drained)
	}
	for review.TryAccept() { // drain the review budget
	}
	if !c.Kube.AppsV1().RESTClient().GetRateLimiter().TryAccept() {
		t.Error("the users' client is drained by the reviews")
	}

	defaults := clientsAt(t, "http://127.0.0.1:1", conf.Kubernetes{QPS: 50, Burst: 100})
	if review, _ := limiter(defaults); review.QPS() != defaultReviewQPS {
		t.Errorf("review QPS %v with none set, want the default %d", review.QPS(), defaultReviewQPS)
	}
}

// TestTokenReviewer: what the API server says of a token becomes a user, a rejection (cause
// biz.ErrTokenRejected, which the sign-in remembers), or a 503 when no answer came — never a 500.
func TestTokenReviewer(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		obj, err := runtime.Decode(scheme.Codecs.UniversalDeserializer(), body) // protobuf
		tr, ok := obj.(*authenticationv1.TokenReview)
		if r.URL.Path != "/apis/authentication.k8s.io/v1/tokenreviews" || err != nil || !ok {
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		switch tr.Spec.Token {
		case "good":
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true, User: authenticationv1.UserInfo{Username: "alice", Groups: []string{"dev"}}}
		case "nameless":
			tr.Status = authenticationv1.TokenReviewStatus{Authenticated: true}
		case "overloaded":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","message":"slow down","code":429}`))
			return
		default:
			tr.Status = authenticationv1.TokenReviewStatus{Error: "invalid bearer token"}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(tr)
	}))
	defer api.Close()
	reviewer := NewTokenReviewer(clientsAt(t, api.URL, conf.Kubernetes{QPS: 50, Burst: 100}))
	down := NewTokenReviewer(clientsAt(t, "http://127.0.0.1:1", conf.Kubernetes{QPS: 50, Burst: 100}))
	cases := []struct {
		name     string
		reviewer *TokenReviewer
		token    string
		user     string
		status   int
		rejected bool
	}{
		{"accepted", reviewer, "good", "alice", 0, false},
		{"rejected", reviewer, "bad", "", http.StatusUnauthorized, true},
		{"accepted without a name", reviewer, "nameless", "", http.StatusUnauthorized, true},
		{"the API server overloaded", reviewer, "overloaded", "", http.StatusServiceUnavailable, false},
		{"the API server unreachable", down, "good", "", http.StatusServiceUnavailable, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := c.reviewer.Review(context.Background(), c.token)
			if c.status == 0 {
				if err != nil || u.Name != c.user || !u.Impersonate {
					t.Fatalf("got %+v, %v; want %s", u, err, c.user)
				}
				return
			}
			var e *biz.Error
			if !errors.As(err, &e) || e.Status != c.status || errors.Is(err, biz.ErrTokenRejected) != c.rejected {
				t.Errorf("got %v (%+v), want status %d, rejected=%v", err, e, c.status, c.rejected)
			}
		})
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d reviews reached the API server, want 4", n)
	}
}
