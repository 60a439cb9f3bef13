package localcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options choose where the cluster keeps its state and what it installs.
type Options struct {
	// Dir holds certificates, logs, PID files, etcd data and kubeconfigs. Created if missing.
	Dir string
	// SkipCRDs leaves the OpenKruise and Rollout CRDs out (to test a cluster without them).
	SkipCRDs bool
	// Full also starts kube-controller-manager, kube-scheduler, kwok fake nodes, and the
	// OpenKruise and Kruise Rollout managers (see live.go).
	Full bool
	// Fleet (StartFleet only) is the number of clusters: the home one (the options above) and
	// Fleet-1 members beside it (see fleet.go). 0 or 1: the home cluster alone.
	Fleet int
	// FleetLive (StartFleet only): member-2 also runs what a Deployment canary needs — the
	// controller-manager, the scheduler, kwok fake nodes and the Kruise Rollouts manager.
	FleetLive bool
}

// Cluster is a running local control plane.
type Cluster struct {
	// Dir is the state directory; Kubeconfig the admin kubeconfig inside it.
	Dir        string
	Kubeconfig string
	// Server is the API server's https URL.
	Server string
	// Tokens maps each test user to its bearer token (see TokenKubeconfig).
	Tokens map[string]string
	// AdminToken is the bearer token of FleetAdminUser (group system:masters), the credential
	// of the cluster Secrets a fleet writes (see fleet.go).
	AdminToken string
	// PrometheusURL is the Prometheus server of the demo's simulated traffic (Full only; see
	// metrics.go), also written to <Dir>/prometheus.url.
	PrometheusURL string

	etcd, apiserver *process
	live            []*process
	trafficsim      *process
	prometheus      *process
	stack           stack
	etcdURL         string
	caPEM           []byte
	admin           *keyPair
}

// TestUsers are the users in the API server's token file. They have no permissions until a
// test binds them; the group lets one binding cover them all. "dashboard" is for running the
// dashboard itself with only the minimal ClusterRole of configs/clusterrole.yaml.
var TestUsers = []string{"viewer", "approver", "editor", "nobody", "dashboard"}

// auditPolicy records who changed what (Metadata of every write, with the impersonated user),
// leaving out the controllers' lease and event churn.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  resources:
  - {group: "coordination.k8s.io", resources: ["leases"]}
  - {group: "", resources: ["events"]}
