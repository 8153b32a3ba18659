package logs

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/bargehq/barge/internal/logservice"
)

// filterFixture makes a group of three streams whose events interleave in
// time, two of them at the same time in different streams, and returns the
// base time. In time order (then order of ingestion):
//
//	+0  job/1  INFO starting
//	+10 job/2  ERROR network down
//	+20 job/1  ERROR disk full
//	+20 job/2  INFO disk ok
//	+30 other  WARN disk slow
//	+40 job/1  WARN low memory
//	+50 job/2  ERROR disk full again
//	+60 job/1  DEBUG tick
//	+70 other  INFO done
func filterFixture(e *env) int64 {
	e.createGroup("g")
	base := e.clock().Add(-time.Hour).UnixMilli()
	for _, s := range []struct {
		name   string
		events []types.InputLogEvent
	}{
		{"job/1", []types.InputLogEvent{event(base, "INFO starting"), event(base+20, "ERROR disk full"), event(base+40, "WARN low memory"), event(base+60, "DEBUG tick")}},
		{"job/2", []types.InputLogEvent{event(base+10, "ERROR network down"), event(base+20, "INFO disk ok"), event(base+50, "ERROR disk full again")}},
		{"other", []types.InputLogEvent{event(base+30, "WARN disk slow"), event(base+70, "INFO done")}},
	} {
		e.createStream("g", s.name)
		e.put("g", s.name, s.events...)
	}
	return base
}

var allFiltered = []string{
	"INFO starting", "ERROR network down", "ERROR disk full", "INFO disk ok", "WARN disk slow",
	"WARN low memory", "ERROR disk full again", "DEBUG tick", "INFO done",
}

// filterAll runs FilterLogEvents through the SDK's paginator and returns
// the events and the number of pages.
func filterAll(t *testing.T, e *env, in cloudwatchlogs.FilterLogEventsInput) ([]types.FilteredLogEvent, int) {
	t.Helper()
	in.LogGroupName = aws.String("g")
	p := cloudwatchlogs.NewFilterLogEventsPaginator(e.logs, &in)
	var events []types.FilteredLogEvent
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx0)
		if err != nil {
			t.Fatalf("FilterLogEvents(%+v) page %d = %v", in, pages+1, err)
		}
		events = append(events, out.Events...)
		if pages++; pages > 100 {
			t.Fatal("the paginator does not stop")
		}
	}
	return events, pages
}

func filteredMessages(events []types.FilteredLogEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, aws.ToString(e.Message))
	}
	return out
}

