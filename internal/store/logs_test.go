package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

func mustCreateGroup(t *testing.T, s *Store, name string) {
	t.Helper()
	if err := s.CreateLogGroup(ctx0, &barge.LogGroup{Name: name, CreatedAt: 1, Class: "STANDARD"}); err != nil {
		t.Fatalf("CreateLogGroup(%s) = %v", name, err)
	}
}

func mustCreateStream(t *testing.T, s *Store, group, stream string) {
	t.Helper()
	if err := s.CreateLogStream(ctx0, group, stream, 2); err != nil {
		t.Fatalf("CreateLogStream(%s, %s) = %v", group, stream, err)
	}
}

// appendN appends n events to group/stream with timestamps start, start+step, ...
// and messages "<prefix><i>".
func appendN(t testing.TB, s *Store, group, stream string, n int, start, step int64, prefix string) {
	t.Helper()
	events := make([]barge.LogEvent, n)
	for i := range events {
		events[i] = barge.LogEvent{Timestamp: start + int64(i)*step, Ingested: 100, Message: prefix + fmt.Sprint(i)}
	}
	if err := s.AppendLogEvents(ctx0, group, stream, events); err != nil {
		t.Fatalf("AppendLogEvents(%s, %s, %d events) = %v", group, stream, n, err)
	}
}

func messages(events []barge.LogEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Message
	}
	return out
}

func TestLogGroups(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"/aws/batch/job", "app-b", "app-a", "other"} {
		mustCreateGroup(t, s, name)
	}
	if err := s.CreateLogGroup(ctx0, &barge.LogGroup{Name: "app-a", Class: "STANDARD"}); err != barge.ErrLogGroupExists {
		t.Errorf("CreateLogGroup(app-a) again = %v, want barge.ErrLogGroupExists", err)
	}
	if err := s.CreateLogGroup(ctx0, &barge.LogGroup{Name: "tagged", Class: "INFREQUENT_ACCESS", RetentionDays: 7, Tags: map[string]string{"k": "v"}}); err != nil {
		t.Fatal(err)
	}
	g, err := s.GetLogGroup(ctx0, "tagged")
	if err != nil || g.Class != "INFREQUENT_ACCESS" || g.RetentionDays != 7 || g.Tags["k"] != "v" {
		t.Errorf("GetLogGroup(tagged) = %+v, %v; want the class, retention and tags stored", g, err)
	}
	if _, err := s.GetLogGroup(ctx0, "missing"); err != barge.ErrNoLogGroup {
		t.Errorf("GetLogGroup(missing) = %v, want barge.ErrNoLogGroup", err)
	}

	list := []struct {
		name string
		q    barge.LogGroupQuery
		want []string
	}{
		{"all", barge.LogGroupQuery{}, []string{"/aws/batch/job", "app-a", "app-b", "other", "tagged"}},
		{"prefix", barge.LogGroupQuery{Prefix: "app-"}, []string{"app-a", "app-b"}},
		{"contains", barge.LogGroupQuery{Contains: "e"}, []string{"other", "tagged"}},
		{"contains is case-sensitive", barge.LogGroupQuery{Contains: "E"}, nil},
		{"class", barge.LogGroupQuery{Class: "INFREQUENT_ACCESS"}, []string{"tagged"}},
		{"after", barge.LogGroupQuery{After: "app-a"}, []string{"app-b", "other", "tagged"}},
		{"limit", barge.LogGroupQuery{Limit: 2}, []string{"/aws/batch/job", "app-a"}},
		{"contains with limit", barge.LogGroupQuery{Contains: "a", Limit: 2}, []string{"/aws/batch/job", "app-a"}},
	}
	for _, tt := range list {
		t.Run(tt.name, func(t *testing.T) {
			gs, err := s.ListLogGroups(ctx0, tt.q)
			var names []string
			for _, g := range gs {
				names = append(names, g.Name)
			}
			if err != nil || !slices.Equal(names, tt.want) {
				t.Errorf("ListLogGroups(%+v) = %q, %v; want %q", tt.q, names, err, tt.want)
			}
		})
	}

	if err := s.SetLogGroupRetention(ctx0, "app-a", 30); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLogGroupRetention(ctx0, "tagged", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLogGroupRetention(ctx0, "missing", 1); err != barge.ErrNoLogGroup {
		t.Errorf("SetLogGroupRetention(missing) = %v, want barge.ErrNoLogGroup", err)
	}
	a, _ := s.GetLogGroup(ctx0, "app-a")
	tg, _ := s.GetLogGroup(ctx0, "tagged")
	if a.RetentionDays != 30 || tg.RetentionDays != 0 {
		t.Errorf("retention of app-a, tagged = %d, %d; want 30, 0", a.RetentionDays, tg.RetentionDays)
	}

	refuse := errors.New("refused")
	if err := s.UpdateLogGroupTags(ctx0, "tagged", func(m map[string]string) error { m["x"] = "y"; return refuse }); !errors.Is(err, refuse) {
		t.Errorf("UpdateLogGroupTags with a failing update = %v, want its error", err)
	}
	if err := s.UpdateLogGroupTags(ctx0, "tagged", func(m map[string]string) error { delete(m, "k"); m["a"] = "b"; return nil }); err != nil {
		t.Fatal(err)
	}
	if tg, _ = s.GetLogGroup(ctx0, "tagged"); len(tg.Tags) != 1 || tg.Tags["a"] != "b" {
		t.Errorf("tags after update = %v, want only a=b (the failed update left nothing)", tg.Tags)
	}
	if err := s.UpdateLogGroupTags(ctx0, "tagged", func(m map[string]string) error { clear(m); return nil }); err != nil {
		t.Fatal(err)
	}
	if tg, _ = s.GetLogGroup(ctx0, "tagged"); tg.Tags != nil {
		t.Errorf("tags after removing all = %v, want none", tg.Tags)
	}
	if err := s.UpdateLogGroupTags(ctx0, "missing", func(map[string]string) error { return nil }); err != barge.ErrNoLogGroup {
		t.Errorf("UpdateLogGroupTags(missing) = %v, want barge.ErrNoLogGroup", err)
	}

	if err := s.DeleteLogGroup(ctx0, "app-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogGroup(ctx0, "app-a"); err != barge.ErrNoLogGroup {
		t.Errorf("DeleteLogGroup(app-a) again = %v, want barge.ErrNoLogGroup", err)
	}
}

