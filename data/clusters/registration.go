// Package clusters turns the places clusters are registered — the contexts of a kubeconfig, the
// dashboard's labelled cluster Secrets, and Argo CD's cluster Secrets as Argo CD writes them —
// into one watched set of registrations: a name, where the API server is, how to trust it, the
// dashboard's credential for it, where the registration came from, and, when it cannot be used,
// why. It connects to nothing: the fleet's per-cluster data sets are built from what it gives.
package clusters

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"

	"k8s.io/client-go/rest"
)

// Origin is where a registration came from.
type Origin string

const (
	// OriginKubeconfig is a context of a kubeconfig file (make run, the kubectl plugin).
	OriginKubeconfig Origin = "kubeconfig"
	// OriginSecret is one of the dashboard's labelled cluster Secrets (the cluster deployment).
	OriginSecret Origin = "secret"
	// OriginArgoCD is an Argo CD cluster Secret, read as Argo CD writes it.
	OriginArgoCD Origin = "argocd"
)

// Credentials are the dashboard's own credential for a cluster: a bearer token or a client
// certificate (never both are needed; a token wins if both are given, as client-go does).
type Credentials struct {
	BearerToken string
	// TokenFile is where BearerToken was read from (a kubeconfig's tokenFile), read again by the
	// client as it changes (a projected service-account token rotates).
	TokenFile string
	CertData  []byte
	KeyData   []byte
}

func (c Credentials) empty() bool {
	return c.BearerToken == "" && len(c.CertData) == 0 && len(c.KeyData) == 0
}

// Registration is one cluster as registered. Its JSON form (what /clusters may show) carries no
// credential and no CA, only what names and locates the cluster.
type Registration struct {
	// Name is the cluster's name in the API (/api/v1/clusters/{name}/...) and the UI.
	Name string `json:"name"`
	// Server is the API server's URL.
	Server string `json:"server"`
	// Origin and Source say where it came from: Source names the kubeconfig file and context, or
	// the Secret's namespace/name.
	Origin Origin `json:"origin"`
	Source string `json:"source"`
	// Context is the kubeconfig context (Origin kubeconfig only): what a kubectl equivalent
	// passes as --context. Other origins have none: kubectl must be pointed at the cluster.
	Context string `json:"context,omitempty"`
	// Prometheus is the cluster's own Prometheus for release evidence ("" none).
	Prometheus string `json:"prometheus,omitempty"`
	// Refused says why the registration cannot be used ("" usable). A refused registration is
	// kept in the set so that /clusters can say why a cluster the operator registered is absent.
	Refused string `json:"refused,omitempty"`

	// CAData is the PEM bundle the server's certificate must chain to (empty: the system roots).
	CAData []byte `json:"-"`
	// TLSServerName is the name the server's certificate is checked against, when not the
	// server URL's host.
	TLSServerName string      `json:"-"`
	Credentials   Credentials `json:"-"`
}

// Usable reports whether the dashboard can connect to the cluster with this registration.
func (r Registration) Usable() bool { return r.Refused == "" }

// String names the registration for logs, never its credential.
func (r Registration) String() string {
	s := fmt.Sprintf("cluster %q (%s, %s)", r.Name, r.Server, r.Source)
	if r.Refused != "" {
		s += ": refused: " + r.Refused
	}
	return s
}

// RESTConfig is the client configuration of a usable registration: the server, its CA and the
// dashboard's credential. Rate limits, timeouts and the traced and impersonating transports are
// the caller's (they are the same for every cluster).
func (r Registration) RESTConfig() (*rest.Config, error) {
	if !r.Usable() {
		return nil, fmt.Errorf("%s", r)
	}
	return &rest.Config{
		Host:        r.Server,
		BearerToken: r.Credentials.BearerToken, BearerTokenFile: r.Credentials.TokenFile,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: r.CAData, CertData: r.Credentials.CertData, KeyData: r.Credentials.KeyData, ServerName: r.TLSServerName,
		},
	}, nil
}

// Digest identifies what the registration says (credential included), so that a change of any
// of it is a change of the registration, without keeping a second copy of the secret material.
func (r Registration) Digest() string {
	h := sha256.New()
	for _, part := range [][]byte{
		[]byte(r.Name), []byte(r.Server), []byte(r.Origin), []byte(r.Source), []byte(r.Context), []byte(r.Prometheus),
		[]byte(r.Refused), r.CAData, []byte(r.TLSServerName), []byte(r.Credentials.BearerToken), []byte(r.Credentials.TokenFile), r.Credentials.CertData, r.Credentials.KeyData,
	} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// nameRE is what a cluster name may be: one URL path segment without escaping, so the name in
// /api/v1/clusters/{name}/ is the name as registered. Kubeconfig context names such as
// "kind-a", "gke_project_zone_name" and EKS's "arn:aws:eks:region:account:cluster/name" — the
// last has a slash and is refused with this reason; rename the context.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]{0,62}$`)

// UsableName reports whether name can be a cluster's name.
func UsableName(name string) bool { return checkName(name) == "" }

// checkName is why name cannot be a cluster's name, or "".
func checkName(name string) string {
	switch {
	case name == "":
		return "it has no name"
	case !nameRE.MatchString(name):
		return fmt.Sprintf("its name %q is not usable in a URL: at most 63 letters, digits and . _ : @ -, starting with a letter or digit", name)
	}
	return ""
}

// checkServer is why server cannot be a cluster's API server URL, or "".
func checkServer(server string) string {
	if server == "" {
		return "it names no server"
	}
	return checkURL("server", server)
}

// checkPrometheus is why a Prometheus URL cannot be used, or "" (none given: no evidence).
func checkPrometheus(p string) string {
	if p == "" {
		return ""
	}
	return checkURL("Prometheus", p)
}

// checkURL is why v, the registration's what, is not an http(s) URL with a host, or "".
func checkURL(what, v string) string {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return fmt.Sprintf("its %s %q is not a URL: %v", what, v, err)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Sprintf("its %s %q is not an http(s) URL", what, v)
	case u.Host == "":
		return fmt.Sprintf("its %s %q has no host", what, v)
	}
	return ""
}

// checkCredentials is why creds cannot be used, or "".
func checkCredentials(c Credentials) string {
	switch {
	case c.empty():
		return "it has no credential for the dashboard (a bearer token or a client certificate and key)"
	case c.BearerToken == "" && (len(c.CertData) == 0) != (len(c.KeyData) == 0):
		return "its client certificate comes without its key, or the key without the certificate"
	case c.BearerToken == "":
		if _, err := tls.X509KeyPair(c.CertData, c.KeyData); err != nil {
			return fmt.Sprintf("its client certificate and key cannot be used: %v", err)
		}
	}
	return ""
}

// checkCA is why a CA bundle cannot be used, or "" (none given: the system roots).
func checkCA(ca []byte) string {
	if len(ca) > 0 && !x509.NewCertPool().AppendCertsFromPEM(ca) {
		return "its CA bundle holds no PEM certificate"
	}
	return ""
}

// finish applies the checks every origin shares, keeping the first refusal found.
func finish(r Registration) Registration {
	for _, why := range []string{r.Refused, checkName(r.Name), checkServer(r.Server), checkCredentials(r.Credentials), checkCA(r.CAData), checkPrometheus(r.Prometheus)} {
		if why != "" {
			r.Refused = why
			break
		}
	}
	if r.Refused != "" {
		// A refused registration keeps no secret material: nothing will ever use it.
		r.Credentials, r.CAData = Credentials{}, nil
	}
	return r
}
