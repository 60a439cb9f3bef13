package clusters

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-kratos/kratos/v2/log"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestSetWatchesSecrets runs the set against a real kube-apiserver: the kubeconfig's context is
// registered, the dashboard's labelled Secret and an Argo CD cluster Secret appear when created,
// change when edited and disappear when deleted, while running; a Secret without the label is
// not read, an exec-plugin Argo CD Secret and a second "local" are kept refused; and the
// registrations' credentials work against the API server.
func TestSetWatchesSecrets(t *testing.T) {
	if testing.Short() || os.Getenv("KD_SKIP_INTEGRATION") != "" {
		t.Skip("starts a kube-apiserver")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: t.TempDir(), SkipCRDs: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	rc, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kube := kubernetes.NewForConfigOrDie(rc)
	for _, ns := range []string{"kd", "argocd"} {
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ca, err := os.ReadFile(filepath.Join(c.Dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}

	static, err := LoadKubeconfig(c.Kubeconfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	set, err := New(Config{Static: static, Namespace: "kd", Selector: DefaultSecretSelector, ArgoCDNamespace: "argocd"}, kube, log.DefaultLogger)
	if err != nil {
		t.Fatal(err)
	}
	changes := make(chan Change, 100)
	set.OnChange(func(ch Change) { changes <- ch })
	if err := set.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Stop(context.Background()) })
	if l := set.List(); len(l) != 1 || l[0].Name != "local" || l[0].Origin != OriginKubeconfig || !l[0].Usable() {
		t.Fatalf("at start: %v", l)
	}
	reaches(ctx, t, set, "local")

	// next waits for the change that satisfies ok, failing on any other.
	next := func(what string, ok func(Change) bool) Change {
		t.Helper()
		select {
		case ch := <-changes:
			if !ok(ch) {
				t.Fatalf("%s: got %+v", what, ch)
			}
			return ch
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no change in 30 s; the set is %v", what, set.List())
		}
		return Change{}
	}
	only := func(l []Registration, name string) bool { return len(l) == 1 && l[0].Name == name }
	secrets := kube.CoreV1().Secrets

	// The dashboard's Secret, with a test user's token.
	own := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cluster-b", Labels: map[string]string{DefaultSecretSelector: "true"}},
		Data: map[string][]byte{KeyName: []byte("b"), KeyServer: []byte(c.Server), KeyCA: ca, KeyToken: []byte(c.Tokens["viewer"])}}
	if _, err := secrets("kd").Create(ctx, own, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("the labelled Secret", func(ch Change) bool {
		return only(ch.Added, "b") && ch.Added[0].Usable() && len(ch.Updated)+len(ch.Removed) == 0
	})
	reaches(ctx, t, set, "b")

	// Unlabelled: not a registration (checked below, once later changes have been seen).
	plain := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "not-a-cluster"}, Data: own.Data}
	if _, err := secrets("kd").Create(ctx, plain, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// Argo CD's Secret as Argo CD writes it.
	argoLabels := map[string]string{"argocd.argoproj.io/secret-type": "cluster"}
	config, _ := json.Marshal(map[string]any{"bearerToken": c.Tokens["approver"], "tlsClientConfig": map[string]any{"insecure": false, "caData": base64.StdEncoding.EncodeToString(ca)}})
	argo := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cluster-c-1234", Labels: argoLabels},
		StringData: map[string]string{"name": "c", "server": c.Server, "config": string(config)}}
	if _, err := secrets("argocd").Create(ctx, argo, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("the Argo CD Secret", func(ch Change) bool {
		return only(ch.Added, "c") && ch.Added[0].Origin == OriginArgoCD && ch.Added[0].Source == "Secret argocd/cluster-c-1234"
	})
	reaches(ctx, t, set, "c")

	// An Argo CD Secret whose credential comes from a plugin: registered, refused, with the reason.
	eks := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cluster-eks", Labels: argoLabels},
		StringData: map[string]string{"name": "eks", "server": "https://eks.example", "config": `{"execProviderConfig":{"command":"argocd-k8s-auth","args":["aws"]}}`}}
	if _, err := secrets("argocd").Create(ctx, eks, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("the exec-plugin Secret", func(ch Change) bool {
		return only(ch.Added, "eks") && strings.Contains(ch.Added[0].Refused, "execProviderConfig")
	})
	if _, ok := set.Get("eks"); ok {
		t.Fatal("a refused registration is usable")
	}

	// A second "local": the kubeconfig's context keeps the name.
	dup := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "local", Labels: map[string]string{DefaultSecretSelector: "true"}},
		Data: map[string][]byte{KeyServer: []byte("https://127.0.0.1:1"), KeyToken: []byte("x")}}
	if _, err := secrets("kd").Create(ctx, dup, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("a second local", func(ch Change) bool {
		return only(ch.Added, "local") && ch.Added[0].Source == "Secret kd/local" && strings.Contains(ch.Added[0].Refused, "already registered by context")
	})
	if r, _ := set.Get("local"); r.Origin != OriginKubeconfig {
		t.Fatalf("local is now %s", r)
	}

	// b's credential edited: an update of b.
	own.Data[KeyToken] = []byte(c.Tokens["editor"])
	if _, err := secrets("kd").Update(ctx, own, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	next("b's new token", func(ch Change) bool { return only(ch.Updated, "b") && len(ch.Added)+len(ch.Removed) == 0 })
	if r, _ := set.Get("b"); r.Credentials.BearerToken != c.Tokens["editor"] {
		t.Fatal("b still has the old token")
	}
	for _, r := range set.List() {
		if strings.Contains(r.Source, "not-a-cluster") {
			t.Fatalf("an unlabelled Secret was read: %s", r)
		}
	}

	// Removed while running.
	if err := secrets("kd").Delete(ctx, "cluster-b", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next("b deleted", func(ch Change) bool { return only(ch.Removed, "b") && len(ch.Added)+len(ch.Updated) == 0 })
	if err := secrets("argocd").Delete(ctx, "cluster-c-1234", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	next("c deleted", func(ch Change) bool { return only(ch.Removed, "c") })
	for _, name := range []string{"b", "c"} {
		if _, ok := set.Get(name); ok {
			t.Fatalf("%s is still registered", name)
		}
	}
	var names []string
	for _, r := range set.List() {
		names = append(names, r.Name+"@"+r.Source)
	}
	want := []string{`local@context "local" of ` + c.Kubeconfig, "local@Secret kd/local", "eks@Secret argocd/cluster-eks"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("the set is %v, want %v", names, want)
	}
}

// reaches checks that the named registration's server and credential answer: the API server
// tells who the credential is (SelfSubjectReview needs no permission).
func reaches(ctx context.Context, t *testing.T, set *Set, name string) {
	t.Helper()
	r, ok := set.Get(name)
	if !ok {
		t.Fatalf("%s is not registered: %v", name, set.List())
	}
	rc, err := r.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{}); err != nil {
		t.Fatalf("%s: the API server does not take the registration's credential: %v", r, err)
	}
}
