package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kruise-dashboard/kruise-dashboard/test/apiclient"
)

// TestRolloutListsAreTheStatuses: the lists the cache keeps per change are, byte for byte, the
// statuses GET /rollout/status builds per request (their workloads missing or idle, so no pods
// are added), active releases first, then by name — for canary, partition and blue-green
// Rollouts, waiting, timed, paused, healthy, disabled, of a kind the dashboard does not serve —
// and they follow a change.
func TestRolloutListsAreTheStatuses(t *testing.T) {
	skipShort(t)
	ns := newNamespace(t, "ro-rows")
	createCloneSet(t, ns, "shop", 2)
	missing := refTo(kruiseV1alpha1, "CloneSet", "gone")
	blueGreen := rolloutsv1beta1.RolloutStrategy{BlueGreen: &rolloutsv1beta1.BlueGreenStrategy{Steps: threeSteps()}}
	paused := canaryStrategy(false)
	paused.Paused = true
	first := setInRolling(t, createRollout(t, ns, "a-waiting", missing, canaryStrategy(false)), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
	setInRolling(t, createRollout(t, ns, "b-timed", missing, canaryStrategy(false)), 2, rolloutsv1beta1.CanaryStepStatePaused, false)
	setInRolling(t, createRollout(t, ns, "c-bluegreen", missing, blueGreen), 1, rolloutsv1beta1.CanaryStepStatePaused, true)
	setInRolling(t, createRollout(t, ns, "d-paused", refTo("apps/v1", "Deployment", "gone"), paused), 1, rolloutsv1beta1.CanaryStepStatePaused, false)
	setHealthy(t, createRollout(t, ns, "e-healthy", refTo(kruiseV1alpha1, "CloneSet", "shop"), canaryStrategy(true)))
	disabled := canaryStrategy(false)
	ro := createRollout(t, ns, "f-disabled", missing, disabled)
	ro.Spec.Disabled = true
	_, err := rolloutClient(t).RolloutsV1beta1().Rollouts(ns).Update(ctx, ro, metav1.UpdateOptions{})
	must(t, "disable", err)
	createRollout(t, ns, "g-other-kind", refTo("example.com/v1", "Widget", "w"), canaryStrategy(false))
	names := []string{"a-waiting", "b-timed", "c-bluegreen", "d-paused", "e-healthy", "f-disabled", "g-other-kind"}

	same := func(what string, wantWaiting int) {
		t.Helper()
		apiclient.Eventually(t, what, 30*time.Second, func() error {
			var active, rest, waiting [][]byte
			for _, name := range names {
				status, body := shared.dash.Raw(http.MethodGet, "/api/v1/rollout/status/"+ns+"/"+name, nil)
				if status != http.StatusOK {
					return fmt.Errorf("status of %s: %d %s", name, status, body)
				}
				item := bytes.TrimSuffix(bytes.TrimPrefix(body, []byte(`{"data":`)), []byte("}"))
				var st struct{ Active, WaitingForApproval bool }
				if err := json.Unmarshal(item, &st); err != nil {
					return err
				}
				if st.Active {
					active = append(active, item)
				} else {
					rest = append(rest, item)
				}
				if st.WaitingForApproval {
					waiting = append(waiting, item)
				}
			}
			envelope := func(items ...[]byte) string { return `{"data":[` + string(bytes.Join(items, []byte(","))) + `]}` }
			for path, want := range map[string]string{
				"/rollout/list/" + ns:   envelope(append(append([][]byte{}, active...), rest...)...),
				"/rollout/active/" + ns: envelope(active...),
			} {
				status, got := shared.dash.Raw(http.MethodGet, "/api/v1"+path, nil)
				if status != http.StatusOK || string(got) != want {
					return fmt.Errorf("%s: %d\n got %s\nwant %s", path, status, got, want)
				}
			}
			status, got := shared.dash.Raw(http.MethodGet, "/api/v1/rollout/waiting", nil)
			for _, w := range waiting {
				if status != http.StatusOK || !bytes.Contains(got, w) {
					return fmt.Errorf("/rollout/waiting: %d, without %s", status, w)
				}
			}
			if len(waiting) != wantWaiting {
				return fmt.Errorf("%d waiting, want %d", len(waiting), wantWaiting)
			}
			return nil
		})
	}
	same("the lists to be the statuses", 3) // a-waiting, c-bluegreen, d-paused

	// The first release ends: the lists follow.
	setHealthy(t, first)
	same("the lists to follow a change", 2)
}
