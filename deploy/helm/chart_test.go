package helm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

func helmOrSkip(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("builds helm from the Go module proxy (once, cached): run without -short")
	}
	// Building waits on the cache lock behind the control-plane binaries a cold run builds at once.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	t.Cleanup(cancel)
	if _, err := Binary(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// rendered is a rendering split into its objects, keyed "Kind/name".
type rendered map[string][]byte

func render(t *testing.T, ctx context.Context, set ...string) rendered {
	t.Helper()
	out, err := Template(ctx, "kd", "kd-ns", set...)
	if err != nil {
		t.Fatal(err)
	}
	return split(t, out)
}

func split(t *testing.T, out string) rendered {
	t.Helper()
	objs := rendered{}
	for _, doc := range strings.Split(out, "\n---") {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, doc)
		}
		if meta.Kind != "" {
			objs[meta.Kind+"/"+meta.Metadata.Name] = []byte(doc)
		}
	}
	return objs
}

func (r rendered) get(t *testing.T, key string, into any) {
	t.Helper()
	doc, ok := r[key]
	if !ok {
		t.Fatalf("%s not rendered (have %v)", key, r.keys())
	}
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
}

func (r rendered) keys() []string {
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	return keys
}

func TestLint(t *testing.T) {
	ctx := helmOrSkip(t)
	for name, set := range map[string][]string{
		"defaults":    nil,
		"one replica": {"replicaCount=1"},
		"oidc, ingress with TLS, network policy": {"auth.mode=oidc", "auth.oidc.issuerURL=https://login.example.com", "auth.oidc.clientID=kd",
			"auth.oidc.clientSecret.name=kd-oidc", "auth.oidc.redirectURL=https://kd.example.com/api/v1/auth/oidc/callback",
			"ingress.enabled=true", "ingress.hosts[0].host=kd.example.com", "ingress.tls[0].secretName=kd-tls", "ingress.tls[0].hosts[0]=kd.example.com",
			"networkPolicy.enabled=true"},
	} {
		t.Run(name, func(t *testing.T) {
			args := []string{"lint", "--strict", ChartDir()}
			for _, s := range set {
				args = append(args, "--set", s)
			}
			out, err := Run(ctx, args...)
			if err != nil || strings.Contains(out, "[WARNING]") || strings.Contains(out, "[ERROR]") {
				t.Errorf("helm lint: %v\n%s", err, out)
			}
		})
	}
}

// TestDefaults checks what the chart promises by default: two replicas with a disruption
// budget, probes, measured requests, a hardened container, the image `make image` builds, sign-in
// on, and the session key read from a Secret file, never a value.
func TestDefaults(t *testing.T) {
	ctx := helmOrSkip(t)
	r := render(t, ctx)
	var d appsv1.Deployment
	r.get(t, "Deployment/kd-kruise-dashboard", &d)
	if *d.Spec.Replicas != 2 {
		t.Errorf("replicas %d, want 2", *d.Spec.Replicas)
	}
	var pdb policyv1.PodDisruptionBudget
	r.get(t, "PodDisruptionBudget/kd-kruise-dashboard", &pdb)
	if pdb.Spec.MinAvailable.IntValue() != 1 || !reflect.DeepEqual(pdb.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) {
		t.Errorf("PDB %+v does not keep one of the Deployment's pods", pdb.Spec)
	}
	pod := d.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want non-root and seccomp RuntimeDefault", psc)
	}
	c := pod.Containers[0]
	sc := c.SecurityContext
	if sc == nil || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || !reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context %+v: want read-only root, no escalation, all capabilities dropped", sc)
	}
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("probes %s / %s, want /readyz and /healthz", c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v: want cpu and memory requests and a memory limit", c.Resources)
	}
	if want := "kruise-dashboard:" + appVersion(t); c.Image != want {
		t.Errorf("image %s, want %s (what make image names the tarball's image)", c.Image, want)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	for name, want := range map[string]string{"KD_AUTH_MODE": "token", "KD_HTTP_ADDR": ":8080", "KD_METRICS_ADDR": ":9464",
		"KD_AUTH_SESSION_KEY_FILE": "/etc/kruise-dashboard/session/session-key",
		"KD_EXTERNAL_HOSTS":        "kd-kruise-dashboard,kd-kruise-dashboard.kd-ns,kd-kruise-dashboard.kd-ns.svc,kd-kruise-dashboard.kd-ns.svc.cluster.local"} {
		if env[name].Value != want {
			t.Errorf("%s=%q, want %q", name, env[name].Value, want)
		}
	}
	if _, inlined := env["KD_AUTH_SESSION_KEY"]; inlined {
		t.Error("the session key is in the environment; it must come from the Secret's file")
	}
	var secret corev1.Secret
	r.get(t, "Secret/kd-kruise-dashboard-session", &secret)
	if len(secret.Data["session-key"]) < 32 {
		t.Errorf("generated session key of %d bytes, want at least 32", len(secret.Data["session-key"]))
	}
	var svc corev1.Service
	r.get(t, "Service/kd-kruise-dashboard", &svc)
	if len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0].TargetPort.String() != "http" || svc.Spec.Ports[1].TargetPort.String() != "metrics" {
		t.Errorf("service ports %+v, want http and metrics", svc.Spec.Ports)
	}
	var reader rbacv1.ClusterRole
	r.get(t, "ClusterRole/kd-kruise-dashboard-metrics-reader", &reader)
	if want := []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}; !reflect.DeepEqual(reader.Rules, want) {
		t.Errorf("metrics reader rules %+v, want %+v", reader.Rules, want)
	}
	for _, absent := range []string{"Ingress/kd-kruise-dashboard", "NetworkPolicy/kd-kruise-dashboard", "ClusterRoleBinding/kd-kruise-dashboard-metrics-reader"} {
		if _, ok := r[absent]; ok {
			t.Errorf("%s rendered by default; it is optional", absent)
		}
	}
}

