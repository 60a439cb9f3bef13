package metrics

import (
	"net/http"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// Protect is what a listener beyond loopback needs: only a bearer token the API server accepts,
// whose user may get the path as a non-resource URL (RBAC `nonResourceURLs: [/metrics]`, as the
// Kubernetes components guard their own /metrics), reaches next.
func Protect(next http.Handler, identify func(*http.Request) (*biz.User, *biz.Error), access biz.Access, fail func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, e := identify(r)
		if e != nil {
			fail(w, r, e)
			return
		}
		ctx := biz.WithUser(r.Context(), u)
		if err := biz.Authorize(ctx, access, biz.Attributes{Verb: "get", Path: r.URL.Path}); err != nil {
			fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
