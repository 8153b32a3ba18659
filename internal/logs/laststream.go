package logs

import (
	"context"
	"time"

	"github.com/bargehq/barge"
)

// LastEventTime returns the timestamp of the newest event in group/stream,
// or the zero time when the stream has none (or does not exist): where a
// job runner that restarted goes on reading a task's output.
func (s *Service) LastEventTime(ctx context.Context, group, stream string) (time.Time, error) {
	streams, err := s.store.ListLogStreams(ctx, barge.LogStreamQuery{Group: group, Prefix: stream, Limit: 1})
	if err != nil || len(streams) == 0 || streams[0].Name != stream || streams[0].LastEvent == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(streams[0].LastEvent), nil
}
