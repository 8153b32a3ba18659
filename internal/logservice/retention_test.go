package logservice

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

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
			if err := svc.CreateLogGroup(ctx, CreateLogGroupInput{Name: g.name}); err != nil {
				t.Fatal(err)
			}
			if g.days > 0 {
				if err := svc.PutRetentionPolicy(ctx, g.name, &g.days); err != nil {
					t.Fatal(err)
				}
			}
			if err := svc.CreateLogStream(ctx, g.name, "s"); err != nil {
				t.Fatal(err)
			}
		}
		// One event a day, for ten days, in each group.
		for d := range 10 {
			for _, g := range []string{"week", "month", "forever"} {
				ts, msg := time.Now().UnixMilli(), fmt.Sprint("day ", d)
				if _, err := svc.PutLogEvents(ctx, PutLogEventsInput{Group: g, Stream: "s", Events: []InputEvent{{Timestamp: &ts, Message: &msg}}}); err != nil {
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
			out, err := svc.GetLogEvents(ctx, GetLogEventsInput{Group: group, Stream: "s", StartFromHead: true})
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
		if err := svc.DeleteRetentionPolicy(ctx, "week"); err != nil {
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
