package batch

import (
	"net/http"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// Request size limits, enforced by the server before it reads a body. AWS
// caps SubmitJob requests at 30 KiB ("Maximum job payload size (for SubmitJob
// API operations)", AWS Batch User Guide, service quotas:
// docs.aws.amazon.com/batch/latest/userguide/service_limits.html); other
// operations get a generous cap that no valid request reaches (the 24 KiB
// job definition quota on the same page is checked on the definition
// itself, with a message that says so).
const (
	maxSubmitJobBody = 30 * 1024
	maxBody          = 256 * 1024
)

// Handler returns the Batch API's routes. Every path under /v1/ answers: an
// operation barge does not implement is a ClientException naming it.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	p := s.proto
	known := map[string]string{} // path → operation, for requests with the wrong method
	handle := func(name string, h http.Handler) {
		path := "/v1/" + strings.ToLower(name)
		known[path] = name
		mux.Handle("POST "+path, h)
	}
	handle("CreateComputeEnvironment", awsproto.RestJSONOp(p, "CreateComputeEnvironment", maxBody, nil, s.CreateComputeEnvironment))
	handle("UpdateComputeEnvironment", awsproto.RestJSONOp(p, "UpdateComputeEnvironment", maxBody, nil, s.UpdateComputeEnvironment))
	handle("DeleteComputeEnvironment", awsproto.RestJSONOp(p, "DeleteComputeEnvironment", maxBody, nil, s.DeleteComputeEnvironment))
	handle("DescribeComputeEnvironments", awsproto.RestJSONOp(p, "DescribeComputeEnvironments", maxBody, nil, s.DescribeComputeEnvironments))

	handle("CreateJobQueue", awsproto.RestJSONOp(p, "CreateJobQueue", maxBody, nil, s.CreateJobQueue))
	handle("UpdateJobQueue", awsproto.RestJSONOp(p, "UpdateJobQueue", maxBody, nil, s.UpdateJobQueue))
	handle("DeleteJobQueue", awsproto.RestJSONOp(p, "DeleteJobQueue", maxBody, nil, s.DeleteJobQueue))
	handle("DescribeJobQueues", awsproto.RestJSONOp(p, "DescribeJobQueues", maxBody, nil, s.DescribeJobQueues))
	handle("GetJobQueueSnapshot", awsproto.RestJSONOp(p, "GetJobQueueSnapshot", maxBody, nil, s.GetJobQueueSnapshot))

	handle("RegisterJobDefinition", awsproto.RestJSONOp(p, "RegisterJobDefinition", maxBody, nil, s.RegisterJobDefinition))
	handle("DeregisterJobDefinition", awsproto.RestJSONOp(p, "DeregisterJobDefinition", maxBody, nil, s.DeregisterJobDefinition))
	handle("DescribeJobDefinitions", awsproto.RestJSONOp(p, "DescribeJobDefinitions", maxBody, nil, s.DescribeJobDefinitions))

	handle("SubmitJob", awsproto.RestJSONOp(p, "SubmitJob", maxSubmitJobBody, nil, s.SubmitJob))
	handle("DescribeJobs", awsproto.RestJSONOp(p, "DescribeJobs", maxBody, nil, s.DescribeJobs))
	handle("ListJobs", awsproto.RestJSONOp(p, "ListJobs", maxBody, nil, s.ListJobs))
	handle("CancelJob", awsproto.RestJSONOp(p, "CancelJob", maxBody, nil, s.CancelJob))
	handle("TerminateJob", awsproto.RestJSONOp(p, "TerminateJob", maxBody, nil, s.TerminateJob))
	handle("CancelJobs", awsproto.RestJSONOp(p, "CancelJobs", maxBody, nil, s.CancelJobs))
	handle("TerminateJobs", awsproto.RestJSONOp(p, "TerminateJobs", maxBody, nil, s.TerminateJobs))

	handle("CreateSchedulingPolicy", awsproto.RestJSONOp(p, "CreateSchedulingPolicy", maxBody, nil, s.CreateSchedulingPolicy))
	handle("UpdateSchedulingPolicy", awsproto.RestJSONOp(p, "UpdateSchedulingPolicy", maxBody, nil, s.UpdateSchedulingPolicy))
	handle("DeleteSchedulingPolicy", awsproto.RestJSONOp(p, "DeleteSchedulingPolicy", maxBody, nil, s.DeleteSchedulingPolicy))
	handle("DescribeSchedulingPolicies", awsproto.RestJSONOp(p, "DescribeSchedulingPolicies", maxBody, nil, s.DescribeSchedulingPolicies))
	handle("ListSchedulingPolicies", awsproto.RestJSONOp(p, "ListSchedulingPolicies", maxBody, nil, s.ListSchedulingPolicies))

	bindARN := func(r *http.Request) string { return r.PathValue("resourceArn") }
	mux.Handle("GET /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "ListTagsForResource", maxBody,
		func(r *http.Request, in *listTagsInput) { in.ResourceArn = bindARN(r) }, s.ListTagsForResource))
	mux.Handle("POST /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "TagResource", maxBody,
		func(r *http.Request, in *tagResourceInput) { in.ResourceArn = bindARN(r) }, s.TagResource))
	mux.Handle("DELETE /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "UntagResource", maxBody,
		func(r *http.Request, in *untagResourceInput) {
			in.ResourceArn = bindARN(r)
			in.TagKeys = r.URL.Query()["tagKeys"]
		}, s.UntagResource))

	s.handleSpot(mux, known)
	s.handleCosts(mux, known)

	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { s.unsupported(w, r, known) })
	return mux
}

