package service

import (
	"context"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// WorkloadService serves /workload and /workload-types.
type WorkloadService struct {
	uc     *biz.WorkloadUsecase
	events *biz.EventUsecase
}

// NewWorkloadService builds the workload handlers.
func NewWorkloadService(uc *biz.WorkloadUsecase, events *biz.EventUsecase) *WorkloadService {
	return &WorkloadService{uc: uc, events: events}
}

// Types serves GET /workload-types: every type with its capabilities.
func (s *WorkloadService) Types(context.Context, Input, None) ([]adapters.Info, error) {
	return s.uc.Types(), nil
}

// ListAll serves GET /workload/:namespace.
func (s *WorkloadService) ListAll(ctx context.Context, in Input, _ None) (listing.Encoded, error) {
	return s.uc.ListAll(ctx, in.Var("namespace"))
}

// List serves GET /workload/:namespace/:type: the whole list, or a page when any of view, q,
// labelSelector, state, sort, limit or continue is given.
func (s *WorkloadService) List(ctx context.Context, in Input, _ None) (listing.Encoded, error) {
	var q biz.PageQuery
	paged := false
	for _, p := range []struct {
		name string
		to   *string
	}{{"view", &q.View}, {"q", &q.Q}, {"labelSelector", &q.LabelSelector}, {"state", &q.State}, {"sort", &q.Sort}, {"limit", &q.Limit}, {"continue", &q.Continue}} {
		v, err := in.One(p.name)
		if err != nil {
			return listing.Encoded{}, err
		}
		_, given := in.Query[p.name]
		paged = paged || given
		*p.to = v
	}
	if !paged {
		return s.uc.List(ctx, in.Var("namespace"), in.Var("type"))
	}
	return s.uc.Page(ctx, in.Var("namespace"), in.Var("type"), q)
}

// Get serves GET /workload/:namespace/:type/:name.
func (s *WorkloadService) Get(ctx context.Context, in Input, _ None) (runtime.Object, error) {
	return s.uc.Get(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"))
}

// Pods serves GET /workload/:namespace/:type/:name/pods.
func (s *WorkloadService) Pods(ctx context.Context, in Input, _ None) (*biz.WorkloadPods, error) {
	return s.uc.Pods(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"))
}

// Scale serves POST /workload/:namespace/:type/:name/scale?replicas=N.
func (s *WorkloadService) Scale(ctx context.Context, in Input, _ None) (*autoscalingv1.Scale, error) {
	replicas, err := in.One("replicas")
	if err != nil {
		return nil, err
	}
	return s.uc.Scale(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"), replicas)
}

// Restart serves POST /workload/:namespace/:type/:name/restart.
func (s *WorkloadService) Restart(ctx context.Context, in Input, _ None) (runtime.Object, error) {
	return s.uc.Restart(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"))
}

// Delete serves DELETE /workload/:namespace/:type/:name.
func (s *WorkloadService) Delete(ctx context.Context, in Input, _ None) (*biz.Deleted, error) {
	return s.uc.Delete(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"))
}

// Events serves GET /workload/:namespace/:type/:name/events.
func (s *WorkloadService) Events(ctx context.Context, in Input, _ None) ([]biz.Event, error) {
	kind, err := s.uc.Kind(in.Var("type"))
	if err != nil {
		return nil, err
	}
	return s.events.List(ctx, in.Var("namespace"), kind, in.Var("name"))
}

// ImagesBody is the body of POST /workload/:namespace/:type/:name/image.
type ImagesBody struct {
	Images map[string]string `json:"images"`
}

// SetImage serves POST /workload/:namespace/:type/:name/image?dryRun=true|false with
// {"images": {"<container>": "<image>"}}.
func (s *WorkloadService) SetImage(ctx context.Context, in Input, body ImagesBody) (*biz.SetImageResult, error) {
	dryRun, err := in.Bool("dryRun")
	if err != nil {
		return nil, err
	}
	return s.uc.SetImage(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"), body.Images, dryRun)
}

// WorkloadRollout is the Rollout governing a workload.
type WorkloadRollout struct {
	Name   string             `json:"name"`
	Status *biz.RolloutStatus `json:"status" openapi:"nonnull"`
}

// Rollout serves GET /workload/:namespace/:type/:name/rollout: the governing Rollout, or null.
func (s *WorkloadService) Rollout(ctx context.Context, in Input, _ None) (*WorkloadRollout, error) {
	st, err := s.uc.Rollout(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"))
	if err != nil || st == nil {
		return nil, err
	}
	return &WorkloadRollout{Name: st.Name, Status: st}, nil
}

// PodLogs serves GET /workload/:namespace/:type/:name/pods/:pod/log?container=&tailLines=.
func (s *WorkloadService) PodLogs(ctx context.Context, in Input, _ None) (*biz.PodLog, error) {
	container, err := in.One("container")
	if err != nil {
		return nil, err
	}
	tail, err := in.One("tailLines")
	if err != nil {
		return nil, err
	}
	return s.uc.PodLogs(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"), in.Var("pod"), container, tail)
}

// ActionBody is the body of POST /workload/:namespace/:type/:name/action/:action.
type ActionBody struct {
	Params map[string]any `json:"params"`
}

// Act serves POST /workload/:namespace/:type/:name/action/:action?dryRun= with {"params": {...}}
// (or no body: no parameters).
func (s *WorkloadService) Act(ctx context.Context, in Input, body *ActionBody) (runtime.Object, error) {
	dryRun, err := in.Bool("dryRun")
	if err != nil {
		return nil, err
	}
	var params map[string]any
	if body != nil {
		params = body.Params
	}
	return s.uc.Act(ctx, in.Var("namespace"), in.Var("type"), in.Var("name"), in.Var("action"), params, dryRun)
}
