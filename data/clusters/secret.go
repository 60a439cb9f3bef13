package clusters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The dashboard's cluster Secret: in the dashboard's namespace, labelled with the label the
// dashboard is configured with (DefaultSecretSelector), its data
//
//	name       the cluster's name (default: the Secret's name)
//	server     the API server's URL (required)
//	ca.crt     the PEM CA bundle to verify the server with (default: the system roots)
//	token      the dashboard's bearer token on that cluster, or
//	tls.crt    the dashboard's client certificate and
//	tls.key    its key (the keys of a kubernetes.io/tls Secret)
//	prometheus the cluster's Prometheus for release evidence (optional)
const (
	KeyName       = "name"
	KeyServer     = "server"
	KeyCA         = "ca.crt"
	KeyToken      = "token"
	KeyCert       = corev1.TLSCertKey       // tls.crt
	KeyKey        = corev1.TLSPrivateKeyKey // tls.key
	KeyPrometheus = "prometheus"
)

// DefaultSecretSelector is the label that marks the dashboard's cluster Secrets.
const DefaultSecretSelector = "kruise-dashboard.io/cluster"

// ArgoCDSelector is the label Argo CD puts on its cluster Secrets.
const ArgoCDSelector = "argocd.argoproj.io/secret-type=cluster"

// PrometheusAnnotation names a cluster's Prometheus on an Argo CD cluster Secret, whose data
// the dashboard reads as Argo CD writes it and adds nothing to.
const PrometheusAnnotation = "kruise-dashboard.io/prometheus"

// FromSecret reads one of the dashboard's cluster Secrets.
func FromSecret(s *corev1.Secret) Registration {
	text := func(key string) string { return strings.TrimSpace(string(s.Data[key])) }
	r := Registration{
		Name: text(KeyName), Server: text(KeyServer), Origin: OriginSecret, Source: sourceOf(s),
		Prometheus: text(KeyPrometheus), CAData: s.Data[KeyCA],
		Credentials: Credentials{BearerToken: text(KeyToken), CertData: s.Data[KeyCert], KeyData: s.Data[KeyKey]},
	}
	if r.Name == "" {
		r.Name = s.Name
	}
	return finish(r)
}

// argoConfig is the part of an Argo CD cluster Secret's config the dashboard reads. The other
// fields name ways of getting a credential the dashboard does not use; they are read only to
// refuse the registration with that reason.
type argoConfig struct {
	BearerToken     string          `json:"bearerToken"`
	Username        string          `json:"username"`
	Password        string          `json:"password"`
	TLSClientConfig argoTLS         `json:"tlsClientConfig"`
	AWSAuthConfig   json.RawMessage `json:"awsAuthConfig"`
	ExecProvider    json.RawMessage `json:"execProviderConfig"`
	ProxyURL        string          `json:"proxyUrl"`
}

// argoTLS is Argo CD's TLS client configuration; its byte fields are base64 in the JSON.
type argoTLS struct {
	Insecure   bool   `json:"insecure"`
	ServerName string `json:"serverName"`
	CAData     []byte `json:"caData"`
	CertData   []byte `json:"certData"`
	KeyData    []byte `json:"keyData"`
}

// FromArgoCDSecret reads an Argo CD cluster Secret as Argo CD writes it: data name, server and
// config (JSON). Its Prometheus is the PrometheusAnnotation, if any.
func FromArgoCDSecret(s *corev1.Secret) Registration {
	r := Registration{
		Name: strings.TrimSpace(string(s.Data["name"])), Server: strings.TrimSpace(string(s.Data["server"])),
		Origin: OriginArgoCD, Source: sourceOf(s), Prometheus: strings.TrimSpace(s.Annotations[PrometheusAnnotation]),
	}
	if r.Name == "" {
		// Argo CD shows a cluster without a name by its server.
		r.Name = s.Name
	}
	raw := bytes.TrimSpace(s.Data["config"])
	if len(raw) == 0 {
		r.Refused = "its config is empty: no credential for the dashboard"
		return finish(r)
	}
	var c argoConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		r.Refused = fmt.Sprintf("its config is not Argo CD's cluster config: %v", err)
		return finish(r)
	}
	switch {
	case isSet(c.AWSAuthConfig):
		r.Refused = "it gets credentials from AWS (awsAuthConfig), which the dashboard does not do"
	case isSet(c.ExecProvider):
		r.Refused = "it gets credentials from an exec plugin (execProviderConfig), which the dashboard does not run"
	case c.BearerToken == "" && (c.Username != "" || c.Password != ""):
		r.Refused = "it signs in with a username and password, which the dashboard does not use"
	case c.ProxyURL != "":
		r.Refused = "it goes through a proxy (proxyUrl), which the dashboard does not use"
	case c.TLSClientConfig.Insecure:
		r.Refused = insecureRefusal
	}
	r.CAData, r.TLSServerName = c.TLSClientConfig.CAData, c.TLSClientConfig.ServerName
	r.Credentials = Credentials{BearerToken: c.BearerToken, CertData: c.TLSClientConfig.CertData, KeyData: c.TLSClientConfig.KeyData}
	return finish(r)
}

// isSet reports whether a JSON field was given a value other than null.
func isSet(raw json.RawMessage) bool {
	v := bytes.TrimSpace(raw)
	return len(v) > 0 && !bytes.Equal(v, []byte("null"))
}

func sourceOf(s *corev1.Secret) string { return fmt.Sprintf("Secret %s/%s", s.Namespace, s.Name) }
