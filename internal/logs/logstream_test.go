package logs

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestLogStreamsAPI(t *testing.T) {
	e := newEnv(t)
	c := e.logs
	e.createGroup("g")
	for _, s := range []string{"web/2", "web/1", "worker", "idle"} {
		e.createStream("g", s)
	}
	_, err := c.CreateLogStream(ctx0, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("idle")})
	wantAPIError(t, "CreateLogStream(idle) again", err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = c.CreateLogStream(ctx0, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s")})
	wantAPIError(t, "CreateLogStream in a missing group", err, "ResourceNotFoundException", "The specified log group does not exist.")

	now := e.clock().UnixMilli()
	e.put("g", "web/1", event(now-3000, "a"), event(now-2000, "b"))
	e.put("g", "worker", event(now-1000, "c"))
	e.put("g", "web/2", event(now-5000, "d"))

	describe := func(in *cloudwatchlogs.DescribeLogStreamsInput) []types.LogStream {
		t.Helper()
		var out []types.LogStream
		p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx0)
			if err != nil {
				t.Fatalf("DescribeLogStreams(%+v) = %v", in, err)
			}
			out = append(out, page.LogStreams...)
		}
		return out
	}
	tests := []struct {
		name string
		in   cloudwatchlogs.DescribeLogStreamsInput
		want []string
	}{
		{"by name, a page of 1 at a time", cloudwatchlogs.DescribeLogStreamsInput{Limit: aws.Int32(1)}, []string{"idle", "web/1", "web/2", "worker"}},
		{"descending", cloudwatchlogs.DescribeLogStreamsInput{Descending: aws.Bool(true), Limit: aws.Int32(3)}, []string{"worker", "web/2", "web/1", "idle"}},
		{"prefix", cloudwatchlogs.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("web/")}, []string{"web/1", "web/2"}},
		{"last event time", cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Limit: aws.Int32(2)}, []string{"idle", "web/2", "web/1", "worker"}},
		{"newest first", cloudwatchlogs.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}, []string{"worker", "web/1", "web/2", "idle"}},
		{"by identifier", cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g:*"), LogStreamNamePrefix: aws.String("w")}, []string{"web/1", "web/2", "worker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.LogGroupIdentifier == nil {
				in.LogGroupName = aws.String("g")
			}
			var got []string
			for _, s := range describe(&in) {
				got = append(got, aws.ToString(s.LogStreamName))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("DescribeLogStreams = %q, want %q", got, tt.want)
			}
		})
	}

	ss := describe(&cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("web/1")})
	if len(ss) != 1 {
		t.Fatalf("DescribeLogStreams(web/1) = %d streams", len(ss))
	}
	s := ss[0]
	if aws.ToString(s.Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:web/1" ||
		aws.ToInt64(s.FirstEventTimestamp) != now-3000 || aws.ToInt64(s.LastEventTimestamp) != now-2000 ||
		aws.ToInt64(s.LastIngestionTime) < now || aws.ToInt64(s.CreationTime) == 0 {
		t.Errorf("stream web/1 = %+v; want its ARN, first event %d, last %d, ingested after %d", s, now-3000, now-2000, now)
	}
	idle := describe(&cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogStreamNamePrefix: aws.String("idle")})[0]
	if idle.FirstEventTimestamp != nil || idle.LastEventTimestamp != nil || idle.LastIngestionTime != nil {
		t.Errorf("stream without events = %+v, want no event times", idle)
	}

	errs := []struct {
		name      string
		in        cloudwatchlogs.DescribeLogStreamsInput
		code, msg string
	}{
		{"prefix with LastEventTime", cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("w")}, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix."},
		{"name and identifier", cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g")}, "InvalidParameterException", "mutually exclusive"},
		{"no group", cloudwatchlogs.DescribeLogStreamsInput{}, "InvalidParameterException", "logGroupName or logGroupIdentifier"},
		{"missing group", cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("nope")}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"bad order", cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: "Size"}, "InvalidParameterException", "orderBy"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeLogStreams(ctx0, &tt.in)
			wantAPIError(t, tt.name, err, tt.code, tt.msg)
		})
	}

	if _, err := c.DeleteLogStream(ctx0, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("web/1")}); err != nil {
		t.Fatalf("DeleteLogStream = %v", err)
	}
	_, err = c.DeleteLogStream(ctx0, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("web/1")})
	wantAPIError(t, "DeleteLogStream again", err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = c.GetLogEvents(ctx0, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("web/1")})
	wantAPIError(t, "GetLogEvents of a deleted stream", err, "ResourceNotFoundException", "The specified log stream does not exist.")
	// Deleting the group takes its streams and events along.
	if _, err := c.DeleteLogGroup(ctx0, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatalf("DeleteLogGroup = %v", err)
	}
	e.createGroup("g")
	e.createStream("g", "worker")
	out, err := c.FilterLogEvents(ctx0, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if err != nil || len(out.Events) != 0 {
		t.Errorf("FilterLogEvents of a re-created group = %d events, %v; want none", len(out.Events), err)
	}
}
