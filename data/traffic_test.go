package data

import (
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The two 404s of an HTTPRoute read: the resource not served (no CRD), and the object missing.
func TestHTTPRouteNotServed(t *testing.T) {
	gr := schema.GroupResource{Group: "gateway.networking.k8s.io", Resource: "httproutes"}
	generic := apierrors.NewGenericServerResponse(http.StatusNotFound, "get", gr, "web", "", 0, true)
	if !notServed(generic, "web") {
		t.Errorf("%q: want not served", generic)
	}
	if missing := apierrors.NewNotFound(gr, "web"); notServed(missing, "web") {
		t.Errorf("%q: want a missing object", missing)
	}
	if notServed(apierrors.NewForbidden(gr, "web", nil), "web") || notServed(nil, "web") {
		t.Error("only a 404 is not served")
	}
}
