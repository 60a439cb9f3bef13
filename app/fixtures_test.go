package main

import (
	"context"
	"testing"

	kruiseappsv1alpha1 "github.com/openkruise/kruise-api/apps/v1alpha1"
	kruiseappsv1beta1 "github.com/openkruise/kruise-api/apps/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

// Fixtures create real objects of every type in the API server. No controller runs in the basic
// local cluster, so the objects a controller would create (ReplicaSets, Jobs, BroadcastJobs,
// pods) are created here with the owner references the controllers set.

var ctx = context.Background()

func labelsFor(name string) map[string]string { return map[string]string{"app": name} }

func podTemplate(name string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labelsFor(name)},
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyAlways,
			Containers:    []corev1.Container{{Name: "main", Image: "nginx:1.27"}},
		},
	}
}

func jobPodTemplate(name string) corev1.PodTemplateSpec {
	tmpl := podTemplate(name)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return tmpl
}

func ownerRef(owner metav1.Object, gvk schema.GroupVersionKind) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: owner.GetName(),
		UID: owner.GetUID(), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
}

// createPod creates a pod with the app label of `app`, controlled by owner when owner is set.
func createPod(t testing.TB, ns, name, app string, owner *metav1.OwnerReference) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labelsFor(app)},
		Spec:       podTemplate(app).Spec,
	}
	if owner != nil {
		pod.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	created, err := shared.kube.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod %s/%s: %v", ns, name, err)
	}
	return created
}

// must fails the test on err; it takes the error of a create call.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func createDeployment(t testing.TB, ns, name string, replicas int32) *appsv1.Deployment {
	obj, err := shared.kube.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create deployment", err)
	return obj
}

func createAppsStatefulSet(t testing.TB, ns, name string) *appsv1.StatefulSet {
	s, err := shared.kube.AppsV1().StatefulSets(ns).Create(context.Background(), &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To[int32](3), Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create apps/v1 statefulset", err)
	return s
}

func createAppsDaemonSet(t testing.TB, ns, name string) *appsv1.DaemonSet {
	d, err := shared.kube.AppsV1().DaemonSets(ns).Create(context.Background(), &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create apps/v1 daemonset", err)
	return d
}

func createCloneSet(t testing.TB, ns, name string, replicas int32) *kruiseappsv1alpha1.CloneSet {
	obj, err := shared.kruise.AppsV1alpha1().CloneSets(ns).Create(ctx, &kruiseappsv1alpha1.CloneSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1alpha1.CloneSetSpec{Replicas: ptr.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create cloneset", err)
	return obj
}

func createStatefulSet(t testing.TB, ns, name string, replicas int32) *kruiseappsv1beta1.StatefulSet {
	obj, err := shared.kruise.AppsV1beta1().StatefulSets(ns).Create(ctx, &kruiseappsv1beta1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1beta1.StatefulSetSpec{Replicas: ptr.To(replicas), ServiceName: name,
			Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create statefulset", err)
	return obj
}

func createDaemonSet(t testing.TB, ns, name string) *kruiseappsv1alpha1.DaemonSet {
	obj, err := shared.kruise.AppsV1alpha1().DaemonSets(ns).Create(ctx, &kruiseappsv1alpha1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1alpha1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: podTemplate(name)},
	}, metav1.CreateOptions{})
	must(t, "create daemonset", err)
	return obj
}

func createBroadcastJob(t testing.TB, ns, name string) *kruiseappsv1alpha1.BroadcastJob {
	obj, err := shared.kruise.AppsV1alpha1().BroadcastJobs(ns).Create(ctx, &kruiseappsv1alpha1.BroadcastJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1alpha1.BroadcastJobSpec{Template: jobPodTemplate(name),
			CompletionPolicy: kruiseappsv1alpha1.CompletionPolicy{Type: kruiseappsv1alpha1.Always}},
	}, metav1.CreateOptions{})
	must(t, "create broadcastjob", err)
	return obj
}

// createAdvancedCronJob makes a Job-based cron job, or a BroadcastJob-based one when broadcast.
func createAdvancedCronJob(t testing.TB, ns, name string, broadcast bool) *kruiseappsv1alpha1.AdvancedCronJob {
	tmpl := kruiseappsv1alpha1.CronJobTemplate{}
	if broadcast {
		tmpl.BroadcastJobTemplate = &kruiseappsv1alpha1.BroadcastJobTemplateSpec{
			Spec: kruiseappsv1alpha1.BroadcastJobSpec{Template: jobPodTemplate(name)}}
	} else {
		tmpl.JobTemplate = &batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobPodTemplate(name)}}
	}
	obj, err := shared.kruise.AppsV1alpha1().AdvancedCronJobs(ns).Create(ctx, &kruiseappsv1alpha1.AdvancedCronJob{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       kruiseappsv1alpha1.AdvancedCronJobSpec{Schedule: "*/5 * * * *", Template: tmpl},
	}, metav1.CreateOptions{})
	must(t, "create advancedcronjob", err)
	return obj
}

// createReplicaSet makes a ReplicaSet controlled by a Deployment, as the deployment controller does.
func createReplicaSet(t testing.TB, d *appsv1.Deployment, suffix string) *appsv1.ReplicaSet {
	ref := ownerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))
	obj, err := shared.kube.AppsV1().ReplicaSets(d.Namespace).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-" + suffix, Namespace: d.Namespace, OwnerReferences: []metav1.OwnerReference{ref}},
		Spec:       appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template},
	}, metav1.CreateOptions{})
	must(t, "create replicaset", err)
	return obj
}

