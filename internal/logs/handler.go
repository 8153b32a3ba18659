package logs

import (
	"net/http"

	"github.com/bargehq/barge/internal/awsproto"
)

// targetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const targetPrefix = "Logs_20140328"

// Request size limits, enforced by the server before it reads a body.
// PutLogEvents takes up to 1,048,576 bytes of events, counted as their UTF-8
// messages plus 26 bytes each (CloudWatch Logs API Reference, PutLogEvents:
// docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html),
// which JSON escaping can inflate several times over; other operations get a
// generous cap that no valid request reaches.
const (
	maxPutLogEventsBody = 4 << 20
	maxBody             = 256 << 10
)

// Handler returns the Logs API: POST / with the operation in X-Amz-Target.
// Every target answers: one barge does not implement is an
// UnknownOperationException naming it.
func (s *API) Handler() http.Handler {
	p := awsproto.NewAWSJSON(targetPrefix, &errorTable, s.log)
	p.Ints = intRanges
	p.Required = required
	p.Handle("CreateLogGroup", awsproto.AWSJSONOp(p, "CreateLogGroup", maxBody, s.CreateLogGroup))
	p.Handle("DeleteLogGroup", awsproto.AWSJSONOp(p, "DeleteLogGroup", maxBody, s.DeleteLogGroup))
	p.Handle("DescribeLogGroups", awsproto.AWSJSONOp(p, "DescribeLogGroups", maxBody, s.DescribeLogGroups))
	p.Handle("PutRetentionPolicy", awsproto.AWSJSONOp(p, "PutRetentionPolicy", maxBody, s.PutRetentionPolicy))
	p.Handle("DeleteRetentionPolicy", awsproto.AWSJSONOp(p, "DeleteRetentionPolicy", maxBody, s.DeleteRetentionPolicy))

	p.Handle("CreateLogStream", awsproto.AWSJSONOp(p, "CreateLogStream", maxBody, s.CreateLogStream))
	p.Handle("DeleteLogStream", awsproto.AWSJSONOp(p, "DeleteLogStream", maxBody, s.DeleteLogStream))
	p.Handle("DescribeLogStreams", awsproto.AWSJSONOp(p, "DescribeLogStreams", maxBody, s.DescribeLogStreams))

	p.Handle("PutLogEvents", awsproto.AWSJSONOp(p, "PutLogEvents", maxPutLogEventsBody, s.PutLogEvents))
	p.Handle("GetLogEvents", awsproto.AWSJSONOp(p, "GetLogEvents", maxBody, s.GetLogEvents))
	p.Handle("FilterLogEvents", awsproto.AWSJSONOp(p, "FilterLogEvents", maxBody, s.FilterLogEvents))

	p.Handle("ListTagsForResource", awsproto.AWSJSONOp(p, "ListTagsForResource", maxBody, s.ListTagsForResource))
	p.Handle("TagResource", awsproto.AWSJSONOp(p, "TagResource", maxBody, s.TagResource))
	p.Handle("UntagResource", awsproto.AWSJSONOp(p, "UntagResource", maxBody, s.UntagResource))
	p.Handle("ListTagsLogGroup", awsproto.AWSJSONOp(p, "ListTagsLogGroup", maxBody, s.ListTagsLogGroup))
	p.Handle("TagLogGroup", awsproto.AWSJSONOp(p, "TagLogGroup", maxBody, s.TagLogGroup))
	p.Handle("UntagLogGroup", awsproto.AWSJSONOp(p, "UntagLogGroup", maxBody, s.UntagLogGroup))
	return p
}
