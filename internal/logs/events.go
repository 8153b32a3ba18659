package logs

import (
	"context"
	"strconv"

	"github.com/bargehq/barge/internal/logservice"
)

// GetLogEvents returns a page of a stream's events, oldest first.
func (s *API) GetLogEvents(ctx context.Context, in *getLogEventsInput) (*getLogEventsOutput, error) {
	page, err := s.svc.GetLogEvents(ctx, logservice.GetLogEventsInput{
		Group:           in.LogGroupName,
		GroupIdentifier: in.LogGroupIdentifier,
		Stream:          in.LogStreamName,
		StartTime:       in.StartTime,
		EndTime:         in.EndTime,
		NextToken:       in.NextToken,
		Limit:           in.Limit,
		StartFromHead:   in.StartFromHead != nil && *in.StartFromHead,
	})
	if err != nil {
		return nil, err
	}
	out := &getLogEventsOutput{
		Events:            make([]outputLogEvent, len(page.Events)),
		NextForwardToken:  page.NextForwardToken,
		NextBackwardToken: page.NextBackwardToken,
	}
	for i, e := range page.Events {
		out.Events[i] = outputLogEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.Ingested}
	}
	return out, nil
}

// PutLogEvents stores a batch of events in a stream; the events left out
// are reported in rejectedLogEventsInfo.
func (s *API) PutLogEvents(ctx context.Context, in *putLogEventsInput) (*putLogEventsOutput, error) {
	events := make([]logservice.InputEvent, len(in.LogEvents))
	for i, e := range in.LogEvents {
		events[i] = logservice.InputEvent{Timestamp: e.Timestamp, Message: e.Message}
	}
	res, err := s.svc.PutLogEvents(ctx, logservice.PutLogEventsInput{Group: in.LogGroupName, Stream: in.LogStreamName, Events: events})
	if err != nil {
		return nil, err
	}
	out := &putLogEventsOutput{NextSequenceToken: res.NextSequenceToken}
	info := rejectedLogEventsInfo{TooNewLogEventStartIndex: res.TooNewStart, TooOldLogEventEndIndex: res.TooOldEnd, ExpiredLogEventEndIndex: res.ExpiredEnd}
	if info != (rejectedLogEventsInfo{}) {
		out.RejectedLogEventsInfo = &info
	}
	return out, nil
}

// FilterLogEvents returns the events of a group's streams that match a
// filter pattern, a page at a time.
func (s *API) FilterLogEvents(ctx context.Context, in *filterLogEventsInput) (*filterLogEventsOutput, error) {
	page, err := s.svc.FilterLogEvents(ctx, logservice.FilterLogEventsInput{
		Group:           in.LogGroupName,
		GroupIdentifier: in.LogGroupIdentifier,
		Streams:         in.LogStreamNames,
		StreamPrefix:    in.LogStreamNamePrefix,
		StartTime:       in.StartTime,
		EndTime:         in.EndTime,
		Pattern:         in.FilterPattern,
		NextToken:       in.NextToken,
		Limit:           in.Limit,
	})
	if err != nil {
		return nil, err
	}
	out := &filterLogEventsOutput{Events: make([]filteredLogEvent, len(page.Events)), NextToken: page.NextToken}
	for i, e := range page.Events {
		out.Events[i] = filteredLogEvent{
			LogStreamName: e.Stream,
			Timestamp:     e.Timestamp,
			Message:       e.Message,
			IngestionTime: e.Ingested,
			EventId:       strconv.FormatInt(e.Seq, 10),
		}
	}
	return out, nil
}
