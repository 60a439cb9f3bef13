package biz

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	"go.opentelemetry.io/otel/trace/noop"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/registry"
)

// The stand-ins the Rollout use case's unit tests run against: an in-memory API server for
// Rollouts (resourceVersions, 409 on a stale one, merge patches of the object or of its status
// subresource), hooks through which a test plays the controller or another person writing in
// between, a clock the use case advances itself, and recorders of Events and access reviews.

// sentPatch is one patch the use case sent, as the API server received it.
type sentPatch struct {
	Name   string
	Body   string
	Status bool // to the status subresource
	Landed bool // false: refused (409 on a stale resourceVersion)
}

// memRollouts is the in-memory RolloutRepo.
type memRollouts struct {
	mu      sync.Mutex
	objs    map[string]*rolloutsv1beta1.Rollout // by namespace/name
	rv      int
	patches []sentPatch
	fetches int // reads from the "API server" (Fetch), not the cache (Get, List)
	reads   int // every read, cache included

	// beforeWrite runs before the n-th patch (from 0) of the object at key is applied: a write
	// by the controller or by another person between the use case's read and its write.
	beforeWrite func(m *memRollouts, key string, n int)
	// afterWrite runs after a patch was applied.
	afterWrite func(m *memRollouts, key string, n int)
	// onFetch runs before the n-th Fetch (from 0) of key answers: the controller reconciling
	// between the use case's reads.
	onFetch func(m *memRollouts, key string, n int)

	writesOf map[string]int
	readsOf  map[string]int
}

var rolloutsGR = schema.GroupResource{Group: rolloutsv1beta1.GroupVersion.Group, Resource: "rollouts"}

func newMemRollouts(objs ...*rolloutsv1beta1.Rollout) *memRollouts {
	m := &memRollouts{objs: map[string]*rolloutsv1beta1.Rollout{}, rv: 10, writesOf: map[string]int{}, readsOf: map[string]int{}}
	for _, ro := range objs {
		m.rv++
		ro = ro.DeepCopy()
		ro.ResourceVersion = strconv.Itoa(m.rv)
		m.objs[ro.Namespace+"/"+ro.Name] = ro
	}
	return m
}

// write changes the stored object as another writer would, with a new resourceVersion.
func (m *memRollouts) write(key string, change func(*rolloutsv1beta1.Rollout)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ro := m.objs[key]
	change(ro)
	m.rv++
	ro.ResourceVersion = strconv.Itoa(m.rv)
}

// stored is a copy of the object as the API server has it now.
func (m *memRollouts) stored(key string) *rolloutsv1beta1.Rollout {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.objs[key].DeepCopy()
}

func (m *memRollouts) sent() []sentPatch {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sentPatch(nil), m.patches...)
}

func (m *memRollouts) counts() (fetches, reads int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fetches, m.reads
}

func served(ro *rolloutsv1beta1.Rollout) RolloutObject {
	c := ro.DeepCopy()
	c.TypeMeta = metav1.TypeMeta{APIVersion: rolloutsv1beta1.GroupVersion.String(), Kind: "Rollout"}
	return RolloutObject{Raw: c, Rollout: c}
}

func (m *memRollouts) List(namespace string) ([]RolloutObject, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	keys := make([]string, 0, len(m.objs))
	for k, ro := range m.objs {
		if namespace == "" || ro.Namespace == namespace {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]RolloutObject, 0, len(keys))
	for _, k := range keys {
		out = append(out, served(m.objs[k]))
	}
	return out, nil
}

func (m *memRollouts) Get(namespace, name string) (RolloutObject, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	ro, ok := m.objs[namespace+"/"+name]
	if !ok {
		return RolloutObject{}, apierrors.NewNotFound(rolloutsGR, name)
	}
	return served(ro), nil
}

