package biz

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// fakeDeployments is a workload type over one in-memory Deployment: its informer's cache holds
// it, Fetch and Apply read and merge-patch it, and it restarts by a template annotation
// stamped with the time it is given.
type fakeDeployments struct {
	adapters.Resource
	mu      sync.Mutex
	obj     *appsv1.Deployment
	applied []adapters.Patch
}

var _ adapters.ContainerRestarter = (*fakeDeployments)(nil)

const restartedAt = "kruise-dashboard.test/restartedAt"

func newFakeDeployments(name string) *fakeDeployments {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name, ResourceVersion: "5"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}}}},
	}
	f := &fakeDeployments{obj: d}
	f.Resource = adapters.NewResource(nil, adapters.Info{
		Type: "deployment", Plural: "deployments", GVK: schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
		States: []string{"Ready"}, State: func(adapters.Object) string { return "Ready" },
	}, nil)
	return f
}

// cached is the object as the cache would hold it (fixtureCache reads it).
func (f *fakeDeployments) cached(key string) (runtime.Object, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if key != f.obj.Namespace+"/"+f.obj.Name {
		return nil, false
	}
	return f.obj.DeepCopy(), true
}

func (f *fakeDeployments) Pods(metav1.Object) ([]*corev1.Pod, error)    { return nil, nil }
func (f *fakeDeployments) Delete(context.Context, string, string) error { return nil }

func (f *fakeDeployments) Fetch(context.Context, string, string) (runtime.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.obj.DeepCopy(), nil
}

func (f *fakeDeployments) Apply(_ context.Context, _, _ string, p adapters.Patch) (runtime.Object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, p)
	var doc, patch map[string]any
	raw, _ := json.Marshal(f.obj)
	_ = json.Unmarshal(raw, &doc)
	if err := json.Unmarshal(p.Data, &patch); err != nil {
		return nil, err
	}
	mergePatch(doc, patch)
	raw, _ = json.Marshal(doc)
	updated := &appsv1.Deployment{}
	if err := json.Unmarshal(raw, updated); err != nil {
		return nil, err
	}
	if !p.DryRun {
		f.obj = updated
	}
	return updated, nil
}

