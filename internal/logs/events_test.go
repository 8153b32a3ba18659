package logs

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func outputMessages(events []types.OutputLogEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, aws.ToString(e.Message))
	}
	return out
}

// seqMessages returns "e<lo>" ... "e<hi-1>".
func seqMessages(lo, hi int) []string {
	var out []string
	for i := lo; i < hi; i++ {
		out = append(out, fmt.Sprint("e", i))
	}
	return out
}

// TestGetLogEventsTokens reads a stream of 25 events in pages of 10, the
// ways AWS's readers do, checking the pages and tokens of each step: both
// tokens are always present, and a token with nothing more in its direction
// comes back unchanged.
func TestGetLogEventsTokens(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	base := e.clock().Add(-time.Hour).UnixMilli()
	var events []types.InputLogEvent
	for i := range 25 {
		events = append(events, event(base+int64(i)*1000, fmt.Sprint("e", i)))
	}
	e.put("g", "s", events...)

	get := func(in cloudwatchlogs.GetLogEventsInput) *cloudwatchlogs.GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName = aws.String("g"), aws.String("s")
		if in.Limit == nil {
			in.Limit = aws.Int32(10)
		}
		out, err := e.logs.GetLogEvents(ctx0, &in)
		if err != nil {
			t.Fatalf("GetLogEvents(%+v) = %v", in, err)
		}
		if out.NextForwardToken == nil || out.NextBackwardToken == nil {
			t.Fatalf("GetLogEvents(%+v) tokens = %v, %v; want both", in, out.NextForwardToken, out.NextBackwardToken)
		}
		return out
	}
	check := func(step string, out *cloudwatchlogs.GetLogEventsOutput, want []string) {
		t.Helper()
		if got := outputMessages(out.Events); !slices.Equal(got, want) {
			t.Errorf("%s: events %q, want %q", step, got, want)
		}
	}

	t.Run("forward from the head", func(t *testing.T) {
		p1 := get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true)})
		check("page 1", p1, seqMessages(0, 10))
		p2 := get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true), NextToken: p1.NextForwardToken})
		check("page 2", p2, seqMessages(10, 20))
		p3 := get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true), NextToken: p2.NextForwardToken})
		check("page 3", p3, seqMessages(20, 25))
		end := get(cloudwatchlogs.GetLogEventsInput{StartFromHead: aws.Bool(true), NextToken: p3.NextForwardToken})
		check("past the end", end, nil)
		if *end.NextForwardToken != *p3.NextForwardToken {
			t.Errorf("forward token past the end = %q, want the token given, %q", *end.NextForwardToken, *p3.NextForwardToken)
		}
		check("back from past the end", get(cloudwatchlogs.GetLogEventsInput{NextToken: end.NextBackwardToken}), seqMessages(15, 25))
		// And back: from page 3's backward token, the pages before it.
		b2 := get(cloudwatchlogs.GetLogEventsInput{NextToken: p3.NextBackwardToken})
		check("back to page 2", b2, seqMessages(10, 20))
		b1 := get(cloudwatchlogs.GetLogEventsInput{NextToken: b2.NextBackwardToken})
		check("back to page 1", b1, seqMessages(0, 10))
		head := get(cloudwatchlogs.GetLogEventsInput{NextToken: b1.NextBackwardToken})
		check("before the head", head, nil)
		if *head.NextBackwardToken != *b1.NextBackwardToken {
			t.Errorf("backward token before the head = %q, want the token given, %q", *head.NextBackwardToken, *b1.NextBackwardToken)
		}
		// The forward token of an empty backward page reads on from there.
		check("forward from the head again", get(cloudwatchlogs.GetLogEventsInput{NextToken: head.NextForwardToken}), seqMessages(0, 10))
	})

	t.Run("newest first", func(t *testing.T) {
		tail := get(cloudwatchlogs.GetLogEventsInput{})
		check("newest page", tail, seqMessages(15, 25))
		end := get(cloudwatchlogs.GetLogEventsInput{NextToken: tail.NextForwardToken})
		check("after the newest", end, nil)
		if *end.NextForwardToken != *tail.NextForwardToken {
			t.Errorf("forward token after the newest page = %q, want %q", *end.NextForwardToken, *tail.NextForwardToken)
		}
		check("before the newest", get(cloudwatchlogs.GetLogEventsInput{NextToken: tail.NextBackwardToken}), seqMessages(5, 15))

		// A reader at the end sees the events put since.
		e.put("g", "s", event(base+25_000, "e25"), event(base+26_000, "e26"))
		check("new events", get(cloudwatchlogs.GetLogEventsInput{NextToken: end.NextForwardToken}), seqMessages(25, 27))
	})

	t.Run("time range", func(t *testing.T) {
		in := cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(base + 3000), EndTime: aws.Int64(base + 7000), StartFromHead: aws.Bool(true)}
		out := get(in)
		check("startTime..endTime", out, seqMessages(3, 7))
		in.NextToken = out.NextForwardToken
		if end := get(in); len(end.Events) != 0 || *end.NextForwardToken != *in.NextToken {
			t.Errorf("past endTime: %q, token %q; want no events and the same token", outputMessages(end.Events), *end.NextForwardToken)
		}
		check("newest page of a range", get(cloudwatchlogs.GetLogEventsInput{StartTime: aws.Int64(base + 3000), EndTime: aws.Int64(base + 7000), Limit: aws.Int32(2)}), seqMessages(5, 7))
	})

	t.Run("empty stream", func(t *testing.T) {
		e.createStream("g", "empty")
		in := cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("empty")}
		out, err := e.logs.GetLogEvents(ctx0, &in)
		if err != nil || len(out.Events) != 0 || out.NextForwardToken == nil || out.NextBackwardToken == nil {
			t.Fatalf("GetLogEvents(empty) = %+v, %v; want no events and both tokens", out, err)
		}
		e.put("g", "empty", event(base, "first"))
		in.NextToken = out.NextForwardToken
		if out, err = e.logs.GetLogEvents(ctx0, &in); err != nil || !slices.Equal(outputMessages(out.Events), []string{"first"}) {
			t.Errorf("GetLogEvents(empty) from its forward token after a put = %q, %v; want first", outputMessages(out.Events), err)
		}
	})

	errs := []struct {
		name      string
		in        cloudwatchlogs.GetLogEventsInput
		code, msg string
	}{
		{"bad token", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("x/1/2")}, "InvalidParameterException", "nextToken is invalid"},
		{"limit", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), Limit: aws.Int32(10_001)}, "InvalidParameterException", "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"missing stream", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")}, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"missing group", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s")}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"end before start", cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartTime: aws.Int64(5), EndTime: aws.Int64(4)}, "InvalidParameterException", "endTime"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.logs.GetLogEvents(ctx0, &tt.in)
			wantAPIError(t, tt.name, err, tt.code, tt.msg)
		})
	}
}

