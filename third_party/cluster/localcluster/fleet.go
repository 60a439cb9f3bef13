package localcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"
)

// A local fleet (docs/fleet-design.md §7): the home cluster, exactly as Start starts it,
// and Fleet-1 member control planes beside it, each in <dir>/member-<i> with its own etcd,
// kube-apiserver, CA, serving certificate and token file (the same TestUsers with other tokens),
// on free loopback ports, with the same CRDs as home. The fleet writes
//
//	<dir>/fleet.kubeconfig           a context per cluster: "home" (current), "member-2", …; admin credentials
//	<dir>/cluster-secrets/member-<i>.yaml         the dashboard's cluster Secret of each member
//	<dir>/cluster-secrets/argocd-member-<n>.yaml  an Argo CD cluster Secret of the last member
//
// The Secrets carry FleetAdminUser's token of their member and no namespace: apply them with
// `kubectl -n <namespace> apply -f` where the dashboard (or Argo CD) reads cluster Secrets. The
// Argo CD one registers the last member under another name (member-<n>-argocd), so the whole
// folder can be applied at once without a name registered twice.

// FleetAdminUser is a static token user of group system:masters on every local cluster: the
// dashboard's own credential in a fleet's cluster Secrets (it may impersonate anyone there, as the
// dashboard's credential on a registered cluster must). Its token is Cluster.AdminToken.
const FleetAdminUser = "kruise-dashboard-fleet"

// HomeContext is the home cluster's context in fleet.kubeconfig (the current one).
const HomeContext = "home"

// MemberName is the name of the i-th cluster of a fleet (i ≥ 2; the home is the first): its
// directory under the home's, its context in fleet.kubeconfig and its name in the cluster Secrets.
func MemberName(i int) string { return "member-" + strconv.Itoa(i) }

// Label values of the Secrets a fleet writes.
const (
	clusterSecretLabel = "kruise-dashboard.io/cluster" // data/clusters.DefaultSecretSelector
	argoCDSecretLabel  = "argocd.argoproj.io/secret-type"
)

// Fleet is a running local fleet.
type Fleet struct {
	// Home is the home cluster (the options' Dir).
	Home *Cluster
	// Members are member-2 … member-n, in order.
	Members []*Cluster
	// Live is the member that runs the controllers (member-2 with Options.FleetLive), or nil.
	Live *Cluster
	// Kubeconfig is <dir>/fleet.kubeconfig; SecretsDir <dir>/cluster-secrets.
	Kubeconfig string
	SecretsDir string
}

// MemberOptions are a member control plane's, started alone by StartMember.
type MemberOptions struct {
	// Dir holds its state, as Options.Dir.
	Dir string
	// SkipCRDs leaves the OpenKruise and Rollout CRDs out (ignored when Live).
	SkipCRDs bool
	// Live also runs the controller-manager, the scheduler, kwok fake nodes and the Kruise
	// Rollouts manager (a Deployment canary runs and waits for approval there).
	Live bool
}

// StartMember starts one member control plane: etcd and kube-apiserver, the CRDs unless
// SkipCRDs, and with Live the controllers a Deployment canary needs. A bare member is what
// Start(ctx, Options{Dir: dir}) starts; Live adds the Rollouts stack without OpenKruise's.
func StartMember(ctx context.Context, opts MemberOptions) (*Cluster, error) {
	bin, err := buildBinaries(ctx, opts.Live)
	if err != nil {
		return nil, err
	}
	if err := clearDir(opts.Dir); err != nil {
		return nil, err
	}
	return startWithRetry(ctx, memberSpec(opts), bin)
}

func memberSpec(opts MemberOptions) spec {
	sp := spec{dir: opts.Dir, crds: !opts.SkipCRDs || opts.Live}
	if opts.Live {
		sp.stack = rolloutsStack
	}
	return sp
}

