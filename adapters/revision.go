package adapters

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// Revision is one stored version of a workload's pod template: a ReplicaSet of a Deployment, or
// a ControllerRevision of a CloneSet, Advanced StatefulSet or Advanced DaemonSet.
type Revision struct {
	// Number is the revision number (deployment.kubernetes.io/revision, or .revision). Kruise
	// renumbers a reused revision, so Name is the stable key.
	Number int64 `json:"revision"`
	// Name is the ReplicaSet or ControllerRevision name.
	Name string `json:"name"`
	// Hash is what pods carry in pod-template-hash or controller-revision-hash.
	Hash        string                 `json:"hash"`
	ChangeCause string                 `json:"changeCause,omitempty"`
	Images      []string               `json:"images"`
	Created     metav1.Time            `json:"created"`
	Template    corev1.PodTemplateSpec `json:"-"`
}

// Annotations read from revisions.
const (
	DeploymentRevisionAnnotation = "deployment.kubernetes.io/revision"
	ChangeCauseAnnotation        = "kubernetes.io/change-cause"
)

// SameTemplate compares pod templates as kubectl's rollback does: the hash label the controller
// adds is ignored.
func SameTemplate(a, b corev1.PodTemplateSpec) bool {
	a, b = *a.DeepCopy(), *b.DeepCopy()
	for _, t := range []*corev1.PodTemplateSpec{&a, &b} {
		delete(t.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
		if len(t.Labels) == 0 {
			t.Labels = nil
		}
	}
	return equality.Semantic.DeepEqual(a, b)
}

// RollbackPatch is the JSON patch that replaces obj's pod template with rev's, guarded by a test
// of the resourceVersion read, so a concurrent change makes it fail (409) instead of being lost.
func RollbackPatch(resourceVersion string, rev Revision) ([]byte, error) {
	tmpl := *rev.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	return json.Marshal([]map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": resourceVersion},
		{"op": "replace", "path": "/spec/template", "value": tmpl},
	})
}

func imagesOf(t corev1.PodTemplateSpec) []string {
	images := make([]string, 0, len(t.Spec.Containers))
	for _, c := range t.Spec.Containers {
		images = append(images, c.Image)
	}
	return images
}

func sortRevisions(revs []Revision) []Revision {
	sort.SliceStable(revs, func(i, j int) bool { return revs[i].Number < revs[j].Number })
	return revs
}

// replicaSetRevisions are the revisions of a Deployment: the ReplicaSets it controls.
func (c *Cluster) replicaSetRevisions(owner metav1.Object) ([]Revision, error) {
	objs, err := ownedBy(Indexed(c.Kube.Apps().V1().ReplicaSets().Informer()), owner.GetUID())
	if err != nil {
		return nil, err
	}
	revs := make([]Revision, 0, len(objs))
	for _, o := range objs {
		rs, ok := o.(*appsv1.ReplicaSet)
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(rs.Annotations[DeploymentRevisionAnnotation], 10, 64)
		revs = append(revs, Revision{Number: n, Name: rs.Name, Hash: rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey],
			ChangeCause: rs.Annotations[ChangeCauseAnnotation], Images: imagesOf(rs.Spec.Template),
			Created: rs.CreationTimestamp, Template: rs.Spec.Template})
	}
	return sortRevisions(revs), nil
}

// ControllerRevisionInformer is the shared ControllerRevision informer, indexed by owner.
func (c *Cluster) ControllerRevisionInformer() cache.SharedIndexInformer {
	return Indexed(c.Kube.Apps().V1().ControllerRevisions().Informer())
}

// controllerRevisions are the revisions Kruise keeps for a CloneSet, Advanced StatefulSet or
// Advanced DaemonSet. Their data is a patch {"spec":{"template":{...,"$patch":"replace"}}}; the
// template is decoded from it.
func (c *Cluster) controllerRevisions(owner metav1.Object) ([]Revision, error) {
	objs, err := ownedBy(c.ControllerRevisionInformer(), owner.GetUID())
	if err != nil {
		return nil, err
	}
	revs := make([]Revision, 0, len(objs))
	for _, o := range objs {
		cr, ok := o.(*appsv1.ControllerRevision)
		if !ok {
			continue
		}
		var data struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(cr.Data.Raw, &data); err != nil {
			return nil, fmt.Errorf("decode ControllerRevision %s/%s: %w", cr.Namespace, cr.Name, err)
		}
		revs = append(revs, Revision{Number: cr.Revision, Name: cr.Name, Hash: cr.Name,
			ChangeCause: cr.Annotations[ChangeCauseAnnotation], Images: imagesOf(data.Spec.Template),
			Created: cr.CreationTimestamp, Template: data.Spec.Template})
	}
	return sortRevisions(revs), nil
}
