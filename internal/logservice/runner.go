package logservice

import (
	"context"

	"github.com/bargehq/barge"
)

// EnsureStream makes sure group/stream exist. With createGroup false, a
// missing group is a barge.ENotFound error ("The specified log group does
// not exist."): on AWS, a Fargate task fails to start when its awslogs
// group is missing, unless awslogs-create-group is "true".
func (s *Service) EnsureStream(ctx context.Context, group, stream string, createGroup bool) error {
	if err := validGroupName("awslogs-group", group); err != nil {
		return err
	}
	if err := validStreamName("awslogs stream", stream); err != nil {
		return err
	}
	return s.store.EnsureLogStream(ctx, group, stream, createGroup, s.nowMillis())
}

// Append stores lines of a task's output (already in time order) in
// group/stream as events, durable on return; the stream must exist (see
// EnsureStream). Unlike PutLogEvents, it takes any number of lines and
// rejects none of them for its age: a job's output is stored whole.
func (s *Service) Append(ctx context.Context, group, stream string, lines []barge.LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	ingested := s.nowMillis()
	stored := make([]barge.LogEvent, len(lines))
	for i, l := range lines {
		stored[i] = barge.LogEvent{Timestamp: l.Time.UnixMilli(), Ingested: ingested, Message: l.Message}
	}
	return s.store.AppendLogEvents(ctx, group, stream, stored)
}
