package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of jobs through the aws-sdk-go-v2 Batch client:
// SubmitJob's rules and effective specification, and DescribeJobs (array
// jobs and ListJobs are in listjobs_test.go, dependencies and stopping jobs
// in canceljob_test.go). There is no scheduler yet, so submitted jobs wait
// in RUNNABLE (or PENDING).

const (
	jobARNPrefix      = "arn:aws:batch:us-east-1:123456789012:job/"
	jobQueueARNPrefix = "arn:aws:batch:us-east-1:123456789012:job-queue/"
)

var jobIDPattern = regexp.MustCompile(`^` + uuidPattern + `$`)

// jobInput returns a SubmitJob request for the seed's queue and definition.
func jobInput(name string) *batch.SubmitJobInput {
	return &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("seed-queue"), JobDefinition: aws.String("seed-job")}
}

func describeJobs(t *testing.T, c *batch.Client, ids ...string) []types.JobDetail {
	t.Helper()
	out, err := c.DescribeJobs(context.Background(), &batch.DescribeJobsInput{Jobs: ids})
	if err != nil {
		t.Fatalf("DescribeJobs(%d IDs) = %v", len(ids), err)
	}
	return out.Jobs
}

// listJobPages walks ListJobs page by page and returns the pages.
func listJobPages(t *testing.T, c *batch.Client, in *batch.ListJobsInput) [][]types.JobSummary {
	t.Helper()
	cp := *in
	in = &cp
	var pages [][]types.JobSummary
	for {
		out, err := c.ListJobs(context.Background(), in)
		if err != nil {
			t.Fatalf("ListJobs page %d = %v", len(pages)+1, err)
		}
		pages = append(pages, out.JobSummaryList)
		if out.NextToken == nil {
			return pages
		}
		if len(pages) > 1000 {
			t.Fatal("ListJobs keeps returning a nextToken")
		}
		in.NextToken = out.NextToken
	}
}

// listJobIDs returns the IDs of every job ListJobs lists for in, in order.
func listJobIDs(t *testing.T, c *batch.Client, in *batch.ListJobsInput) []string {
	t.Helper()
	var ids []string
	for _, page := range listJobPages(t, c, in) {
		ids = append(ids, summaryIDs(page)...)
	}
	return ids
}

func summaryIDs(sums []types.JobSummary) []string {
	ids := make([]string, len(sums))
	for i, s := range sums {
		ids[i] = aws.ToString(s.JobId)
	}
	return ids
}

func cancelJob(t *testing.T, c *batch.Client, id, reason string) {
	t.Helper()
	if _, err := c.CancelJob(context.Background(), &batch.CancelJobInput{JobId: aws.String(id), Reason: aws.String(reason)}); err != nil {
		t.Fatalf("CancelJob(%s) = %v", id, err)
	}
}

// rawBatch sends a signed Batch request with a JSON body and returns the
// status, the X-Amzn-ErrorType header and the decoded body.
func rawBatch(t *testing.T, ts *testServer, path string, body any) (status int, errType string, out map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp := ts.signedRequest(http.MethodPost, path, "batch", "us-east-1", b, nil)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("POST %s: body %q is not a JSON object: %v", path, data, err)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), out
}

