package main

// The image in real runtimes (Debian's, installed by `make runtime`): skopeo reads it, podman and
// containerd load it, and podman runs it with runc under the Helm chart's security context
// against a local API server. Each runtime keeps its configuration and state in the package's
// work folder, removed at the end: the machine's container storage is neither read nor changed
// (but for podman's blob-info cache, which podman 4.3 as root keeps in /var/lib/containers/cache
// whatever its storage root; no flag moves it).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/deploy/helm"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// podmanImage is podman's name for the tarball's kruise-dashboard:test.
const podmanImage = "localhost/kruise-dashboard:test"

// TestRuntimesLoad: skopeo reads the tarball as an OCI image, podman loads it and containerd
// imports and unpacks it, each under the name the tarball gives it.
func TestRuntimesLoad(t *testing.T) {
	_, tarball := builtImage(t)
	needTools(t, "skopeo", "podman", "runc", "containerd", "ctr")

	t.Run("skopeo", func(t *testing.T) {
		env := []string{"TMPDIR=" + work} // it unpacks the archive there
		ref := "oci-archive:" + tarball + ":kruise-dashboard:test"
		var m v1.Manifest
		must(t, json.Unmarshal([]byte(run(t, env, exec.Command("skopeo", "inspect", "--raw", ref))), &m))
		if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 {
			t.Errorf("manifest %+v: want an OCI manifest, an OCI config and one layer", m)
		}
		var cfg v1.ConfigFile
		must(t, json.Unmarshal([]byte(run(t, env, exec.Command("skopeo", "inspect", "--config", ref))), &cfg))
		if cfg.OS != "linux" || cfg.Architecture != "amd64" || cfg.Config.User != User {
			t.Errorf("config: %s/%s user %q", cfg.OS, cfg.Architecture, cfg.Config.User)
		}
	})

	t.Run("podman", func(t *testing.T) {
		loadIntoPodman(t)
		out := strings.TrimSpace(run(t, nil, podmanCmd("image", "inspect", "--format", "{{.Config.User}} {{.Os}}/{{.Architecture}}", podmanImage)))
		if out != User+" linux/amd64" {
			t.Errorf("podman image inspect: %q", out)
		}
	})

	t.Run("containerd", func(t *testing.T) {
		sock := startContainerd(t)
		ctr := func(args ...string) string {
			return run(t, nil, exec.Command("ctr", append([]string{"--address", sock, "--namespace", "kd-image"}, args...)...))
		}
		if out := ctr("images", "import", tarball); !strings.Contains(out, "unpacking kruise-dashboard:test") {
			t.Errorf("ctr images import: %s", out)
		}
		// REF TYPE DIGEST STATUS SIZE UNPACKED
		out := ctr("images", "check")
		if f := strings.Fields(lastLine(out)); len(f) < 6 || f[0] != "kruise-dashboard:test" || f[1] != string(types.OCIManifestSchema1) ||
			!strings.HasPrefix(f[3], "complete") || f[len(f)-1] != "true" {
			t.Errorf("ctr images check: want kruise-dashboard:test complete and unpacked:\n%s", out)
		}
	})
}