func TestFilterLogEvents(t *testing.T) {
	e := newEnv(t)
	base := filterFixture(e)
	tests := []struct {
		name string
		in   cloudwatchlogs.FilterLogEventsInput
		want []string
	}{
		{"everything", cloudwatchlogs.FilterLogEventsInput{}, allFiltered},
		{"empty pattern", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("")}, allFiltered},
		{"term", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR")}, []string{"ERROR network down", "ERROR disk full", "ERROR disk full again"}},
		{"all terms", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR disk")}, []string{"ERROR disk full", "ERROR disk full again"}},
		{"terms in any order", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("disk ERROR")}, []string{"ERROR disk full", "ERROR disk full again"}},
		{"case-sensitive", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("error")}, nil},
		{"quoted phrase", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"disk full"`)}, []string{"ERROR disk full", "ERROR disk full again"}},
		{"phrase and term", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"disk full" again`)}, []string{"ERROR disk full again"}},
		{"phrase is not terms", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"full disk"`)}, nil},
		{"alternatives", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("?WARN ?DEBUG")}, []string{"WARN disk slow", "WARN low memory", "DEBUG tick"}},
		{"exclusion", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR -again")}, []string{"ERROR network down", "ERROR disk full"}},
		{"stream names", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"other"}}, []string{"WARN disk slow", "INFO done"}},
		{"two stream names", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"other", "job/2"}, FilterPattern: aws.String("disk")}, []string{"INFO disk ok", "WARN disk slow", "ERROR disk full again"}},
		{"stream prefix", cloudwatchlogs.FilterLogEventsInput{LogStreamNamePrefix: aws.String("job/"), FilterPattern: aws.String("INFO")}, []string{"INFO starting", "INFO disk ok"}},
		{"time range", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(base + 20), EndTime: aws.Int64(base + 50)}, []string{"ERROR disk full", "INFO disk ok", "WARN disk slow", "WARN low memory"}},
		{"pages of 2", cloudwatchlogs.FilterLogEventsInput{Limit: aws.Int32(2)}, allFiltered},
		{"pages of 1 with a pattern", cloudwatchlogs.FilterLogEventsInput{Limit: aws.Int32(1), FilterPattern: aws.String("WARN")}, []string{"WARN disk slow", "WARN low memory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, _ := filterAll(t, e, tt.in)
			if got := filteredMessages(events); !slices.Equal(got, tt.want) {
				t.Errorf("FilterLogEvents = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("event fields", func(t *testing.T) {
		events, pages := filterAll(t, e, cloudwatchlogs.FilterLogEventsInput{Limit: aws.Int32(3)})
		if pages != 3 {
			t.Errorf("9 events in pages of 3 took %d pages, want 3 (no empty page at the end)", pages)
		}
		ids := map[string]bool{}
		for _, ev := range events {
			ids[aws.ToString(ev.EventId)] = true
			if aws.ToInt64(ev.IngestionTime) == 0 || aws.ToString(ev.LogStreamName) == "" {
				t.Errorf("event %+v lacks its ingestion time or stream", ev)
			}
		}
		if len(ids) != len(events) || ids[""] {
			t.Errorf("event IDs %v are not unique and non-empty", ids)
		}
		if s := aws.ToString(events[3].LogStreamName); s != "job/2" || aws.ToInt64(events[3].Timestamp) != base+20 {
			t.Errorf("event 4 is from %s at %d, want job/2 at %d", s, aws.ToInt64(events[3].Timestamp), base+20)
		}
	})

	errs := []struct {
		name string
		in   cloudwatchlogs.FilterLogEventsInput
		code string
		msg  string
	}{
		{"names and prefix", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"a"}, LogStreamNamePrefix: aws.String("a")}, "InvalidParameterException", "mutually exclusive"},
		{"JSON pattern", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("{ $.level = \"error\" }")}, "InvalidParameterException", "not supported"},
		{"open quote", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"disk`)}, "InvalidParameterException", "closing double quote"},
		{"bad token", cloudwatchlogs.FilterLogEventsInput{NextToken: aws.String("nope")}, "InvalidParameterException", "nextToken is invalid"},
		{"limit", cloudwatchlogs.FilterLogEventsInput{Limit: aws.Int32(0)}, "InvalidParameterException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"101 streams", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: make([]string, 101)}, "InvalidParameterException", "Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to 100"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.LogGroupName = aws.String("g")
			_, err := e.logs.FilterLogEvents(ctx0, &in)
			wantAPIError(t, tt.name, err, tt.code, tt.msg)
		})
	}
	_, err := e.logs.FilterLogEvents(ctx0, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	wantAPIError(t, "FilterLogEvents(nope)", err, "ResourceNotFoundException", "The specified log group does not exist.")
}

// TestFilterLogEventsScanBound checks that a search stopped by the bound on
// events examined per call goes on where it stopped: the paginator finds
// every match, in order, across pages some of which are empty.
func TestFilterLogEventsScanBound(t *testing.T) {
	e := newEnv(t, func(c *logservice.Config) { c.FilterScan = 2 })
	filterFixture(e)
	events, pages := filterAll(t, e, cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String("ERROR")})
	want := []string{"ERROR network down", "ERROR disk full", "ERROR disk full again"}
	if got := filteredMessages(events); !slices.Equal(got, want) {
		t.Errorf("FilterLogEvents = %q, want %q", got, want)
	}
	if pages < 5 {
		t.Errorf("9 events examined 2 at a time took %d pages, want 5 or more", pages)
	}
}