func (f *fakeDeployments) ContainerRestartPatch(_ runtime.Object, at time.Time) (adapters.Patch, error) {
	data := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`, restartedAt, at.Format(time.RFC3339))
	return adapters.Patch{Type: types.MergePatchType, Data: []byte(data)}, nil
}

func (f *fakeDeployments) patches() []adapters.Patch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]adapters.Patch(nil), f.applied...)
}

// TestRestart: refused while a release is in flight (nothing written); otherwise the workload's
// restart patch, stamped by the injected clock, with what the Rollout will do with it
// (docs/semantics.md §4.8).
func TestRestart(t *testing.T) {
	cases := []struct {
		name    string
		ro      *rolloutsv1beta1.Rollout
		target  string
		manage  bool // the dashboard serves the workload's kind
		dryRun  bool
		code    string
		says    string
		patched bool
		stored  bool // the restart stamp is stored on the workload after
	}{
		{name: "a release in flight: refused", ro: waitingRollout("shop"), manage: true, code: CodeConflict,
			says: "rollout demo/shop has a release in flight (step 1 of 3, StepPaused): approve, undo or wait for it to finish before restarting"},
		{name: "a release paused by a person: refused", ro: waitingRollout("shop", reason(rolloutsv1beta1.ProgressingReasonPaused), at(1, rolloutsv1beta1.CanaryStepStateUpgrade)),
			manage: true, code: CodeConflict, says: "has a release in flight (step 1 of 3, StepUpgrade)"},
		{name: "no release: restarted, a new release through the steps", ro: waitingRollout("shop", noRelease), manage: true,
			says: "Deployment demo/shop restarted.", patched: true, stored: true},
		{name: "preview: sent with dryRun, nothing stored", ro: waitingRollout("shop", noRelease), manage: true, dryRun: true,
			says: "preview (nothing changed) — Deployment demo/shop restarted.", patched: true},
		{name: "a kind the dashboard does not manage", ro: waitingRollout("shop", noRelease), code: CodeBadRequest,
			says: "rollout demo/shop references apps/v1 Deployment, a kind the dashboard does not manage"},
		{name: "a Rollout that does not exist", ro: waitingRollout("shop"), target: "gone", manage: true, code: CodeNotFound, says: "rollout demo/gone not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			deployments := newFakeDeployments("shop")
			var list []adapters.Adapter
			if c.manage {
				list = []adapters.Adapter{deployments}
			}
			f := newRolloutFixtureWith(t, list, c.ro)
			target := c.target
			if target == "" {
				target = "shop"
			}
			res, err := f.uc.Restart(context.Background(), "demo", target, c.dryRun)
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
			} else {
				if !strings.Contains(res.Message, c.says) || res.DryRun != c.dryRun || res.Workload.Type != "deployment" {
					t.Errorf("answer %+v, want it to say %q", res, c.says)
				}
				if !res.StartsRelease || len(res.Steps) != 3 || !res.Steps[0].WaitsForPerson {
					t.Errorf("effect %+v, want a new release through the 3 steps, waiting at step 1", res.Effect)
				}
				if len(res.Diff) != 1 || res.Diff[0].Path != "metadata.annotations" || !strings.Contains(fmt.Sprint(res.Diff[0].To), restartedAt) {
					t.Errorf("diff %+v, want the restart annotation", res.Diff)
				}
			}
			stamp := f.clock.Now().Format(time.RFC3339)
			sent := deployments.patches()
			if !c.patched && len(sent) != 0 {
				t.Errorf("patched the workload %+v, want nothing", sent)
			}
			if c.patched && (len(sent) != 1 || !strings.Contains(string(sent[0].Data), stamp) || sent[0].DryRun != c.dryRun) {
				t.Errorf("patches %+v, want one stamped %s by the injected clock, dryRun=%t", sent, stamp, c.dryRun)
			}
			if got := deployments.obj.Spec.Template.Annotations[restartedAt]; (got == stamp) != c.stored {
				t.Errorf("stored stamp %q, want stored=%t", got, c.stored)
			}
			if len(f.repo.sent()) != 0 {
				t.Errorf("the Rollout was written: %+v", f.repo.sent())
			}
			if want := map[bool]string{true: "[RestartedByDashboard]", false: "[]"}[c.stored]; fmt.Sprint(f.events.got()) != want {
				t.Errorf("events %v, want %s", f.events.got(), want)
			}
		})
	}
}

// TestUndoGuards: the refusals of undo before anything is written (docs/semantics.md §4.6).
func TestUndoGuards(t *testing.T) {
	cases := []struct {
		name, target, revision string
		manage                 bool
		code, says             string
		reads                  bool
	}{
		{name: "revision 0", revision: "0", manage: true, code: CodeBadRequest, says: `revision must be a positive whole number, got "0"`},
		{name: "revision not a number", revision: "latest", manage: true, code: CodeBadRequest, says: `got "latest"`},
		{name: "a Rollout that does not exist", target: "gone", manage: true, code: CodeNotFound, says: "rollout demo/gone not found", reads: true},
		{name: "a kind the dashboard does not manage", code: CodeBadRequest, says: "a kind the dashboard does not manage", reads: true},
		{name: "a kind without revisions", manage: true, code: CodeBadRequest, says: "Deployment keeps no revision history", reads: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			deployments := newFakeDeployments("shop")
			var list []adapters.Adapter
			if c.manage {
				list = []adapters.Adapter{deployments}
			}
			f := newRolloutFixtureWith(t, list, waitingRollout("shop", noRelease))
			target := c.target
			if target == "" {
				target = "shop"
			}
			_, err := f.uc.Undo(context.Background(), "demo", target, c.revision, false)
			if e := apiError(t, err, c.code); !strings.Contains(e.Message, c.says) {
				t.Errorf("error %q, want it to say %q", e.Message, c.says)
			}
			if _, reads := f.repo.counts(); (reads > 0) != c.reads {
				t.Errorf("%d reads of the Rollout, want reads=%t", reads, c.reads)
			}
			if len(deployments.patches()) != 0 || len(f.repo.sent()) != 0 {
				t.Errorf("wrote %+v / %+v, want nothing", deployments.patches(), f.repo.sent())
			}
		})
	}
}
