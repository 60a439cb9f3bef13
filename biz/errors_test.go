package biz

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestFromKube(t *testing.T) {
	gr := schema.GroupResource{Group: "apps.kruise.io", Resource: "clonesets"}
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		mention string
	}{
		{"not found", apierrors.NewNotFound(gr, "shop"), 404, CodeNotFound, "cloneset demo/shop not found"},
		{"unauthorized", apierrors.NewUnauthorized("token expired"), 401, CodeUnauthorized, "token expired"},
		{"forbidden", apierrors.NewForbidden(gr, "shop", errors.New(`User "x" cannot patch resource "clonesets/scale"`)), 403, CodeForbidden, "cannot patch"},
		{"conflict", apierrors.NewConflict(gr, "shop", errors.New("the object has been modified")), 409, CodeConflict, "modified"},
		{"invalid", apierrors.NewInvalid(schema.GroupKind{Group: "apps.kruise.io", Kind: "CloneSet"}, "shop", nil), 422, CodeInvalid, "refused"},
		{"bad request", apierrors.NewBadRequest("bad patch"), 400, CodeBadRequest, "bad patch"},
		{"service unavailable", apierrors.NewServiceUnavailable("etcd down"), 503, CodeUnavailable, "etcd down"},
		{"too many requests", apierrors.NewTooManyRequests("slow down", 1), 503, CodeUnavailable, "slow down"},
		{"connection refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, 503, CodeUnavailable, "unreachable"},
		{"deadline", fmt.Errorf("patch: %w", context.DeadlineExceeded), 503, CodeUnavailable, "unreachable"},
		{"a bug", errors.New("nil map"), 500, CodeInternal, "unexpected"},
		{"already an API error", BadRequest("replicas must be a whole number"), 400, CodeBadRequest, "whole number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e *Error
			if !errors.As(FromKube(c.err, "cloneset demo/shop"), &e) {
				t.Fatal("not an *Error")
			}
			if e.Status != c.status || e.Code != c.code || !strings.Contains(e.Message, c.mention) {
				t.Errorf("got %d %s %q; want %d %s mentioning %q", e.Status, e.Code, e.Message, c.status, c.code, c.mention)
			}
		})
	}
	if FromKube(nil, "x") != nil {
		t.Error("nil stays nil")
	}
}

func TestParseReplicas(t *testing.T) {
	uc := &WorkloadUsecase{limits: Limits{MaxReplicas: 100}}
	cases := []struct {
		raw     string
		want    int32
		wantErr string
	}{
		{"0", 0, ""}, {"7", 7, ""}, {"100", 100, ""},
		{"", 0, "required"}, {"abc", 0, "whole number"}, {"2.5", 0, "whole number"}, {" 3", 0, "whole number"},
		{"-1", 0, "negative"}, {"101", 0, "maximum 100"}, {"4294967296", 0, "maximum 100"},
		{"-0", 0, "signed"}, {"+4", 0, "whole number"}, {"04", 0, "leading zero"}, {"0x10", 0, "whole number"},
	}
	for _, c := range cases {
		got, err := uc.parseReplicas(c.raw)
		if c.wantErr == "" && (err != nil || got != c.want) {
			t.Errorf("%q: got %d, %v; want %d", c.raw, got, err, c.want)
		}
		if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%q: want error with %q, got %v", c.raw, c.wantErr, err)
		}
	}
}
