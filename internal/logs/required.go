package logs

import "github.com/bargehq/barge/internal/awsproto"

// required lists the members the model requires of each operation's input
// (botocore's logs 2014-03-28), checked before a request is decoded so that
// one left out is refused with AWS's own words.
var required = awsproto.Required{
	"CreateLogGroup":        {"logGroupName"},
	"DeleteLogGroup":        {"logGroupName"},
	"PutRetentionPolicy":    {"logGroupName", "retentionInDays"},
	"DeleteRetentionPolicy": {"logGroupName"},
	"CreateLogStream":       {"logGroupName", "logStreamName"},
	"DeleteLogStream":       {"logGroupName", "logStreamName"},
	"PutLogEvents":          {"logGroupName", "logStreamName", "logEvents"},
	"GetLogEvents":          {"logStreamName"},
	"ListTagsForResource":   {"resourceArn"},
	"TagResource":           {"resourceArn", "tags"},
	"UntagResource":         {"resourceArn", "tagKeys"},
	"ListTagsLogGroup":      {"logGroupName"},
	"TagLogGroup":           {"logGroupName", "tags"},
	"UntagLogGroup":         {"logGroupName", "tags"},
}