func TestSubmitJobValidation(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	createQueue(t, c, "disabled-queue", "ondemand-ce")
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String("disabled-queue"), State: types.JQStateDisabled}); err != nil {
		t.Fatalf("UpdateJobQueue(DISABLED) = %v", err)
	}
	registerDef(t, c, ec2DefInput("ec2-def"))
	bare := ec2DefInput("ec2-bare")
	bare.ContainerProperties.ResourceRequirements = nil
	registerDef(t, c, bare)
	createEC2CE(t, c, "ec2-ce")
	createQueue(t, c, "ec2-queue", "ec2-ce")
	ec2 := func(def string) func(in *batch.SubmitJobInput) {
		return func(in *batch.SubmitJobInput) {
			in.JobQueue, in.JobDefinition = aws.String("ec2-queue"), aws.String(def)
		}
	}
	arrayIn := jobInput("array")
	arrayIn.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2)}
	array := submit(t, c, arrayIn)
	var deps20 []types.JobDependency
	for i := range 20 {
		deps20 = append(deps20, types.JobDependency{JobId: aws.String(submit(t, c, jobInput(fmt.Sprint("dep-", i))))})
	}

	type change func(in *batch.SubmitJobInput)
	overrides := func(f func(o *types.ContainerOverrides)) change {
		return func(in *batch.SubmitJobInput) {
			in.ContainerOverrides = &types.ContainerOverrides{}
			f(in.ContainerOverrides)
		}
	}
	resources := func(rrs ...string) change {
		return overrides(func(o *types.ContainerOverrides) {
			for i := 0; i < len(rrs); i += 2 {
				o.ResourceRequirements = append(o.ResourceRequirements, types.ResourceRequirement{Type: types.ResourceType(rrs[i]), Value: aws.String(rrs[i+1])})
			}
		})
	}
	arraySize := func(n int32) change {
		return func(in *batch.SubmitJobInput) { in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(n)} }
	}
	deps := func(n int) change {
		return func(in *batch.SubmitJobInput) {
			in.DependsOn = nil
			for i := range n {
				in.DependsOn = append(in.DependsOn, types.JobDependency{JobId: aws.String(fmt.Sprintf("00000000-0000-4000-8000-%012d", i))})
			}
		}
	}
	bigParameters := func(size int) map[string]string {
		params := map[string]string{}
		for i := 0; size > 0; i++ {
			params[fmt.Sprint("p", i)] = strings.Repeat("x", min(size, 1000))
			size -= 1000
		}
		return params
	}

	tests := []struct {
		name   string
		change change
		want   []string // fragments of the ClientException; nil = accepted
	}{
		{"valid", nil, nil},

		// Job name.
		{"name starting with a hyphen", func(in *batch.SubmitJobInput) { in.JobName = aws.String("-job") }, []string{"Job name should match valid pattern"}},
		{"name starting with an underscore", func(in *batch.SubmitJobInput) { in.JobName = aws.String("_job") }, []string{"Job name should match valid pattern"}},
		{"name with a dot", func(in *batch.SubmitJobInput) { in.JobName = aws.String("job.1") }, []string{"Job name should match valid pattern", "\"job.1\""}},
		{"name empty", func(in *batch.SubmitJobInput) { in.JobName = aws.String("") }, []string{"jobName is required"}},
		{"name of 129 characters", func(in *batch.SubmitJobInput) { in.JobName = aws.String(strings.Repeat("j", 129)) },
			[]string{"Job name should match valid pattern", "129 characters long"}},
		{"name of 128 characters", func(in *batch.SubmitJobInput) { in.JobName = aws.String(strings.Repeat("j", 128)) }, nil},
		{"name of one character", func(in *batch.SubmitJobInput) { in.JobName = aws.String("7") }, nil},

		// Queue and definition.
		{"unknown queue", func(in *batch.SubmitJobInput) { in.JobQueue = aws.String("nosuch") }, []string{"JobQueue nosuch not found."}},
		{"unknown queue ARN", func(in *batch.SubmitJobInput) { in.JobQueue = aws.String(jobQueueARNPrefix + "nosuch") }, []string{"not found."}},
		{"queue ARN", func(in *batch.SubmitJobInput) { in.JobQueue = aws.String(jobQueueARNPrefix + "seed-queue") }, nil},
		{"queue ARN of another region", func(in *batch.SubmitJobInput) {
			in.JobQueue = aws.String("arn:aws:batch:eu-west-1:123456789012:job-queue/seed-queue")
		}, []string{"is not a job queue name or ARN of this region and account"}},
		{"DISABLED queue", func(in *batch.SubmitJobInput) { in.JobQueue = aws.String("disabled-queue") },
			[]string{"JobQueue disabled-queue is DISABLED", "--state ENABLED"}},
		{"unknown definition", func(in *batch.SubmitJobInput) { in.JobDefinition = aws.String("nosuch") },
			[]string{"JobDefinition name nosuch does not exist or is not in ACTIVE status"}},
		{"definition ARN with revision", func(in *batch.SubmitJobInput) { in.JobDefinition = aws.String(jobDefARNPrefix + "seed-job:1") }, nil},

		// Arrays.
		{"array size 1", arraySize(1), []string{"arrayProperties.size 1 is not valid", "between 2 and 10,000"}},
		{"array size 10001", arraySize(10001), []string{"arrayProperties.size 10001 is not valid", "between 2 and 10,000"}},
		{"array size 0", arraySize(0), []string{"arrayProperties.size 0 is not valid"}},
		{"array size 2", arraySize(2), nil},

		// Dependencies.
		{"21 dependencies", deps(21), []string{"dependsOn has 21 entries", "at most 20"}},
		{"20 dependencies", func(in *batch.SubmitJobInput) { in.DependsOn = deps20 }, nil},
		{"unknown dependency", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{deps20[0], {JobId: aws.String("00000000-0000-4000-8000-000000000000")}}
		}, []string{"dependsOn names job 00000000-0000-4000-8000-000000000000, which does not exist"}},
		{"dependency without a job ID", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencyNToN}}
		},
			[]string{"dependsOn[0].jobId is required"}},
		{"SEQUENTIAL on a single job", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
		}, []string{"SEQUENTIAL without a jobId applies only to array jobs"}},
		{"unknown dependency type", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{{JobId: deps20[0].JobId, Type: "ALL"}}
		},
			[]string{"dependsOn[0].type \"ALL\" is not valid", "N_TO_N or SEQUENTIAL"}},

		{"dependency on an array child", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{{JobId: aws.String(array + ":1")}}
		}, nil},
		{"dependency on an unknown array child", func(in *batch.SubmitJobInput) {
			in.DependsOn = []types.JobDependency{{JobId: aws.String(array + ":2")}}
		},
			[]string{"dependsOn names job " + array + ":2, which does not exist"}},

		// Container overrides.
		{"VCPU override invalid with the definition's memory", resources("VCPU", "1"),
			[]string{"Fargate resource requirements (1.00 vCPU, 512 MiB) not valid", "containerOverrides.resourceRequirements"}},
		{"MEMORY override invalid with the definition's vCPU", resources("MEMORY", "4096"),
			[]string{"Fargate resource requirements (0.25 vCPU, 4096 MiB) not valid", "512, 1024, 2048"}},
		{"VCPU and MEMORY override not in the table", resources("VCPU", "4", "MEMORY", "4000"),
			[]string{"Fargate resource requirements (4.00 vCPU, 4000 MiB) not valid"}},
		{"VCPU and MEMORY override", resources("VCPU", "4", "MEMORY", "16384"), nil},
		{"MEMORY override", resources("MEMORY", "2048"), nil},
		{"GPU override on Fargate", resources("GPU", "1"), []string{"GPU is not supported on Fargate"}},
		{"legacy vcpus override on Fargate", overrides(func(o *types.ContainerOverrides) { o.Vcpus = aws.Int32(1) }),
			[]string{"vcpus is not applicable for Fargate. Use resource requirements instead."}},
		{"legacy memory override on Fargate", overrides(func(o *types.ContainerOverrides) { o.Memory = aws.Int32(1024) }),
			[]string{"memory is not applicable for Fargate. Use resource requirements instead."}},
		{"instanceType override on Fargate", overrides(func(o *types.ContainerOverrides) { o.InstanceType = aws.String("m5.large") }),
			[]string{"instanceType is not applicable for Fargate"}},
		{"command with an empty string", overrides(func(o *types.ContainerOverrides) { o.Command = []string{"sh", "-c", ""} }),
			[]string{"Command field cannot have empty strings", "containerOverrides.command[2]"}},
		{"environment AWS_BATCH name", overrides(func(o *types.ContainerOverrides) {
			o.Environment = []types.KeyValuePair{{Name: aws.String("AWS_BATCH_JQ_NAME"), Value: aws.String("x")}}
		}), []string{"containerOverrides.environment[0].name \"AWS_BATCH_JQ_NAME\" is not allowed", "reserved"}},
		{"overrides over 8192 characters", overrides(func(o *types.ContainerOverrides) {
			o.Environment = []types.KeyValuePair{{Name: aws.String("BIG"), Value: aws.String(strings.Repeat("x", 8200))}}
		}), []string{"Container Overrides length must be at most 8192"}},
		{"overrides of 8000 characters", overrides(func(o *types.ContainerOverrides) {
			o.Environment = []types.KeyValuePair{{Name: aws.String("BIG"), Value: aws.String(strings.Repeat("x", 8000))}}
		}), nil},
		{"EC2: fractional VCPU override", func(in *batch.SubmitJobInput) {
			ec2("ec2-def")(in)
			resources("VCPU", "0.5")(in)
		}, []string{"Value 0.5 for type VCPU in resourceRequirement is not valid. Please provide a numeric value."}},
		{"EC2: legacy vcpus override", func(in *batch.SubmitJobInput) {
			ec2("ec2-def")(in)
			in.ContainerOverrides = &types.ContainerOverrides{Vcpus: aws.Int32(4)}
		}, nil},
		{"EC2: no vCPU anywhere", ec2("ec2-bare"), []string{"vCPU is not provided"}},
		{"EC2: resources given at submission", func(in *batch.SubmitJobInput) {
			ec2("ec2-bare")(in)
			resources("VCPU", "1", "MEMORY", "2048")(in)
		}, nil},
		// Platform capabilities: AWS refuses a definition the queue's
		// compute environments cannot run, rather than drop its settings.
		{"EC2 definition on a Fargate queue", func(in *batch.SubmitJobInput) { in.JobDefinition = aws.String("ec2-def") },
			[]string{"Job Queue is attached to Compute Environment that can not run Jobs with capability EC2.", `platformCapabilities ["FARGATE"]`}},
		{"Fargate definition on an EC2 queue", func(in *batch.SubmitJobInput) { in.JobQueue = aws.String("ec2-queue") },
			[]string{"Job Queue is attached to Compute Environment that can not run Jobs with capability FARGATE.", `platformCapabilities ["EC2"]`}},
		{"nodeOverrides on Fargate", func(in *batch.SubmitJobInput) { in.NodeOverrides = &types.NodeOverrides{NumNodes: aws.Int32(2)} },
			[]string{"nodeOverrides is not applicable for Fargate"}},

		// Retry strategy and timeout overrides.
		{"retry attempts 0", func(in *batch.SubmitJobInput) { in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(0)} },
			[]string{"retryStrategy.attempts 0 is not valid", "between 1 and 10"}},
		{"retry attempts 11", func(in *batch.SubmitJobInput) { in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(11)} },
			[]string{"retryStrategy.attempts 11 is not valid", "between 1 and 10"}},
		{"retry attempts 10", func(in *batch.SubmitJobInput) { in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(10)} }, nil},
		{"evaluateOnExit restricted characters", func(in *batch.SubmitJobInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2), EvaluateOnExit: []types.EvaluateOnExit{{OnReason: aws.String("Oom!"), Action: types.RetryActionExit}}}
		}, []string{"Evaluate on exit condition contains restricted characters"}},
		{"timeout 59", func(in *batch.SubmitJobInput) { in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(59)} },
			[]string{"timeout.attemptDurationSeconds 59 is not valid", "60"}},
		{"timeout 60", func(in *batch.SubmitJobInput) { in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(60)} }, nil},
		{"schedulingPriorityOverride 10000", func(in *batch.SubmitJobInput) { in.SchedulingPriorityOverride = aws.Int32(10000) },
			[]string{"schedulingPriorityOverride 10000 is not valid", "between 0 and 9999"}},

		// Share identifier, tags, parameters, size.
		{"shareIdentifier on a FIFO queue", func(in *batch.SubmitJobInput) { in.ShareIdentifier = aws.String("teamA") },
			[]string{"shareIdentifier must not be set", "no fair-share scheduling policy"}},
		{"51 tags", func(in *batch.SubmitJobInput) { in.Tags = manyTags(51) }, []string{"tags has 51 tags", "at most 50"}},
		{"tag key aws:", func(in *batch.SubmitJobInput) { in.Tags = map[string]string{"AWS:x": "y"} }, []string{"tags key \"AWS:x\" is not allowed"}},
		{"50 tags", func(in *batch.SubmitJobInput) { in.Tags = manyTags(50) }, nil},
		{"parameter with an empty name", func(in *batch.SubmitJobInput) { in.Parameters = map[string]string{"": "x"} }, []string{"parameters has an empty key"}},
		{"request over 30 KiB", func(in *batch.SubmitJobInput) { in.Parameters = bigParameters(31 * 1024) },
			[]string{"SubmitJob request is", "30 KiB"}},
		{"request of 28 KiB", func(in *batch.SubmitJobInput) { in.Parameters = bigParameters(28 * 1024) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := jobInput("job")
			if tt.change != nil {
				tt.change(in)
			}
			out, err := c.SubmitJob(ctx, in)
			if tt.want != nil {
				wantClientError(t, err, tt.want...)
				return
			}
			if err != nil {
				t.Fatalf("SubmitJob() = %v, want it accepted", err)
			}
			if id := aws.ToString(out.JobId); !jobIDPattern.MatchString(id) || aws.ToString(out.JobArn) != jobARNPrefix+id || aws.ToString(out.JobName) != aws.ToString(in.JobName) {
				t.Errorf("SubmitJob() = id %q arn %q name %q, want a UUID, its ARN and the job's name", id, aws.ToString(out.JobArn), aws.ToString(out.JobName))
			}
		})
	}
}

