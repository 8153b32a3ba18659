// Package batch serves the AWS Batch API (restJson1) over the control plane
// (internal/control): each operation decodes AWS's request shape, calls the
// control plane's typed operation and encodes its answer in AWS's wire
// shape, with AWS's errors.
package batch

import (
	"context"
	"log/slog"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/control"
)

// Config configures the Batch API.
type Config struct {
	Control *control.Service
	Scope   barge.Scope
	Log     *slog.Logger
}

// API is the AWS Batch API's wire.
type API struct {
	ctl   *control.Service
	scope barge.Scope
	proto *awsproto.RestJSON
}

// New returns the Batch API.
func New(cfg Config) *API {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{ctl: cfg.Control, scope: cfg.Scope, proto: &awsproto.RestJSON{Errors: &errorTable, Log: log, Ints: intRanges}}
}

// empty is the answer of operations that answer nothing.
type empty struct{}

// none turns an operation that answers nothing into one that answers {}.
func none[In any](op func(ctx context.Context, in *In) error) awsproto.Op[In, empty] {
	return func(ctx context.Context, in *In) (*empty, error) {
		if err := op(ctx, in); err != nil {
			return nil, err
		}
		return &empty{}, nil
	}
}