// TestRunsAsTheChartRunsIt starts the image in podman (runc) with the chart's pod and container
// security context, environment and volumes as `helm template` renders them (read-only root
// filesystem, user 65532, every capability dropped, no privilege escalation, the default
// seccomp profile, /tmp the only writable place), on the host network against a local API
// server. The dashboard's identity is the "dashboard" test user with only
// configs/clusterrole.yaml and configs/role.yaml, its kubeconfig mounted read-only in place of the
// ServiceAccount's token. It must get ready, refuse an anonymous request, sign a user in with
// a token and answer as that user; and stop cleanly on SIGTERM.
func TestRunsAsTheChartRunsIt(t *testing.T) {
	builtImage(t)
	needTools(t, "podman", "runc")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute) // a cold cache builds the control plane and helm
	defer cancel()
	const ns = "kd-image"
	rendered, err := helm.Template(ctx, "kd", ns)
	must(t, err)
	d := chartDeployment(t, rendered)
	loadIntoPodman(t)

	c, err := localcluster.Start(ctx, localcluster.Options{Dir: t.TempDir()})
	must(t, err)
	t.Cleanup(c.Stop)
	grantRoles(t, ctx, c.Kubeconfig, ns)

	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kube", "kubeconfig")
	writeKubeconfig(t, c, kubeconfig, c.Tokens["dashboard"])
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	httpPort, metricsPort := freePort(t), freePort(t)
	spec := chartContainer(t, d, ns, dir, map[string]string{"session-key": hex.EncodeToString(key)})
	// Out of a cluster: a kubeconfig instead of the ServiceAccount, free ports instead of 8080
	// and 9464 (still on every interface, as the chart's ":8080").
	spec.env["KD_HTTP_ADDR"] = ":" + httpPort
	spec.env["KD_METRICS_ADDR"] = ":" + metricsPort
	spec.env["KD_KUBECONFIG_PATH"] = "/etc/kruise-dashboard/kube/kubeconfig"
	spec.args = append(spec.args, "--volume="+filepath.Dir(kubeconfig)+":/etc/kruise-dashboard/kube:ro")
	spec.readOnly = append(spec.readOnly, "/etc/kruise-dashboard/kube")
	fsGroupOwn(t, filepath.Dir(kubeconfig), spec.fsGroup)

	ctrName := fmt.Sprintf("kd-image-test-%d", os.Getpid())
	// --timeout: conmon kills it even if this test dies without stopping it.
	args := []string{"run", "--rm", "--name=" + ctrName, "--pull=never", "--timeout=600", "--network=host"}
	if parent := cgroupParent(); parent != "" {
		args = append(args, "--cgroup-parent="+parent)
	}
	args = append(args, spec.args...)
	for _, k := range sortedKeys(spec.env) {
		args = append(args, "--env="+k+"="+spec.env[k])
	}
	logPath := filepath.Join(dir, "container.log")
	logFile, err := os.Create(logPath)
	must(t, err)
	defer logFile.Close()
	cmd := podmanCmd(append(args, podmanImage)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = podmanCmd("rm", "--force", ctrName).Run()
			<-exited
		}
	})
	logs := func() string { out, _ := os.ReadFile(logPath); return string(out) }

	base := "http://127.0.0.1:" + httpPort
	anonymous := apiclient.Client{URL: base, HTTP: &http.Client{Timeout: 10 * time.Second}}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("the container exited (%v) before it was ready:\n%s", err, logs())
		default:
		}
		status, _ := anonymous.Raw(http.MethodGet, "/readyz", nil)
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz answered %d after 60s:\n%s", status, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}

	t.Run("the process has the chart's security context", func(t *testing.T) {
		pid := strings.TrimSpace(run(t, nil, podmanCmd("inspect", "--format", "{{.State.Pid}}", ctrName)))
		checkHardened(t, pid, spec)
	})

	t.Run("sign-in is required, and a signed-in user is answered as themselves", func(t *testing.T) {
		if status, e := anonymous.Call(t, http.MethodGet, "/me", nil); status != http.StatusUnauthorized {
			t.Errorf("GET /me without a session: %d %s, want 401", status, e.Code)
		}
		jar, _ := cookiejar.New(nil)
		viewer := apiclient.Client{URL: base, HTTP: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
		if status, body := viewer.Post(t, "/api/v1/auth/login", `{"token":"`+c.Tokens["viewer"]+`"}`); status != http.StatusOK {
			t.Fatalf("sign in: %d %s\n%s", status, body, logs())
		}
		var me struct{ User, Mode string }
		viewer.MustOK(t, http.MethodGet, "/me", &me)
		if me.User != "viewer" || me.Mode != "token" {
			t.Errorf("/me: %+v, want viewer signed in with a token", me)
		}
		// The viewer may list pods in ns only: the dashboard asked the API server as itself
		// (its cache, access reviews) and about the user.
		var names []string
		viewer.MustOK(t, http.MethodGet, "/namespaces", &names)
		if !slices.Equal(names, []string{ns}) {
			t.Errorf("/namespaces as viewer: %v, want [%s]", names, ns)
		}
		// Sign-out is recorded in the chart's ConfigMap, as the dashboard's identity.
		if status, body := viewer.Post(t, "/api/v1/auth/logout", ""); status != http.StatusOK {
			t.Errorf("sign out: %d %s\n%s", status, body, logs())
		}
	})

	// As the kubelet stops a pod: SIGTERM (podman passes it on), and a clean exit.
	must(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("after SIGTERM: %v\n%s", err, logs())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("still running 30s after SIGTERM:\n%s", logs())
	}
}