// TestSubmitJobFairShare checks shareIdentifier against a queue with a
// fair-share scheduling policy.
func TestSubmitJobFairShare(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)
	pol, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{
		Name:            aws.String("fair"),
		FairsharePolicy: &types.FairsharePolicy{ShareDistribution: []types.ShareAttributes{{ShareIdentifier: aws.String("team*")}}},
	})
	if err != nil {
		t.Fatalf("CreateSchedulingPolicy = %v", err)
	}
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
		JobQueueName: aws.String("fair-queue"), Priority: aws.Int32(1), SchedulingPolicyArn: pol.Arn,
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("ondemand-ce")}},
	})
	if err != nil {
		t.Fatalf("CreateJobQueue(fair-queue) = %v", err)
	}

	in := jobInput("fair")
	in.JobQueue = aws.String("fair-queue")
	_, err = c.SubmitJob(ctx, in)
	wantClientError(t, err, "shareIdentifier must be specified.", "fair-share")

	in.ShareIdentifier = aws.String("bad id")
	_, err = c.SubmitJob(ctx, in)
	wantClientError(t, err, "shareIdentifier \"bad id\" is not valid")

	in.ShareIdentifier, in.SchedulingPriorityOverride = aws.String("teamA"), aws.Int32(9)
	job := describeJob(t, c, submit(t, c, in))
	if aws.ToString(job.ShareIdentifier) != "teamA" || aws.ToInt32(job.SchedulingPriority) != 9 {
		t.Errorf("shareIdentifier, schedulingPriority = %q, %d, want teamA, 9", aws.ToString(job.ShareIdentifier), aws.ToInt32(job.SchedulingPriority))
	}
}

