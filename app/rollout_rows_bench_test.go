package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
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

// BenchmarkRolloutListVsPlain measures GET /rollout/list/:ns, /rollout/list/_all and
// /rollout/active/:ns over 1,000 Rollouts (a third waiting at a step, the rest healthy; their
// CloneSets need not exist: the list costs the same) through the dashboard and through the plain
// server of load_test.go writing the same bytes and headers, side by side in one run: one
// keep-alive client, identity encoding, both servers in this process (B/op and allocs/op count
// the server's and the client's work, the client being the same on both sides). Sub-benchmarks
// <list>/dashboard and <list>/plain; the last, table, logs ns/op, B/op and allocs/op of each and
// the ratio. `go test -run '^$' -bench RolloutListVsPlain -benchmem ./app`.
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
	results := map[string]*perOp{}
	lists := []struct{ name, uri string }{
		{"ns", "/api/v1/rollout/list/" + rolloutRowsNS},
		{"all", "/api/v1/rollout/list/_all"},
		{"active", "/api/v1/rollout/active/" + rolloutRowsNS},
	}
	sizes := map[string]int{}
	for _, c := range lists {
		ref := f.copyOf(b, d, c.uri)
		sizes[c.name] = len(ref.body)
		for side, base := range map[string]string{"dashboard": d.URL, "plain": f.url} {
			key := c.name + "/" + side
			b.Run(key, func(b *testing.B) {
				r := getLoop(b, base+c.uri, len(ref.body))
				results[key] = &r // the last run, with the final b.N, stays
			})
		}
	}
	b.Run("table", func(b *testing.B) {
		var buf strings.Builder
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "GET\tbody\tdash ns/op\tdash B/op\tdash allocs/op\tplain ns/op\tplain B/op\tplain allocs/op\tratio ns/op")
		for _, c := range lists {
			dash, plain := results[c.name+"/dashboard"], results[c.name+"/plain"]
			if dash == nil || plain == nil {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.2f×\n", c.uri, fmtBytes(sizes[c.name]),
				dash.ns, dash.bytes, dash.allocs, plain.ns, plain.bytes, plain.allocs, dash.ns/plain.ns)
		}
		_ = tw.Flush()
		b.Log(fmt.Sprintf("%d Rollouts, one keep-alive client, identity encoding\n", rolloutRowsCount) + buf.String())
	})
}

// perOp are a benchmark's ns/op, B/op and allocs/op.
type perOp struct{ ns, bytes, allocs float64 }

// getLoop GETs url b.N times on one keep-alive connection, reading every body, and returns
// ns/op, B/op and allocs/op of this process.
func getLoop(b *testing.B, url string, size int) perOp {
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
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		get()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	return perOp{float64(b.Elapsed().Nanoseconds()) / n,
		float64(after.TotalAlloc-before.TotalAlloc) / n, float64(after.Mallocs-before.Mallocs) / n}
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
