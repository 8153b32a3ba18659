package batch

import (
	"context"
	"encoding/json"

	"github.com/bargehq/barge"
)

// JobDetailJSON returns j as DescribeJobs shows it, as JSON: the detail of
// its "Batch Job State Change" events. An array child takes its
// specification from its parent, which it reads from the store.
func (s *Service) JobDetailJSON(ctx context.Context, j *barge.Job) ([]byte, error) {
	parents, err := s.parentsOf(ctx, []*barge.Job{j})
	if err != nil {
		return nil, err
	}
	d, err := s.jobDetail(ctx, j, parents[j.ArrayParent])
	if err != nil {
		return nil, err
	}
	return json.Marshal(d)
}