// createJob makes a Job controlled by an AdvancedCronJob, as its controller does.
func createJob(t testing.TB, acj *kruiseappsv1alpha1.AdvancedCronJob, suffix string) *batchv1.Job {
	ref := ownerRef(acj, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("AdvancedCronJob"))
	obj, err := shared.kube.BatchV1().Jobs(acj.Namespace).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: acj.Name + "-" + suffix, Namespace: acj.Namespace, OwnerReferences: []metav1.OwnerReference{ref}},
		Spec:       batchv1.JobSpec{Template: jobPodTemplate(acj.Name)},
	}, metav1.CreateOptions{})
	must(t, "create job", err)
	return obj
}

// createChildBroadcastJob makes a BroadcastJob controlled by an AdvancedCronJob.
func createChildBroadcastJob(t testing.TB, acj *kruiseappsv1alpha1.AdvancedCronJob, suffix string) *kruiseappsv1alpha1.BroadcastJob {
	ref := ownerRef(acj, kruiseappsv1alpha1.SchemeGroupVersion.WithKind("AdvancedCronJob"))
	obj, err := shared.kruise.AppsV1alpha1().BroadcastJobs(acj.Namespace).Create(ctx, &kruiseappsv1alpha1.BroadcastJob{
		ObjectMeta: metav1.ObjectMeta{Name: acj.Name + "-" + suffix, Namespace: acj.Namespace, OwnerReferences: []metav1.OwnerReference{ref}},
		Spec:       kruiseappsv1alpha1.BroadcastJobSpec{Template: jobPodTemplate(acj.Name)},
	}, metav1.CreateOptions{})
	must(t, "create child broadcastjob", err)
	return obj
}

// createUnitedDeployment creates a UnitedDeployment of Advanced StatefulSet subsets.
func createUnitedDeployment(t testing.TB, ns, name string, replicas int32, subsets ...string) *kruiseappsv1alpha1.UnitedDeployment {
	t.Helper()
	topology := kruiseappsv1alpha1.Topology{}
	for _, s := range subsets {
		topology.Subsets = append(topology.Subsets, kruiseappsv1alpha1.Subset{Name: s})
	}
	ud, err := shared.kruise.AppsV1alpha1().UnitedDeployments(ns).Create(ctx, &kruiseappsv1alpha1.UnitedDeployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kruiseappsv1alpha1.UnitedDeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)},
			Template: kruiseappsv1alpha1.SubsetTemplate{AdvancedStatefulSetTemplate: &kruiseappsv1alpha1.AdvancedStatefulSetTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labelsFor(name)},
				Spec:       kruiseappsv1beta1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labelsFor(name)}, Template: podTemplate(name)},
			}},
			Topology: topology,
		},
	}, metav1.CreateOptions{})
	must(t, "create uniteddeployment", err)
	return ud
}
