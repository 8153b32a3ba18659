package logservice

import (
	"context"
	"time"

	"github.com/bargehq/barge"
)

// LastEvents returns the timestamp of the newest event in group/stream and
// the messages of every event stored at that millisecond, in order, or the
// zero time when the stream has none (or does not exist): where a job runner
// that restarted goes on reading a task's output, and the lines it must not
// store a second time when the task's output is read again from that time.
func (s *Service) LastEvents(ctx context.Context, group, stream string) (time.Time, []string, error) {
	streams, err := s.store.ListLogStreams(ctx, barge.LogStreamQuery{Group: group, Prefix: stream, Limit: 1})
	if err != nil || len(streams) == 0 || streams[0].Name != stream || streams[0].LastEvent == 0 {
		return time.Time{}, nil, nil
	}
	last := streams[0].LastEvent
	events, err := s.store.GetLogEvents(ctx, barge.LogEventRange{
		Group: group, Stream: stream,
		After: barge.LogPos{Timestamp: last}, Before: barge.LogPos{Timestamp: last + 1},
	})
	if err != nil {
		return time.Time{}, nil, err
	}
	messages := make([]string, len(events))
	for i, e := range events {
		messages[i] = e.Message
	}
	return time.UnixMilli(last), messages, nil
}
