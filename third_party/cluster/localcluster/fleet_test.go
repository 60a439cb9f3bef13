package localcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/kruise-dashboard/kruise-dashboard/data/clusters"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestFleetRegistrations starts a fleet of two bare control planes (the home and member-2, no
// CRDs: what is checked is the registrations) and reads what it wrote with data/clusters, as
// the dashboard will: every context of fleet.kubeconfig, the dashboard's cluster Secret and the
// Argo CD cluster Secret are usable, point at the right API server, and their credentials are
// accepted there — the Secrets' with the right to impersonate, which the dashboard needs. The
// member's test users have tokens of their own, which the home does not accept.
func TestFleetRegistrations(t *testing.T) {
	if testing.Short() || os.Getenv("KD_SKIP_INTEGRATION") != "" {
		t.Skip("starts two kube-apiservers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	f, err := localcluster.StartFleet(ctx, localcluster.Options{Dir: dir, SkipCRDs: true, Fleet: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Stop)
	member := f.Cluster("member-2")
	if member == nil || len(f.Members) != 1 || member.Dir != filepath.Join(dir, "member-2") || member.Server == f.Home.Server {
		t.Fatalf("members: %+v", f.Members)
	}
	if got := componentNames(localcluster.Status(dir)); !slices.Contains(got, "member-2/kube-apiserver") || !slices.Contains(got, "kube-apiserver") {
		t.Fatalf("status lists %v", got)
	}

	cfg, err := clientcmd.LoadFromFile(f.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != localcluster.HomeContext {
		t.Errorf("current context %q, want %q", cfg.CurrentContext, localcluster.HomeContext)
	}
	regs, err := clusters.LoadKubeconfig(f.Kubeconfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 2 || regs[0].Name != localcluster.HomeContext || regs[1].Name != "member-2" {
		t.Fatalf("fleet.kubeconfig registers %v", regs)
	}
	for _, r := range regs {
		accepted(ctx, t, r, f.Cluster(r.Name).Server, "kruise-dashboard-admin")
	}

	secrets := map[string]clusters.Registration{
		"member-2.yaml":        clusters.FromSecret(readSecret(t, filepath.Join(f.SecretsDir, "member-2.yaml"))),
		"argocd-member-2.yaml": clusters.FromArgoCDSecret(readSecret(t, filepath.Join(f.SecretsDir, "argocd-member-2.yaml"))),
	}
	for file, r := range secrets {
		want := map[string]string{"member-2.yaml": "member-2", "argocd-member-2.yaml": "member-2-argocd"}[file]
		if r.Name != want {
			t.Errorf("%s registers %q, want %q", file, r.Name, want)
		}
		kube := accepted(ctx, t, r, member.Server, localcluster.FleetAdminUser)
		review, err := kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "users"},
		}}, metav1.CreateOptions{})
		if err != nil || !review.Status.Allowed {
			t.Errorf("%s: may not impersonate: %v %+v", file, err, review)
		}
	}

	// The same test users, other tokens: a member's token is not the home's.
	homeConfig, err := clientcmd.BuildConfigFromFlags("", f.Home.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range localcluster.TestUsers {
		tok := member.Tokens[user]
		if tok == "" || tok == f.Home.Tokens[user] {
			t.Fatalf("%s: member token %q, home token %q", user, tok, f.Home.Tokens[user])
		}
	}
	asViewer := rest.AnonymousClientConfig(homeConfig)
	asViewer.BearerToken = member.Tokens["viewer"]
	_, err = kubernetes.NewForConfigOrDie(asViewer).AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if !apierrors.IsUnauthorized(err) {
		t.Errorf("the home accepted member-2's viewer token: %v", err)
	}
}

// accepted checks r is usable, names server, and its credential is accepted there as user; it
// returns a client with it.
func accepted(ctx context.Context, t *testing.T, r clusters.Registration, server, user string) kubernetes.Interface {
	t.Helper()
	if !r.Usable() || r.Server != server {
		t.Fatalf("%s: want usable, at %s", r, server)
	}
	rc, err := r.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	kube := kubernetes.NewForConfigOrDie(rc)
	review, err := kube.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	if got := review.Status.UserInfo.Username; got != user {
		t.Errorf("%s: signed in as %q, want %q", r, got, user)
	}
	return kube
}

func readSecret(t *testing.T, path string) *corev1.Secret {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s corev1.Secret
	if err := yaml.UnmarshalStrict(raw, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &s
}

func componentNames(all []localcluster.ComponentStatus) []string {
	var names []string
	for _, c := range all {
		if c.Running {
			names = append(names, c.Name)
		}
	}
	return names
}

// TestLiveMember (not in CI: KD_LOCAL_FLEET_LIVE=1) starts a live member alone, applies the
// fleet demo and leaves a Deployment canary waiting for approval there, as `make run FLEET=3`
// does on member-2.
func TestLiveMember(t *testing.T) {
	if testing.Short() || os.Getenv("KD_LOCAL_FLEET_LIVE") == "" {
		t.Skip("starts a live member (controllers and the Kruise Rollouts manager): KD_LOCAL_FLEET_LIVE=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	m, err := localcluster.StartMember(ctx, localcluster.MemberOptions{Dir: t.TempDir(), Live: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	if err := localcluster.Apply(ctx, m.Kubeconfig, localcluster.FleetDemoManifest()); err != nil {
		t.Fatal(err)
	}
	if err := localcluster.WaitingRelease(ctx, m.Kubeconfig, "demo", "web", "web", "nginx:1.28"); err != nil {
		t.Fatal(err)
	}
	if got := componentNames(localcluster.Status(m.Dir)); slices.Contains(got, "kruise-manager") || !slices.Contains(got, "kruise-rollout") {
		t.Errorf("a live member runs %v", got)
	}
}
