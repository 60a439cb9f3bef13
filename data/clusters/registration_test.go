package clusters

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// pemPair is a self-signed certificate and its key, PEM-encoded.
func pemPair(t *testing.T, cn string) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

func secret(name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "kd", Name: name}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

// want is what a test expects of a registration: refused with a reason containing refused, or
// usable with these fields.
type want struct {
	name, server, refused string
	token                 string
	cert, ca              bool
}

func check(t *testing.T, got Registration, w want) {
	t.Helper()
	if w.refused != "" {
		if got.Usable() || !strings.Contains(got.Refused, w.refused) {
			t.Fatalf("refused = %q, want it to say %q", got.Refused, w.refused)
		}
		if !got.Credentials.empty() || got.CAData != nil {
			t.Errorf("a refused registration keeps its secret material: %+v", got.Credentials)
		}
		return
	}
	if !got.Usable() {
		t.Fatalf("refused: %s", got.Refused)
	}
	if got.Name != w.name || got.Server != w.server || got.Credentials.BearerToken != w.token ||
		(len(got.Credentials.CertData) > 0) != w.cert || (len(got.CAData) > 0) != w.ca {
		t.Fatalf("got %s token=%q cert=%v ca=%v; want %+v", got, got.Credentials.BearerToken, len(got.Credentials.CertData) > 0, len(got.CAData) > 0, w)
	}
	if _, err := got.RESTConfig(); err != nil {
		t.Fatalf("RESTConfig: %v", err)
	}
}

func TestFromSecret(t *testing.T) {
	cert, key := pemPair(t, "dashboard")
	ca, _ := pemPair(t, "ca")
	for _, tc := range []struct {
		name string
		data map[string]string
		want want
	}{
		{"token and CA", map[string]string{"name": "prod-eu", "server": "https://10.0.0.1:6443", "ca.crt": string(ca), "token": "abc\n"},
			want{name: "prod-eu", server: "https://10.0.0.1:6443", token: "abc", ca: true}},
		{"client certificate, name from the Secret", map[string]string{"server": "https://k.example:443", "tls.crt": string(cert), "tls.key": string(key)},
			want{name: "client-certificate-name-from-the-secret", server: "https://k.example:443", cert: true}},
		{"no server", map[string]string{"token": "abc"}, want{refused: "names no server"}},
		{"server not a URL", map[string]string{"server": "10.0.0.1:6443", "token": "abc"}, want{refused: "is not a URL"}},
		{"server not http", map[string]string{"server": "unix:///run/k.sock", "token": "abc"}, want{refused: "not an http(s) URL"}},
		{"no credential", map[string]string{"server": "https://k"}, want{refused: "no credential"}},
		{"certificate without key", map[string]string{"server": "https://k", "tls.crt": string(cert)}, want{refused: "without its key"}},
		{"key not the certificate", map[string]string{"server": "https://k", "tls.crt": string(cert), "tls.key": string(ca)}, want{refused: "cannot be used"}},
		{"CA not PEM", map[string]string{"server": "https://k", "token": "abc", "ca.crt": "not a cert"}, want{refused: "no PEM certificate"}},
		{"name with a slash", map[string]string{"name": "a/b", "server": "https://k", "token": "abc"}, want{refused: "not usable in a URL"}},
		{"bad Prometheus", map[string]string{"server": "https://k", "token": "abc", "prometheus": "prom:9090"}, want{refused: "Prometheus"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ToLower(strings.NewReplacer(" ", "-", ",", "").Replace(tc.name))
			got := FromSecret(secret(name, tc.data))
			if got.Origin != OriginSecret || got.Source != "Secret kd/"+name || got.Context != "" {
				t.Errorf("origin %q source %q context %q", got.Origin, got.Source, got.Context)
			}
			check(t, got, tc.want)
		})
	}
}