// unsupportedOperations names, by path, the AWS Batch operations barge does
// not implement (EKS, SageMaker, quota shares, consumable resources, service
// environments), so that a client calling one learns which.
var unsupportedOperations = func() map[string]string {
	m := map[string]string{}
	for _, op := range []string{
		"CreateConsumableResource", "DeleteConsumableResource", "DescribeConsumableResource",
		"ListConsumableResources", "ListJobsByConsumableResource", "UpdateConsumableResource",
		"CreateQuotaShare", "DeleteQuotaShare", "DescribeQuotaShare", "ListQuotaShares", "UpdateQuotaShare",
		"CreateServiceEnvironment", "DeleteServiceEnvironment", "DescribeServiceEnvironments", "UpdateServiceEnvironment",
		"SubmitServiceJob", "DescribeServiceJob", "ListServiceJobs", "TerminateServiceJob",
		"TerminateServiceJobs", "UpdateServiceJob",
	} {
		m["/v1/"+strings.ToLower(op)] = op
	}
	return m
}()

func (s *Service) unsupported(w http.ResponseWriter, r *http.Request, known map[string]string) {
	var err error
	if op, ok := known[r.URL.Path]; ok {
		err = barge.Errorf(barge.EInvalid, "%s is called with POST, not %s. Send the request as POST %s with a JSON body.", op, r.Method, r.URL.Path)
	} else if strings.HasPrefix(r.URL.Path, "/v1/tags/") {
		err = barge.Errorf(barge.EInvalid, "The tag operations take GET (ListTagsForResource), POST (TagResource) or DELETE (UntagResource) on /v1/tags/{resourceArn}, not %s.", r.Method)
	} else if op, ok := unsupportedOperations[r.URL.Path]; ok {
		err = barge.Errorf(barge.EUnsupported, "The operation %s is not supported by barge. barge implements the AWS Batch operations used with Fargate compute environments.", op)
	} else {
		err = barge.Errorf(barge.EUnsupported, "Unknown operation: %s %s is not an AWS Batch API operation.", r.Method, r.URL.Path)
	}
	s.proto.WriteError(w, r, "Unknown", err)
}
