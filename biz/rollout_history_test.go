package biz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// revisionedDeployments is fakeDeployments keeping revisions, as a Deployment's ReplicaSets:
// revision n runs nginx:1.2(4+n) and its pods carry pod-template-hash "hash<n>". Apply takes
// the rollback's JSON patch as the API server does: the resourceVersion test first (409 when
// the object moved), then the template replaced.
type revisionedDeployments struct {
	*fakeDeployments
	revs []adapters.Revision
	pods []*corev1.Pod
	// moved: a write of the controller lands before the next patch (once), so its test fails.
	moved bool
}

var _ adapters.Revisioner = (*revisionedDeployments)(nil)

func revisionTemplate(n int) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "shop", appsv1.DefaultDeploymentUniqueLabelKey: fmt.Sprintf("hash%d", n)}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: fmt.Sprintf("nginx:1.%d", 24+n)}}},
	}
}

// newRevisionedDeployments keeps revisions 1..n, the Deployment running revision current's
// template (0: a template no revision has), with pods[i] pods on revision i+1.
func newRevisionedDeployments(n, current int, pods ...int) *revisionedDeployments {
	d := &revisionedDeployments{fakeDeployments: newFakeDeployments("shop")}
	info := d.Info()
	info.Capabilities.ImageSettable = true // a Templated type must say so (the registry checks)
	d.Resource = adapters.NewResource(nil, info, nil)
	for i := 1; i <= n; i++ {
		d.revs = append(d.revs, adapters.Revision{Number: int64(i), Name: fmt.Sprintf("shop-hash%d", i), Hash: fmt.Sprintf("hash%d", i),
			Images: []string{fmt.Sprintf("nginx:1.%d", 24+i)}, Template: revisionTemplate(i)})
	}
	tmpl := revisionTemplate(current)
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey) // the Deployment's own template has none
	if current == 0 {
		tmpl.Spec.Containers[0].Image = "nginx:edited"
	}
	d.obj.Spec.Template = tmpl
	d.obj.Generation = 4
	for i, count := range pods {
		for j := range count {
			d.pods = append(d.pods, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: fmt.Sprintf("shop-%d-%d", i+1, j),
				Labels: map[string]string{appsv1.DefaultDeploymentUniqueLabelKey: fmt.Sprintf("hash%d", i+1)}}})
		}
	}
	return d
}

func (d *revisionedDeployments) Revisions(metav1.Object) ([]adapters.Revision, error) {
	return append([]adapters.Revision(nil), d.revs...), nil
}

func (d *revisionedDeployments) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	return obj.(*appsv1.Deployment).Spec.Template, nil
}

func (d *revisionedDeployments) Pods(metav1.Object) ([]*corev1.Pod, error) { return d.pods, nil }

var deploymentsGR = schema.GroupResource{Group: "apps", Resource: "deployments"}

func (d *revisionedDeployments) Apply(_ context.Context, _, name string, p adapters.Patch) (runtime.Object, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.applied = append(d.applied, p)
	if d.moved {
		d.moved = false
		d.bump(d.obj)
	}
	if p.Type != types.JSONPatchType {
		return nil, apierrors.NewBadRequest("want a JSON patch, got " + string(p.Type))
	}
	var ops []struct {
		Op, Path string
		Value    json.RawMessage
	}
	if err := json.Unmarshal(p.Data, &ops); err != nil {
		return nil, apierrors.NewBadRequest(err.Error())
	}
	updated := d.obj.DeepCopy()
	for _, op := range ops {
		switch {
		case op.Op == "test" && op.Path == "/metadata/resourceVersion":
			var rv string
			if err := json.Unmarshal(op.Value, &rv); err != nil || rv != d.obj.ResourceVersion {
				return nil, apierrors.NewConflict(deploymentsGR, name, errors.New("the object has been modified"))
			}
		case op.Op == "replace" && op.Path == adapters.TemplatePath:
			updated.Spec.Template = corev1.PodTemplateSpec{}
			if err := json.Unmarshal(op.Value, &updated.Spec.Template); err != nil {
				return nil, apierrors.NewBadRequest(err.Error())
			}
		default:
			return nil, apierrors.NewBadRequest(fmt.Sprintf("unexpected operation %s %s", op.Op, op.Path))
		}
	}
	d.bump(updated)
	if !p.DryRun {
		d.obj = updated
	}
	return updated.DeepCopy(), nil
}