// TestClusterRoleIsTheMinimalOne: the chart grants exactly configs/clusterrole.yaml.
func TestClusterRoleIsTheMinimalOne(t *testing.T) {
	ctx := helmOrSkip(t)
	var chart, minimal rbacv1.ClusterRole
	render(t, ctx).get(t, "ClusterRole/kd-kruise-dashboard", &chart)
	data, err := os.ReadFile(filepath.Join(here(), "..", "..", "configs", "clusterrole.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &minimal); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(chart.Rules, minimal.Rules) {
		t.Errorf("chart rules differ from configs/clusterrole.yaml:\nchart   %v\nminimal %v", chart.Rules, minimal.Rules)
	}
	var chartRole, ownNamespace rbacv1.Role
	render(t, ctx).get(t, "Role/kd-kruise-dashboard", &chartRole)
	data, err = os.ReadFile(filepath.Join(here(), "..", "..", "configs", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, &ownNamespace); err != nil {
		t.Fatal(err)
	}
	// The chart names the sign-outs' ConfigMap after the release; configs/role.yaml has the default name.
	for i, r := range chartRole.Rules {
		for j, name := range r.ResourceNames {
			if name == "kd-kruise-dashboard-sessions" {
				chartRole.Rules[i].ResourceNames[j] = "kruise-dashboard-sessions"
			}
		}
	}
	if !reflect.DeepEqual(chartRole.Rules, ownNamespace.Rules) {
		t.Errorf("chart Role rules differ from configs/role.yaml:\nchart   %v\nminimal %v", chartRole.Rules, ownNamespace.Rules)
	}
	var binding rbacv1.ClusterRoleBinding
	render(t, ctx).get(t, "ClusterRoleBinding/kd-kruise-dashboard", &binding)
	if want := (rbacv1.Subject{Kind: "ServiceAccount", Name: "kd-kruise-dashboard", Namespace: "kd-ns"}); len(binding.Subjects) != 1 || binding.Subjects[0] != want {
		t.Errorf("binding subjects %+v, want the chart's ServiceAccount", binding.Subjects)
	}
}

// TestOptions renders the optional parts: OIDC with its client secret from a Secret, an Ingress
// with TLS whose host the dashboard accepts, a NetworkPolicy for both ports, declared types.
func TestOptions(t *testing.T) {
	ctx := helmOrSkip(t)
	r := render(t, ctx, "auth.mode=oidc", "auth.oidc.issuerURL=https://login.example.com", "auth.oidc.clientID=kd",
		"auth.oidc.clientSecret.name=kd-oidc", "auth.oidc.redirectURL=https://kd.example.com/api/v1/auth/oidc/callback",
		"ingress.enabled=true", "ingress.hosts[0].host=kd.example.com", "ingress.tls[0].secretName=kd-tls", "ingress.tls[0].hosts[0]=kd.example.com",
		"networkPolicy.enabled=true", "auth.sessionKeySecret.name=mine", "typesConfigMap=my-types",
		"metrics.reader.subjects[0].kind=ServiceAccount", "metrics.reader.subjects[0].name=prometheus", "metrics.reader.subjects[0].namespace=monitoring")
	var d appsv1.Deployment
	r.get(t, "Deployment/kd-kruise-dashboard", &d)
	env := map[string]string{}
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e.Value
	}
	if env["KD_OIDC_CLIENT_SECRET_FILE"] != "/etc/kruise-dashboard/oidc/client-secret" || env["KD_OIDC_ISSUER_URL"] != "https://login.example.com" || env["KD_TYPES_DIR"] == "" {
		t.Errorf("env %v", env)
	}
	if _, inlined := env["KD_OIDC_CLIENT_SECRET"]; inlined {
		t.Error("the OIDC client secret is in the environment")
	}
	if !strings.HasSuffix(env["KD_EXTERNAL_HOSTS"], ",kd.example.com") {
		t.Errorf("KD_EXTERNAL_HOSTS %q lacks the Ingress host", env["KD_EXTERNAL_HOSTS"])
	}
	secrets := map[string]string{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
		}
	}
	if secrets["session"] != "mine" || secrets["oidc"] != "kd-oidc" {
		t.Errorf("secret volumes %v, want the named Secrets", secrets)
	}
	if _, ok := r["Secret/kd-kruise-dashboard-session"]; ok {
		t.Error("a session Secret was generated although one was named")
	}
	var scrapers rbacv1.ClusterRoleBinding
	r.get(t, "ClusterRoleBinding/kd-kruise-dashboard-metrics-reader", &scrapers)
	if want := (rbacv1.Subject{Kind: "ServiceAccount", Name: "prometheus", Namespace: "monitoring"}); len(scrapers.Subjects) != 1 || scrapers.Subjects[0] != want || scrapers.RoleRef.Name != "kd-kruise-dashboard-metrics-reader" {
		t.Errorf("metrics reader binding %+v", scrapers)
	}
	var ing networkingv1.Ingress
	r.get(t, "Ingress/kd-kruise-dashboard", &ing)
	if len(ing.Spec.TLS) != 1 || ing.Spec.Rules[0].Host != "kd.example.com" || ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Port.Name != "http" {
		t.Errorf("ingress %+v", ing.Spec)
	}
	var np networkingv1.NetworkPolicy
	r.get(t, "NetworkPolicy/kd-kruise-dashboard", &np)
	if len(np.Spec.Ingress) != 2 || np.Spec.Ingress[0].Ports[0].Port.String() != "http" || np.Spec.Ingress[1].Ports[0].Port.String() != "metrics" {
		t.Errorf("network policy %+v", np.Spec)
	}
}

