package logs

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// CreateLogStream creates a stream in a log group.
func (s *Service) CreateLogStream(ctx context.Context, in *createLogStreamInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validStreamName("logStreamName", in.LogStreamName); err != nil {
		return nil, err
	}
	return nil, s.store.CreateLogStream(ctx, in.LogGroupName, in.LogStreamName, s.nowMillis())
}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *deleteLogStreamInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := validStreamName("logStreamName", in.LogStreamName); err != nil {
		return nil, err
	}
	return nil, s.store.DeleteLogStream(ctx, in.LogGroupName, in.LogStreamName)
}

// DescribeLogStreams lists the streams of a group, by name or by the time
// of their newest event.
func (s *Service) DescribeLogStreams(ctx context.Context, in *describeLogStreamsInput) (*describeLogStreamsOutput, error) {
	group, err := s.groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	n, err := limit("limit", in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	q := barge.LogStreamQuery{Group: group, Prefix: in.LogStreamNamePrefix, Descending: in.Descending != nil && *in.Descending, Limit: n + 1}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		q.ByLastEvent = true
		if q.Prefix != "" {
			return nil, barge.Errorf(barge.EInvalid, "Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	if q.Prefix != "" {
		if err := validStreamName("logStreamNamePrefix", q.Prefix); err != nil {
			return nil, err
		}
	}
	// The token is the last stream of the page: its newest event's time
	// and name (which cannot contain ':').
	pos, err := decodeToken("streams", in.NextToken)
	if err != nil {
		return nil, err
	}
	if pos != "" {
		t, name, ok := strings.Cut(pos, ":")
		last, err := strconv.ParseInt(t, 10, 64)
		if !ok || err != nil {
			return nil, errBadToken
		}
		q.After = &barge.LogStream{Name: name, LastEvent: last}
	}
	streams, err := s.store.ListLogStreams(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &describeLogStreamsOutput{LogStreams: []logStream{}}
	if len(streams) > n {
		streams = streams[:n]
		last := streams[n-1]
		out.NextToken = encodeToken("streams", strconv.FormatInt(last.LastEvent, 10)+":"+last.Name)
	}
	for _, st := range streams {
		w := logStream{
			LogStreamName: st.Name,
			CreationTime:  st.CreatedAt,
			Arn:           s.streamARN(group, st.Name),
		}
		if st.LastIngestion != 0 {
			first, last, ingested := st.FirstEvent, st.LastEvent, st.LastIngestion
			w.FirstEventTimestamp, w.LastEventTimestamp, w.LastIngestionTime = &first, &last, &ingested
		}
		out.LogStreams = append(out.LogStreams, w)
	}
	return out, nil
}
