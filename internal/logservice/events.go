package logservice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// The limits of PutLogEvents and of a page of events, as on AWS.
const (
	maxPutEvents   = 10_000
	maxPutBytes    = 1_048_576 // the messages' bytes plus eventOverhead each
	eventOverhead  = 26
	maxPageEvents  = 10_000
	maxPageBytes   = 1_048_576
	maxEventFuture = 2 * time.Hour
	maxEventAge    = 14 * 24 * time.Hour
	maxBatchSpan   = 24 * time.Hour
)

// GetLogEvents tokens name a place in a stream's order (by timestamp, then
// ingestion): "f/<timestamp>/<seq>" reads on forward, from just after the
// event (timestamp, seq); "b/<timestamp>/<seq>" backward, from just before
// it. Both are returned with every page, and reading on from a token with
// nothing more in its direction returns that very token, which is how
// readers know they have reached the end.

func posToken(dir byte, p barge.LogPos) string {
	return string(dir) + "/" + strconv.FormatInt(p.Timestamp, 10) + "/" + strconv.FormatInt(p.Seq, 10)
}

func parsePosToken(token string) (dir byte, p barge.LogPos, err error) {
	bad := barge.Errorf(barge.EInvalid, "The specified nextToken is invalid. Pass the nextForwardToken or nextBackwardToken of a previous GetLogEvents response, or omit it.")
	if len(token) < 2 || token[0] != 'f' && token[0] != 'b' || token[1] != '/' {
		return 0, p, bad
	}
	ts, seq, ok := strings.Cut(token[2:], "/")
	if !ok {
		return 0, p, bad
	}
	var err1, err2 error
	p.Timestamp, err1 = strconv.ParseInt(ts, 10, 64)
	p.Seq, err2 = strconv.ParseInt(seq, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, p, bad
	}
	return token[0], p, nil
}

// timeRange returns the positions bounding events of startTime (inclusive)
// to endTime (exclusive): events lie strictly between them.
func timeRange(start, end *int64) (after, before barge.LogPos, err error) {
	after, before = barge.LogPos{}, barge.LogPosMax
	if start != nil {
		after.Timestamp = *start
	}
	if end != nil {
		before.Timestamp = *end
	}
	if start != nil && end != nil && *end < *start {
		return after, before, barge.Errorf(barge.EInvalid, "endTime (%d) is before startTime (%d). Both are milliseconds since the epoch, startTime inclusive and endTime exclusive.", *end, *start)
	}
	return after, before, nil
}

// GetLogEventsInput selects events of a stream: of the group named by Group
// or GroupIdentifier (exactly one of them), from StartTime (inclusive) to
// EndTime (exclusive), milliseconds since the epoch.
type GetLogEventsInput struct {
	Group           string
	GroupIdentifier string
	Stream          string
	StartTime       *int64
	EndTime         *int64
	NextToken       string // a NextForwardToken or NextBackwardToken
	Limit           *int   // 1 to 10,000; 10,000 when nil
	StartFromHead   bool   // without NextToken: the oldest events rather than the newest
}

// EventPage is a page of a stream's events, oldest first, and the tokens to
// read on in either direction.
type EventPage struct {
	Events            []barge.LogEvent
	NextForwardToken  string
	NextBackwardToken string
}