func TestSubmitJobEffectiveSpec(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	def := fargateDefInput("spec")
	def.Parameters = map[string]string{"input": "s3://in/default", "mode": "slow"}
	def.ContainerProperties.Command = []string{"process", "Ref::input", "--mode", "Ref::mode", "Ref::missing"}
	def.ContainerProperties.Environment = []types.KeyValuePair{
		{Name: aws.String("A"), Value: aws.String("1")},
		{Name: aws.String("B"), Value: aws.String("2")},
	}
	def.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2)}
	def.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(120)}
	def.Tags = map[string]string{"team": "def", "cost": "batch"}
	def.PropagateTags = aws.Bool(true)
	registerDef(t, c, def)

	spec := func(in *batch.SubmitJobInput) *batch.SubmitJobInput {
		in.JobDefinition = aws.String("spec")
		return in
	}
	env := func(kvs []types.KeyValuePair) []string {
		var out []string
		for _, kv := range kvs {
			out = append(out, aws.ToString(kv.Name)+"="+aws.ToString(kv.Value))
		}
		return out
	}

	t.Run("definition as registered", func(t *testing.T) {
		job := describeJob(t, c, submit(t, c, spec(jobInput("plain"))))
		if want := []string{"process", "s3://in/default", "--mode", "slow", "Ref::missing"}; !slices.Equal(job.Container.Command, want) {
			t.Errorf("command = %q, want %q (parameters substituted, unknown placeholder kept)", job.Container.Command, want)
		}
		if want := map[string]string{"input": "s3://in/default", "mode": "slow"}; fmt.Sprint(job.Parameters) != fmt.Sprint(want) {
			t.Errorf("parameters = %v, want %v", job.Parameters, want)
		}
		if got := env(job.Container.Environment); !slices.Equal(got, []string{"A=1", "B=2"}) {
			t.Errorf("environment = %v, want [A=1 B=2]", got)
		}
		if aws.ToInt32(job.RetryStrategy.Attempts) != 2 || aws.ToInt32(job.Timeout.AttemptDurationSeconds) != 120 {
			t.Errorf("retryStrategy, timeout = %+v, %+v, want 2 attempts and 120 s", job.RetryStrategy, job.Timeout)
		}
		// The job's tags are its own; the definition's propagate to the
		// task, not to the job.
		if job.Tags == nil || len(job.Tags) != 0 {
			t.Errorf("tags = %v, want {} (the job has no tags of its own)", job.Tags)
		}
		if !aws.ToBool(job.PropagateTags) {
			t.Errorf("propagateTags = %v, want true from the definition", job.PropagateTags)
		}
		if got := resourcesOf(job.Container.ResourceRequirements); got != "VCPU=0.25 MEMORY=512" {
			t.Errorf("resourceRequirements = %s, want the definition's", got)
		}
		if aws.ToString(job.Container.ExecutionRoleArn) != executionRole || aws.ToString(job.Container.Image) != "busybox:latest" ||
			job.Container.NetworkConfiguration == nil || job.Container.NetworkConfiguration.AssignPublicIp != types.AssignPublicIpEnabled {
			t.Errorf("container = %+v, want the definition's image, role and network configuration", job.Container)
		}
	})

	t.Run("overrides", func(t *testing.T) {
		in := spec(jobInput("overridden"))
		in.Parameters = map[string]string{"mode": "fast", "extra": "1"}
		in.ContainerOverrides = &types.ContainerOverrides{
			Command:     []string{"run", "Ref::input", "Ref::mode"},
			Environment: []types.KeyValuePair{{Name: aws.String("B"), Value: aws.String("20")}, {Name: aws.String("C"), Value: aws.String("3")}},
			ResourceRequirements: []types.ResourceRequirement{
				{Type: types.ResourceTypeVcpu, Value: aws.String("4")},
				{Type: types.ResourceTypeMemory, Value: aws.String("16384")},
			},
		}
		in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(5), EvaluateOnExit: []types.EvaluateOnExit{{OnExitCode: aws.String("137"), Action: types.RetryActionRetry}}}
		in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(300)}
		in.Tags = map[string]string{"team": "job", "run": "42"}
		in.PropagateTags = aws.Bool(false)
		id := submit(t, c, in)
		job := describeJob(t, c, id)

		if want := []string{"run", "s3://in/default", "fast"}; !slices.Equal(job.Container.Command, want) {
			t.Errorf("command = %q, want %q (override replaces, then parameters substituted)", job.Container.Command, want)
		}
		if want := map[string]string{"input": "s3://in/default", "mode": "fast", "extra": "1"}; fmt.Sprint(job.Parameters) != fmt.Sprint(want) {
			t.Errorf("parameters = %v, want %v (merged, submit wins)", job.Parameters, want)
		}
		if got := env(job.Container.Environment); !slices.Equal(got, []string{"A=1", "B=20", "C=3"}) {
			t.Errorf("environment = %v, want [A=1 B=20 C=3] (merged by name)", got)
		}
		if got := resourcesOf(job.Container.ResourceRequirements); got != "VCPU=4 MEMORY=16384" {
			t.Errorf("resourceRequirements = %s, want VCPU=4 MEMORY=16384", got)
		}
		if rs := job.RetryStrategy; aws.ToInt32(rs.Attempts) != 5 || len(rs.EvaluateOnExit) != 1 || aws.ToString(rs.EvaluateOnExit[0].OnExitCode) != "137" {
			t.Errorf("retryStrategy = %+v, want the override's", rs)
		}
		if aws.ToInt32(job.Timeout.AttemptDurationSeconds) != 300 {
			t.Errorf("timeout = %d, want 300", aws.ToInt32(job.Timeout.AttemptDurationSeconds))
		}
		if want := map[string]string{"team": "job", "run": "42"}; fmt.Sprint(job.Tags) != fmt.Sprint(want) {
			t.Errorf("tags = %v, want the job's own %v", job.Tags, want)
		}
		if job.PropagateTags == nil || *job.PropagateTags {
			t.Errorf("propagateTags = %v, want false from the override", job.PropagateTags)
		}
		tags, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(jobARNPrefix + id)})
		if err != nil {
			t.Fatalf("ListTagsForResource(job) = %v", err)
		}
		if want := map[string]string{"team": "job", "run": "42"}; fmt.Sprint(tags.Tags) != fmt.Sprint(want) {
			t.Errorf("ListTagsForResource(job) = %v, want %v", tags.Tags, want)
		}
		// The definition is unchanged by the job's overrides.
		d := describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"spec:1"}})[0]
		if got := resourcesOf(d.ContainerProperties.ResourceRequirements); got != "VCPU=0.25 MEMORY=512" || len(d.ContainerProperties.Environment) != 2 {
			t.Errorf("definition after the submission: resources %s, environment %d entries, want it unchanged", got, len(d.ContainerProperties.Environment))
		}
	})

	t.Run("job tags with propagation", func(t *testing.T) {
		in := spec(jobInput("tagged"))
		in.Tags = map[string]string{"team": "job"}
		job := describeJob(t, c, submit(t, c, in))
		if want := map[string]string{"team": "job"}; fmt.Sprint(job.Tags) != fmt.Sprint(want) {
			t.Errorf("tags = %v, want only the job's own %v", job.Tags, want)
		}
	})

	t.Run("too many tags to propagate", func(t *testing.T) {
		big := fargateDefInput("many-tags")
		big.Tags, big.PropagateTags = manyTags(30), aws.Bool(true)
		registerDef(t, c, big)
		in := jobInput("many")
		in.JobDefinition = aws.String("many-tags")
		in.Tags = map[string]string{}
		for i := range 21 {
			in.Tags[fmt.Sprint("job", i)] = "v"
		}
		// AWS accepts the job and fails it: its task cannot be tagged.
		j := describeJob(t, c, submit(t, c, in))
		if j.Status != types.JobStatusFailed || !strings.Contains(aws.ToString(j.StatusReason), "come to 51") || j.StoppedAt == nil {
			t.Errorf("job with 51 tags to propagate = %s %q, want FAILED saying the tags come to 51", j.Status, aws.ToString(j.StatusReason))
		}
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
		array := submit(t, c, in)
		for _, j := range describeJobs(t, c, array, array+":2") {
			if j.Status != types.JobStatusFailed || !strings.Contains(aws.ToString(j.StatusReason), "come to 51") {
				t.Errorf("%s of an array with 51 tags to propagate = %s %q, want FAILED", aws.ToString(j.JobId), j.Status, aws.ToString(j.StatusReason))
			}
		}
		in.ArrayProperties = nil

		// Equal keys count once; without propagation there is no limit
		// beyond the job's own 50.
		in.Tags = manyTags(25)
		if _, err := c.SubmitJob(ctx, in); err != nil {
			t.Errorf("SubmitJob(30 definition tags, 25 overlapping job tags) = %v, want it accepted", err)
		}
		in.Tags, in.PropagateTags = manyTags(50), aws.Bool(false)
		in.Tags["extra"] = "x"
		delete(in.Tags, "key00")
		if _, err := c.SubmitJob(ctx, in); err != nil {
			t.Errorf("SubmitJob(propagateTags false, 50 job tags) = %v, want it accepted", err)
		}
	})
}

