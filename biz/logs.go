package biz

import (
	"context"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// PodLogRepo reads container logs from the API server (which asks the node), as the user.
type PodLogRepo interface {
	// Tail returns the last lines of a container's log, with timestamps.
	Tail(ctx context.Context, namespace, pod, container string, lines int64) ([]string, error)
}

// PodLog is the answer of GET /workload/:ns/:type/:name/pods/:pod/log.
type PodLog struct {
	Pod        string   `json:"pod"`
	Container  string   `json:"container"`
	Containers []string `json:"containers"`
	Lines      []string `json:"lines"`
}

// Bounds of a log request.
const (
	defaultTailLines = 200
	maxTailLines     = 5000
)

// PodLogs returns the tail of the log of one container of one of the workload's pods (a pod the
// workload does not own is 404: the route is about this workload). The read is the user's: the
// API server decides on pods/log.
func (uc *WorkloadUsecase) PodLogs(ctx context.Context, ns, workloadType, name, podName, container, rawTail string) (*PodLog, error) {
	ctx, span := uc.start(ctx, "PodLogs", ns, workloadType, name)
	defer span.End()
	tail := int64(defaultTailLines)
	if rawTail != "" {
		n, err := strconv.ParseInt(rawTail, 10, 64)
		if err != nil || !wholeNumber.MatchString(rawTail) || n < 1 || n > maxTailLines {
			return nil, BadRequest("tailLines must be a whole number from 1 to %d, got %q", maxTailLines, rawTail)
		}
		tail = n
	}
	if err := ValidateName(podName); err != nil {
		return nil, err
	}
	owned, err := uc.Pods(ctx, ns, workloadType, name)
	if err != nil {
		return nil, err
	}
	var pod *corev1.Pod
	for _, p := range owned.Pods {
		if p.Name == podName {
			pod = p
		}
	}
	if pod == nil {
		what := workloadType + " " + ns + "/" + name
		if a, err := uc.adapter(workloadType); err == nil {
			what = objectLabel(a, ns, name)
		}
		return nil, NotFound("pod %s is not one of %s's pods", podName, what)
	}
	out := &PodLog{Pod: podName, Containers: containerNames(corev1.PodTemplateSpec{Spec: pod.Spec})}
	if container == "" && len(pod.Spec.Containers) > 0 {
		container = pod.Spec.Containers[0].Name
	}
	if _, _, ok := containerPath(corev1.PodTemplateSpec{Spec: pod.Spec}, container); !ok {
		return nil, BadRequest("no container %q in pod %s (containers: %v)", container, podName, out.Containers)
	}
	out.Container = container
	// The pod's own namespace: a cluster-scoped type's pods are in many.
	if out.Lines, err = uc.logs.Tail(ctx, pod.Namespace, podName, container, tail); err != nil {
		return nil, FromKube(err, fmt.Sprintf("log of pod %s/%s container %s", pod.Namespace, podName, container))
	}
	return out, nil
}
