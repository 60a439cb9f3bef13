package adapters

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
)

// ErrRestartRefused is wrapped by RestartPatch when the object's state forbids a restart.
var ErrRestartRefused = errors.New("restart refused")

// Deployment is apps/v1 Deployment. Its pods belong to its ReplicaSets.
type Deployment struct{ Resource }

// NewDeployment builds the deployment adapter.
func NewDeployment(c *Cluster) *Deployment {
	info := Info{
		Type: "deployment", Plural: "deployments",
		GVK:          appsv1.SchemeGroupVersion.WithKind("Deployment"),
		Capabilities: Capabilities{Scalable: true, Restartable: true, ImageSettable: true},
		Columns: []Column{ReplicasColumn, ReadyColumn, UpToDateColumn, AvailableColumn,
			StringColumn("revision", "Revision", "版本", "metadata", "annotations", DeploymentRevisionAnnotation)},
		States: []string{"ready", "updating", "notReady", "paused", "scaledToZero", "inRelease"},
		State:  ReplicaRule{Paused: func(o Object) bool { return o.True("spec", "paused") }}.State,
	}
	// kubectl's own verbs: rollout restart stamps the same annotation the dashboard does.
	info.Commands = info.KubectlCommands()
	return &Deployment{NewResource(c, info, func() cache.SharedIndexInformer { return c.Kube.Apps().V1().Deployments().Informer() })}
}

var (
	_ Scaler             = (*Deployment)(nil)
	_ Restarter          = (*Deployment)(nil)
	_ Revisioner         = (*Deployment)(nil)
	_ ContainerRestarter = (*Deployment)(nil)
)

// Pods are the pods of the ReplicaSets the Deployment controls.
func (d *Deployment) Pods(obj metav1.Object) ([]*corev1.Pod, error) {
	sets, err := OwnedUIDs(d.Cluster().Kube.Apps().V1().ReplicaSets().Informer(), obj.GetUID())
	if err != nil {
		return nil, err
	}
	return d.Cluster().PodsOwnedBy(sets...)
}

func (d *Deployment) Scale(ctx context.Context, namespace, name string, replicas int32) (*autoscalingv1.Scale, error) {
	return d.ScaleSubresource(ctx, namespace, name, replicas)
}

// RestartPatch refuses a paused Deployment, as kubectl does: the new template would not roll out.
func (d *Deployment) RestartPatch(obj runtime.Object, at time.Time) ([]byte, error) {
	if dep, ok := obj.(*appsv1.Deployment); ok && dep.Spec.Paused {
		return nil, fmt.Errorf("%w: deployment %s/%s is paused; resume it first", ErrRestartRefused, dep.Namespace, dep.Name)
	}
	return TemplateAnnotationPatch(at.Format(time.RFC3339)), nil
}

// Revisions are the Deployment's ReplicaSets.
func (d *Deployment) Revisions(obj metav1.Object) ([]Revision, error) {
	return d.Cluster().replicaSetRevisions(obj)
}

func (d *Deployment) TemplateOf(obj runtime.Object) (corev1.PodTemplateSpec, error) {
	dep, err := as[*appsv1.Deployment](obj)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	return dep.Spec.Template, nil
}

// ContainerRestartPatch is the annotation: a Deployment recreates pods on any template change.
func (d *Deployment) ContainerRestartPatch(obj runtime.Object, at time.Time) (Patch, error) {
	patch, err := d.RestartPatch(obj, at)
	return Patch{Type: types.MergePatchType, Data: patch}, err
}
