package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// BenchmarkRolloutListVsPlain measures GET /rollout/list/:ns and /rollout/list/_all over 1,000
// Rollouts (a third waiting at a step, the rest healthy; their CloneSets need not exist: the list
// costs the same) through the dashboard and through the plain server of load_test.go writing the
// same bytes and headers, side by side in one run: one keep-alive client, identity encoding, both
// servers in this process (B/op and allocs/op count the server's and the client's work, the
// client being the same on both sides). It logs ns/op, B/op, allocs/op of each and the ratio, and
// reports them as metrics. `go test -run '^$' -bench RolloutListVsPlain -benchtime 1x ./app`.
func BenchmarkRolloutListVsPlain(b *testing.B) {
	loadRolloutRows(b)
	d := loadDashboard(b)
	apiclient.Eventually(b, "the load dashboard to hold the benchmark's Rollouts", 2*time.Minute, func() error {
		var list []json.RawMessage
		if status, e := d.Call(b, http.MethodGet, "/rollout/list/"+rolloutRowsNS, &list); status != http.StatusOK {
			return fmt.Errorf("%d %s", status, e.Message)
		}
		if len(list) != rolloutRowsCount {
			return fmt.Errorf("%d rollouts", len(list))
		}
		return nil
	})
	f := floorOf(b)
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GET\tbody\tdash ns/op\tdash B/op\tdash allocs/op\tplain ns/op\tplain B/op\tplain allocs/op\tratio ns/op")
	for _, c := range []struct{ name, uri string }{
		{"ns", "/api/v1/rollout/list/" + rolloutRowsNS},
		{"all", "/api/v1/rollout/list/_all"},
		{"active", "/api/v1/rollout/active/" + rolloutRowsNS},
	} {
		ref := f.copyOf(b, d, c.uri)
		dash := testing.Benchmark(func(b *testing.B) { getLoop(b, d.URL+c.uri, len(ref.body)) })
		plain := testing.Benchmark(func(b *testing.B) { getLoop(b, f.url+c.uri, len(ref.body)) })
		ratio := float64(dash.NsPerOp()) / float64(plain.NsPerOp())
		b.ReportMetric(float64(dash.NsPerOp()), c.name+"-dash-ns/op")
		b.ReportMetric(float64(plain.NsPerOp()), c.name+"-plain-ns/op")
		b.ReportMetric(ratio, c.name+"-ratio")
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f×\n", c.uri, fmtBytes(len(ref.body)),
			dash.NsPerOp(), dash.AllocedBytesPerOp(), dash.AllocsPerOp(), plain.NsPerOp(), plain.AllocedBytesPerOp(), plain.AllocsPerOp(), ratio)
	}
	_ = tw.Flush()
	b.Log(fmt.Sprintf("%d Rollouts, one keep-alive client, identity encoding\n", rolloutRowsCount) + buf.String())
}

// getLoop GETs url b.N times on one keep-alive connection, reading every body.
func getLoop(b *testing.B, url string, size int) {
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	get := func() {
		resp, err := hc.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || int(n) != size {
			b.Fatalf("GET %s: %d, %d bytes (want %d), %v", url, resp.StatusCode, n, size, err)
		}
	}
	get() // opens the connection
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get()
	}
}

const (
	rolloutRowsNS    = "rollout-rows"
	rolloutRowsCount = 1000
)

var rolloutRowsSetup sync.Once

// loadRolloutRows creates the benchmark's 1,000 Rollouts, a third waiting at step 1.
func loadRolloutRows(b *testing.B) {
	skipShort(b)
	rolloutRowsSetup.Do(func() {
		start := time.Now()
		_, err := shared.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rolloutRowsNS}}, metav1.CreateOptions{})
		must(b, "create namespace", err)
		client := rolloutClient(b)
		must(b, "create rollouts", inParallel(rolloutRowsCount, func(i int) error {
			ro, err := client.RolloutsV1beta1().Rollouts(rolloutRowsNS).Create(ctx, &rolloutsv1beta1.Rollout{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ro-%04d", i)},
				Spec: rolloutsv1beta1.RolloutSpec{WorkloadRef: refTo(kruiseV1alpha1, "CloneSet", fmt.Sprintf("cs-%04d", i)),
					Strategy: canaryStrategy(false)},
			}, metav1.CreateOptions{})
			if err != nil {
				return err
			}
			if i%3 == 0 {
				setInRolling(b, ro, 1, rolloutsv1beta1.CanaryStepStatePaused, false)
			} else {
				setHealthy(b, ro)
			}
			return nil
		}))
		b.Logf("created %d rollouts in %s", rolloutRowsCount, time.Since(start).Round(time.Second))
	})
}