- level: Metadata
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`

// TestUsersGroup is the group every test user belongs to.
const TestUsersGroup = "kruise-dashboard:test-users"

// Components in start order; Down stops them in reverse, so the Kruise managers (whose pod
// webhook fails closed) stop before anything else and nothing is left unable to create pods.
var components = append(append([]string{"etcd", "kube-apiserver"}, liveComponents...), metricsComponents...)

// Start builds (once) and starts etcd and kube-apiserver on free loopback ports, waits for the
// API server to be ready and installs the CRDs. Stop it with Stop or Down(dir). A cluster started
// in a directory of its own is independent of any other (its own ports, CA and tokens): tests
// start a second bare control plane beside the home one this way, or with StartMember.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	bin, err := buildBinaries(ctx, opts.Full)
	if err != nil {
		return nil, err
	}
	if err := clearDir(opts.Dir); err != nil {
		return nil, err
	}
	st := stack{}
	if opts.Full {
		st = fullStack
	}
	return startWithRetry(ctx, spec{dir: opts.Dir, crds: !opts.SkipCRDs || opts.Full, stack: st}, bin)
}

// spec is one control plane to start: its directory, whether it gets the CRDs, and what runs
// beside etcd and kube-apiserver.
type spec struct {
	dir   string
	crds  bool
	stack stack
}

// startWithRetry starts sp. Ports are picked free and bound a moment later by the component;
// another process (a test package running in parallel) can take one in between. Start again
// with fresh ports then.
func startWithRetry(ctx context.Context, sp spec, bin string) (*Cluster, error) {
	for attempt := 1; ; attempt++ {
		c, err := start(ctx, sp, bin)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			return c, err
		}
	}
}

// clearDir creates dir and stops whatever ran there before, a previous fleet's members
// included, and removes what a previous fleet wrote.
func clearDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create cluster dir: %w", err)
	}
	Down(dir)
	return removeFleetFiles(dir)
}

func start(ctx context.Context, sp spec, bin string) (*Cluster, error) {
	if err := os.MkdirAll(sp.dir, 0o700); err != nil {
		return nil, fmt.Errorf("create cluster dir: %w", err)
	}
	// Every start is a fresh cluster: stop a previous instance in the same dir and drop its data.
	downOne(sp.dir)
	if err := os.RemoveAll(filepath.Join(sp.dir, "etcd-data")); err != nil {
		return nil, fmt.Errorf("remove old etcd data: %w", err)
	}
	c := &Cluster{Dir: sp.dir, Kubeconfig: filepath.Join(sp.dir, "kubeconfig"), Tokens: map[string]string{}, stack: sp.stack}
	if err := c.writeCredentials(); err != nil {
		return nil, err
	}
	if err := c.startEtcd(ctx, bin); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.configureAPIServer(bin); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.StartAPIServer(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.writeKubeconfig(c.Kubeconfig, adminAuth(c.Dir)); err != nil {
		c.Stop()
		return nil, err
	}
	if sp.crds {
		if err := InstallCRDs(ctx, c.Kubeconfig); err != nil {
			c.Stop()
			return nil, err
		}
	}
	if sp.stack.any() {
		if err := c.startLive(ctx, bin); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

func buildBinaries(ctx context.Context, full bool) (string, error) {
	args := []string{filepath.Join(sourceDir(), "..", "build.sh")}
	if full {
		args = append(args, "full")
	}
	// What is being built, and roughly how long, goes to stderr as it happens (a first run builds
	// for minutes).
	cmd := exec.CommandContext(ctx, "bash", args...)
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(os.Stderr, &stderr)
	raw, err := cmd.Output()
	out := string(raw)
	if err != nil {
		return "", fmt.Errorf("build control plane: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1], nil
}

// DefaultDir is where `make cluster-up` keeps the cluster's state.
func DefaultDir() string { return filepath.Join(cacheDir(), "cluster") }

// SourceDir is this package's directory, from which the scripts beside it are found.
func SourceDir() string { return sourceDir() }

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

func versions() map[string]string {
	raw, _ := os.ReadFile(filepath.Join(sourceDir(), "..", "versions.sh"))
	v := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, val, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") && !strings.Contains(val, "$") {
			v[k] = val
		}
	}
	return v
}

func (c *Cluster) writeCredentials() error {
	ca, err := newCA()
	if err != nil {
		return err
	}
	serving, err := ca.serving()
	if err != nil {
		return err
	}
	admin, err := ca.client("kruise-dashboard-admin", "system:masters")
	if err != nil {
		return err
	}
	sa, err := sign(&x509.Certificate{}, nil)
	if err != nil {
		return err
	}
	for name, kp := range map[string]*keyPair{"ca": ca, "apiserver": serving, "admin": admin, "sa": sa} {
		if err := kp.write(c.Dir, name); err != nil {
			return err
		}
	}
	pub, err := sa.publicKeyPEM()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "sa.pub"), pub, 0o600); err != nil {
		return fmt.Errorf("write sa.pub: %w", err)
	}
	var tokens strings.Builder
	for i, user := range TestUsers {
		c.Tokens[user] = newToken()
		fmt.Fprintf(&tokens, "%s,%s,%d,%q\n", c.Tokens[user], user, 1000+i, TestUsersGroup)
	}
	c.AdminToken = newToken()
	fmt.Fprintf(&tokens, "%s,%s,%d,%q\n", c.AdminToken, FleetAdminUser, 999, "system:masters")
	if err := os.WriteFile(filepath.Join(c.Dir, "tokens.csv"), []byte(tokens.String()), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "audit-policy.yaml"), []byte(auditPolicy), 0o600); err != nil {
		return fmt.Errorf("write audit policy: %w", err)
	}
	c.caPEM, c.admin = ca.certPEM(), admin
	return nil
}

func (c *Cluster) startEtcd(ctx context.Context, bin string) error {
	clientPort, err := freePort()
	if err != nil {
		return err
	}
	peerPort, err := freePort()
	if err != nil {
		return err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	c.etcdURL = clientURL
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	v := versions()
	c.etcd = &process{name: "etcd", dir: c.Dir, bin: filepath.Join(bin, "etcd-"+v["ETCD_VERSION"]), args: []string{
		"--name=default", "--data-dir=" + filepath.Join(c.Dir, "etcd-data"),
		"--listen-client-urls=" + clientURL, "--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL, "--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=default=" + peerURL,
		"--unsafe-no-fsync", // a throwaway cluster: durability is not worth the disk latency
		"--quota-backend-bytes=8589934592",
	}}
	if err := c.etcd.start(); err != nil {
		return err
	}
	return waitFor(ctx, "etcd health", 30*time.Second, c.etcd, func() error {
		return httpOK(http.DefaultClient, clientURL+"/health")
	})
}

func (c *Cluster) configureAPIServer(bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.Server = "https://127.0.0.1:" + strconv.Itoa(port)
	f := func(name string) string { return filepath.Join(c.Dir, name) }
	c.apiserver = &process{name: "kube-apiserver", dir: c.Dir, bin: filepath.Join(bin, "kube-apiserver-"+versions()["KUBE_VERSION"]), args: []string{
		"--etcd-servers=" + c.etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + f("apiserver.crt"), "--tls-private-key-file=" + f("apiserver.key"),
		"--client-ca-file=" + f("ca.crt"), "--token-auth-file=" + f("tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + f("sa.pub"), "--service-account-signing-key-file=" + f("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24", "--allow-privileged=true",
		"--authorization-mode=Node,RBAC",
		"--audit-policy-file=" + f("audit-policy.yaml"), "--audit-log-path=" + c.AuditLog(),
		"--audit-log-maxsize=100", "--audit-log-maxbackup=1",
		"--disable-admission-plugins=" + disabledAdmission(c.stack.controllers),
		"--enable-priority-and-fairness=false", // the benchmarks create thousands of objects quickly
		"--max-requests-inflight=2000", "--max-mutating-requests-inflight=1000",
	}}
	return nil
}

// disabledAdmission: without a controller-manager nothing creates the default ServiceAccount,
// which the ServiceAccount admission plugin requires of every pod.
func disabledAdmission(controllerManager bool) string {
	if controllerManager {
		return ""
	}
	return "ServiceAccount"
}

// StartAPIServer (re)starts kube-apiserver on its port and waits until /readyz answers.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	if err := c.apiserver.start(); err != nil {
		return err
	}
	client := c.adminHTTP()
	return waitFor(ctx, "kube-apiserver /readyz", 90*time.Second, c.apiserver, func() error {
		return httpOK(client, c.Server+"/readyz")
	})
}

// FreezeAPIServer stops (SIGSTOP) or continues (SIGCONT) kube-apiserver: a server that accepts
// connections and never answers, the outage a timeout has to catch.
func (c *Cluster) FreezeAPIServer(frozen bool) error {
	sig := syscall.SIGCONT
	if frozen {
		sig = syscall.SIGSTOP
	}
	if err := c.apiserver.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal kube-apiserver: %w", err)
	}
	return nil
}

// AuditLog is the API server's audit log (JSON lines; writes at Metadata level).
func (c *Cluster) AuditLog() string { return filepath.Join(c.Dir, "audit.log") }

// StopAPIServer kills only kube-apiserver, as a crash would, leaving etcd and its data (to
// test an outage).
func (c *Cluster) StopAPIServer() error {
	return stopPID(c.Dir, "kube-apiserver", 0)
}

// Stop stops every component of this cluster (and of the members of a fleet whose home it is).
func (c *Cluster) Stop() { Down(c.Dir) }

// Down stops the cluster whose state is in dir, by the PIDs it recorded, in reverse start order,
// and the members of a fleet started there (<dir>/member-<i>).
func Down(dir string) {
	for _, m := range memberDirs(dir) {
		downOne(m)
	}
	downOne(dir)
}

func downOne(dir string) {
	for i := len(components) - 1; i >= 0; i-- {
		_ = stopPID(dir, components[i], 20*time.Second)
	}
}

// Status reports each component of the cluster in dir: running (with its PID) or not, and where
// its log is. A component that crashed is "exited"; one never started is left out. The
// components of a fleet's members follow, named "member-<i>/<component>".
func Status(dir string) []ComponentStatus {
	out := statusOne(dir, "")
	for _, m := range memberDirs(dir) {
		out = append(out, statusOne(m, filepath.Base(m)+"/")...)
	}
	return out
}

func statusOne(dir, prefix string) []ComponentStatus {
	var out []ComponentStatus
	for _, name := range components {
		raw, err := os.ReadFile(filepath.Join(dir, name+".pid"))
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
		st := ComponentStatus{Name: prefix + name, PID: pid, Log: filepath.Join(dir, name+".log"), Running: pid > 0 && !gone(pid)}
		out = append(out, st)
	}
	return out
}

// ComponentStatus is one line of Status.
type ComponentStatus struct {
	Name    string
	PID     int
	Running bool
	Log     string
}

func (c *Cluster) adminHTTP() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.caPEM)
	cert, _ := tls.X509KeyPair(c.admin.certPEM(), c.admin.keyPEM())
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}
}

func httpOK(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}

func adminAuth(dir string) *clientcmdapi.AuthInfo {
	return &clientcmdapi.AuthInfo{
		ClientCertificate: filepath.Join(dir, "admin.crt"),
		ClientKey:         filepath.Join(dir, "admin.key"),
	}
}

// TokenKubeconfig writes a kubeconfig that authenticates with token (a test user's, or any
// string to test a rejected credential) and returns its path.
func (c *Cluster) TokenKubeconfig(name, token string) (string, error) {
	path := filepath.Join(c.Dir, "kubeconfig-"+name)
	return path, c.writeKubeconfig(path, &clientcmdapi.AuthInfo{Token: token})
}

func (c *Cluster) writeKubeconfig(path string, auth *clientcmdapi.AuthInfo) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthority: filepath.Join(c.Dir, "ca.crt")}
	cfg.AuthInfos["user"] = auth
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "user"}
	cfg.CurrentContext = "local"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

// newToken is a random bearer token.
func newToken() string {
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