// TestRefusedValues: settings that would be unsafe or broken fail the rendering, saying why.
func TestRefusedValues(t *testing.T) {
	ctx := helmOrSkip(t)
	for _, tc := range []struct {
		set  []string
		want string
	}{
		{[]string{"auth.mode=none"}, "auth.mode must be token or oidc"},
		{[]string{"auth.mode=oidc", "auth.oidc.issuerURL=https://x"}, "auth.mode oidc needs"},
		{[]string{"ingress.enabled=true"}, "ingress.enabled needs ingress.hosts"},
	} {
		_, err := Template(ctx, "kd", "kd-ns", tc.set...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.set, err, tc.want)
		}
	}
}

// TestManifestsCurrent: deploy/manifests is the chart rendered now (KD_UPDATE_MANIFESTS=1, as
// `make manifests` sets, rewrites it).
func TestManifestsCurrent(t *testing.T) {
	ctx := helmOrSkip(t)
	want, err := Manifests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("KD_UPDATE_MANIFESTS") != "" {
		if err := os.WriteFile(ManifestsFile(), []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(ManifestsFile())
	if err != nil || string(got) != want {
		t.Fatalf("%s is stale (%v): run make manifests", ManifestsFile(), err)
	}
	if strings.Contains(want, "kind: Secret") {
		t.Error("the plain manifests carry a Secret: everyone applying them would share its key")
	}
}

// TestImageName: `make image` names the image as the chart's default references it.
func TestImageName(t *testing.T) {
	out, err := exec.Command("make", "-s", "-n", "-C", filepath.Join(here(), "..", ".."), "image").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n image: %v\n%s", err, out)
	}
	if want := "-tag kruise-dashboard:" + appVersion(t) + " "; !strings.Contains(string(out), want) {
		t.Errorf("make image does not tag %q:\n%s", want, out)
	}
}

func appVersion(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ChartDir(), "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(data, &chart); err != nil || chart.AppVersion == "" {
		t.Fatalf("Chart.yaml appVersion: %v", err)
	}
	return chart.AppVersion
}
