package logs

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestLogGroupsAPI(t *testing.T) {
	e := newEnv(t)
	c := e.logs
	for _, name := range []string{"/aws/batch/job", "app/web", "app/worker", "db"} {
		e.createGroup(name)
	}
	_, err := c.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("db")})
	wantAPIError(t, "CreateLogGroup(db) again", err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = c.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName:  aws.String("tagged"),
		Tags:          map[string]string{"team": "infra"},
		LogGroupClass: types.LogGroupClassInfrequentAccess,
		KmsKeyId:      aws.String("arn:aws:kms:us-east-1:123456789012:key/k"),
	})
	if err != nil {
		t.Fatalf("CreateLogGroup(tagged) = %v", err)
	}

	describe := func(in *cloudwatchlogs.DescribeLogGroupsInput) []types.LogGroup {
		t.Helper()
		var groups []types.LogGroup
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx0)
			if err != nil {
				t.Fatalf("DescribeLogGroups(%+v) = %v", in, err)
			}
			groups = append(groups, out.LogGroups...)
		}
		return groups
	}
	names := func(gs []types.LogGroup) []string {
		var out []string
		for _, g := range gs {
			out = append(out, aws.ToString(g.LogGroupName))
		}
		return out
	}
	tests := []struct {
		name string
		in   cloudwatchlogs.DescribeLogGroupsInput
		want []string
	}{
		{"all, a page of 2 at a time", cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)}, []string{"/aws/batch/job", "app/web", "app/worker", "db", "tagged"}},
		{"prefix", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("app/")}, []string{"app/web", "app/worker"}},
		{"pattern", cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("b"), Limit: aws.Int32(1)}, []string{"/aws/batch/job", "app/web", "db"}},
		{"class", cloudwatchlogs.DescribeLogGroupsInput{LogGroupClass: types.LogGroupClassInfrequentAccess}, []string{"tagged"}},
		{"identifiers", cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{
			"db", "arn:aws:logs:us-east-1:123456789012:log-group:app/web:*", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/job", "missing",
		}, Limit: aws.Int32(2)}, []string{"/aws/batch/job", "app/web", "db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(describe(&tt.in)); !slices.Equal(got, tt.want) {
				t.Errorf("DescribeLogGroups = %q, want %q", got, tt.want)
			}
		})
	}

	if _, err := c.PutRetentionPolicy(ctx0, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("db"), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatalf("PutRetentionPolicy = %v", err)
	}
	gs := describe(&cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("db")})
	if len(gs) != 1 {
		t.Fatalf("DescribeLogGroups(db) = %d groups", len(gs))
	}
	g := gs[0]
	if aws.ToString(g.Arn) != "arn:aws:logs:us-east-1:123456789012:log-group:db:*" ||
		aws.ToString(g.LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:db" ||
		aws.ToInt32(g.RetentionInDays) != 14 || g.LogGroupClass != types.LogGroupClassStandard ||
		aws.ToInt64(g.CreationTime) == 0 || g.StoredBytes == nil || g.MetricFilterCount == nil {
		t.Errorf("log group db = %+v; want its ARNs, retention 14, class STANDARD, a creation time, storedBytes and metricFilterCount", g)
	}
	// With a pattern, AWS returns only the name, ARN and creation time.
	gs = describe(&cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("db")})
	if len(gs) != 1 || gs[0].RetentionInDays != nil || gs[0].LogGroupArn != nil || gs[0].Arn == nil {
		t.Errorf("DescribeLogGroups with a pattern = %+v, want only name, arn and creationTime", gs)
	}
	if _, err := c.DeleteRetentionPolicy(ctx0, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("db")}); err != nil {
		t.Fatalf("DeleteRetentionPolicy = %v", err)
	}
	if gs = describe(&cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("db")}); gs[0].RetentionInDays != nil {
		t.Errorf("retentionInDays after DeleteRetentionPolicy = %d, want none", *gs[0].RetentionInDays)
	}

	errs := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"retention not allowed", func() error {
			_, err := c.PutRetentionPolicy(ctx0, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("db"), RetentionInDays: aws.Int32(2)})
			return err
		}, "InvalidParameterException", "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30"},
		{"retention of a missing group", func() error {
			_, err := c.PutRetentionPolicy(ctx0, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("nope"), RetentionInDays: aws.Int32(1)})
			return err
		}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"delete retention of a missing group", func() error {
			_, err := c.DeleteRetentionPolicy(ctx0, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String("nope")})
			return err
		}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"prefix and pattern", func() error {
			_, err := c.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("a"), LogGroupNamePattern: aws.String("b")})
			return err
		}, "InvalidParameterException", "mutually exclusive"},
		{"limit", func() error {
			_, err := c.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
			return err
		}, "InvalidParameterException", "Member must have value less than or equal to 50"},
		{"bad token", func() error {
			_, err := c.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{NextToken: aws.String("garbage")})
			return err
		}, "InvalidParameterException", "nextToken is invalid"},
		{"class", func() error {
			_, err := c.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("c"), LogGroupClass: "COLD"})
			return err
		}, "InvalidParameterException", "logGroupClass"},
		{"reserved name", func() error {
			_, err := c.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("aws/mine")})
			return err
		}, "InvalidParameterException", "cannot start with 'aws/'"},
		{"reserved tag", func() error {
			_, err := c.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("c"), Tags: map[string]string{"aws:x": "y"}})
			return err
		}, "InvalidParameterException", "reserved"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.name, tt.call(), tt.code, tt.msg) })
	}

	if _, err := c.DeleteLogGroup(ctx0, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("db")}); err != nil {
		t.Fatalf("DeleteLogGroup(db) = %v", err)
	}
	_, err = c.DeleteLogGroup(ctx0, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("db")})
	wantAPIError(t, "DeleteLogGroup(db) again", err, "ResourceNotFoundException", "The specified log group does not exist.")
}

