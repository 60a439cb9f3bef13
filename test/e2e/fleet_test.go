package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rolloutclient "github.com/openkruise/kruise-rollout-api/client/clientset/versioned"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// TestFleetApproveInOneCluster: the same Deployment canary waits for approval in two clusters with
// the real Kruise Rollouts controllers — the live home and a live member control plane served as
// the kubeconfig context "member-2". The fleet inbox lists both; approving member-2's from the
// fleet inbox moves only member-2's release (its controller goes on to step 2); home's still waits.
func TestFleetApproveInOneCluster(t *testing.T) {
	skipShort(t)
	dir := filepath.Join(env.dir, "member-2")
	start := time.Now()
	member, err := localcluster.StartMember(ctx, localcluster.MemberOptions{Dir: dir, Live: true})
	must(t, "start the live member", err)
	t.Cleanup(member.Stop)
	t.Logf("live member up in %s", time.Since(start).Round(time.Second))

	// The same release in both: demo/web waiting at step 1.
	for _, kubeconfig := range []string{env.cluster.Kubeconfig, member.Kubeconfig} {
		must(t, "apply the fleet demo", localcluster.Apply(ctx, kubeconfig, localcluster.FleetDemoManifest()))
		must(t, "release demo/web", localcluster.WaitingRelease(ctx, kubeconfig, "demo", "web", "web", "nginx:1.27.1"))
	}

	kubeconfig := filepath.Join(env.dir, "fleet-e2e.kubeconfig")
	cfg := clientcmdapi.NewConfig()
	for name, c := range map[string]*localcluster.Cluster{"home": env.cluster, "member-2": member} {
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthority: filepath.Join(c.Dir, "ca.crt")}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{ClientCertificate: filepath.Join(c.Dir, "admin.crt"), ClientKey: filepath.Join(c.Dir, "admin.key")}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	cfg.CurrentContext = "home"
	must(t, "write the fleet kubeconfig", clientcmd.WriteToFile(*cfg, kubeconfig))
	addr, err := apiclient.FreeAddr()
	must(t, "free address", err)
	dash, stop, err := runDashboard(env.dir, "fleet-dashboard", kubeconfig, addr, "KD_FLEET_CONTEXTS=member-2", "KD_FLEET_HEALTH_INTERVAL=1s")
	must(t, "start the fleet dashboard", err)
	t.Cleanup(stop)

	var inbox biz.FleetInbox
	apiclient.Eventually(t, "both releases in the fleet inbox", time.Minute, func() error {
		dash.MustOK(t, http.MethodGet, "/fleet/inbox", &inbox)
		var got []string
		for _, it := range inbox.Items {
			if it.Namespace == "demo" && it.Name == "web" && it.CurrentStepIndex == 1 {
				got = append(got, it.Cluster)
			}
		}
		if strings.Join(got, ",") != "home,member-2" {
			return fmt.Errorf("waiting demo/web in %v (parts %+v)", got, inbox.Clusters)
		}
		return nil
	})

	var res []biz.FleetApproveOutcome
	dash.MustOKBody(t, http.MethodPost, "/fleet/approve-many", `{"items":[{"cluster":"member-2","namespace":"demo","name":"web","step":1}]}`, &res)
	if len(res) != 1 || !res[0].Changed || res[0].Cluster != "member-2" {
		t.Fatalf("approve in member-2: %+v", res)
	}
	memberRollouts := rolloutsOf(t, member.Kubeconfig)
	apiclient.Eventually(t, "member-2's release past step 1", 2*time.Minute, func() error {
		ro, err := memberRollouts.RolloutsV1beta1().Rollouts("demo").Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if ro.Status.CanaryStatus == nil || ro.Status.CanaryStatus.CurrentStepIndex < 2 {
			return fmt.Errorf("member-2's release at %+v", ro.Status.CanaryStatus)
		}
		return nil
	})
	ro, err := env.rollouts.RolloutsV1beta1().Rollouts("demo").Get(ctx, "web", metav1.GetOptions{})
	must(t, "home's rollout", err)
	if s := ro.Status.CanaryStatus; s == nil || s.CurrentStepIndex != 1 || s.CurrentStepState != "StepPaused" {
		t.Errorf("approving in member-2 moved home's release: %+v", s)
	}

	// The browser, in en and zh, light and dark: the switcher, the fleet overview (with member-2's
	// demo/web pinned), the inbox across clusters and its Approve dialog for home's waiting step
	// (cancelled), needs attention, and the keyboard shortcuts' dialog.
	browse(t, "demo", "web", "e2e/fleet.test.mjs", "DASHBOARD_URL="+dash.URL, "FLEET_CLUSTERS=home,member-2", "FLEET_WAITING=home",
		"FLEET_FAVOURITE=member-2/deployment/demo/web")
}

func rolloutsOf(t *testing.T, kubeconfig string) rolloutclient.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(t, "config", err)
	c, err := rolloutclient.NewForConfig(cfg)
	must(t, "rollout client", err)
	return c
}
