package logservice

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// The service's tests call it directly, with typed values, on the real
// store; the wire is tested in internal/logs.

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
)

var ctx0 = context.Background()

// newService returns a service on a fresh store whose clock reads *now.
func newService(t *testing.T, now *time.Time) *Service {
	t.Helper()
	st, err := store.Open(ctx0, filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(Config{Store: st, Scope: barge.Scope{Region: testRegion, Account: testAccount}, Now: func() time.Time { return *now }})
}

// wantErr fails the test unless err has code and its message contains msg.
func wantErr(t *testing.T, op string, err error, code barge.ErrorCode, msg string) {
	t.Helper()
	if barge.ErrorCodeOf(err) != code || !strings.Contains(barge.ErrorMessage(err), msg) {
		t.Errorf("%s = %v, want %s containing %q", op, err, code, msg)
	}
}

func TestCreateAndDescribeLogGroups(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := newService(t, &now)
	for _, name := range []string{"/b", "/a", "/c/x", "/c/y"} {
		if err := svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: name}); err != nil {
			t.Fatalf("CreateLogGroup(%s) = %v", name, err)
		}
	}
	if err := svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: "/k", Class: "INFREQUENT_ACCESS", KMSKeyID: "arn:aws:kms:us-east-1:123456789012:key/k1", Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CreateLogGroup twice", svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: "/a"}), barge.EConflict, "already exists")
	for _, tt := range []struct {
		in   CreateLogGroupInput
		want string
	}{
		{CreateLogGroupInput{}, "Value '' at 'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{CreateLogGroupInput{Name: "aws/x"}, "cannot start with 'aws/'"},
		{CreateLogGroupInput{Name: "a b"}, "Member must satisfy regular expression pattern"},
		{CreateLogGroupInput{Name: strings.Repeat("a", 513)}, "Member must have length less than or equal to 512"},
		{CreateLogGroupInput{Name: "/d", Class: "COLD"}, "Member must satisfy enum value set"},
		{CreateLogGroupInput{Name: "/d", Tags: map[string]string{}}, "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{CreateLogGroupInput{Name: "/d", Tags: map[string]string{"aws:x": "1"}}, "reserved for AWS"},
	} {
		wantErr(t, "CreateLogGroup("+tt.in.Name+")", svc.CreateLogGroup(ctx0, tt.in), barge.EInvalid, tt.want)
	}

	// Pages of two, in name order, the token taking up where the last
	// page ended.
	var names []string
	token := ""
	for range 10 {
		page, err := svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{Limit: new(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.Groups {
			names = append(names, g.Name)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	if want := []string{"/a", "/b", "/c/x", "/c/y", "/k"}; !slices.Equal(names, want) {
		t.Errorf("DescribeLogGroups pages = %q, want %q", names, want)
	}
	page, err := svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{Identifiers: []string{"/k"}})
	if err != nil || len(page.Groups) != 1 {
		t.Fatalf("DescribeLogGroups(/k) = %v, %v", page, err)
	}
	if g := page.Groups[0]; g.Class != "INFREQUENT_ACCESS" || g.KMSKeyID != "arn:aws:kms:us-east-1:123456789012:key/k1" || g.CreatedAt != now.UnixMilli() || g.Tags["team"] != "a" {
		t.Errorf("group /k = %+v", g)
	}
	page, err = svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{Prefix: "/c/"})
	if err != nil || len(page.Groups) != 2 {
		t.Errorf("DescribeLogGroups(prefix /c/) = %v, %v; want 2 groups", page, err)
	}
	page, err = svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{Identifiers: []string{svc.GroupARN("/b"), "/none"}})
	if err != nil || len(page.Groups) != 1 || page.Groups[0].Name != "/b" {
		t.Errorf("DescribeLogGroups(ARN of /b, /none) = %v, %v; want /b", page, err)
	}
	for _, tt := range []struct {
		in   DescribeLogGroupsInput
		want string
	}{
		{DescribeLogGroupsInput{Prefix: "/a", Pattern: "a"}, "mutually exclusive"},
		{DescribeLogGroupsInput{Identifiers: []string{"/a"}, Prefix: "/a"}, "cannot be combined"},
		{DescribeLogGroupsInput{Limit: new(51)}, "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{DescribeLogGroupsInput{NextToken: "garbage"}, "nextToken is invalid"},
		{DescribeLogGroupsInput{Identifiers: []string{"arn:aws:logs:eu-west-1:123456789012:log-group:/a"}}, "not the ARN of a log group of this region"},
	} {
		_, err := svc.DescribeLogGroups(ctx0, tt.in)
		wantErr(t, "DescribeLogGroups", err, barge.EInvalid, tt.want)
	}

	if err := svc.DeleteLogGroup(ctx0, "/a"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteLogGroup again", svc.DeleteLogGroup(ctx0, "/a"), barge.ENotFound, "The specified log group does not exist.")
}

func TestRetentionPolicy(t *testing.T) {
	now := time.Now()
	svc := newService(t, &now)
	if err := svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "PutRetentionPolicy(nil)", svc.PutRetentionPolicy(ctx0, "g", nil), barge.EInvalid, "Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
	wantErr(t, "PutRetentionPolicy(2)", svc.PutRetentionPolicy(ctx0, "g", new(2)), barge.EInvalid, "Value '2' at 'retentionInDays'")
	if err := svc.PutRetentionPolicy(ctx0, "g", new(14)); err != nil {
		t.Fatal(err)
	}
	page, err := svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{})
	if err != nil || page.Groups[0].RetentionDays != 14 {
		t.Fatalf("after PutRetentionPolicy(14): %v, %v", page, err)
	}
	if err := svc.DeleteRetentionPolicy(ctx0, "g"); err != nil {
		t.Fatal(err)
	}
	if page, _ := svc.DescribeLogGroups(ctx0, DescribeLogGroupsInput{}); page.Groups[0].RetentionDays != 0 {
		t.Errorf("after DeleteRetentionPolicy: retention %d, want 0", page.Groups[0].RetentionDays)
	}
	wantErr(t, "PutRetentionPolicy(missing)", svc.PutRetentionPolicy(ctx0, "missing", new(1)), barge.ENotFound, "log group does not exist")
}

func TestPutAndGetLogEvents(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	svc := newService(t, &now)
	if err := svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateLogStream(ctx0, "g", "s"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "CreateLogStream again", svc.CreateLogStream(ctx0, "g", "s"), barge.EConflict, "already exists")
	wantErr(t, "CreateLogStream(a:b)", svc.CreateLogStream(ctx0, "g", "a:b"), barge.EInvalid, "[^:*]*")

	ev := func(ts int64, msg string) InputEvent { return InputEvent{Timestamp: &ts, Message: &msg} }
	ms := now.UnixMilli()
	// A batch that spans more than 24 hours is refused whole.
	_, err := svc.PutLogEvents(ctx0, PutLogEventsInput{Group: "g", Stream: "s", Events: []InputEvent{ev(ms-15*24*3600_000, "old"), ev(ms, "a")}})
	wantErr(t, "PutLogEvents spanning 15 days", err, barge.EInvalid, "cannot span more than 24 hours")
	// Three in range, one too new (3 hours ahead).
	res, err := svc.PutLogEvents(ctx0, PutLogEventsInput{Group: "g", Stream: "s", Events: []InputEvent{
		ev(ms-3, "a"), ev(ms-2, "b"), ev(ms-1, "c"), ev(ms+3*3600_000, "new"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.TooNewStart == nil || *res.TooNewStart != 3 || res.TooOldEnd != nil || res.ExpiredEnd != nil || res.NextSequenceToken == "" {
		t.Errorf("PutLogEvents result = %+v, want TooNewStart 3 only", res)
	}
	for _, tt := range []struct {
		events []InputEvent
		want   string
	}{
		{nil, "Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{[]InputEvent{{Timestamp: &ms}}, "Value null at 'logEvents.1.member.message' failed to satisfy constraint: Member must not be null"},
		{[]InputEvent{ev(ms, "")}, "logEvents.1.member.message"},
		{[]InputEvent{ev(ms, "b"), ev(ms-1, "a")}, "chronological order"},
	} {
		_, err := svc.PutLogEvents(ctx0, PutLogEventsInput{Group: "g", Stream: "s", Events: tt.events})
		wantErr(t, "PutLogEvents", err, barge.EInvalid, tt.want)
	}
	_, err = svc.PutLogEvents(ctx0, PutLogEventsInput{Group: "g", Stream: "missing", Events: []InputEvent{ev(ms, "x")}})
	wantErr(t, "PutLogEvents(missing stream)", err, barge.ENotFound, "log stream does not exist")

	// Forward a page of two at a time from the head, then back.
	var got []string
	token := ""
	for range 5 {
		page, err := svc.GetLogEvents(ctx0, GetLogEventsInput{Group: "g", Stream: "s", StartFromHead: true, Limit: new(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			got = append(got, e.Message)
		}
		if page.NextForwardToken == token {
			break
		}
		token = page.NextForwardToken
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("GetLogEvents forward = %q, want %q", got, want)
	}
	page, err := svc.GetLogEvents(ctx0, GetLogEventsInput{GroupIdentifier: svc.GroupARN("g"), Stream: "s", Limit: new(1)})
	if err != nil || len(page.Events) != 1 || page.Events[0].Message != "c" {
		t.Errorf("GetLogEvents newest = %v, %v; want c", page, err)
	}
	_, err = svc.GetLogEvents(ctx0, GetLogEventsInput{Group: "g", GroupIdentifier: "g", Stream: "s"})
	wantErr(t, "GetLogEvents(name and identifier)", err, barge.EInvalid, "mutually exclusive")
	_, err = svc.GetLogEvents(ctx0, GetLogEventsInput{Group: "g", Stream: "s", NextToken: "x/1/2"})
	wantErr(t, "GetLogEvents(bad token)", err, barge.EInvalid, "nextToken is invalid")
	_, err = svc.GetLogEvents(ctx0, GetLogEventsInput{Group: "g", Stream: "s", StartTime: new(int64(5)), EndTime: new(int64(4))})
	wantErr(t, "GetLogEvents(end before start)", err, barge.EInvalid, "endTime (4) is before startTime (5)")

	streams, err := svc.DescribeLogStreams(ctx0, DescribeLogStreamsInput{Group: "g"})
	if err != nil || len(streams.Streams) != 1 || streams.Streams[0].LastEvent != ms-1 || streams.Group != "g" {
		t.Errorf("DescribeLogStreams = %+v, %v", streams, err)
	}
	_, err = svc.DescribeLogStreams(ctx0, DescribeLogStreamsInput{Group: "g", OrderBy: "LastEventTime", Prefix: "s"})
	wantErr(t, "DescribeLogStreams(LastEventTime with a prefix)", err, barge.EInvalid, "Cannot order by LastEventTime")
	if err := svc.DeleteLogStream(ctx0, "g", "s"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteLogStream again", svc.DeleteLogStream(ctx0, "g", "s"), barge.ENotFound, "log stream does not exist")
}

func TestFilterLogEvents(t *testing.T) {
	now := time.Now()
	svc := newService(t, &now)
	if err := svc.EnsureStream(ctx0, "g", "one", true); err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureStream(ctx0, "g", "two", false); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration, msg string) barge.LogLine { return barge.LogLine{Time: now.Add(d), Message: msg} }
	if err := svc.Append(ctx0, "g", "one", []barge.LogLine{at(-4*time.Second, "ERROR disk"), at(-2*time.Second, "INFO ok")}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Append(ctx0, "g", "two", []barge.LogLine{at(-3*time.Second, "ERROR net"), at(-1*time.Second, "WARN slow")}); err != nil {
		t.Fatal(err)
	}
	page, err := svc.FilterLogEvents(ctx0, FilterLogEventsInput{Group: "g", Pattern: "?ERROR ?WARN"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Events {
		got = append(got, e.Stream+": "+e.Message)
	}
	if want := []string{"one: ERROR disk", "two: ERROR net", "two: WARN slow"}; !slices.Equal(got, want) || page.NextToken != "" {
		t.Errorf("FilterLogEvents(?ERROR ?WARN) = %q, %q; want %q", got, page.NextToken, want)
	}
	for _, tt := range []struct {
		in   FilterLogEventsInput
		want string
	}{
		{FilterLogEventsInput{Group: "g", Streams: []string{"one"}, StreamPrefix: "o"}, "mutually exclusive"},
		{FilterLogEventsInput{Group: "g", Pattern: "{ $.x = 1 }"}, "term filter patterns only"},
		{FilterLogEventsInput{Group: "g", Pattern: `"open`}, "no closing double quote"},
		{FilterLogEventsInput{Group: "g", Limit: new(0)}, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		_, err := svc.FilterLogEvents(ctx0, tt.in)
		wantErr(t, "FilterLogEvents", err, barge.EInvalid, tt.want)
	}
}

func TestTags(t *testing.T) {
	now := time.Now()
	svc := newService(t, &now)
	if err := svc.CreateLogGroup(ctx0, CreateLogGroupInput{Name: "g"}); err != nil {
		t.Fatal(err)
	}
	g, err := svc.ResourceGroup(svc.GroupARN("g"))
	if err != nil || g != "g" {
		t.Fatalf("ResourceGroup(GroupARN(g)) = %q, %v", g, err)
	}
	_, err = svc.ResourceGroup("arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s")
	wantErr(t, "ResourceGroup(stream ARN)", err, barge.EInvalid, "barge tags log groups only")
	if err := svc.Tag(ctx0, "g", map[string]string{"a": "1", "b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Untag(ctx0, "g", []string{"a", "none"}, false); err != nil {
		t.Fatal(err)
	}
	tags, err := svc.ListTags(ctx0, "g")
	if err != nil || len(tags) != 1 || tags["b"] != "2" {
		t.Errorf("ListTags = %v, %v; want b=2", tags, err)
	}
	wantErr(t, "Untag(required, none)", svc.Untag(ctx0, "g", nil, true), barge.EInvalid, "Value '[]' at 'tags'")
	wantErr(t, "Tag(none)", svc.Tag(ctx0, "g", nil), barge.EInvalid, "Value '{}' at 'tags'")
	many := map[string]string{}
	for i := range 50 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	wantErr(t, "Tag(50 more)", svc.Tag(ctx0, "g", many), ETooManyTags, "at most 50 tags")
	if tags, _ := svc.ListTags(ctx0, "g"); len(tags) != 1 {
		t.Errorf("after a refused Tag, %d tags, want 1", len(tags))
	}
}
