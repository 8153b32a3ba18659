package logs

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// TestRetention runs the expiry loop on a fake clock: as days pass, each
// group loses the events older than its retention, and only those.
func TestRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "barge.db"), store.Options{Readers: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		// Now is the bubble's fake clock, which moves only as the test sleeps.
		svc := New(Config{Store: st, Scope: barge.Scope{Region: testRegion, Account: testAccount}, ExpireEvery: time.Hour})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error)
		go func() { done <- svc.Run(ctx) }()

		day := 24 * time.Hour
		for _, g := range []struct {
			name string
			days int
		}{{"week", 7}, {"month", 30}, {"forever", 0}} {
			if _, err := svc.CreateLogGroup(ctx, &createLogGroupInput{LogGroupName: g.name}); err != nil {
				t.Fatal(err)
			}
			if g.days > 0 {
				if _, err := svc.PutRetentionPolicy(ctx, &putRetentionPolicyInput{LogGroupName: g.name, RetentionInDays: &g.days}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := svc.CreateLogStream(ctx, &createLogStreamInput{LogGroupName: g.name, LogStreamName: "s"}); err != nil {
				t.Fatal(err)
			}
		}
		// One event a day, for ten days, in each group.
		for d := range 10 {
			for _, g := range []string{"week", "month", "forever"} {
				ts, msg := time.Now().UnixMilli(), fmt.Sprint("day ", d)
				if _, err := svc.PutLogEvents(ctx, &putLogEventsInput{LogGroupName: g, LogStreamName: "s", LogEvents: []inputLogEvent{{Timestamp: &ts, Message: &msg}}}); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(day)
		}
		// Now is day 10 and an hour: week keeps days 4 to 9 (those less than 7
		// days old), the others all.
		time.Sleep(time.Hour + time.Minute)
		synctest.Wait()
		left := func(group string) []string {
			t.Helper()
			out, err := svc.GetLogEvents(ctx, &getLogEventsInput{LogGroupName: group, LogStreamName: "s", StartFromHead: new(true)})
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, e := range out.Events {
				msgs = append(msgs, e.Message)
			}
			return msgs
		}
		days := func(lo, hi int) []string {
			var out []string
			for d := lo; d < hi; d++ {
				out = append(out, fmt.Sprint("day ", d))
			}
			return out
		}
		for _, tt := range []struct {
			group string
			want  []string
		}{{"week", days(4, 10)}, {"month", days(0, 10)}, {"forever", days(0, 10)}} {
			if got := left(tt.group); !slices.Equal(got, tt.want) {
				t.Errorf("on day 10, %s keeps %q, want %q", tt.group, got, tt.want)
			}
		}

		// Dropping the retention keeps what is left from then on.
		if _, err := svc.DeleteRetentionPolicy(ctx, &deleteRetentionPolicyInput{LogGroupName: "week"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(40 * day)
		synctest.Wait()
		if got := left("week"); !slices.Equal(got, days(4, 10)) {
			t.Errorf("40 days after dropping its retention, week keeps %q, want %q", got, days(4, 10))
		}
		if got := left("month"); len(got) != 0 {
			t.Errorf("on day 50, month keeps %q, want nothing", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
}

// TestRetentionAPI sets a retention policy through the SDK and moves the
// service's injected clock past it: one pass of expiry deletes the events it
// expires, which GetLogEvents and FilterLogEvents then no longer return.
func TestRetentionAPI(t *testing.T) {
	e := newEnv(t)
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	e.setNow(start)
	e.createGroup("g")
	e.createStream("g", "s")
	if _, err := e.logs.PutRetentionPolicy(ctx0, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	for d := range 5 { // one event a day, at noon
		now := start.Add(time.Duration(d)*24*time.Hour + 12*time.Hour)
		e.setNow(now)
		e.put("g", "s", event(now.UnixMilli(), fmt.Sprint("day ", d)))
	}
	// Day 5 at midnight: days 0 and 1 are more than 3 days old.
	e.setNow(start.Add(5 * 24 * time.Hour))
	e.svc.expire(ctx0)
	got, err := e.logs.GetLogEvents(ctx0, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"day 2", "day 3", "day 4"}; !slices.Equal(outputMessages(got.Events), want) {
		t.Errorf("after expiry GetLogEvents = %q, want %q", outputMessages(got.Events), want)
	}
	filtered, err := e.logs.FilterLogEvents(ctx0, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if err != nil || len(filtered.Events) != 3 {
		t.Errorf("after expiry FilterLogEvents = %d events, %v; want 3", len(filtered.Events), err)
	}
}
