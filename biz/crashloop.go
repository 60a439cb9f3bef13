package biz

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// CrashLoop is a container restarting after crashes (CrashLoopBackOff), and the workload over
// its pod.
type CrashLoop struct {
	Namespace, Pod, Container string
	Restarts                  int32
	// LastCrash is when the container last ended (nil: not recorded).
	LastCrash *time.Time
	// Group, Kind and Workload name the workload controlling the pod ("" Workload: none).
	Group, Kind, Workload string
}

// crashLoopBackOff is the waiting reason the kubelet gives a container it restarts with backoff.
const crashLoopBackOff = "CrashLoopBackOff"

// CrashLoops are the containers in CrashLoopBackOff of the pods the person may list. It reads the
// pod cache: for another cluster of the fleet, call it only while its pods are cached (a read
// starts them).
func (uc *ClusterUsecase) CrashLoops(ctx context.Context) ([]CrashLoop, error) {
	ctx, span := uc.tracer.Start(ctx, "ClusterUsecase.CrashLoops")
	defer span.End()
	pods, err := uc.repo.NonTerminatedPods()
	if err != nil {
		return nil, cacheError(err, "list pods")
	}
	may := map[string]bool{}
	var out []CrashLoop
	for _, p := range pods {
		for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			if cs.State.Waiting == nil || cs.State.Waiting.Reason != crashLoopBackOff {
				continue
			}
			allowed, ok := may[p.Namespace]
			if !ok {
				allowed = Authorize(ctx, uc.access, Attributes{Verb: "list", Resource: "pods", Namespace: p.Namespace}) == nil
				may[p.Namespace] = allowed
			}
			if !allowed {
				break
			}
			l := CrashLoop{Namespace: p.Namespace, Pod: p.Name, Container: cs.Name, Restarts: cs.RestartCount}
			if t := cs.LastTerminationState.Terminated; t != nil && !t.FinishedAt.IsZero() {
				at := t.FinishedAt.UTC()
				l.LastCrash = &at
			}
			l.Group, l.Kind, l.Workload, _ = uc.repo.WorkloadOf(p)
			out = append(out, l)
		}
	}
	return out, nil
}

// TypeOf is the workload type served for group and kind.
func (uc *WorkloadUsecase) TypeOf(group, kind string) (string, bool) {
	for _, a := range uc.registry.All() {
		if gvk := a.Info().GVK; gvk.Group == group && gvk.Kind == kind {
			return a.Info().Type, true
		}
	}
	return "", false
}