// TestGetLogEventsPaginator reads a whole stream the way SDK helpers do:
// forward from the head, until the forward token comes back unchanged.
func TestGetLogEventsPaginator(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	const n = 12_345
	base := e.clock().Add(-time.Hour).UnixMilli()
	for lo := 0; lo < n; lo += 5000 {
		var batch []types.InputLogEvent
		for i := lo; i < min(lo+5000, n); i++ {
			batch = append(batch, event(base+int64(i/3), fmt.Sprint("e", i))) // three events a millisecond
		}
		e.put("g", "s", batch...)
	}
	for _, limit := range []int32{1000, 10_000} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			p := cloudwatchlogs.NewGetLogEventsPaginator(e.logs, &cloudwatchlogs.GetLogEventsInput{
				LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true), Limit: aws.Int32(limit),
			}, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
			var got []string
			pages := 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx0)
				if err != nil {
					t.Fatalf("page %d: %v", pages+1, err)
				}
				got = append(got, outputMessages(out.Events)...)
				if pages++; pages > 100 {
					t.Fatal("the paginator does not stop")
				}
			}
			if !slices.Equal(got, seqMessages(0, n)) {
				t.Errorf("read %d events, want e0..e%d in order", len(got), n-1)
			}
		})
	}
}

func TestPutLogEvents(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	e.setNow(now)
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	e.createGroup("g")
	e.createStream("g", "s")
	e.createGroup("short")
	e.createStream("short", "s")
	if _, err := e.logs.PutRetentionPolicy(ctx0, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("short"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}

	many := func(n, size int) []types.InputLogEvent {
		events := make([]types.InputLogEvent, n)
		for i := range events {
			events[i] = event(ms(0), strings.Repeat("x", size))
		}
		return events
	}
	tests := []struct {
		name      string
		group     string
		events    []types.InputLogEvent
		code, msg string // the error, if any
		rejected  *types.RejectedLogEventsInfo
		stored    []string
	}{
		{name: "ok, with a stale sequence token ignored", events: []types.InputLogEvent{event(ms(-time.Minute), "a"), event(ms(-time.Minute), "b"), event(ms(0), "c")}, stored: []string{"a", "b", "c"}},
		{name: "10,000 events", events: many(10_000, 1)},
		{name: "10,001 events", events: many(10_001, 1), code: "InvalidParameterException", msg: "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000"},
		{name: "no events", events: []types.InputLogEvent{}, code: "InvalidParameterException", msg: "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		// 16 events of 65,510 bytes are 1,048,576 bytes with the overhead.
		{name: "1 MiB", events: many(16, 65_536-26)},
		{name: "1 MiB and a byte", events: append(many(15, 65_536-26), event(ms(0), strings.Repeat("x", 65_536-26+1))), code: "InvalidParameterException", msg: "Upload too large: 1048577 bytes exceeds limit of 1048576"},
		{name: "out of order", events: []types.InputLogEvent{event(ms(0), "a"), event(ms(-1), "b")}, code: "InvalidParameterException", msg: "chronological order"},
		{name: "over 24 hours", events: []types.InputLogEvent{event(ms(-25*time.Hour), "a"), event(ms(0), "b")}, code: "InvalidParameterException", msg: "cannot span more than 24 hours"},
		{name: "empty message", events: []types.InputLogEvent{event(ms(0), "")}, code: "InvalidParameterException", msg: "length greater than or equal to 1"},
		{name: "too new", events: []types.InputLogEvent{event(ms(time.Hour), "ok"), event(ms(2*time.Hour+time.Second), "new1"), event(ms(3*time.Hour), "new2")},
			rejected: &types.RejectedLogEventsInfo{TooNewLogEventStartIndex: aws.Int32(1)}, stored: []string{"ok"}},
		{name: "too old", events: []types.InputLogEvent{event(ms(-14*24*time.Hour-time.Second), "old"), event(ms(-14*24*time.Hour+time.Minute), "ok")},
			rejected: &types.RejectedLogEventsInfo{TooOldLogEventEndIndex: aws.Int32(0)}, stored: []string{"ok"}},
		{name: "expired", group: "short", events: []types.InputLogEvent{event(ms(-25*time.Hour), "exp1"), event(ms(-24*time.Hour-time.Second), "exp2"), event(ms(-time.Hour), "ok")},
			rejected: &types.RejectedLogEventsInfo{ExpiredLogEventEndIndex: aws.Int32(1)}, stored: []string{"ok"}},
		{name: "all rejected", events: []types.InputLogEvent{event(ms(3*time.Hour), "new")},
			rejected: &types.RejectedLogEventsInfo{TooNewLogEventStartIndex: aws.Int32(0)}, stored: []string{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			group := tt.group
			if group == "" {
				group = "g"
			}
			stream := fmt.Sprint("s", i)
			e.createStream(group, stream)
			out, err := e.logs.PutLogEvents(ctx0, &cloudwatchlogs.PutLogEventsInput{
				LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: tt.events,
				SequenceToken: aws.String("49590338271490256608559692538361571095492991"),
			})
			if tt.code != "" {
				wantAPIError(t, "PutLogEvents", err, tt.code, tt.msg)
				return
			}
			if err != nil {
				t.Fatalf("PutLogEvents = %v", err)
			}
			if aws.ToString(out.NextSequenceToken) == "" {
				t.Errorf("nextSequenceToken is empty")
			}
			if got, want := fmt.Sprintf("%+v", derefRejected(out.RejectedLogEventsInfo)), fmt.Sprintf("%+v", derefRejected(tt.rejected)); got != want {
				t.Errorf("rejectedLogEventsInfo = %s, want %s", got, want)
			}
			if tt.stored == nil {
				return
			}
			got, err := e.logs.GetLogEvents(ctx0, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
			if err != nil {
				t.Fatal(err)
			}
			if msgs := outputMessages(got.Events); !slices.Equal(msgs, tt.stored) && !(len(msgs) == 0 && len(tt.stored) == 0) {
				t.Errorf("stored %q, want %q", msgs, tt.stored)
			}
			for _, ev := range got.Events {
				if aws.ToInt64(ev.IngestionTime) != now.UnixMilli() {
					t.Errorf("ingestionTime = %d, want the service's clock, %d", aws.ToInt64(ev.IngestionTime), now.UnixMilli())
				}
			}
		})
	}

	for _, tt := range []struct{ group, stream, msg string }{
		{"g", "nope", "The specified log stream does not exist."},
		{"nope", "s", "The specified log group does not exist."},
	} {
		_, err := e.logs.PutLogEvents(ctx0, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(tt.group), LogStreamName: aws.String(tt.stream), LogEvents: []types.InputLogEvent{event(ms(0), "x")}})
		wantAPIError(t, "PutLogEvents("+tt.group+", "+tt.stream+")", err, "ResourceNotFoundException", tt.msg)
		// The stream must exist even when every event is rejected.
		_, err = e.logs.PutLogEvents(ctx0, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(tt.group), LogStreamName: aws.String(tt.stream), LogEvents: []types.InputLogEvent{event(ms(5*time.Hour), "x")}})
		wantAPIError(t, "PutLogEvents("+tt.group+", "+tt.stream+") of rejected events", err, "ResourceNotFoundException", tt.msg)
	}
}

// derefRejected returns the indexes of info, -1 for the absent ones.
func derefRejected(info *types.RejectedLogEventsInfo) [3]int32 {
	if info == nil {
		return [3]int32{-1, -1, -1}
	}
	v := func(p *int32) int32 {
		if p == nil {
			return -1
		}
		return *p
	}
	return [3]int32{v(info.TooNewLogEventStartIndex), v(info.TooOldLogEventEndIndex), v(info.ExpiredLogEventEndIndex)}
}