// bump gives obj the next resourceVersion and generation, as a write does.
func (d *revisionedDeployments) bump(obj *appsv1.Deployment) {
	rv, _ := strconv.Atoi(d.obj.ResourceVersion)
	obj.ResourceVersion, obj.Generation = strconv.Itoa(rv+1), d.obj.Generation+1
}

// inFlight: a canary release from stable revision stable to revision canary, at step 1.
func inFlight(stable, canary string) func(*rolloutsv1beta1.Rollout) {
	return func(ro *rolloutsv1beta1.Rollout) {
		ro.Status.CanaryStatus.StableRevision, ro.Status.CanaryStatus.CanaryRevision = stable, canary
		ro.Status.CanaryStatus.PodTemplateHash = canary
	}
}

// TestHistory: the revisions of the Rollout's workload oldest first, the one its template runs
// marked current, the pods on each, and stable/canary from the Rollout's status only while a
// release is in flight (docs/semantics.md §4.6).
func TestHistory(t *testing.T) {
	type entry struct {
		number                  int64
		current, stable, canary bool
		pods                    int
	}
	cases := []struct {
		name     string
		ro       *rolloutsv1beta1.Rollout
		workload func() adapters.Adapter
		want     []entry
		code     string
		says     string
	}{
		{name: "no release, every pod on the current revision: it is the stable one",
			ro:       waitingRollout("shop", noRelease),
			workload: func() adapters.Adapter { return newRevisionedDeployments(3, 3, 0, 0, 2) },
			want:     []entry{{number: 1}, {number: 2}, {number: 3, current: true, stable: true, pods: 2}}},
		{name: "no release, pods still on an older revision: none is stable",
			ro:       waitingRollout("shop", noRelease),
			workload: func() adapters.Adapter { return newRevisionedDeployments(3, 3, 0, 1, 1) },
			want:     []entry{{number: 1}, {number: 2, pods: 1}, {number: 3, current: true, pods: 1}}},
		{name: "no release, no pods: none is stable",
			ro:       waitingRollout("shop", noRelease),
			workload: func() adapters.Adapter { return newRevisionedDeployments(2, 2) },
			want:     []entry{{number: 1}, {number: 2, current: true}}},
		{name: "a release in flight: stable and canary as the Rollout's status names them",
			ro:       waitingRollout("shop", inFlight("hash2", "hash3")),
			workload: func() adapters.Adapter { return newRevisionedDeployments(3, 3, 0, 3, 1) },
			want:     []entry{{number: 1}, {number: 2, stable: true, pods: 3}, {number: 3, current: true, canary: true, pods: 1}}},
		{name: "revisions keyed by their whole name (ControllerRevisions), the status naming the hash suffix",
			ro: waitingRollout("shop", inFlight("hash1", "hash2")),
			workload: func() adapters.Adapter {
				d := newRevisionedDeployments(2, 2, 2, 1)
				for i := range d.revs {
					d.revs[i].Hash = d.revs[i].Name
				}
				return d
			},
			want: []entry{{number: 1, stable: true, pods: 2}, {number: 2, current: true, canary: true, pods: 1}}},
		{name: "a cancelled release's status is not trusted: its stable revision is not marked",
			ro: waitingRollout("shop", cancelled, func(ro *rolloutsv1beta1.Rollout) {
				ro.Status.CanaryStatus.StableRevision, ro.Status.CanaryStatus.CanaryRevision = "hash1", "hash1"
			}),
			workload: func() adapters.Adapter { return newRevisionedDeployments(2, 2, 0, 2) },
			want:     []entry{{number: 1}, {number: 2, current: true, stable: true, pods: 2}}},
		{name: "a template no revision has (edited, not yet seen by the controller): none current",
			ro:       waitingRollout("shop", noRelease),
			workload: func() adapters.Adapter { return newRevisionedDeployments(2, 0, 0, 2) },
			want:     []entry{{number: 1}, {number: 2, pods: 2}}},
		{name: "a kind without revisions", ro: waitingRollout("shop", noRelease),
			workload: func() adapters.Adapter { return newFakeDeployments("shop") },
			code:     CodeBadRequest, says: "Deployment keeps no revision history"},
		{name: "the workload is not in the cache",
			ro:       waitingRollout("shop", noRelease, func(ro *rolloutsv1beta1.Rollout) { ro.Spec.WorkloadRef.Name = "other" }),
			workload: func() adapters.Adapter { return newRevisionedDeployments(2, 2) },
			code:     CodeNotFound, says: "Deployment demo/other referenced by rollout demo/shop not found"},
		{name: "a kind the dashboard does not manage", ro: waitingRollout("shop", noRelease),
			code: CodeBadRequest, says: "a kind the dashboard does not manage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var list []adapters.Adapter
			if c.workload != nil {
				list = []adapters.Adapter{c.workload()}
			}
			f := newRolloutFixtureWith(t, list, c.ro)
			h, err := f.uc.History(context.Background(), "demo", "shop")
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
				return
			}
			if h.Workload.Type != "deployment" || h.Workload.Name != "shop" || h.Workload.Kind != "Deployment" {
				t.Errorf("workload %+v, want the deployment shop", h.Workload)
			}
			got := make([]entry, len(h.Revisions))
			for i, r := range h.Revisions {
				got[i] = entry{number: r.Number, current: r.Current, stable: r.Stable, canary: r.Canary, pods: r.Pods}
				if want := fmt.Sprintf("nginx:1.%d", 24+r.Number); len(r.Images) != 1 || r.Images[0] != want {
					t.Errorf("revision %d images %v, want [%s]", r.Number, r.Images, want)
				}
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c.want) {
				t.Errorf("revisions\n got %+v\nwant %+v", got, c.want)
			}
			if len(f.repo.sent()) != 0 || len(f.events.got()) != 0 {
				t.Errorf("a read wrote %+v, events %v", f.repo.sent(), f.events.got())
			}
		})
	}
}

