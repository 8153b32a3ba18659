package logs

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

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
	e.svc.Expire(ctx0)
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
