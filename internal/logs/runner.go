package logs

import (
	"context"

	"github.com/bargehq/barge"
)

// Event is one line of a job's output, as the runner captured it.
type Event struct {
	Timestamp int64 // ms since the epoch
	Message   string
}

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

// Append stores events (already in time order) in group/stream, durable on
// return; the stream must exist (see EnsureStream). Unlike PutLogEvents, it
// takes any number of events and rejects none of them for its age: a job's
// output is stored whole.
func (s *Service) Append(ctx context.Context, group, stream string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	ingested := s.nowMillis()
	stored := make([]barge.LogEvent, len(events))
	for i, e := range events {
		stored[i] = barge.LogEvent{Timestamp: e.Timestamp, Ingested: ingested, Message: e.Message}
	}
	return s.store.AppendLogEvents(ctx, group, stream, stored)
}