// TestNames checks the name rules of groups and streams, on the operations
// that create them.
func TestNames(t *testing.T) {
	e := newEnv(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	groups := []struct {
		name string
		ok   bool
	}{
		{"/aws/batch/job", true},
		{"My.Group-1_/#x", true},
		{long(512), true},
		{long(513), false},
		{"", false},
		{"has space", false},
		{"colon:", false},
		{"star*", false},
		{"ünïcode", false},
	}
	for _, tt := range groups {
		t.Run("group "+tt.name, func(t *testing.T) {
			_, err := e.logs.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(tt.name)})
			if tt.ok && err != nil {
				t.Errorf("CreateLogGroup(%q) = %v, want success", tt.name, err)
			}
			if !tt.ok {
				wantAPIError(t, "CreateLogGroup("+tt.name+")", err, "InvalidParameterException", "logGroupName")
			}
		})
	}
	e.createGroup("g")
	streams := []struct {
		name string
		ok   bool
	}{
		{"job/default/0123abcd", true},
		{"spaces and ünïcode are fine", true},
		{strings.Repeat("é", 512), true},
		{strings.Repeat("é", 513), false},
		{"", false},
		{"a:b", false},
		{"a*b", false},
	}
	for _, tt := range streams {
		t.Run("stream "+tt.name, func(t *testing.T) {
			_, err := e.logs.CreateLogStream(ctx0, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(tt.name)})
			if tt.ok && err != nil {
				t.Errorf("CreateLogStream(%q) = %v, want success", tt.name, err)
			}
			if !tt.ok {
				wantAPIError(t, "CreateLogStream("+tt.name+")", err, "InvalidParameterException", "logStreamName")
			}
		})
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	c := e.logs
	e.createGroup("g")
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	list := func(arn string) map[string]string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx0, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("ListTagsForResource(%s) = %v", arn, err)
		}
		return out.Tags
	}
	if tags := list(arn); tags == nil || len(tags) != 0 {
		t.Errorf("tags of a new group = %v, want an empty map", tags)
	}
	if _, err := c.TagResource(ctx0, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatalf("TagResource = %v", err)
	}
	if _, err := c.UntagResource(ctx0, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn + ":*"), TagKeys: []string{"a", "absent"}}); err != nil {
		t.Fatalf("UntagResource = %v", err)
	}
	if tags := list(arn + ":*"); len(tags) != 1 || tags["b"] != "2" {
		t.Errorf("tags = %v, want b=2", tags)
	}
	// The deprecated forms, by group name.
	if _, err := c.TagLogGroup(ctx0, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"c": "3"}}); err != nil {
		t.Fatalf("TagLogGroup = %v", err)
	}
	if _, err := c.UntagLogGroup(ctx0, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"c"}}); err != nil {
		t.Fatalf("UntagLogGroup = %v", err)
	}
	old, err := c.ListTagsLogGroup(ctx0, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("g")})
	if err != nil || len(old.Tags) != 1 || old.Tags["b"] != "2" {
		t.Errorf("ListTagsLogGroup = %v, %v; want b=2", old, err)
	}

	many := map[string]string{}
	for i := range 50 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	errs := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"too many", func() error {
			_, err := c.TagResource(ctx0, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
			return err
		}, "TooManyTagsException", "at most 50 tags"},
		{"missing group", func() error {
			_, err := c.ListTagsForResource(ctx0, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:nope")})
			return err
		}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"other account", func() error {
			_, err := c.ListTagsForResource(ctx0, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:999999999999:log-group:g")})
			return err
		}, "InvalidParameterException", "not the ARN of a log group of this region and account"},
		{"bad value", func() error {
			_, err := c.TagResource(ctx0, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "semi;colon"}})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value '{k=semi;colon}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: " +
			"[Member must have length less than or equal to 256, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]"},
		{"bad key", func() error {
			_, err := c.TagResource(ctx0, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"b": "ok", "semi;colon": "v"}})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value '{b=ok, semi;colon=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: " +
			"[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.name, tt.call(), tt.code, tt.msg) })
	}
	if tags := list(arn); len(tags) != 1 {
		t.Errorf("tags after the failed TagResource = %v, want them unchanged", tags)
	}
}

// TestProtocol checks the boundary as SDK users meet it: an operation
// barge does not implement, and a request signed with the wrong secret.
func TestProtocol(t *testing.T) {
	e := newEnv(t)
	_, err := e.logs.StartQuery(ctx0, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String("g"), QueryString: aws.String("fields @message"), StartTime: aws.Int64(0), EndTime: aws.Int64(1),
	})
	wantAPIError(t, "StartQuery", err, "UnknownOperationException", "Logs_20140328.StartQuery")

	_, err = e.client("not-the-secret").DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, "DescribeLogGroups with the wrong secret", err, "InvalidSignatureException", "signature")
}