func TestDescribeJobs(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	before := time.Now().UnixMilli()
	a := submit(t, c, jobInput("job-a"))
	b := submit(t, c, jobInput("job-b"))
	after := time.Now().UnixMilli()

	t.Run("more than 100 IDs", func(t *testing.T) {
		ids := make([]string, 101)
		for i := range ids {
			ids[i] = a
		}
		_, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids})
		wantClientError(t, err, "Maximum number of jobs supported is 100", "101")
	})
	t.Run("no IDs", func(t *testing.T) {
		_, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{}})
		wantClientError(t, err, "jobs is required")
	})
	t.Run("100 IDs", func(t *testing.T) {
		ids := []string{a, b}
		for i := len(ids); i < 100; i++ {
			ids = append(ids, fmt.Sprint("unknown-", i))
		}
		if got := describeJobs(t, c, ids...); len(got) != 2 {
			t.Errorf("DescribeJobs(100 IDs, 2 known) = %d jobs, want 2", len(got))
		}
	})
	t.Run("unknown IDs are absent", func(t *testing.T) {
		if got := describeJobs(t, c, "00000000-0000-4000-8000-000000000000", a+":0", "nosuch"); len(got) != 0 {
			t.Errorf("DescribeJobs(unknown) = %+v, want no jobs", got)
		}
		got := describeJobs(t, c, "nosuch", b, "nosuch-2", a)
		ids := []string{}
		for _, j := range got {
			ids = append(ids, aws.ToString(j.JobId))
		}
		slices.Sort(ids)
		want := []string{a, b}
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("DescribeJobs(mixed) = %v, want %v", ids, want)
		}
	})

	t.Run("detail", func(t *testing.T) {
		j := describeJob(t, c, a)
		if !jobIDPattern.MatchString(a) {
			t.Errorf("jobId = %s, want a version 7 UUID", a)
		}
		checks := []struct{ field, got, want string }{
			{"jobId", aws.ToString(j.JobId), a},
			{"jobArn", aws.ToString(j.JobArn), jobARNPrefix + a},
			{"jobName", aws.ToString(j.JobName), "job-a"},
			{"jobQueue", aws.ToString(j.JobQueue), jobQueueARNPrefix + "seed-queue"},
			{"jobDefinition", aws.ToString(j.JobDefinition), jobDefARNPrefix + "seed-job:1"},
			{"status", string(j.Status), "RUNNABLE"},
			{"statusReason", aws.ToString(j.StatusReason), ""},
			{"platformCapabilities", fmt.Sprint(j.PlatformCapabilities), "[FARGATE]"},
			{"isCancelled", fmt.Sprint(aws.ToBool(j.IsCancelled)), "false"},
			{"isTerminated", fmt.Sprint(aws.ToBool(j.IsTerminated)), "false"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
			}
		}
		if ms := aws.ToInt64(j.CreatedAt); ms < before || ms > after {
			t.Errorf("createdAt = %d, want epoch milliseconds in [%d, %d]", ms, before, after)
		}
		if j.StartedAt != nil || j.StoppedAt != nil {
			t.Errorf("startedAt, stoppedAt = %v, %v, want both absent for a job that has not run", j.StartedAt, j.StoppedAt)
		}
		if j.Attempts == nil || len(j.Attempts) != 0 || j.DependsOn == nil || len(j.DependsOn) != 0 || j.Parameters == nil || j.Tags == nil {
			t.Errorf("attempts %#v dependsOn %#v parameters %#v tags %#v, want all present and empty", j.Attempts, j.DependsOn, j.Parameters, j.Tags)
		}
		if j.ArrayProperties != nil {
			t.Errorf("arrayProperties = %+v, want none for a single job", j.ArrayProperties)
		}
	})

	// The empty lists are on the wire, as AWS sends them, not just
	// defaulted by the SDK.
	t.Run("wire", func(t *testing.T) {
		status, _, out := rawBatch(t, ts, "/v1/describejobs", map[string]any{"jobs": []string{a}})
		if status != http.StatusOK {
			t.Fatalf("POST /v1/describejobs = %d %v", status, out)
		}
		job := out["jobs"].([]any)[0].(map[string]any)
		for _, member := range []string{"attempts", "dependsOn"} {
			if l, ok := job[member].([]any); !ok || len(l) != 0 {
				t.Errorf("%s = %#v, want []", member, job[member])
			}
		}
		for _, member := range []string{"parameters", "tags"} {
			if m, ok := job[member].(map[string]any); !ok || len(m) != 0 {
				t.Errorf("%s = %#v, want {}", member, job[member])
			}
		}
		if _, ok := job["startedAt"]; ok {
			t.Errorf("startedAt = %v, want it absent until the job runs", job["startedAt"])
		}
		if v, ok := job["createdAt"].(float64); !ok || v != float64(int64(v)) {
			t.Errorf("createdAt = %#v, want an integer of epoch milliseconds", job["createdAt"])
		}
	})
}
