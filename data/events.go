package data

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"

	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// EventRepo writes Events as the dashboard and reads them as the request's user.
type EventRepo struct{ clients *Clients }

// NewEventRepo builds the event repository.
func NewEventRepo(clients *Clients) *EventRepo { return &EventRepo{clients: clients} }

// Record implements biz.EventRepo.
func (r *EventRepo) Record(ctx context.Context, ref corev1.ObjectReference, eventType, reason, message string) error {
	now := metav1.NewTime(time.Now())
	ns := eventNamespace(ref.Namespace)
	_, err := r.clients.Service.CoreV1().Events(ns).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: ref.Name + "-", Namespace: ns},
		InvolvedObject: ref, Type: eventType, Reason: reason, Message: message,
		Source: corev1.EventSource{Component: biz.EventSource}, ReportingController: biz.EventSource,
		ReportingInstance: biz.EventSource, Action: reason,
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("record event %s on %s %s/%s: %w", reason, ref.Kind, ref.Namespace, ref.Name, err)
	}
	return nil
}

// List implements biz.EventRepo: a direct read (Events are not cached), as the user.
func (r *EventRepo) List(ctx context.Context, namespace, kind, name string) ([]corev1.Event, error) {
	sel := fields.Set{"involvedObject.kind": kind, "involvedObject.name": name}.AsSelector().String()
	list, err := r.clients.Kube.CoreV1().Events(eventNamespace(namespace)).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// eventNamespace is where the Events of an object are: a cluster-scoped object's (namespace ""
// or the API's _cluster) are in default, as Kubernetes' own recorders put them.
func eventNamespace(ns string) string {
	if ns == "" || ns == biz.ClusterScope {
		return metav1.NamespaceDefault
	}
	return ns
}
