package logs

import (
	"context"

	"github.com/bargehq/barge/internal/logservice"
)

// CreateLogStream creates a stream in a log group.
func (s *API) CreateLogStream(ctx context.Context, in *createLogStreamInput) (*empty, error) {
	return nil, s.svc.CreateLogStream(ctx, in.LogGroupName, in.LogStreamName)
}

// DeleteLogStream deletes a stream and its events.
func (s *API) DeleteLogStream(ctx context.Context, in *deleteLogStreamInput) (*empty, error) {
	return nil, s.svc.DeleteLogStream(ctx, in.LogGroupName, in.LogStreamName)
}

// DescribeLogStreams lists the streams of a group.
func (s *API) DescribeLogStreams(ctx context.Context, in *describeLogStreamsInput) (*describeLogStreamsOutput, error) {
	page, err := s.svc.DescribeLogStreams(ctx, logservice.DescribeLogStreamsInput{
		Group:           in.LogGroupName,
		GroupIdentifier: in.LogGroupIdentifier,
		Prefix:          in.LogStreamNamePrefix,
		OrderBy:         in.OrderBy,
		Descending:      in.Descending != nil && *in.Descending,
		NextToken:       in.NextToken,
		Limit:           in.Limit,
	})
	if err != nil {
		return nil, err
	}
	out := &describeLogStreamsOutput{LogStreams: make([]logStream, 0, len(page.Streams)), NextToken: page.NextToken}
	for _, st := range page.Streams {
		w := logStream{
			LogStreamName: st.Name,
			CreationTime:  st.CreatedAt,
			Arn:           s.svc.StreamARN(page.Group, st.Name),
		}
		if st.LastIngestion != 0 {
			first, last, ingested := st.FirstEvent, st.LastEvent, st.LastIngestion
			w.FirstEventTimestamp, w.LastEventTimestamp, w.LastIngestionTime = &first, &last, &ingested
		}
		out.LogStreams = append(out.LogStreams, w)
	}
	return out, nil
}
