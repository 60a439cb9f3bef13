package biz

import "testing"

func TestImageReference(t *testing.T) {
	for ref, ok := range map[string]bool{
		"nginx": true, "nginx:1.29": true, "library/nginx:1.29-alpine": true, "registry.example.com:5000/team/app:v2": true,
		"localhost:5000/app": true, "ghcr.io/openkruise/kruise-manager@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef": true,
		"app:v1@sha256:0123456789abcdef0123456789abcdef": true, "my_app__x/y-z": true,
		"": false, "Nginx": false, "nginx latest": false, "nginx:": false, "nginx@sha256:nothex": false, "https://registry/nginx": false,
		"/nginx": false, "nginx/": false, "nginx::1": false, "-nginx": false,
	} {
		if got := imageReference.MatchString(ref); got != ok {
			t.Errorf("%q: match %v, want %v", ref, got, ok)
		}
	}
}