// container is how the chart runs the dashboard, as podman run arguments.
type container struct {
	args             []string
	env              map[string]string
	uid, gid         int64
	fsGroup          int64
	readOnly, tmpfs  []string // mount points
	capAdd           []corev1.Capability
	noNewPrivileges  bool
	readOnlyRootfs   bool
	seccompFiltering bool
}

func chartDeployment(t *testing.T, rendered string) *appsv1.Deployment {
	t.Helper()
	for _, doc := range strings.Split(rendered, "\n---") {
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err == nil && d.Kind == "Deployment" {
			return &d
		}
	}
	t.Fatalf("no Deployment in the chart's rendering:\n%s", rendered)
	return nil
}

// chartContainer translates the Deployment's pod into podman run arguments: its security
// contexts, its environment (the pod's namespace for a fieldRef), its Secret volumes (written
// under dir with the secrets' items, group-owned by fsGroup as the kubelet does) and emptyDirs
// (tmpfs of the same size limit). A field it does not translate fails the test, so the chart
// cannot harden (or loosen) something this test would not apply.
func chartContainer(t *testing.T, d *appsv1.Deployment, ns, dir string, secrets map[string]string) *container {
	t.Helper()
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 || len(pod.InitContainers) != 0 || pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Fatalf("pod spec: want one container and no host namespaces: %+v", pod)
	}
	k := pod.Containers[0]
	s := &container{env: map[string]string{}}

	psc := pod.SecurityContext
	if psc == nil || psc.RunAsUser == nil || psc.RunAsGroup == nil || psc.FSGroup == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Fatalf("pod securityContext %+v: want a non-root user and group, an fsGroup and seccomp RuntimeDefault", psc)
	}
	s.uid, s.gid, s.fsGroup = *psc.RunAsUser, *psc.RunAsGroup, *psc.FSGroup
	rest := *psc
	rest.RunAsUser, rest.RunAsGroup, rest.FSGroup, rest.RunAsNonRoot, rest.SeccompProfile = nil, nil, nil, nil, nil
	if !reflect.DeepEqual(rest, corev1.PodSecurityContext{}) {
		t.Fatalf("pod securityContext sets %+v, which this test does not translate", rest)
	}
	// RuntimeDefault is the runtime's default seccomp profile: podman's, when none is named.
	s.seccompFiltering = true
	s.args = append(s.args, fmt.Sprintf("--user=%d:%d", s.uid, s.gid), fmt.Sprintf("--group-add=%d", s.fsGroup))

	sc := k.SecurityContext
	if sc == nil {
		t.Fatal("the container has no securityContext")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Fatal("the container is privileged")
	}
	if sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
		// Only the volumes are writable: no tmpfs of podman's own on /run, /tmp, /var/tmp.
		s.readOnlyRootfs = true
		s.args = append(s.args, "--read-only", "--read-only-tmpfs=false")
	}
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		s.noNewPrivileges = true
		s.args = append(s.args, "--security-opt=no-new-privileges")
	}
	if sc.Capabilities != nil {
		for _, c := range sc.Capabilities.Drop {
			s.args = append(s.args, "--cap-drop="+string(c))
		}
		for _, c := range sc.Capabilities.Add {
			s.args = append(s.args, "--cap-add="+string(c))
		}
		s.capAdd = sc.Capabilities.Add
		if !slices.Contains(sc.Capabilities.Drop, "ALL") {
			t.Fatalf("capabilities %+v: this test checks for none but the added ones, which needs drop ALL", sc.Capabilities)
		}
	}
	restC := *sc
	restC.Privileged, restC.ReadOnlyRootFilesystem, restC.AllowPrivilegeEscalation, restC.Capabilities = nil, nil, nil, nil
	if !reflect.DeepEqual(restC, corev1.SecurityContext{}) {
		t.Fatalf("container securityContext sets %+v, which this test does not translate", restC)
	}

	for _, e := range k.Env {
		switch {
		case e.ValueFrom == nil:
			s.env[e.Name] = e.Value
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace":
			s.env[e.Name] = ns
		default:
			t.Fatalf("env %s: %+v is not translated", e.Name, e.ValueFrom)
		}
	}

	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, m := range k.VolumeMounts {
		v := volumes[m.Name]
		switch {
		case v.EmptyDir != nil:
			opt := "rw"
			if v.EmptyDir.SizeLimit != nil {
				opt += ",size=" + strconv.FormatInt(v.EmptyDir.SizeLimit.Value(), 10)
			}
			s.args = append(s.args, "--tmpfs="+m.MountPath+":"+opt)
			s.tmpfs = append(s.tmpfs, m.MountPath)
		case v.Secret != nil && m.ReadOnly && m.SubPath == "":
			host := filepath.Join(dir, m.Name)
			must(t, os.MkdirAll(host, 0o755))
			mode := int32(corev1.SecretVolumeSourceDefaultMode)
			if v.Secret.DefaultMode != nil {
				mode = *v.Secret.DefaultMode
			}
			if len(v.Secret.Items) == 0 {
				t.Fatalf("volume %s: a Secret without items is not translated", m.Name)
			}
			for _, item := range v.Secret.Items {
				value, ok := secrets[item.Key]
				if !ok {
					t.Fatalf("volume %s: no value for the Secret's key %s", m.Name, item.Key)
				}
				itemMode := mode
				if item.Mode != nil {
					itemMode = *item.Mode
				}
				p := filepath.Join(host, item.Path)
				must(t, os.WriteFile(p, []byte(value), 0o600))
				must(t, os.Chmod(p, os.FileMode(itemMode)))
			}
			fsGroupOwn(t, host, s.fsGroup)
			s.args = append(s.args, "--volume="+host+":"+m.MountPath+":ro")
			s.readOnly = append(s.readOnly, m.MountPath)
		default:
			t.Fatalf("volume mount %+v of %+v is not translated", m, v)
		}
	}
	return s
}