func TestFromArgoCDSecret(t *testing.T) {
	cert, key := pemPair(t, "argocd-manager")
	ca, _ := pemPair(t, "ca")
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		name, config string
		want         want
	}{
		{"bearer token and CA", `{"bearerToken":"tok","tlsClientConfig":{"insecure":false,"caData":"` + b64(ca) + `"}}`,
			want{name: "staging", server: "https://staging.example:6443", token: "tok", ca: true}},
		{"client certificate", `{"tlsClientConfig":{"certData":"` + b64(cert) + `","keyData":"` + b64(key) + `","serverName":"api"}}`,
			want{name: "staging", server: "https://staging.example:6443", cert: true}},
		{"AWS", `{"awsAuthConfig":{"clusterName":"prod","roleARN":"arn:aws:iam::1:role/x"},"tlsClientConfig":{"caData":"` + b64(ca) + `"}}`, want{refused: "awsAuthConfig"}},
		{"exec plugin", `{"execProviderConfig":{"command":"argocd-k8s-auth","args":["gcp"]}}`, want{refused: "execProviderConfig"}},
		{"username and password", `{"username":"admin","password":"x"}`, want{refused: "username and password"}},
		{"insecure", `{"bearerToken":"tok","tlsClientConfig":{"insecure":true}}`, want{refused: "insecure"}},
		{"no credential", `{"tlsClientConfig":{"caData":"` + b64(ca) + `"}}`, want{refused: "no credential"}},
		{"empty config", ``, want{refused: "config is empty"}},
		{"config not JSON", `bearerToken: tok`, want{refused: "not Argo CD's cluster config"}},
		{"caData not base64", `{"bearerToken":"tok","tlsClientConfig":{"caData":"***"}}`, want{refused: "not Argo CD's cluster config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := secret("cluster-staging", map[string]string{"name": "staging", "server": "https://staging.example:6443", "config": tc.config})
			got := FromArgoCDSecret(s)
			if got.Origin != OriginArgoCD || got.Source != "Secret kd/cluster-staging" {
				t.Errorf("origin %q source %q", got.Origin, got.Source)
			}
			check(t, got, tc.want)
		})
	}
	t.Run("serverName and the Prometheus annotation", func(t *testing.T) {
		s := secret("c", map[string]string{"server": "https://1.2.3.4", "config": `{"bearerToken":"t","tlsClientConfig":{"serverName":"api.internal"}}`})
		s.Annotations = map[string]string{PrometheusAnnotation: "http://prometheus.monitoring:9090"}
		got := FromArgoCDSecret(s)
		if got.Name != "c" || got.TLSServerName != "api.internal" || got.Prometheus != "http://prometheus.monitoring:9090" {
			t.Fatalf("got %+v", got)
		}
		rc, err := got.RESTConfig()
		if err != nil || rc.ServerName != "api.internal" || rc.BearerToken != "t" || rc.Host != "https://1.2.3.4" {
			t.Fatalf("RESTConfig %+v, %v", rc, err)
		}
	})
}

