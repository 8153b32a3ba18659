package kubernetes

import (
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestOverloaded: the API server's own failures (timeouts, throttling,
// server errors) are the infrastructure's, so that a job whose Pod could
// not be created for them is placed again; a refused Pod is the task's.
func TestOverloaded(t *testing.T) {
	pods := schema.GroupResource{Resource: "pods"}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{apierrors.NewTimeoutError("request did not complete within requested timeout", 0), true},
		{apierrors.NewServerTimeout(pods, "create", 1), true},
		{apierrors.NewTooManyRequests("slow down", 1), true},
		{apierrors.NewInternalError(errors.New("etcdserver: request timed out")), true},
		{apierrors.NewServiceUnavailable("unavailable"), true},
		{apierrors.NewForbidden(pods, "barge-x", errors.New("exceeded quota")), false},
		{apierrors.NewInvalid(schema.GroupKind{Kind: "Pod"}, "barge-x", nil), false},
		{apierrors.NewBadRequest("bad"), false},
	} {
		if got := overloaded(tt.err); got != tt.want {
			t.Errorf("overloaded(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