// fsGroupOwn gives the folder and its files to group gid, as the kubelet does for a pod's fsGroup.
func fsGroupOwn(t *testing.T, dir string, gid int64) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	must(t, err)
	must(t, os.Chown(dir, -1, int(gid)))
	for _, e := range entries {
		must(t, os.Chown(filepath.Join(dir, e.Name()), -1, int(gid)))
	}
}

// checkHardened reads the container's process from the host's /proc: its ids, capabilities,
// no_new_privs, seccomp mode, and its mounts as it sees them.
func checkHardened(t *testing.T, pid string, s *container) {
	t.Helper()
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	must(t, err)
	status := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			status[k] = strings.Join(strings.Fields(v), " ")
		}
	}
	uid, gid := strconv.FormatInt(s.uid, 10), strconv.FormatInt(s.gid, 10)
	if want := strings.Repeat(uid+" ", 3) + uid; status["Uid"] != want {
		t.Errorf("Uid %q, want %q", status["Uid"], want)
	}
	if want := strings.Repeat(gid+" ", 3) + gid; status["Gid"] != want {
		t.Errorf("Gid %q, want %q", status["Gid"], want)
	}
	if !slices.Contains(strings.Fields(status["Groups"]), strconv.FormatInt(s.fsGroup, 10)) {
		t.Errorf("Groups %q lack the fsGroup %d", status["Groups"], s.fsGroup)
	}
	if len(s.capAdd) == 0 {
		for _, set := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"} {
			if status[set] != "0000000000000000" {
				t.Errorf("%s %s, want no capabilities", set, status[set])
			}
		}
	}
	if s.noNewPrivileges && status["NoNewPrivs"] != "1" {
		t.Errorf("NoNewPrivs %q, want 1", status["NoNewPrivs"])
	}
	if s.seccompFiltering && status["Seccomp"] != "2" {
		t.Errorf("Seccomp %q, want 2 (a filter)", status["Seccomp"])
	}

	raw, err = os.ReadFile("/proc/" + pid + "/mountinfo")
	must(t, err)
	type mount struct{ opts, fstype string }
	mounts := map[string]mount{} // the last one at a point is the one in effect
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		before, after, _ := strings.Cut(line, " - ")
		f, g := strings.Fields(before), strings.Fields(after)
		if len(f) >= 6 && len(g) >= 1 {
			mounts[f[4]] = mount{opts: f[5], fstype: g[0]}
		}
	}
	ro := func(m mount) bool { return slices.Contains(strings.Split(m.opts, ","), "ro") }
	if s.readOnlyRootfs && !ro(mounts["/"]) {
		t.Errorf("/ is mounted %q, want read-only", mounts["/"].opts)
	}
	for _, p := range s.readOnly {
		if m, ok := mounts[p]; !ok || !ro(m) {
			t.Errorf("%s mounted %+v, want read-only", p, m)
		}
	}
	for _, p := range s.tmpfs {
		if m := mounts[p]; m.fstype != "tmpfs" || ro(m) {
			t.Errorf("%s mounted %+v, want a writable tmpfs", p, m)
		}
	}
}