// TestUndo: the rollback's write path — the JSON patch sent (the resourceVersion read tested,
// the target revision's template without its hash label), the answer, the Event and the release
// record; a preview sends the patch with dryRun and stores, records and announces nothing
// (docs/semantics.md §4.6).
func TestUndo(t *testing.T) {
	cases := []struct {
		name     string
		ro       *rolloutsv1beta1.Rollout
		revision string
		dryRun   bool
		moved    bool // the workload moves on once between the read and the write
		code     string
		says     string

		from, to int64
		changed  bool
		tested   []string // the resourceVersion each patch sent tests, in order
		stored   string   // the image the Deployment runs after ("" : unchanged, nginx:1.27)
		record   string   // the release record's action written on the Rollout ("": none)
		effect   string   // Effect.Case
	}{
		{name: "no release: back to the previous revision, a new release through the steps", ro: waitingRollout("shop", noRelease),
			says: "Deployment demo/shop rolled back to revision 2 (shop-hash2, web=nginx:1.26).", from: 3, to: 2, changed: true,
			tested: []string{"5"}, stored: "nginx:1.26", record: RecordStarted, effect: "new"},
		{name: "to a named revision", ro: waitingRollout("shop", noRelease), revision: "1",
			says: "rolled back to revision 1 (shop-hash1, web=nginx:1.25)", from: 3, to: 1, changed: true,
			tested: []string{"5"}, stored: "nginx:1.25", record: RecordStarted, effect: "new"},
		{name: "preview: the patch sent with dryRun, nothing stored, recorded or announced", ro: waitingRollout("shop", noRelease), dryRun: true,
			says: "preview (nothing changed) — Deployment demo/shop rolled back to revision 2", from: 3, to: 2, changed: true,
			tested: []string{"5"}, effect: "new"},
		{name: "the workload moved between read and write: rebuilt on the version read again", ro: waitingRollout("shop", noRelease), moved: true,
			says: "rolled back to revision 2", from: 3, to: 2, changed: true,
			tested: []string{"5", "6"}, stored: "nginx:1.26", record: RecordStarted, effect: "new"},
		{name: "in flight, back to the stable revision: the Rollout cancels the release", ro: waitingRollout("shop", inFlight("hash2", "hash3")),
			says: "rolled back to revision 2", from: 3, to: 2, changed: true,
			tested: []string{"5"}, stored: "nginx:1.26", record: RecordRolledBack, effect: "cancel"},
		{name: "the revision already in place: nothing to undo, nothing written", ro: waitingRollout("shop", noRelease), revision: "3",
			says: "Deployment demo/shop already runs revision 3; nothing to undo", from: 3, to: 3},
		{name: "a revision that does not exist: nothing written", ro: waitingRollout("shop", noRelease), revision: "9",
			code: CodeNotFound, says: "revision 9 of Deployment shop not found (revisions: [1 2 3])"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newRevisionedDeployments(3, 3, 0, 0, 2)
			d.moved = c.moved
			f := newRolloutFixtureWith(t, []adapters.Adapter{d}, c.ro)
			res, err := f.uc.Undo(context.Background(), "demo", "shop", c.revision, c.dryRun)
			if e := apiError(t, err, c.code); e != nil {
				if !strings.Contains(e.Message, c.says) {
					t.Errorf("error %q, want it to say %q", e.Message, c.says)
				}
			} else {
				if !strings.Contains(res.Message, c.says) || res.Changed != c.changed || res.DryRun != c.dryRun ||
					res.FromRevision != c.from || res.ToRevision != c.to || res.ToName != fmt.Sprintf("shop-hash%d", c.to) {
					t.Errorf("answer %+v, want from %d to %d, changed=%t, saying %q", res, c.from, c.to, c.changed, c.says)
				}
				if want := fmt.Sprintf("nginx:1.%d", 24+c.to); res.Images["web"] != want || len(res.Images) != 1 {
					t.Errorf("images %v, want web=%s", res.Images, want)
				}
				if res.Case != c.effect {
					t.Errorf("effect %+v, want case %q", res.Effect, c.effect)
				}
				if c.changed {
					want := []Change{{Path: "spec.containers[0].image", From: "nginx:1.27", To: fmt.Sprintf("nginx:1.%d", 24+c.to)}}
					if fmt.Sprint(res.Diff) != fmt.Sprint(want) {
						t.Errorf("diff %+v, want %+v", res.Diff, want)
					}
				}
			}

			sent := d.patches()
			if len(sent) != len(c.tested) {
				t.Fatalf("sent %d patches, want %d", len(sent), len(c.tested))
			}
			for i, p := range sent {
				var ops []struct {
					Op, Path string
					Value    json.RawMessage
				}
				if err := json.Unmarshal(p.Data, &ops); err != nil || p.Type != types.JSONPatchType || p.DryRun != c.dryRun || len(ops) != 2 {
					t.Fatalf("patch %d: %s %s dryRun=%t, want a JSON patch of two operations, dryRun=%t", i+1, p.Type, p.Data, p.DryRun, c.dryRun)
				}
				if ops[0].Op != "test" || ops[0].Path != "/metadata/resourceVersion" || string(ops[0].Value) != strconv.Quote(c.tested[i]) {
					t.Errorf("patch %d first operation %s %s %s, want a test of resourceVersion %q", i+1, ops[0].Op, ops[0].Path, ops[0].Value, c.tested[i])
				}
				var tmpl corev1.PodTemplateSpec
				_ = json.Unmarshal(ops[1].Value, &tmpl)
				want := revisionTemplate(int(c.to))
				delete(want.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
				if ops[1].Op != "replace" || ops[1].Path != "/spec/template" || !adapters.SameTemplate(tmpl, want) || tmpl.Labels[appsv1.DefaultDeploymentUniqueLabelKey] != "" {
					t.Errorf("patch %d second operation %s %s %s, want revision %d's template without its hash label", i+1, ops[1].Op, ops[1].Path, ops[1].Value, c.to)
				}
			}
			stored := c.stored
			if stored == "" {
				stored = "nginx:1.27"
			}
			if got := d.obj.Spec.Template.Spec.Containers[0].Image; got != stored {
				t.Errorf("the Deployment runs %s, want %s", got, stored)
			}

			wantEvents := "[]"
			if c.record != "" {
				wantEvents = "[RolledBackByDashboard]"
			}
			if got := fmt.Sprint(f.events.got()); got != wantEvents {
				t.Errorf("events %s, want %s", got, wantEvents)
			}
			writes := f.repo.sent()
			if c.record == "" {
				if len(writes) != 0 {
					t.Errorf("the Rollout was written: %+v", writes)
				}
				return
			}
			if len(writes) != 1 || writes[0].Status || !writes[0].Landed {
				t.Fatalf("Rollout writes %+v, want one landed patch of its release record", writes)
			}
			entries, problem := parseRecord(f.repo.stored("demo/shop").Annotations)
			if problem != "" || len(entries) != 1 || entries[0].Action != c.record || entries[0].Images["web"] != stored || !entries[0].At.Equal(f.clock.Now()) {
				t.Errorf("release record %+v (%v), want one %s entry of web=%s at the injected clock's %v", entries, problem, c.record, stored, f.clock.Now())
			}
		})
	}
}