func (m *memRollouts) Fetch(ctx context.Context, namespace, name string) (RolloutObject, error) {
	if err := ctx.Err(); err != nil {
		return RolloutObject{}, err
	}
	key := namespace + "/" + name
	m.mu.Lock()
	n := m.readsOf[key]
	m.readsOf[key]++
	m.fetches++
	m.reads++
	hook := m.onFetch
	_, ok := m.objs[key]
	m.mu.Unlock()
	if !ok {
		return RolloutObject{}, apierrors.NewNotFound(rolloutsGR, name)
	}
	if hook != nil {
		hook(m, key, n)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return served(m.objs[key]), nil
}

func (m *memRollouts) Patch(ctx context.Context, namespace, name string, patch []byte, status bool) (RolloutObject, error) {
	if err := ctx.Err(); err != nil {
		return RolloutObject{}, err
	}
	key := namespace + "/" + name
	m.mu.Lock()
	n := m.writesOf[key]
	m.writesOf[key]++
	before, after := m.beforeWrite, m.afterWrite
	m.mu.Unlock()
	if before != nil {
		before(m, key, n)
	}
	obj, err := m.apply(key, name, patch, status)
	if err == nil && after != nil {
		after(m, key, n)
	}
	return obj, err
}

// apply is the API server's side of a JSON merge patch: a resourceVersion in the patch must be
// the stored one (else 409); a patch of the status subresource changes only the status, one of
// the object everything but the status.
func (m *memRollouts) apply(key, name string, patch []byte, status bool) (RolloutObject, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sent := sentPatch{Name: name, Body: string(patch), Status: status}
	defer func() { m.patches = append(m.patches, sent) }()
	ro, ok := m.objs[key]
	if !ok {
		return RolloutObject{}, apierrors.NewNotFound(rolloutsGR, name)
	}
	var p map[string]any
	if err := json.Unmarshal(patch, &p); err != nil {
		return RolloutObject{}, apierrors.NewBadRequest(err.Error())
	}
	if md, ok := p["metadata"].(map[string]any); ok {
		if rv, ok := md["resourceVersion"]; ok && rv != ro.ResourceVersion {
			return RolloutObject{}, apierrors.NewConflict(rolloutsGR, name, errors.New("the object has been modified; please apply your changes to the latest version and try again"))
		}
		delete(md, "resourceVersion")
	}
	for k := range p {
		if (k == "status") != status && k != "metadata" {
			delete(p, k)
		}
	}
	var doc map[string]any
	raw, _ := json.Marshal(ro)
	_ = json.Unmarshal(raw, &doc)
	mergePatch(doc, p)
	raw, _ = json.Marshal(doc)
	updated := &rolloutsv1beta1.Rollout{}
	if err := json.Unmarshal(raw, updated); err != nil {
		return RolloutObject{}, apierrors.NewBadRequest(err.Error())
	}
	m.rv++
	updated.ResourceVersion = strconv.Itoa(m.rv)
	m.objs[key] = updated
	sent.Landed = true
	return served(updated), nil
}

// mergePatch applies an RFC 7386 merge patch to doc.
func mergePatch(doc, patch map[string]any) {
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(doc, k)
		case map[string]any:
			dv, ok := doc[k].(map[string]any)
			if !ok {
				dv = map[string]any{}
				doc[k] = dv
			}
			mergePatch(dv, pv)
		default:
			doc[k] = v
		}
	}
}

// fakeClock advances itself by the duration asked for on every After, whose channel has then
// already fired: a wait of seconds takes no time. With stall, After never fires.
type fakeClock struct {
	mu    sync.Mutex
	start time.Time
	now   time.Time
	waits []time.Duration
	stall bool
}

func newFakeClock() *fakeClock {
	t := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &fakeClock{start: t, now: t}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waits = append(c.waits, d)
	if !c.stall {
		c.now = c.now.Add(d)
		ch <- c.now
	}
	return ch
}

// elapsed is how far the use case moved the clock.
func (c *fakeClock) elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Sub(c.start)
}

// recordedEvents is the EventRepo: the Events the use case recorded.
type recordedEvents struct {
	mu      sync.Mutex
	reasons []string
	msgs    []string
}

func (e *recordedEvents) Record(_ context.Context, _ corev1.ObjectReference, _, reason, message string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reasons = append(e.reasons, reason)
	e.msgs = append(e.msgs, message)
	return nil
}

func (e *recordedEvents) List(context.Context, string, string, string) ([]corev1.Event, error) {
	return nil, nil
}

func (e *recordedEvents) got() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.reasons...)
}

// denyAll is an Access that refuses every question (for a signed-in user), and counts them.
type denyAll struct{ asked []Attributes }

func (d *denyAll) Allowed(_ context.Context, a Attributes) (bool, error) {
	d.asked = append(d.asked, a)
	return false, nil
}

// rolloutFixture is a RolloutUsecase over the in-memory stand-ins.
type rolloutFixture struct {
	uc     *RolloutUsecase
	repo   *memRollouts
	clock  *fakeClock
	events *recordedEvents
}

func newRolloutFixture(t *testing.T, objs ...*rolloutsv1beta1.Rollout) *rolloutFixture {
	t.Helper()
	return newRolloutFixtureWith(t, nil, objs...)
}