// grantRoles gives the "dashboard" test user configs/clusterrole.yaml, and configs/role.yaml in
// ns (as the chart binds them to its ServiceAccount), and the "viewer" user the right to list
// pods in ns.
func grantRoles(t *testing.T, ctx context.Context, kubeconfig, ns string) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(t, err)
	kube, err := kubernetes.NewForConfig(cfg)
	must(t, err)
	read := func(file string, into any) {
		data, err := os.ReadFile(filepath.Join("..", "..", "configs", file))
		must(t, err)
		must(t, yaml.UnmarshalStrict(data, into))
	}
	user := func(name string) []rbacv1.Subject {
		return []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}}
	}
	_, err = kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	var cr rbacv1.ClusterRole
	read("clusterrole.yaml", &cr)
	_, err = kube.RbacV1().ClusterRoles().Create(ctx, &cr, metav1.CreateOptions{})
	must(t, err)
	_, err = kube.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: cr.Name},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: cr.Name}, Subjects: user("dashboard")}, metav1.CreateOptions{})
	must(t, err)
	var role rbacv1.Role
	read("role.yaml", &role)
	// The chart names the sign-outs' ConfigMap after its release ("kd") and creates it.
	for i := range role.Rules {
		for j, name := range role.Rules[i].ResourceNames {
			if name == "kruise-dashboard-sessions" {
				role.Rules[i].ResourceNames[j] = "kd-kruise-dashboard-sessions"
			}
		}
	}
	_, err = kube.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kd-kruise-dashboard-sessions"}}, metav1.CreateOptions{})
	must(t, err)
	viewer := rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "viewer"}, Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}}}
	for r, subject := range map[*rbacv1.Role]string{&role: "dashboard", &viewer: "viewer"} {
		_, err = kube.RbacV1().Roles(ns).Create(ctx, r, metav1.CreateOptions{})
		must(t, err)
		_, err = kube.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: r.Name},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: r.Name}, Subjects: user(subject)}, metav1.CreateOptions{})
		must(t, err)
	}
}

// writeKubeconfig writes a kubeconfig for the API server with token, the CA inlined (the
// container sees only this file).
func writeKubeconfig(t *testing.T, c *localcluster.Cluster, path, token string) {
	t.Helper()
	ca, err := os.ReadFile(filepath.Join(c.Dir, "ca.crt"))
	must(t, err)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: ca}
	cfg.AuthInfos["dashboard"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "dashboard"}
	cfg.CurrentContext = "local"
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, clientcmd.WriteToFile(*cfg, path))
	must(t, os.Chmod(path, 0o440)) // readable by the fsGroup (fsGroupOwn), as a Secret would be
}

// Podman runs with a configuration and storage of its own under work.
var podmanState struct {
	once sync.Once
	err  error
}

// containersConf: podman's default RLIMIT_NOFILE ulimit cannot be set on these machines; crun
// (podman's default runtime) refuses their v1/hybrid cgroups, runc runs there.
const containersConf = `[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`

