package logservice

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// CreateLogStream creates a stream in a log group.
func (s *Service) CreateLogStream(ctx context.Context, group, stream string) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	if err := validStreamName("logStreamName", stream); err != nil {
		return err
	}
	return s.store.CreateLogStream(ctx, group, stream, s.nowMillis())
}

// DeleteLogStream deletes a stream and its events.
func (s *Service) DeleteLogStream(ctx context.Context, group, stream string) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	if err := validStreamName("logStreamName", stream); err != nil {
		return err
	}
	return s.store.DeleteLogStream(ctx, group, stream)
}

// DescribeLogStreamsInput selects the streams of a group, named by Group or
// by GroupIdentifier (a name or an ARN), exactly one of them.
type DescribeLogStreamsInput struct {
	Group           string
	GroupIdentifier string
	Prefix          string
	OrderBy         string // LogStreamName (when empty) or LastEventTime
	Descending      bool
	NextToken       string
	Limit           *int // 1 to 50; 50 when nil
}

// LogStreamPage is a page of the streams of Group, and the token of the next
// page ("" if none).
type LogStreamPage struct {
	Group     string
	Streams   []*barge.LogStream
	NextToken string
}

// DescribeLogStreams lists the streams of a group, by name or by the time
// of their newest event.
func (s *Service) DescribeLogStreams(ctx context.Context, in DescribeLogStreamsInput) (*LogStreamPage, error) {
	group, err := s.groupName(in.Group, in.GroupIdentifier)
	if err != nil {
		return nil, err
	}
	n, err := limit("limit", in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	q := barge.LogStreamQuery{Group: group, Prefix: in.Prefix, Descending: in.Descending, Limit: n + 1}
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
	page := &LogStreamPage{Group: group, Streams: streams}
	if len(streams) > n {
		page.Streams = streams[:n]
		last := streams[n-1]
		page.NextToken = encodeToken("streams", strconv.FormatInt(last.LastEvent, 10)+":"+last.Name)
	}
	return page, nil
}