// GetLogEvents returns a page of a stream's events, oldest first within
// the page.
func (s *Service) GetLogEvents(ctx context.Context, in GetLogEventsInput) (*EventPage, error) {
	group, err := s.groupName(in.Group, in.GroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := validStreamName("logStreamName", in.Stream); err != nil {
		return nil, err
	}
	n, err := limit("limit", in.Limit, maxPageEvents, maxPageEvents)
	if err != nil {
		return nil, err
	}
	lo, hi, err := timeRange(in.StartTime, in.EndTime)
	if err != nil {
		return nil, err
	}
	r := barge.LogEventRange{Group: group, Stream: in.Stream, After: lo, Before: hi, Limit: n, MaxBytes: maxPageBytes}
	// A token names the gap between two events: f/P the one just after
	// event P, b/P the one just before it. An empty page answers with both
	// tokens at the gap it started from.
	var fwd, bwd barge.LogPos
	switch {
	case in.NextToken != "":
		dir, p, err := parsePosToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		if dir == 'f' {
			r.After = maxPos(lo, p)
			fwd, bwd = p, barge.LogPos{Timestamp: p.Timestamp, Seq: p.Seq + 1}
		} else {
			r.Before, r.Backward = minPos(hi, p), true
			fwd, bwd = barge.LogPos{Timestamp: p.Timestamp, Seq: p.Seq - 1}, p
		}
	case in.StartFromHead:
		fwd, bwd = lo, barge.LogPos{Timestamp: lo.Timestamp, Seq: lo.Seq + 1}
	default:
		// The newest page, still oldest first within it. Should the range
		// be empty, reading forward takes every event put in it from now on.
		r.Backward = true
		fwd, bwd = lo, hi
	}
	events, err := s.store.GetLogEvents(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &EventPage{Events: events}
	if len(events) == 0 {
		out.NextForwardToken, out.NextBackwardToken = posToken('f', fwd), posToken('b', bwd)
		// Nothing more in the token's direction: the very token given.
		if in.NextToken != "" && r.Backward {
			out.NextBackwardToken = in.NextToken
		} else if in.NextToken != "" {
			out.NextForwardToken = in.NextToken
		}
		return out, nil
	}
	out.NextForwardToken = posToken('f', events[len(events)-1].Pos())
	out.NextBackwardToken = posToken('b', events[0].Pos())
	return out, nil
}

func maxPos(a, b barge.LogPos) barge.LogPos {
	if a.Less(b) {
		return b
	}
	return a
}

func minPos(a, b barge.LogPos) barge.LogPos {
	if a.Less(b) {
		return a
	}
	return b
}

// InputEvent is an event to store. Both members are required; they are
// pointers so that a missing one is told from a zero one.
type InputEvent struct {
	Timestamp *int64 // ms since the epoch
	Message   *string
}

// PutLogEventsInput is a batch of events for a stream, in time order.
type PutLogEventsInput struct {
	Group, Stream string
	Events        []InputEvent
}

// PutLogEventsResult says which events PutLogEvents left out: the events
// before index TooOldEnd and ExpiredEnd (inclusive) and from TooNewStart
// on; each is nil when no event was left out for that reason.
type PutLogEventsResult struct {
	NextSequenceToken string
	TooNewStart       *int
	TooOldEnd         *int
	ExpiredEnd        *int
}

// PutLogEvents stores a batch of events in a stream. Events too far in the
// future, older than 14 days or older than the group's retention are left
// out and reported in rejectedLogEventsInfo, as on AWS; sequence tokens are
// ignored.
func (s *Service) PutLogEvents(ctx context.Context, in PutLogEventsInput) (*PutLogEventsResult, error) {
	if err := validGroupName("logGroupName", in.Group); err != nil {
		return nil, err
	}
	if err := validStreamName("logStreamName", in.Stream); err != nil {
		return nil, err
	}
	if err := checkBatch(in.Events); err != nil {
		return nil, err
	}
	g, err := s.store.GetLogGroup(ctx, in.Group)
	if err != nil {
		return nil, err
	}

	now := s.now()
	tooNew := now.Add(maxEventFuture).UnixMilli()
	tooOld := now.Add(-maxEventAge).UnixMilli()
	expired := int64(-1 << 63)
	if g.RetentionDays > 0 {
		expired = now.Add(-time.Duration(g.RetentionDays) * 24 * time.Hour).UnixMilli()
	}
	// The batch is in time order, so the rejected events are a run at
	// either end.
	out := &PutLogEventsResult{NextSequenceToken: fmt.Sprintf("%056d", now.UnixNano())}
	lo, hi := 0, len(in.Events)
	for i, e := range in.Events {
		ts := *e.Timestamp
		if ts < tooOld {
			out.TooOldEnd = intPtr(i)
			lo = i + 1
		}
		if ts < expired {
			out.ExpiredEnd = intPtr(i)
			lo = i + 1
		}
		if ts > tooNew && hi == len(in.Events) {
			out.TooNewStart = intPtr(i)
			hi = i
		}
	}
	events := make([]barge.LogEvent, 0, max(hi-lo, 0))
	ingested := now.UnixMilli()
	for _, e := range in.Events[lo:max(lo, hi)] {
		events = append(events, barge.LogEvent{Timestamp: *e.Timestamp, Ingested: ingested, Message: *e.Message})
	}
	if len(events) == 0 {
		// Nothing to store, but the stream must exist, as on AWS.
		_, err := s.store.GetLogEvents(ctx, barge.LogEventRange{Group: g.Name, Stream: in.Stream, Limit: 1})
		return out, err
	}
	if err := s.store.AppendLogEvents(ctx, g.Name, in.Stream, events); err != nil {
		return nil, err
	}
	return out, nil
}

func intPtr(i int) *int { return &i }

// checkBatch checks the rules of a PutLogEvents batch as a whole: 1 to
// 10,000 events of non-empty messages, in time order, spanning at most 24
// hours and 1 MiB counted AWS's way.
func checkBatch(events []InputEvent) error {
	if err := checkCount("logEvents", len(events), 1, maxPutEvents, "[]"); err != nil {
		return err
	}
	var null []string
	for i, e := range events {
		if e.Timestamp == nil {
			null = append(null, fmt.Sprintf("Value null at 'logEvents.%d.member.timestamp' failed to satisfy constraint: Member must not be null", i+1))
		}
		if e.Message == nil {
			null = append(null, fmt.Sprintf("Value null at 'logEvents.%d.member.message' failed to satisfy constraint: Member must not be null", i+1))
		}
	}
	if len(null) == 1 {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: %s", null[0])
	} else if len(null) > 1 {
		return barge.Errorf(barge.EInvalid, "%d validation errors detected: %s", len(null), strings.Join(null, "; "))
	}
	size := 0
	for i, e := range events {
		if *e.Message == "" {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if *e.Timestamp < 0 {
			return barge.Errorf(barge.EInvalid, "logEvents[%d].timestamp is %d; timestamps are milliseconds since the epoch, 0 or more.", i, *e.Timestamp)
		}
		if i > 0 && *e.Timestamp < *events[i-1].Timestamp {
			return barge.Errorf(barge.EInvalid, "Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(*e.Message) + eventOverhead
	}
	if size > maxPutBytes {
		return barge.Errorf(barge.EInvalid, "Upload too large: %d bytes exceeds limit of %d", size, maxPutBytes)
	}
	if span := *events[len(events)-1].Timestamp - *events[0].Timestamp; span > maxBatchSpan.Milliseconds() {
		return barge.Errorf(barge.EInvalid, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	return nil
}
