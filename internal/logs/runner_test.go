package logs

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/bargehq/barge"
)

// TestRunnerAPI checks what the job runner relies on: the awslogs group
// must exist unless the runner may create it, and a job's output, however
// long, is read back whole and in order through the API.
func TestRunnerAPI(t *testing.T) {
	e := newEnv(t)
	const group, stream = "/aws/batch/job", "sleep30/default/0123456789abcdef"
	err := e.svc.EnsureStream(ctx0, group, stream, false)
	if barge.ErrorCodeOf(err) != barge.ENotFound || barge.ErrorMessage(err) != "The specified log group does not exist." {
		t.Errorf("EnsureStream without the group = %v, want ENotFound: The specified log group does not exist.", err)
	}
	for i := range 2 {
		if err := e.svc.EnsureStream(ctx0, group, stream, true); err != nil {
			t.Fatalf("EnsureStream #%d = %v", i+1, err)
		}
	}
	if err := e.svc.EnsureStream(ctx0, group, "sleep30/default/second", false); err != nil {
		t.Fatalf("EnsureStream in the existing group = %v", err)
	}
	for _, bad := range [][2]string{{"has space", "s"}, {group, "a:b"}, {"", "s"}, {group, ""}} {
		if err := e.svc.EnsureStream(ctx0, bad[0], bad[1], true); barge.ErrorCodeOf(err) != barge.EInvalid {
			t.Errorf("EnsureStream(%q, %q) = %v, want EInvalid", bad[0], bad[1], err)
		}
	}
	if err := e.svc.Append(ctx0, group, "missing", []barge.LogLine{line(1, "x")}); barge.ErrorCodeOf(err) != barge.ENotFound {
		t.Errorf("Append to a missing stream = %v, want ENotFound", err)
	}
	if err := e.svc.Append(ctx0, group, stream, nil); err != nil {
		t.Errorf("Append of nothing = %v", err)
	}

	// 100,000 lines in one append, a millisecond apart.
	const n = 100_000
	start := e.clock().Add(-time.Hour).UnixMilli()
	events := make([]barge.LogLine, n)
	for i := range events {
		events[i] = line(start+int64(i), fmt.Sprintf("line %d", i))
	}
	if err := e.svc.Append(ctx0, group, stream, events); err != nil {
		t.Fatalf("Append(%d lines) = %v", n, err)
	}

	p := cloudwatchlogs.NewGetLogEventsPaginator(e.logs, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true),
	}, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	read := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx0)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.Events {
			if want := fmt.Sprintf("line %d", read); aws.ToString(ev.Message) != want || aws.ToInt64(ev.Timestamp) != start+int64(read) {
				t.Fatalf("event %d = %q at %d, want %q at %d", read, aws.ToString(ev.Message), aws.ToInt64(ev.Timestamp), want, start+int64(read))
			}
			read++
		}
	}
	if read != n {
		t.Errorf("read %d events back, want %d", read, n)
	}

	groups, err := e.logs.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != group {
		t.Errorf("DescribeLogGroups = %+v, %v; want the group %s", groups, err, group)
	}
	streams, err := e.logs.DescribeLogStreams(ctx0, &cloudwatchlogs.DescribeLogStreamsInput{
		LogGroupName: aws.String(group), OrderBy: "LastEventTime", Descending: aws.Bool(true), Limit: aws.Int32(1),
	})
	if err != nil || len(streams.LogStreams) != 1 {
		t.Fatalf("DescribeLogStreams = %+v, %v", streams, err)
	}
	if s := streams.LogStreams[0]; aws.ToString(s.LogStreamName) != stream ||
		aws.ToInt64(s.FirstEventTimestamp) != start || aws.ToInt64(s.LastEventTimestamp) != start+n-1 {
		t.Errorf("newest stream = %s from %d to %d, want %s from %d to %d", aws.ToString(s.LogStreamName),
			aws.ToInt64(s.FirstEventTimestamp), aws.ToInt64(s.LastEventTimestamp), stream, start, start+n-1)
	}
}

// TestLastEvents gives a runner that restarted where to go on reading a
// task's output: the newest event's time and every message stored at that
// millisecond, in order; nothing for an empty or missing stream.
func TestLastEvents(t *testing.T) {
	e := newEnv(t)
	const group, stream = "/aws/batch/job", "def/default/0123456789abcdef"
	if err := e.svc.EnsureStream(ctx0, group, stream, true); err != nil {
		t.Fatal(err)
	}
	if at, msgs, err := e.svc.LastEvents(ctx0, group, stream); err != nil || !at.IsZero() || len(msgs) != 0 {
		t.Errorf("LastEvents(empty stream) = %v, %q, %v; want nothing", at, msgs, err)
	}
	ms := e.clock().Add(-time.Minute).UnixMilli()
	events := []barge.LogLine{line(ms-1, "before"), line(ms, "first"), line(ms, "second"), line(ms, "first")}
	if err := e.svc.Append(ctx0, group, stream, events); err != nil {
		t.Fatal(err)
	}
	at, msgs, err := e.svc.LastEvents(ctx0, group, stream)
	if want := []string{"first", "second", "first"}; err != nil || at.UnixMilli() != ms || !slices.Equal(msgs, want) {
		t.Errorf("LastEvents = %v, %q, %v; want %v, %q", at.UnixMilli(), msgs, err, ms, want)
	}
	if at, msgs, err := e.svc.LastEvents(ctx0, group, "missing"); err != nil || !at.IsZero() || len(msgs) != 0 {
		t.Errorf("LastEvents(missing stream) = %v, %q, %v; want nothing", at, msgs, err)
	}
}

// line is a line of a task's output at ms milliseconds since the epoch.
func line(ms int64, msg string) barge.LogLine {
	return barge.LogLine{Time: time.UnixMilli(ms), Message: msg}
}