// podmanCmd is podman with the test's own configuration, storage, run root and temporary files.
// The storage lives for one run of the package: the image changes with every change of the code
// and loads in about 2 s, and an empty base has nothing worth keeping; a shared store would also
// mix the images of concurrent runs. Storage driver vfs: no overlay mounts are left on the host
// by a test that is killed.
func podmanCmd(args ...string) *exec.Cmd {
	dir := filepath.Join(work, "podman")
	global := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run"),
		"--tmpdir", filepath.Join(dir, "tmp"), "--storage-driver", "vfs"}
	cmd := exec.Command("podman", append(global, args...)...)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+filepath.Join(dir, "containers.conf"), "TMPDIR="+filepath.Join(dir, "tmp"))
	return cmd
}

// loadIntoPodman loads the image into the test's podman storage, once.
func loadIntoPodman(t *testing.T) {
	t.Helper()
	_, tarball := builtImage(t)
	podmanState.once.Do(func() {
		dir := filepath.Join(work, "podman")
		if podmanState.err = os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); podmanState.err != nil {
			return
		}
		if podmanState.err = os.WriteFile(filepath.Join(dir, "containers.conf"), []byte(containersConf), 0o644); podmanState.err != nil {
			return
		}
		out, err := podmanCmd("load", "--input", tarball).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Loaded image: "+podmanImage) {
			podmanState.err = fmt.Errorf("podman load: %v\n%s", err, out)
		}
	})
	if podmanState.err != nil {
		t.Fatal(podmanState.err)
	}
}

// cgroupParent is a cgroup below the test's own (its v1 memory cgroup's path, in every
// hierarchy), so that the container is accounted with the test rather than in podman's
// libpod_parent at the top of every hierarchy; cleanUpRuntimes removes it. Empty where there is
// no v1 memory hierarchy: podman's default then.
func cgroupParent() string {
	raw, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.SplitN(line, ":", 3); len(f) == 3 && f[1] == "memory" {
			return filepath.Join(f[2], fmt.Sprintf("kd-image-test-%d", os.Getpid()))
		}
	}
	return ""
}

// cleanUpRuntimes removes the cgroups the container ran in (podman leaves the parent and its
// conmon child behind), deepest first.
func cleanUpRuntimes() {
	parent := cgroupParent()
	if parent == "" {
		return
	}
	roots, _ := filepath.Glob("/sys/fs/cgroup/*" + parent)
	for _, root := range roots {
		var dirs []string
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			if err := syscall.Rmdir(dirs[i]); err != nil {
				fmt.Fprintln(os.Stderr, "remove cgroup", dirs[i]+":", err)
			}
		}
	}
}

// startContainerd runs containerd as root with its root, state, temporary files and socket under
// work (no Kubernetes CRI plugin), until the test ends, and returns its socket.
func startContainerd(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(work, "containerd")
	must(t, os.MkdirAll(dir, 0o700))
	sock := filepath.Join(dir, "containerd.sock")
	conf := fmt.Sprintf(`version = 2
root = %q
state = %q
temp = %q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %q

[plugins."io.containerd.internal.v1.opt"]
  path = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), filepath.Join(dir, "tmp"), sock, filepath.Join(dir, "opt"))
	must(t, os.MkdirAll(filepath.Join(dir, "tmp"), 0o700))
	must(t, os.WriteFile(filepath.Join(dir, "config.toml"), []byte(conf), 0o600))
	logPath := filepath.Join(dir, "containerd.log")
	logFile, err := os.Create(logPath)
	must(t, err)
	cmd := exec.Command("containerd", "--config", filepath.Join(dir, "config.toml"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
	})
	deadline := time.Now().Add(20 * time.Second)
	for exec.Command("ctr", "--address", sock, "version").Run() != nil {
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			log, _ := os.ReadFile(logPath)
			t.Fatalf("containerd exited: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("containerd not answering after 20s:\n%s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return sock
}

// needTools fails the test when a runtime is missing (make test installs them first) or it is
// not run as root, as podman and containerd are here.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("runs podman and containerd as root: run the tests as root")
	}
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Fatalf("%s is not installed: run `make runtime` as root (make test does)", n)
		}
	}
}

// run runs cmd (with env added) and returns its standard output, failing the test with its
// standard error.
func run(t *testing.T, env []string, cmd *exec.Cmd) string {
	t.Helper()
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(cmd.Args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// freePort is a TCP port free on every interface.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	must(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
