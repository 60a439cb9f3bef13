package data

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// actAsUser wraps the transport of the clients that act for requests: a call made with a request's
// context carries the signed-in user's identity (Impersonate-User / Impersonate-Group), so the API
// server's RBAC decides and its audit log names the person; and it is bounded by timeout, so a
// write fails fast while the API server is unreachable. Calls without a request's user (the
// informers' lists and watches, which must not time out) pass through untouched.
func actAsUser(timeout time.Duration) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			u, ok := biz.UserFrom(req.Context())
			if !ok {
				return next.RoundTrip(req)
			}
			req = req.Clone(req.Context())
			if u.Impersonate {
				req.Header.Set("Impersonate-User", u.Name)
				req.Header.Del("Impersonate-Group")
				for _, g := range u.Groups {
					req.Header.Add("Impersonate-Group", g)
				}
			}
			return bounded(next, req, timeout)
		})
	}
}

// withTimeout bounds every call of the dashboard's own request-time clients (access and token
// reviews, events, metrics).
func withTimeout(timeout time.Duration) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) { return bounded(next, req, timeout) })
	}
}

// bounded sends req with a deadline that is released once the response body is closed.
func bounded(next http.RoundTripper, req *http.Request, timeout time.Duration) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	resp, err := next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cancelOnClose releases the call's deadline once its body is read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