// newRolloutFixtureWith serves the workload types of list (none: every workloadRef names a
// kind the dashboard does not manage), their caches always ready.
func newRolloutFixtureWith(t *testing.T, list []adapters.Adapter, objs ...*rolloutsv1beta1.Rollout) *rolloutFixture {
	t.Helper()
	reg, err := registry.New(list)
	if err != nil {
		t.Fatal(err)
	}
	f := &rolloutFixture{repo: newMemRollouts(objs...), clock: newFakeClock(), events: &recordedEvents{}}
	tp := noop.NewTracerProvider()
	f.uc = NewRolloutUsecase(f.repo, nil, reg, fixtureCache{reg: reg}, nil, &denyAll{}, NewEventUsecase(f.events, tp), tp)
	f.uc.clock = f.clock
	return f
}

// fixtureCache is a synced cache whose objects are the fixture's in-memory workloads.
type fixtureCache struct {
	readyCache
	reg *registry.Registry
}

func (c fixtureCache) Get(info adapters.Info, key string) (runtime.Object, bool, error) {
	a, _ := c.reg.Get(info.Type)
	if mem, ok := a.(interface {
		cached(key string) (runtime.Object, bool)
	}); ok {
		obj, found := mem.cached(key)
		return obj, found, nil
	}
	return nil, false, nil
}

// signedIn is a request of a signed-in user, whose access reviews the use case's Access answers.
func signedIn() context.Context {
	return WithUser(context.Background(), &User{Name: "alice", Impersonate: true})
}

// A Rollout of demo/shop releasing a Deployment in three canary steps: step 1 waits for a
// person, step 2 pauses 30s, step 3 is 100%; by default waiting for approval at step 1.
func waitingRollout(name string, change ...func(*rolloutsv1beta1.Rollout)) *rolloutsv1beta1.Rollout {
	ro := &rolloutsv1beta1.Rollout{
		ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name},
		Spec: rolloutsv1beta1.RolloutSpec{
			WorkloadRef: rolloutsv1beta1.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
			Strategy:    rolloutsv1beta1.RolloutStrategy{Canary: &rolloutsv1beta1.CanaryStrategy{Steps: steps("100%")}},
		},
		Status: rolloutsv1beta1.RolloutStatus{
			Phase:      rolloutsv1beta1.RolloutPhaseProgressing,
			Conditions: []rolloutsv1beta1.RolloutCondition{{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionTrue, Reason: rolloutsv1beta1.ProgressingReasonInRolling}},
			CanaryStatus: &rolloutsv1beta1.CanaryStatus{CommonStatus: rolloutsv1beta1.CommonStatus{
				CurrentStepIndex: 1, CurrentStepState: rolloutsv1beta1.CanaryStepStatePaused, NextStepIndex: 2}},
		},
	}
	for _, c := range change {
		c(ro)
	}
	return ro
}

// at sets where the release stands.
func at(step int32, state rolloutsv1beta1.CanaryStepState) func(*rolloutsv1beta1.Rollout) {
	return func(ro *rolloutsv1beta1.Rollout) {
		ro.Status.CanaryStatus.CurrentStepIndex, ro.Status.CanaryStatus.CurrentStepState = step, state
	}
}

// noRelease: a Rollout that finished its last release (or never had one).
func noRelease(ro *rolloutsv1beta1.Rollout) {
	ro.Status.Phase = rolloutsv1beta1.RolloutPhaseHealthy
	ro.Status.Conditions[0].Reason = rolloutsv1beta1.ProgressingReasonCompleted
	ro.Status.CanaryStatus = nil
}

// cancelled: the workload was rolled back mid-release; the controller finished the cancellation
// and left the sub-status as it was at the step it stopped at (v0.6: Progressing condition
// Completed/False "cancelled", Succeeded False, the canary revision back to the stable one).
func cancelled(ro *rolloutsv1beta1.Rollout) {
	ro.Status.Phase = rolloutsv1beta1.RolloutPhaseHealthy
	ro.Status.Message = "Rollout progressing has been cancelled"
	ro.Status.Conditions = []rolloutsv1beta1.RolloutCondition{
		{Type: rolloutsv1beta1.RolloutConditionProgressing, Status: corev1.ConditionFalse, Reason: rolloutsv1beta1.ProgressingReasonCompleted, Message: "Rollout progressing has been cancelled"},
		{Type: rolloutsv1beta1.RolloutConditionSucceeded, Status: corev1.ConditionFalse},
	}
	ro.Status.CanaryStatus.StableRevision, ro.Status.CanaryStatus.CanaryRevision = "5d4f8b", "5d4f8b"
}

func reason(r string) func(*rolloutsv1beta1.Rollout) {
	return func(ro *rolloutsv1beta1.Rollout) { ro.Status.Conditions[0].Reason = r }
}

// apiError asserts err is an *Error with code (or no error for code "").
func apiError(t *testing.T, err error, code string) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v (%T), want code %s", err, err, code)
	}
	return e
}