// StartFleet starts the home cluster as Start does with opts, and opts.Fleet-1 members beside
// it, all at once; member-2 is live with opts.FleetLive. The members have the home's CRDs (none
// with SkipCRDs, unless live). It then writes fleet.kubeconfig and the cluster Secrets. Stop it
// with Stop or Down(opts.Dir).
func StartFleet(ctx context.Context, opts Options) (*Fleet, error) {
	n := max(opts.Fleet, 1)
	live := opts.FleetLive && n >= 2
	bin, err := buildBinaries(ctx, opts.Full || live)
	if err != nil {
		return nil, err
	}
	if err := clearDir(opts.Dir); err != nil {
		return nil, err
	}
	home := spec{dir: opts.Dir, crds: !opts.SkipCRDs || opts.Full}
	if opts.Full {
		home.stack = fullStack
	}
	specs := []spec{home}
	for i := 2; i <= n; i++ {
		specs = append(specs, memberSpec(MemberOptions{Dir: filepath.Join(opts.Dir, MemberName(i)), SkipCRDs: !home.crds, Live: live && i == 2}))
	}
	started := make([]*Cluster, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, sp := range specs {
		wg.Go(func() {
			started[i], errs[i] = startWithRetry(ctx, sp, bin)
			if errs[i] != nil && i > 0 {
				errs[i] = fmt.Errorf("%s: %w", MemberName(i+1), errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		Down(opts.Dir)
		return nil, err
	}
	f := &Fleet{Home: started[0], Members: started[1:], Kubeconfig: FleetKubeconfig(opts.Dir), SecretsDir: filepath.Join(opts.Dir, "cluster-secrets")}
	if live {
		f.Live = f.Members[0]
	}
	if err := f.writeKubeconfig(); err != nil {
		f.Stop()
		return nil, err
	}
	if err := f.writeSecrets(); err != nil {
		f.Stop()
		return nil, err
	}
	return f, nil
}

// FleetKubeconfig is the fleet kubeconfig of the fleet whose home is in dir.
func FleetKubeconfig(dir string) string { return filepath.Join(dir, "fleet.kubeconfig") }

// Stop stops every cluster of the fleet.
func (f *Fleet) Stop() { Down(f.Home.Dir) }

// Names are the clusters' names (contexts of fleet.kubeconfig): "home", then the members'.
func (f *Fleet) Names() []string {
	names := []string{HomeContext}
	for i := range f.Members {
		names = append(names, MemberName(i+2))
	}
	return names
}

// Cluster is the cluster of that name (see Names), or nil.
func (f *Fleet) Cluster(name string) *Cluster {
	if name == HomeContext {
		return f.Home
	}
	for i, m := range f.Members {
		if MemberName(i+2) == name {
			return m
		}
	}
	return nil
}

// writeKubeconfig writes fleet.kubeconfig: per cluster a cluster, a user (its admin client
// certificate) and a context of the same name; the home's is current.
func (f *Fleet) writeKubeconfig() error {
	cfg := clientcmdapi.NewConfig()
	for _, name := range f.Names() {
		c := f.Cluster(name)
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthority: filepath.Join(c.Dir, "ca.crt")}
		cfg.AuthInfos[name] = adminAuth(c.Dir)
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	cfg.CurrentContext = HomeContext
	if err := clientcmd.WriteToFile(*cfg, f.Kubeconfig); err != nil {
		return fmt.Errorf("write fleet kubeconfig: %w", err)
	}
	return nil
}

// argoCDConfig is the config of an Argo CD cluster Secret, as Argo CD writes it (its byte
// fields are base64 in the JSON).
type argoCDConfig struct {
	BearerToken     string `json:"bearerToken"`
	TLSClientConfig struct {
		Insecure bool   `json:"insecure"`
		CAData   []byte `json:"caData"`
	} `json:"tlsClientConfig"`
}

// writeSecrets writes the cluster Secrets: the dashboard's for each member, Argo CD's for the last.
func (f *Fleet) writeSecrets() error {
	if err := os.MkdirAll(f.SecretsDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", f.SecretsDir, err)
	}
	for i, m := range f.Members {
		name := MemberName(i + 2)
		s := secret(name, clusterSecretLabel, "true", map[string][]byte{
			"name": []byte(name), "server": []byte(m.Server), "ca.crt": m.caPEM, "token": []byte(m.AdminToken),
		})
		if err := writeManifest(filepath.Join(f.SecretsDir, name+".yaml"), s); err != nil {
			return err
		}
	}
	if len(f.Members) == 0 {
		return nil
	}
	last := f.Members[len(f.Members)-1]
	name := MemberName(len(f.Members)+1) + "-argocd"
	var cfg argoCDConfig
	cfg.BearerToken, cfg.TLSClientConfig.CAData = last.AdminToken, last.caPEM
	raw, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encode Argo CD cluster config: %w", err)
	}
	s := secret(name, argoCDSecretLabel, "cluster", map[string][]byte{"name": []byte(name), "server": []byte(last.Server), "config": raw})
	return writeManifest(filepath.Join(f.SecretsDir, "argocd-"+MemberName(len(f.Members)+1)+".yaml"), s)
}

func secret(name, label, value string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{label: value}},
		Type:       corev1.SecretTypeOpaque, Data: data,
	}
}

func writeManifest(path string, obj any) error {
	raw, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// memberDirs are the member directories of a fleet whose home is in dir, in member order.
func memberDirs(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var nums []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "member-"); ok && e.IsDir() {
			if i, err := strconv.Atoi(n); err == nil {
				nums = append(nums, i)
			}
		}
	}
	sort.Ints(nums)
	out := make([]string, len(nums))
	for k, i := range nums {
		out[k] = filepath.Join(dir, MemberName(i))
	}
	return out
}

// removeFleetFiles removes what a previous fleet in dir wrote (its members are stopped).
func removeFleetFiles(dir string) error {
	for _, p := range append(memberDirs(dir), FleetKubeconfig(dir), filepath.Join(dir, "cluster-secrets")) {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("remove a previous fleet's %s: %w", p, err)
		}
	}
	return nil
}