func TestLogStreams(t *testing.T) {
	s := newStore(t)
	mustCreateGroup(t, s, "g")
	if err := s.CreateLogStream(ctx0, "missing", "s", 1); err != barge.ErrNoLogGroup {
		t.Errorf("CreateLogStream in a missing group = %v, want barge.ErrNoLogGroup", err)
	}
	for _, name := range []string{"b", "a", "c/1", "c/2"} {
		mustCreateStream(t, s, "g", name)
	}
	if err := s.CreateLogStream(ctx0, "g", "a", 1); err != barge.ErrLogStreamExists {
		t.Errorf("CreateLogStream(g, a) again = %v, want barge.ErrLogStreamExists", err)
	}
	appendN(t, s, "g", "b", 2, 500, 10, "b")   // last event 510
	appendN(t, s, "g", "c/1", 1, 300, 0, "c1") // last event 300
	appendN(t, s, "g", "c/1", 1, 200, 0, "c1") // out of order: first event 200, last still 300

	names := func(q barge.LogStreamQuery) []string {
		t.Helper()
		q.Group = "g"
		ss, err := s.ListLogStreams(ctx0, q)
		if err != nil {
			t.Fatalf("ListLogStreams(%+v) = %v", q, err)
		}
		var out []string
		for _, st := range ss {
			out = append(out, st.Name)
		}
		return out
	}
	tests := []struct {
		name string
		q    barge.LogStreamQuery
		want []string
	}{
		{"by name", barge.LogStreamQuery{}, []string{"a", "b", "c/1", "c/2"}},
		{"descending", barge.LogStreamQuery{Descending: true}, []string{"c/2", "c/1", "b", "a"}},
		{"prefix", barge.LogStreamQuery{Prefix: "c/"}, []string{"c/1", "c/2"}},
		{"after", barge.LogStreamQuery{After: &barge.LogStream{Name: "b"}, Limit: 1}, []string{"c/1"}},
		{"after descending", barge.LogStreamQuery{After: &barge.LogStream{Name: "b"}, Descending: true}, []string{"a"}},
		{"by last event", barge.LogStreamQuery{ByLastEvent: true}, []string{"a", "c/2", "c/1", "b"}},
		{"by last event descending", barge.LogStreamQuery{ByLastEvent: true, Descending: true}, []string{"b", "c/1", "c/2", "a"}},
		{"by last event after", barge.LogStreamQuery{ByLastEvent: true, After: &barge.LogStream{Name: "c/2", LastEvent: 0}}, []string{"c/1", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("ListLogStreams(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}

	ss, _ := s.ListLogStreams(ctx0, barge.LogStreamQuery{Group: "g", Prefix: "c/1"})
	if len(ss) != 1 || ss[0].FirstEvent != 200 || ss[0].LastEvent != 300 || ss[0].LastIngestion != 100 || ss[0].CreatedAt != 2 {
		t.Errorf("stream c/1 = %+v, want first event 200, last 300, ingested 100, created 2", ss[0])
	}
	ss, _ = s.ListLogStreams(ctx0, barge.LogStreamQuery{Group: "g", Prefix: "a"})
	if len(ss) != 1 || ss[0].FirstEvent != 0 || ss[0].LastEvent != 0 || ss[0].LastIngestion != 0 {
		t.Errorf("stream a without events = %+v, want zero event times", ss[0])
	}
	if _, err := s.ListLogStreams(ctx0, barge.LogStreamQuery{Group: "missing"}); err != barge.ErrNoLogGroup {
		t.Errorf("ListLogStreams(missing) = %v, want barge.ErrNoLogGroup", err)
	}

	if err := s.DeleteLogStream(ctx0, "g", "b"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		group, stream string
		want          error
	}{{"g", "b", barge.ErrNoLogStream}, {"missing", "b", barge.ErrNoLogGroup}} {
		if err := s.DeleteLogStream(ctx0, tt.group, tt.stream); err != tt.want {
			t.Errorf("DeleteLogStream(%s, %s) = %v, want %v", tt.group, tt.stream, err, tt.want)
		}
		if err := s.AppendLogEvents(ctx0, tt.group, tt.stream, []barge.LogEvent{{Message: "x"}}); err != tt.want {
			t.Errorf("AppendLogEvents(%s, %s) = %v, want %v", tt.group, tt.stream, err, tt.want)
		}
		if _, err := s.GetLogEvents(ctx0, barge.LogEventRange{Group: tt.group, Stream: tt.stream}); err != tt.want {
			t.Errorf("GetLogEvents(%s, %s) = %v, want %v", tt.group, tt.stream, err, tt.want)
		}
	}
	// A stream created again under the name of a deleted one starts empty.
	mustCreateStream(t, s, "g", "b")
	if evs, err := s.GetLogEvents(ctx0, barge.LogEventRange{Group: "g", Stream: "b", Before: barge.LogPosMax}); err != nil || len(evs) != 0 {
		t.Errorf("GetLogEvents of a re-created stream = %q, %v; want none", messages(evs), err)
	}
}

func TestEnsureLogStream(t *testing.T) {
	s := newStore(t)
	if err := s.EnsureLogStream(ctx0, "/aws/batch/job", "def/default/1", false, 5); err != barge.ErrNoLogGroup {
		t.Errorf("EnsureLogStream without the group and createGroup = %v, want barge.ErrNoLogGroup", err)
	}
	for i := range 2 { // the second time, both exist
		if err := s.EnsureLogStream(ctx0, "/aws/batch/job", "def/default/1", true, 5); err != nil {
			t.Fatalf("EnsureLogStream #%d = %v", i+1, err)
		}
	}
	if err := s.EnsureLogStream(ctx0, "/aws/batch/job", "def/default/2", false, 6); err != nil {
		t.Fatalf("EnsureLogStream in an existing group = %v", err)
	}
	g, err := s.GetLogGroup(ctx0, "/aws/batch/job")
	if err != nil || g.CreatedAt != 5 || g.Class != "STANDARD" {
		t.Errorf("group made by EnsureLogStream = %+v, %v; want a STANDARD group created at 5", g, err)
	}
	ss, _ := s.ListLogStreams(ctx0, barge.LogStreamQuery{Group: "/aws/batch/job"})
	if len(ss) != 2 {
		t.Errorf("streams = %d, want 2", len(ss))
	}
}

func TestGetLogEvents(t *testing.T) {
	s := newStore(t)
	mustCreateGroup(t, s, "g")
	mustCreateStream(t, s, "g", "s")
	mustCreateStream(t, s, "g", "other")
	// 25,000 events, more than one write takes: timestamps 1000, 1010, ...
	appendN(t, s, "g", "s", 25_000, 1000, 10, "e")
	appendN(t, s, "g", "other", 10, 1000, 10, "o")
	// Two more at time 1000, after the first: same time, later ingestion.
	appendN(t, s, "g", "s", 2, 1000, 0, "tie")

	all := barge.LogEventRange{Group: "g", Stream: "s", Before: barge.LogPosMax}
	first, err := s.GetLogEvents(ctx0, barge.LogEventRange{Group: "g", Stream: "s", Before: barge.LogPosMax, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(first); !slices.Equal(got, []string{"e0", "tie0", "tie1", "e1"}) {
		t.Fatalf("first 4 events = %q, want e0 tie0 tie1 e1 (time order, then ingestion)", got)
	}
	tests := []struct {
		name string
		r    barge.LogEventRange
		want []string
	}{
		{"after a tie", barge.LogEventRange{After: first[1].Pos(), Limit: 2}, []string{"tie1", "e1"}},
		{"backward from the end", barge.LogEventRange{Backward: true, Limit: 2}, []string{"e24998", "e24999"}},
		{"backward before a position", barge.LogEventRange{Before: first[2].Pos(), Backward: true}, []string{"e0", "tie0"}},
		{"time range", barge.LogEventRange{After: barge.LogPos{Timestamp: 1020, Seq: 0}, Before: barge.LogPos{Timestamp: 1050, Seq: 0}}, []string{"e2", "e3", "e4"}},
		{"time range backward", barge.LogEventRange{After: barge.LogPos{Timestamp: 1020, Seq: 0}, Before: barge.LogPos{Timestamp: 1050, Seq: 0}, Backward: true, Limit: 2}, []string{"e3", "e4"}},
		{"bytes", barge.LogEventRange{MaxBytes: 2 * (26 + 2)}, []string{"e0"}}, // tie0 is 4 bytes: over
		{"bytes take one at least", barge.LogEventRange{MaxBytes: 1}, []string{"e0"}},
		{"empty range", barge.LogEventRange{After: barge.LogPos{Timestamp: 5000, Seq: 0}, Before: barge.LogPos{Timestamp: 5000, Seq: 0}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.Group, r.Stream = "g", "s"
			if r.Before == (barge.LogPos{}) {
				r.Before = barge.LogPosMax
			}
			evs, err := s.GetLogEvents(ctx0, r)
			if got := messages(evs); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("GetLogEvents(%+v) = %q, %v; want %q", r, got, err, tt.want)
			}
		})
	}
	evs, err := s.GetLogEvents(ctx0, all)
	if err != nil || len(evs) != 10_000 {
		t.Errorf("GetLogEvents without a limit = %d events, %v; want the default of 10,000", len(evs), err)
	}
	// Reading the whole stream forward a page at a time visits every event once.
	var n int
	pos := barge.LogPos{}
	for {
		evs, err := s.GetLogEvents(ctx0, barge.LogEventRange{Group: "g", Stream: "s", After: pos, Before: barge.LogPosMax, Limit: 7000})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		n += len(evs)
		pos = evs[len(evs)-1].Pos()
	}
	if n != 25_002 {
		t.Errorf("paging forward read %d events, want 25,002", n)
	}
}

func TestFilterLogEvents(t *testing.T) {
	s := newStore(t)
	mustCreateGroup(t, s, "g")
	for _, st := range []string{"a/1", "a/2", "b"} {
		mustCreateStream(t, s, "g", st)
	}
	// Interleaved in time: a/1 at 10, 40, 70, ...; a/2 at 20, 50, ...; b at 30, 60, ...
	for i, st := range []string{"a/1", "a/2", "b"} {
		events := make([]barge.LogEvent, 5)
		for j := range events {
			msg := fmt.Sprintf("%s-%d", st, j)
			if j%2 == 0 {
				msg += " even"
			}
			events[j] = barge.LogEvent{Timestamp: int64(10 + 30*j + 10*i), Ingested: 1, Message: msg}
		}
		if err := s.AppendLogEvents(ctx0, "g", st, events); err != nil {
			t.Fatal(err)
		}
	}
	even := func(m string) bool { return strings.HasSuffix(m, " even") }
	tests := []struct {
		name     string
		f        barge.LogFilter
		want     []string
		wantMore bool
	}{
		{"all", barge.LogFilter{Limit: 4}, []string{"a/1-0 even", "a/2-0 even", "b-0 even", "a/1-1"}, true},
		{"time range", barge.LogFilter{After: barge.LogPos{Timestamp: 40, Seq: 0}, Before: barge.LogPos{Timestamp: 70, Seq: 0}}, []string{"a/1-1", "a/2-1", "b-1"}, false},
		{"one stream", barge.LogFilter{Streams: []string{"b"}}, []string{"b-0 even", "b-1", "b-2 even", "b-3", "b-4 even"}, false},
		{"two streams", barge.LogFilter{Streams: []string{"b", "a/2"}, Before: barge.LogPos{Timestamp: 60, Seq: 0}}, []string{"a/2-0 even", "b-0 even", "a/2-1"}, false},
		{"missing stream", barge.LogFilter{Streams: []string{"nope"}}, nil, false},
		{"prefix", barge.LogFilter{StreamPrefix: "a/", Before: barge.LogPos{Timestamp: 60, Seq: 0}}, []string{"a/1-0 even", "a/2-0 even", "a/1-1", "a/2-1"}, false},
		{"match", barge.LogFilter{Streams: []string{"a/1"}, Match: even}, []string{"a/1-0 even", "a/1-2 even", "a/1-4 even"}, false},
		// The limit is reached with a match left: more.
		{"limit with more", barge.LogFilter{Streams: []string{"a/1"}, Match: even, Limit: 2}, []string{"a/1-0 even", "a/1-2 even"}, true},
		// The limit is reached on the last match: no more, though events remain.
		{"limit on the last match", barge.LogFilter{Streams: []string{"a/1"}, Match: even, Limit: 3}, []string{"a/1-0 even", "a/1-2 even", "a/1-4 even"}, false},
		{"scan bound", barge.LogFilter{MaxScan: 4, Match: even}, []string{"a/1-0 even", "a/2-0 even", "b-0 even"}, true},
		{"bytes", barge.LogFilter{MaxBytes: 30 + 26}, []string{"a/1-0 even"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.Group = "g"
			if f.Before == (barge.LogPos{}) {
				f.Before = barge.LogPosMax
			}
			res, err := s.FilterLogEvents(ctx0, f)
			if err != nil {
				t.Fatalf("FilterLogEvents(%+v) = %v", f, err)
			}
			if got := messages(res.Events); !slices.Equal(got, tt.want) || res.More != tt.wantMore {
				t.Errorf("FilterLogEvents(%+v) = %q, more %v; want %q, more %v", f, got, res.More, tt.want, tt.wantMore)
			}
			for _, e := range res.Events {
				if !strings.HasPrefix(e.Message, e.Stream+"-") {
					t.Errorf("event %q is of stream %q", e.Message, e.Stream)
				}
			}
		})
	}

	// Paging with the scan bound and a match visits every match once.
	var got []string
	f := barge.LogFilter{Group: "g", Before: barge.LogPosMax, Match: even, MaxScan: 2, Limit: 1}
	for range 100 {
		res, err := s.FilterLogEvents(ctx0, f)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(res.Events)...)
		if !res.More {
			break
		}
		f.After = res.Next
	}
	sorted := slices.Sorted(slices.Values(got))
	if len(got) != 9 || len(slices.Compact(sorted)) != 9 {
		t.Errorf("paging found %d matches %q, want the 9 even events", len(got), got)
	}

	// A deleted stream's events are gone from the group at once.
	if err := s.DeleteLogStream(ctx0, "g", "b"); err != nil {
		t.Fatal(err)
	}
	res, err := s.FilterLogEvents(ctx0, barge.LogFilter{Group: "g", Before: barge.LogPosMax})
	if err != nil || len(res.Events) != 10 {
		t.Errorf("FilterLogEvents after deleting b = %q, %v; want the 10 events of a/1 and a/2", messages(res.Events), err)
	}
	if _, err := s.FilterLogEvents(ctx0, barge.LogFilter{Group: "missing"}); err != barge.ErrNoLogGroup {
		t.Errorf("FilterLogEvents(missing) = %v, want barge.ErrNoLogGroup", err)
	}
}

func TestExpireLogEvents(t *testing.T) {
	s := newStore(t)
	const day = 24 * 60 * 60 * 1000
	now := int64(100 * day)
	for _, g := range []string{"kept", "week", "gone"} {
		mustCreateGroup(t, s, g)
		mustCreateStream(t, s, g, "s")
		mustCreateStream(t, s, g, "t")
		// One event a day for 20 days, up to now.
		appendN(t, s, g, "s", 20, now-19*day, day, "")
		appendN(t, s, g, "t", 20, now-19*day, day, "")
	}
	if err := s.SetLogGroupRetention(ctx0, "week", 7); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogGroup(ctx0, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogStream(ctx0, "kept", "t"); err != nil {
		t.Fatal(err)
	}
	n, err := s.ExpireLogEvents(ctx0, now, 3) // small batches: many writes
	// week loses 12 events in each stream (older than 7 days); gone and
	// kept/t all of theirs.
	if want := int64(2*12 + 2*20 + 20); err != nil || n != want {
		t.Errorf("ExpireLogEvents = %d, %v; want %d", n, err, want)
	}
	var left, purges int
	if err := s.queryRow(ctx0, "SELECT COUNT(*) FROM log_events").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if err := s.queryRow(ctx0, "SELECT COUNT(*) FROM log_purges").Scan(&purges); err != nil {
		t.Fatal(err)
	}
	if left != 20+2*8 || purges != 0 {
		t.Errorf("after expiry: %d events and %d purges left, want %d and 0", left, purges, 20+2*8)
	}
	evs, _ := s.GetLogEvents(ctx0, barge.LogEventRange{Group: "week", Stream: "s", Before: barge.LogPosMax})
	if len(evs) != 8 || evs[0].Timestamp != now-7*day {
		t.Errorf("week/s keeps %d events from %d, want 8 from %d", len(evs), evs[0].Timestamp, now-7*day)
	}
	if n, err := s.ExpireLogEvents(ctx0, now, 0); n != 0 || err != nil {
		t.Errorf("ExpireLogEvents again = %d, %v; want nothing to do", n, err)
	}
}

// TestLogQueryPlans checks that the event queries seek the index meant for
// them, in its order, so that their cost does not grow with the stream or
// group.
func TestLogQueryPlans(t *testing.T) {
	s := newStore(t)
	tests := []struct {
		name, query, index string
	}{
		{"get forward", "SELECT seq FROM log_events WHERE stream_id = 1 AND (timestamp, seq) > (1, 2) AND (timestamp, seq) < (3, 4) ORDER BY timestamp, seq LIMIT 10", "log_events_stream"},
		{"get backward", "SELECT seq FROM log_events WHERE stream_id = 1 AND (timestamp, seq) > (1, 2) AND (timestamp, seq) < (3, 4) ORDER BY timestamp DESC, seq DESC LIMIT 10", "log_events_stream"},
		{"filter group", "SELECT e.seq, st.name FROM log_events e LEFT JOIN log_streams st ON st.id = e.stream_id WHERE e.group_id = 1 AND (e.timestamp, e.seq) > (1, 2) AND (e.timestamp, e.seq) < (3, 4) ORDER BY e.timestamp, e.seq LIMIT 10", "log_events_group"},
		{"expire", "DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE group_id = 1 AND timestamp < 5 LIMIT 10)", "log_events_group"},
		{"purge stream", "DELETE FROM log_events WHERE seq IN (SELECT seq FROM log_events WHERE stream_id = 1 LIMIT 10)", "log_events_stream"},
		{"streams by last event", "SELECT name FROM log_streams WHERE group_id = 1 AND (last_event, name) < (1, 'a') ORDER BY last_event DESC, name DESC LIMIT 5", "log_streams_last_event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if onPostgres {
				checkPostgresPlan(t, s, tt.query, nil)
				return
			}
			plan := queryPlan(t, s, tt.query)
			if !strings.Contains(plan, "INDEX "+tt.index+" (") {
				t.Errorf("plan of %s = %q, want a search of index %s", tt.query, plan, tt.index)
			}
			if strings.Contains(plan, "SCAN ") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan of %s = %q, want no scan and no sort", tt.query, plan)
			}
		})
	}
}
