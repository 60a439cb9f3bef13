package data

import (
	"bufio"
	"context"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
)

// maxLogBytes bounds what one log request reads.
const maxLogBytes = 2 << 20

// PodLogs reads container logs through the API server with the user's identity.
type PodLogs struct{ clients *Clients }

// NewPodLogs builds the log reader.
func NewPodLogs(clients *Clients) *PodLogs { return &PodLogs{clients: clients} }

// Tail implements biz.PodLogRepo.
func (l *PodLogs) Tail(ctx context.Context, namespace, pod, container string, lines int64) ([]string, error) {
	stream, err := l.clients.Kube.CoreV1().Pods(namespace).GetLogs(pod, &corev1.PodLogOptions{
		Container: container, TailLines: &lines, Timestamps: true,
	}).Stream(ctx)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	out := []string{}
	scanner := bufio.NewScanner(io.LimitReader(stream, maxLogBytes))
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	for scanner.Scan() {
		out = append(out, scanner.Text())
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read log of %s/%s: %w", namespace, pod, err)
	}
	return out, nil
}
