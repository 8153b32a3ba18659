package batch

import (
	"net/http"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/control"
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
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	p := a.proto
	c := a.ctl
	known := map[string]string{} // path → operation, for requests with the wrong method
	handle := func(name string, h http.Handler) {
		path := "/v1/" + strings.ToLower(name)
		known[path] = name
		mux.Handle("POST "+path, h)
	}
	handle("CreateComputeEnvironment", awsproto.RestJSONOp(p, "CreateComputeEnvironment", maxBody, nil, a.createComputeEnvironment))
	handle("UpdateComputeEnvironment", awsproto.RestJSONOp(p, "UpdateComputeEnvironment", maxBody, nil, a.updateComputeEnvironment))
	handle("DeleteComputeEnvironment", awsproto.RestJSONOp(p, "DeleteComputeEnvironment", maxBody, nil, none(c.DeleteComputeEnvironment)))
	handle("DescribeComputeEnvironments", awsproto.RestJSONOp(p, "DescribeComputeEnvironments", maxBody, nil, a.describeComputeEnvironments))

	handle("CreateJobQueue", awsproto.RestJSONOp(p, "CreateJobQueue", maxBody, nil, a.createJobQueue))
	handle("UpdateJobQueue", awsproto.RestJSONOp(p, "UpdateJobQueue", maxBody, nil, a.updateJobQueue))
	handle("DeleteJobQueue", awsproto.RestJSONOp(p, "DeleteJobQueue", maxBody, nil, none(c.DeleteJobQueue)))
	handle("DescribeJobQueues", awsproto.RestJSONOp(p, "DescribeJobQueues", maxBody, nil, a.describeJobQueues))
	handle("GetJobQueueSnapshot", awsproto.RestJSONOp(p, "GetJobQueueSnapshot", maxBody, nil, a.getJobQueueSnapshot))

	handle("RegisterJobDefinition", awsproto.RestJSONOp(p, "RegisterJobDefinition", maxBody, nil, a.registerJobDefinition))
	handle("DeregisterJobDefinition", awsproto.RestJSONOp(p, "DeregisterJobDefinition", maxBody, nil, none(c.DeregisterJobDefinition)))
	handle("DescribeJobDefinitions", awsproto.RestJSONOp(p, "DescribeJobDefinitions", maxBody, nil, a.describeJobDefinitions))

	handle("SubmitJob", awsproto.RestJSONOp(p, "SubmitJob", maxSubmitJobBody, nil, a.submitJob))
	handle("DescribeJobs", awsproto.RestJSONOp(p, "DescribeJobs", maxBody, nil, a.describeJobs))
	handle("ListJobs", awsproto.RestJSONOp(p, "ListJobs", maxBody, nil, a.listJobs))
	handle("CancelJob", awsproto.RestJSONOp(p, "CancelJob", maxBody, nil, none(c.CancelJob)))
	handle("TerminateJob", awsproto.RestJSONOp(p, "TerminateJob", maxBody, nil, none(c.TerminateJob)))
	handle("CancelJobs", awsproto.RestJSONOp(p, "CancelJobs", maxBody, nil, a.cancelJobs))
	handle("TerminateJobs", awsproto.RestJSONOp(p, "TerminateJobs", maxBody, nil, a.terminateJobs))

	handle("CreateSchedulingPolicy", awsproto.RestJSONOp(p, "CreateSchedulingPolicy", maxBody, nil, a.createSchedulingPolicy))
	handle("UpdateSchedulingPolicy", awsproto.RestJSONOp(p, "UpdateSchedulingPolicy", maxBody, nil, none(c.UpdateSchedulingPolicy)))
	handle("DeleteSchedulingPolicy", awsproto.RestJSONOp(p, "DeleteSchedulingPolicy", maxBody, nil, none(c.DeleteSchedulingPolicy)))
	handle("DescribeSchedulingPolicies", awsproto.RestJSONOp(p, "DescribeSchedulingPolicies", maxBody, nil, a.describeSchedulingPolicies))
	handle("ListSchedulingPolicies", awsproto.RestJSONOp(p, "ListSchedulingPolicies", maxBody, nil, a.listSchedulingPolicies))

	bindARN := func(r *http.Request) string { return r.PathValue("resourceArn") }
	mux.Handle("GET /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "ListTagsForResource", maxBody,
		func(r *http.Request, in *control.ListTagsInput) { in.ResourceArn = bindARN(r) }, a.listTagsForResource))
	mux.Handle("POST /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "TagResource", maxBody,
		func(r *http.Request, in *control.TagResourceInput) { in.ResourceArn = bindARN(r) }, none(c.TagResource)))
	mux.Handle("DELETE /v1/tags/{resourceArn...}", awsproto.RestJSONOp(p, "UntagResource", maxBody,
		func(r *http.Request, in *control.UntagResourceInput) {
			in.ResourceArn = bindARN(r)
			in.TagKeys = r.URL.Query()["tagKeys"]
		}, none(c.UntagResource)))

	known[interruptSpotTaskPath] = "InterruptSpotTask"
	mux.Handle("POST "+interruptSpotTaskPath, awsproto.RestJSONOp(p, "InterruptSpotTask", maxBody, nil, a.interruptSpotTask))
	known[costsPath] = "GetCosts"
	mux.Handle("POST "+costsPath, awsproto.RestJSONOp(p, "GetCosts", maxBody, nil, c.GetCosts))

	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) { a.unsupported(w, r, known) })
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

func (a *API) unsupported(w http.ResponseWriter, r *http.Request, known map[string]string) {
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
	a.proto.WriteError(w, r, "Unknown", err)
}
