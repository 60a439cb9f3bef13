package clusters

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// FromKubeconfig is a registration for each context of cfg (only, when not empty, the contexts
// named in only), by context name, sorted. path names the file in Source. Files the kubeconfig
// refers to (certificates, a token file) are read now.
func FromKubeconfig(cfg *clientcmdapi.Config, path string, only []string) []Registration {
	names := make([]string, 0, len(cfg.Contexts))
	if len(only) > 0 {
		names = append(names, only...)
	} else {
		for name := range cfg.Contexts {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := make([]Registration, 0, len(names))
	for _, name := range names {
		out = append(out, fromContext(cfg, path, name))
	}
	return out
}

// LoadKubeconfig reads a kubeconfig file and registers its contexts as FromKubeconfig does.
func LoadKubeconfig(path string, only []string) ([]Registration, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig %s: %w", path, err)
	}
	return FromKubeconfig(cfg, path, only), nil
}

func fromContext(cfg *clientcmdapi.Config, path, name string) Registration {
	r := Registration{Name: name, Origin: OriginKubeconfig, Source: fmt.Sprintf("context %q of %s", name, path), Context: name}
	ctx, ok := cfg.Contexts[name]
	if !ok {
		r.Refused = "the kubeconfig has no such context"
		return finish(r)
	}
	cluster, ok := cfg.Clusters[ctx.Cluster]
	if !ok {
		r.Refused = fmt.Sprintf("its context names cluster %q, which the kubeconfig does not have", ctx.Cluster)
		return finish(r)
	}
	r.Server = cluster.Server
	user, ok := cfg.AuthInfos[ctx.AuthInfo]
	if !ok {
		r.Refused = fmt.Sprintf("its context names user %q, which the kubeconfig does not have", ctx.AuthInfo)
		return finish(r)
	}
	if why := unusableUser(user); why != "" {
		r.Refused = why
		return finish(r)
	}
	if cluster.ProxyURL != "" {
		r.Refused = "it goes through a proxy (proxy-url), which the dashboard does not use"
		return finish(r)
	}
	if cluster.InsecureSkipTLSVerify {
		r.Refused = insecureRefusal
		return finish(r)
	}
	// clientcmd resolves the context as kubectl would, reading the files it names.
	rc, err := clientcmd.NewNonInteractiveClientConfig(*cfg, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		r.Refused = fmt.Sprintf("its context cannot be read: %v", err)
		return finish(r)
	}
	if err := rest.LoadTLSFiles(rc); err != nil {
		r.Refused = fmt.Sprintf("its certificate files cannot be read: %v", err)
		return finish(r)
	}
	r.Server, r.CAData, r.TLSServerName = rc.Host, rc.CAData, rc.ServerName
	r.Credentials = Credentials{BearerToken: strings.TrimSpace(rc.BearerToken), TokenFile: rc.BearerTokenFile, CertData: rc.CertData, KeyData: rc.KeyData}
	return finish(r)
}

// insecureRefusal is why a registration that skips TLS verification is not used: the dashboard
// sends its own credential, and people's identities, to whoever answers.
const insecureRefusal = "it skips verifying the server's certificate (insecure); the dashboard sends its credential and people's identities only to a server it verified"

// unusableUser is why a kubeconfig user cannot be the dashboard's credential, or "": the
// dashboard runs no credential plugins, and it impersonates people itself.
func unusableUser(u *clientcmdapi.AuthInfo) string {
	switch {
	case u.Exec != nil:
		return fmt.Sprintf("its user gets credentials from an exec plugin (%s), which the dashboard does not run", u.Exec.Command)
	case u.AuthProvider != nil:
		return fmt.Sprintf("its user gets credentials from the %q auth provider, which the dashboard does not run", u.AuthProvider.Name)
	case u.Username != "" || u.Password != "":
		return "its user signs in with a username and password, which the dashboard does not use"
	case u.Impersonate != "" || len(u.ImpersonateGroups) > 0 || len(u.ImpersonateUserExtra) > 0 || u.ImpersonateUID != "":
		return "its user impersonates another (as), which would stand in the way of the dashboard acting as each signed-in person"
	}
	return ""
}
