package store

import (
	"context"

	"github.com/bargehq/barge"
)

// CreateJobQueue stores a new job queue; EConflict if one with its name exists.
func (s *Store) CreateJobQueue(ctx context.Context, v *barge.JobQueue) error {
	return createNamed(ctx, s, jobQueues, v.Name, v)
}

// GetJobQueue returns the job queue called name; ENotFound if there is none.
func (s *Store) GetJobQueue(ctx context.Context, name string) (*barge.JobQueue, error) {
	return getNamed[barge.JobQueue](ctx, s, jobQueues, name)
}

// ListJobQueues returns up to limit job queues in creation order, starting after the one
// called after ("" starts at the beginning). A limit of zero or less means
// 100.
func (s *Store) ListJobQueues(ctx context.Context, after string, limit int) ([]*barge.JobQueue, error) {
	return listNamed[barge.JobQueue](ctx, s, jobQueues, after, limit)
}

// PutJobQueue replaces the stored job queue of the same name with v; ENotFound if there
// is none.
func (s *Store) PutJobQueue(ctx context.Context, v *barge.JobQueue) error {
	return putNamed(ctx, s, jobQueues, v.Name, v)
}

// DeleteJobQueue deletes the job queue called name; ENotFound if there is none.
func (s *Store) DeleteJobQueue(ctx context.Context, name string) error {
	return deleteNamed(ctx, s, jobQueues, name)
}