func TestFromKubeconfig(t *testing.T) {
	cert, key := pemPair(t, "admin")
	ca, _ := pemPair(t, "ca")
	dir := t.TempDir()
	for name, b := range map[string][]byte{"ca.crt": ca, "admin.crt": cert, "admin.key": key, "token": []byte("file-token\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["a"] = &clientcmdapi.Cluster{Server: "https://a.example:6443", CertificateAuthority: filepath.Join(dir, "ca.crt")}
	cfg.Clusters["b"] = &clientcmdapi.Cluster{Server: "https://b.example:6443", CertificateAuthorityData: ca}
	cfg.Clusters["insecure"] = &clientcmdapi.Cluster{Server: "https://c.example", InsecureSkipTLSVerify: true}
	cfg.Clusters["proxied"] = &clientcmdapi.Cluster{Server: "https://d.example", ProxyURL: "http://proxy:3128"}
	users := map[string]*clientcmdapi.AuthInfo{
		"cert-files": {ClientCertificate: filepath.Join(dir, "admin.crt"), ClientKey: filepath.Join(dir, "admin.key")},
		"cert-data":  {ClientCertificateData: cert, ClientKeyData: key},
		"token":      {Token: "tok"},
		"token-file": {TokenFile: filepath.Join(dir, "token")},
		"exec":       {Exec: &clientcmdapi.ExecConfig{Command: "aws", Args: []string{"eks", "get-token"}, APIVersion: "client.authentication.k8s.io/v1"}},
		"gcp":        {AuthProvider: &clientcmdapi.AuthProviderConfig{Name: "gcp"}},
		"basic":      {Username: "admin", Password: "x"},
		"as":         {Token: "tok", Impersonate: "someone"},
		"missing":    {ClientCertificate: filepath.Join(dir, "nope.crt"), ClientKey: filepath.Join(dir, "nope.key")},
	}
	for name, u := range users {
		cfg.AuthInfos[name] = u
	}
	contexts := map[string]struct {
		cluster, user string
		want          want
	}{
		"kind-a":                       {"a", "cert-files", want{name: "kind-a", server: "https://a.example:6443", cert: true, ca: true}},
		"b-data":                       {"b", "cert-data", want{name: "b-data", server: "https://b.example:6443", cert: true, ca: true}},
		"b-token":                      {"b", "token", want{name: "b-token", server: "https://b.example:6443", token: "tok", ca: true}},
		"b-token-file":                 {"b", "token-file", want{name: "b-token-file", server: "https://b.example:6443", token: "file-token", ca: true}},
		"eks":                          {"a", "exec", want{refused: "exec plugin (aws)"}},
		"gke":                          {"a", "gcp", want{refused: `"gcp" auth provider`}},
		"basic":                        {"a", "basic", want{refused: "username and password"}},
		"as":                           {"a", "as", want{refused: "impersonates"}},
		"insecure":                     {"insecure", "token", want{refused: "insecure"}},
		"proxied":                      {"proxied", "token", want{refused: "proxy"}},
		"no-cluster":                   {"zzz", "token", want{refused: `cluster "zzz"`}},
		"no-user":                      {"a", "zzz", want{refused: `user "zzz"`}},
		"missing-files":                {"a", "missing", want{refused: "cannot be read"}},
		"arn:aws:eks:x:1:cluster/prod": {"a", "token", want{refused: "not usable in a URL"}},
	}
	for name, c := range contexts {
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: c.cluster, AuthInfo: c.user}
	}
	got := FromKubeconfig(cfg, "/home/me/.kube/config", nil)
	if len(got) != len(contexts) {
		t.Fatalf("%d registrations for %d contexts", len(got), len(contexts))
	}
	for i, r := range got {
		if i > 0 && got[i-1].Name >= r.Name {
			t.Errorf("not sorted: %q before %q", got[i-1].Name, r.Name)
		}
		t.Run(r.Context, func(t *testing.T) {
			if r.Origin != OriginKubeconfig || r.Context != r.Name && r.Usable() || !strings.Contains(r.Source, "/home/me/.kube/config") {
				t.Errorf("origin %q context %q source %q", r.Origin, r.Context, r.Source)
			}
			check(t, r, contexts[r.Context].want)
		})
	}

	for _, r := range got {
		if r.Name == "b-token-file" {
			if rc, err := r.RESTConfig(); err != nil || rc.BearerTokenFile != filepath.Join(dir, "token") {
				t.Errorf("a token file is read again as it rotates: BearerTokenFile %q, %v", rc.BearerTokenFile, err)
			}
		}
	}

	only := FromKubeconfig(cfg, "k", []string{"b-token", "kind-a", "gone"})
	if len(only) != 3 || only[0].Name != "b-token" || only[1].Name != "gone" || only[2].Name != "kind-a" || !strings.Contains(only[1].Refused, "no such context") {
		t.Fatalf("--context b-token,kind-a,gone: %v", only)
	}
}

// TestNoSecretInJSON: what /clusters shows of a registration never carries its credential or CA.
func TestNoSecretInJSON(t *testing.T) {
	cert, key := pemPair(t, "x")
	r := finish(Registration{Name: "a", Server: "https://a", Origin: OriginSecret, Source: "Secret kd/a", CAData: cert,
		Credentials: Credentials{BearerToken: "sekrit-token", CertData: cert, KeyData: key}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"sekrit", "CERTIFICATE", "PRIVATE", base64.StdEncoding.EncodeToString(cert)[:20]} {
		if strings.Contains(string(b), leak) || strings.Contains(r.String(), leak) {
			t.Fatalf("%q leaks in %s / %s", leak, b, r)
		}
	}
}

func TestResolveDuplicateNames(t *testing.T) {
	reg := func(name, source string, refused string) Registration {
		return Registration{Name: name, Server: "https://" + source, Source: source, Refused: refused, Credentials: Credentials{BearerToken: "t"}}
	}
	all, byName := resolve([]Registration{
		reg("a", "context a", ""),
		reg("a", "Secret kd/a", ""),
		reg("b", "Secret kd/b-broken", "its config is empty"),
		reg("b", "Secret argocd/b", ""),
	})
	if byName["a"].Source != "context a" || byName["b"].Source != "Secret argocd/b" || len(byName) != 2 {
		t.Fatalf("by name: %v", byName)
	}
	if !strings.Contains(all[1].Refused, `already registered by context a`) || all[1].Credentials.BearerToken != "" {
		t.Fatalf("the second a: %+v", all[1])
	}
	if all[2].Refused != "its config is empty" || !all[3].Usable() {
		t.Fatalf("b: %v", all[2:])
	}
}
