package store

import (
	"context"

	"github.com/bargehq/barge"
)

// CreateSchedulingPolicy stores a new scheduling policy; EConflict if one with its name exists.
func (s *Store) CreateSchedulingPolicy(ctx context.Context, v *barge.SchedulingPolicy) error {
	return createNamed(ctx, s, schedulingPolicies, v.Name, v)
}

// GetSchedulingPolicy returns the scheduling policy called name; ENotFound if there is none.
func (s *Store) GetSchedulingPolicy(ctx context.Context, name string) (*barge.SchedulingPolicy, error) {
	return getNamed[barge.SchedulingPolicy](ctx, s, schedulingPolicies, name)
}

// ListSchedulingPolicies returns up to limit scheduling policies in creation order, starting after the one
// called after ("" starts at the beginning). A limit of zero or less means
// 100.
func (s *Store) ListSchedulingPolicies(ctx context.Context, after string, limit int) ([]*barge.SchedulingPolicy, error) {
	return listNamed[barge.SchedulingPolicy](ctx, s, schedulingPolicies, after, limit)
}

// PutSchedulingPolicy replaces the stored scheduling policy of the same name with v; ENotFound if there
// is none.
func (s *Store) PutSchedulingPolicy(ctx context.Context, v *barge.SchedulingPolicy) error {
	return putNamed(ctx, s, schedulingPolicies, v.Name, v)
}

// DeleteSchedulingPolicy deletes the scheduling policy called name; ENotFound if there is none.
func (s *Store) DeleteSchedulingPolicy(ctx context.Context, name string) error {
	return deleteNamed(ctx, s, schedulingPolicies, name)
}
