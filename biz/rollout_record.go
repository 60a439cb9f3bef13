package biz

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	rolloutsv1beta1 "github.com/openkruise/kruise-rollout-api/rollouts/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// The release record: what the dashboard did to a Rollout's releases, kept on the Rollout itself
// (an annotation), so every replica and every restart reads the same timeline, and it outlives
// the Events (which the API server drops after an hour). It is written with the signed-in user's
// credentials, a merge patch of the Rollout's metadata guarded by the resourceVersion read; a
// user who may approve (patch rollouts/status) but not patch the Rollout gets the action done
// and a warning that it is not in the timeline, which then shows the step as approved outside
// the dashboard.

// RecordAnnotation is the Rollout annotation holding the record: a JSON array of RecordEntry,
// oldest first.
const RecordAnnotation = "kruise-dashboard.io/release-record"

// maxRecordEntries bounds the record: older entries are dropped first.
const maxRecordEntries = 50

// Record actions.
const (
	RecordStarted    = "started"    // set image on the Rollout's workload: a release starts
	RecordApproved   = "approved"   // a step approved
	RecordRolledBack = "rolledBack" // the workload rolled back (undo)
)

// RecordEntry is one action in the record.
type RecordEntry struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action string    `json:"action"`
	// Step is the step approved (approved).
	Step int32 `json:"step,omitempty"`
	// Images are the images set, by container (started), or rolled back to (rolledBack).
	Images map[string]string `json:"images,omitempty"`
	// Reason is the reason written by the approver; Verdict the evidence's verdict when the
	// policy asked for it.
	Reason  string `json:"reason,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	// Revision is the release's canary revision as the status showed it (approved, rolledBack).
	Revision string `json:"revision,omitempty"`
	// Generation is the workload's generation after the change (started): the controller's
	// observedWorkloadGeneration of the release it starts.
	Generation int64 `json:"generation,omitempty"`
	// WaitingSince is when the approved step began waiting, as the controller recorded it.
	WaitingSince *time.Time `json:"waitingSince,omitempty"`
}

// parseRecord reads the record annotation; a malformed one is ignored with a note (never an
// error: the timeline then shows what the controller's status says).
func parseRecord(annotations map[string]string) ([]RecordEntry, string) {
	raw, ok := annotations[RecordAnnotation]
	if !ok || raw == "" {
		return nil, ""
	}
	var entries []RecordEntry
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		return nil, fmt.Sprintf("the annotation %s is not a record the dashboard wrote (%v); ignored", RecordAnnotation, err)
	}
	return entries, ""
}

// appendRecord adds e to the record, keeping the newest maxRecordEntries (a malformed record is
// replaced).
func appendRecord(entries []RecordEntry, e RecordEntry) []RecordEntry {
	entries = append(entries, e)
	if len(entries) > maxRecordEntries {
		entries = entries[len(entries)-maxRecordEntries:]
	}
	return entries
}

// recordAttempts bounds the re-reads when the Rollout changed between read and write.
const recordAttempts = 4

// record appends e to the Rollout's record as the request's user, re-reading and retrying when
// the Rollout changed meanwhile. It answers a warning (empty when written): the action it records
// has happened either way.
// read, when not nil, is the Rollout as just read from the API server: the first attempt writes
// on it without reading again.
func record(ctx context.Context, repo RolloutRepo, ns, name string, read *rolloutsv1beta1.Rollout, e RecordEntry) string {
	if e.By == "" {
		e.By = Describe(ctx)
	}
	e.At = e.At.UTC()
	var err error
	for range recordAttempts {
		var obj RolloutObject
		if read != nil {
			obj.Rollout, read = read, nil
		} else if obj, err = repo.Fetch(ctx, ns, name); err != nil {
			break
		}
		entries, _ := parseRecord(obj.Rollout.Annotations)
		body, merr := json.Marshal(appendRecord(entries, e))
		if merr != nil {
			err = merr
			break
		}
		patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
			"resourceVersion": obj.Rollout.ResourceVersion,
			"annotations":     map[string]string{RecordAnnotation: string(body)},
		}})
		if _, err = repo.Patch(ctx, ns, name, patch, false); err == nil || !apierrors.IsConflict(err) {
			break
		}
	}
	if err == nil {
		return ""
	}
	why := err.Error()
	if apierrors.IsForbidden(err) {
		why = "you may not patch the Rollout (only its status)"
	}
	return fmt.Sprintf("not in the release timeline: the record on rollout %s/%s was not written (%s); the timeline shows it as done outside the dashboard", ns, name, why)
}

// recordStart records a release started by the dashboard on ro's workload: who set which images,
// and the workload's generation after the change (the release the controller starts from it).
func recordStart(ctx context.Context, repo RolloutRepo, ro *rolloutsv1beta1.Rollout, at time.Time, images map[string]string, generation int64) string {
	return record(ctx, repo, ro.Namespace, ro.Name, nil, RecordEntry{At: at, Action: RecordStarted, Images: images, Generation: generation})
}

// recordUndo records a rollback: of the release in flight (rolledBack, naming its revision), or,
// with none in flight, the new release the rolled-back template starts.
func (uc *RolloutUsecase) recordUndo(ctx context.Context, ro *rolloutsv1beta1.Rollout, images map[string]string, updated runtime.Object) string {
	if isActive(ro) {
		return record(ctx, uc.repo, ro.Namespace, ro.Name, nil, RecordEntry{At: uc.clock.Now(), Action: RecordRolledBack, Images: images, Revision: canaryRevision(ro)})
	}
	var generation int64
	if m, ok := updated.(metav1.Object); ok {
		generation = m.GetGeneration()
	}
	return recordStart(ctx, uc.repo, ro, uc.clock.Now(), images, generation)
}

// imagesOf are the images set, by container.
func imagesOf(cs []ContainerImage) map[string]string {
	out := make(map[string]string, len(cs))
	for _, c := range cs {
		out[c.Name] = c.To
	}
	return out
}
