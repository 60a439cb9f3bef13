package biz

import (
	"context"
	"fmt"
	"sort"
	"time"

	"go.opentelemetry.io/otel/trace"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// EventSource is the component name of the Events the dashboard records.
const EventSource = "kruise-dashboard"

// EventRepo records and lists Kubernetes Events about objects.
type EventRepo interface {
	// Record creates an Event as the dashboard's own identity (users rarely may create Events).
	Record(ctx context.Context, ref corev1.ObjectReference, eventType, reason, message string) error
	// List returns the Events about one object, read as the request's user.
	List(ctx context.Context, namespace, kind, name string) ([]corev1.Event, error)
}

// Event is one Event as the API serves it.
type Event struct {
	Type           string    `json:"type"`
	Reason         string    `json:"reason"`
	Message        string    `json:"message"`
	Count          int32     `json:"count"`
	FirstTimestamp time.Time `json:"firstTimestamp"`
	LastTimestamp  time.Time `json:"lastTimestamp"`
	Source         string    `json:"source"`
}

// EventUsecase records who did what through the dashboard and serves the Events of an object.
type EventUsecase struct {
	repo   EventRepo
	tracer trace.Tracer
}

// NewEventUsecase builds the event use cases.
func NewEventUsecase(repo EventRepo, tp trace.TracerProvider) *EventUsecase {
	return &EventUsecase{repo: repo, tracer: tp.Tracer("biz")}
}

// Recorded records a successful action on obj: reason e.g. "ApprovedByDashboard", message e.g.
// "step 2 approved" (the user is appended). A failure to record does not undo the action; it is
// kept on the span.
func (uc *EventUsecase) Recorded(ctx context.Context, gvk schema.GroupVersionKind, obj metav1.Object, reason, format string, args ...any) {
	ctx, span := uc.tracer.Start(ctx, "EventUsecase.Record")
	defer span.End()
	ref := corev1.ObjectReference{
		APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Namespace: obj.GetNamespace(),
		Name: obj.GetName(), UID: obj.GetUID(), ResourceVersion: obj.GetResourceVersion(),
	}
	msg := fmt.Sprintf(format, args...) + " by " + Describe(ctx)
	if err := uc.repo.Record(ctx, ref, corev1.EventTypeNormal, reason, msg); err != nil {
		span.RecordError(err)
	}
}

// List returns the Events about one object, newest first.
func (uc *EventUsecase) List(ctx context.Context, ns, kind, name string) ([]Event, error) {
	ctx, span := uc.tracer.Start(ctx, "EventUsecase.List")
	defer span.End()
	if ns != ClusterScope {
		if err := ValidateNamespace(ns); err != nil {
			return nil, err
		}
	}
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	items, err := uc.repo.List(ctx, ns, kind, name)
	if err != nil {
		return nil, FromKube(err, fmt.Sprintf("events of %s %s/%s", kind, ns, name))
	}
	out := make([]Event, 0, len(items))
	for _, e := range items {
		out = append(out, eventOf(e))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastTimestamp.After(out[j].LastTimestamp) })
	return out, nil
}

// eventOf flattens an Event written by either events API (series, eventTime) or the old one.
func eventOf(e corev1.Event) Event {
	first, last := e.FirstTimestamp.Time, e.LastTimestamp.Time
	if first.IsZero() {
		first = e.EventTime.Time
	}
	if e.Series != nil && !e.Series.LastObservedTime.IsZero() {
		last = e.Series.LastObservedTime.Time
	}
	if last.IsZero() {
		last = first
	}
	count := e.Count
	if e.Series != nil && e.Series.Count > count {
		count = e.Series.Count
	}
	if count == 0 {
		count = 1
	}
	source := e.Source.Component
	if source == "" {
		source = e.ReportingController
	}
	return Event{Type: e.Type, Reason: e.Reason, Message: e.Message, Count: count, FirstTimestamp: first, LastTimestamp: last, Source: source}
}
