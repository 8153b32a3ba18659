package store

import (
	"context"

	"github.com/bargehq/barge"
)

// CreateComputeEnvironment stores a new compute environment; EConflict if one with its name exists.
func (s *Store) CreateComputeEnvironment(ctx context.Context, v *barge.ComputeEnvironment) error {
	return createNamed(ctx, s, computeEnvironments, v.Name, v)
}

// GetComputeEnvironment returns the compute environment called name; ENotFound if there is none.
func (s *Store) GetComputeEnvironment(ctx context.Context, name string) (*barge.ComputeEnvironment, error) {
	return getNamed[barge.ComputeEnvironment](ctx, s, computeEnvironments, name)
}

// ListComputeEnvironments returns up to limit compute environments in creation order, starting after the one
// called after ("" starts at the beginning). A limit of zero or less means
// 100.
func (s *Store) ListComputeEnvironments(ctx context.Context, after string, limit int) ([]*barge.ComputeEnvironment, error) {
	return listNamed[barge.ComputeEnvironment](ctx, s, computeEnvironments, after, limit)
}

// PutComputeEnvironment replaces the stored compute environment of the same name with v; ENotFound if there
// is none.
func (s *Store) PutComputeEnvironment(ctx context.Context, v *barge.ComputeEnvironment) error {
	return putNamed(ctx, s, computeEnvironments, v.Name, v)
}

// DeleteComputeEnvironment deletes the compute environment called name; ENotFound if there is none.
func (s *Store) DeleteComputeEnvironment(ctx context.Context, name string) error {
	return deleteNamed(ctx, s, computeEnvironments, name)
}
