package control

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// SubmitJob validates a job against its queue and definition and stores it,
// with its array children, in one durable write.
func (s *Service) SubmitJob(ctx context.Context, in *SubmitJobInput) (*barge.Job, error) {
	for _, f := range [][2]string{{"jobName", in.JobName}, {"jobQueue", in.JobQueue}, {"jobDefinition", in.JobDefinition}} {
		if err := required(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	sub := &barge.Submission{
		JobName:                    in.JobName,
		ShareIdentifier:            in.ShareIdentifier,
		SchedulingPriorityOverride: in.SchedulingPriorityOverride,
		DependsOn:                  in.DependsOn,
		Parameters:                 in.Parameters,
		ContainerOverrides:         in.ContainerOverrides,
		RetryStrategy:              in.RetryStrategy,
		Timeout:                    in.Timeout,
		PropagateTags:              in.PropagateTags,
		Tags:                       in.Tags,
		HasNodeOverrides:           len(nonNull(in.NodeOverrides)) > 0,
		EksPropertiesOverride:      in.EksPropertiesOverride,
		HasEcsPropertiesOverride:   len(nonNull(in.EcsPropertiesOverride)) > 0,
	}
	if in.ArrayProperties != nil {
		sub.ArraySize = in.ArrayProperties.Size
	}
	if err := sub.Validate(); err != nil {
		return nil, err
	}
	q, err := s.submitQueue(ctx, in.JobQueue)
	if err != nil {
		return nil, err
	}
	if q.Status == barge.StatusDeleting {
		return nil, barge.Errorf(barge.EConflict, "JobQueue %s is being deleted and does not accept jobs.", q.Name)
	}
	if q.State != barge.StateEnabled {
		return nil, barge.Errorf(barge.EConflict, "JobQueue %s is DISABLED and does not accept new jobs. Enable it with update-job-queue --job-queue %s --state ENABLED.", q.Name, q.Name)
	}
	def, err := s.activeJobDefinition(ctx, in.JobDefinition)
	if err != nil {
		return nil, err
	}
	if err := s.checkPlatform(ctx, q, def); err != nil {
		return nil, err
	}
	spec, err := barge.NewJobSpec(def, s.scope.JobDefinitionARN(def.Name, def.Revision), sub, q.SchedulingPolicyArn != "")
	if err != nil {
		return nil, err
	}
	job := &barge.Job{ID: s.newID(), Name: in.JobName, Queue: q.Name, CreatedAt: s.nowMillis(), Spec: spec}
	if err := s.jobs.Submit(ctx, job); err != nil {
		return nil, err
	}
	return job, nil
}

// checkPlatform refuses a definition whose platform capability the queue's
// compute environments cannot run (an EC2 definition on a queue of Fargate
// compute environments, or the reverse), with AWS's message: AWS refuses
// the submission rather than run it without the settings the other
// platform lacks (privileged, host volumes, devices). A queue's compute
// environments are all Fargate or all EC2; one whose type is not known (a
// queue whose compute environments are gone) is not checked.
func (s *Service) checkPlatform(ctx context.Context, q *barge.JobQueue, def *barge.JobDefinition) error {
	for _, o := range q.ComputeEnvironmentOrder {
		k, err := s.cache.computeKind(ctx, s.store, o.ComputeEnvironment)
		if err != nil {
			return err
		}
		if def.IsEKS() != k.eks && (k.eks || k.crType != "") {
			return orchestrationMismatch(def.IsEKS())
		}
		if k.eks {
			return nil
		}
		if k.crType == "" {
			continue
		}
		if def.IsFargate() == barge.CRType(k.crType).IsFargate() {
			return nil
		}
		capability, other := barge.PlatformEC2, barge.PlatformFargate
		if def.IsFargate() {
			capability, other = barge.PlatformFargate, barge.PlatformEC2
		}
		// AWS's message, then what to do.
		return barge.Errorf(barge.EInvalid, "Job Queue is attached to Compute Environment that can not run Jobs with capability %s. Submit to a queue of %s compute environments, or use a job definition with platformCapabilities [\"%s\"].",
			capability, capability, other)
	}
	return nil
}

// orchestrationMismatch is the error of a submission whose definition's
// orchestration type (EKS when eks) the queue's compute environments do not
// run. AWS's wording for it is not documented; it follows AWS's message for
// a platform capability mismatch.
func orchestrationMismatch(eks bool) error {
	if eks {
		return barge.Errorf(barge.EInvalid, "Job Queue is attached to Compute Environment that can not run Jobs with container orchestration type EKS. Submit to a queue of EKS compute environments (eksConfiguration), or use a job definition with containerProperties.")
	}
	return barge.Errorf(barge.EInvalid, "Job Queue is attached to Compute Environment that can not run Jobs with container orchestration type ECS. Submit to a queue of ECS compute environments, or use a job definition with eksProperties.")
}

// JobDescription is a job as DescribeJobs shows it.
type JobDescription struct {
	Job *barge.Job
	// Spec is the specification the job runs with: its own, or its array
	// parent's; never nil.
	Spec *barge.JobSpec
	// StatusReason is the job's, or for a RUNNABLE job why it waits.
	StatusReason string
	// StatusSummary counts an array parent's children by status, every
	// status present, at SummaryAt (epoch ms); nil for other jobs.
	StatusSummary map[barge.JobStatus]int
	SummaryAt     int64
	// Cost is a finished job's cost (barge's bargeCost) when Costed; other
	// jobs have none. A value, not a pointer: DescribeJobs allocates
	// nothing per job for it.
	Cost   JobCost
	Costed bool
}

// JobCost is what a finished job's attempts cost, and the capacity they ran
// on.
type JobCost struct {
	barge.Cost
	// Capacity is the type of the compute environment(s) the attempts ran
	// on (FARGATE, FARGATE_SPOT, EC2, SPOT), which says which of the two
	// prices applied; MIXED when attempts ran on different types, "" when
	// no attempt started or its compute environment is gone.
	Capacity string
}

// DescribeJobs describes up to 100 jobs; unknown IDs are absent.
func (s *Service) DescribeJobs(ctx context.Context, in *DescribeJobsInput) ([]JobDescription, error) {
	if len(in.Jobs) == 0 {
		return nil, barge.Errorf(barge.EInvalid, "jobs is required: a list of 1 to 100 job IDs.")
	}
	if len(in.Jobs) > 100 {
		return nil, barge.Errorf(barge.EInvalid, "Maximum number of jobs supported is 100. You passed %d job IDs; split them into calls of at most 100.", len(in.Jobs))
	}
	jobs, err := s.store.GetJobs(ctx, in.Jobs)
	if err != nil {
		return nil, err
	}
	return s.Describe(ctx, jobs)
}

// Describe describes jobs read already, as DescribeJobs does.
func (s *Service) Describe(ctx context.Context, jobs []*barge.Job) ([]JobDescription, error) {
	parents, err := s.parentsOf(ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := make([]JobDescription, len(jobs))
	for i, j := range jobs {
		if err := s.describe(ctx, &out[i], j, parents[j.ArrayParent]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parentsOf loads the array parents of the children among jobs.
func (s *Service) parentsOf(ctx context.Context, jobs []*barge.Job) (map[string]*barge.Job, error) {
	parents := map[string]*barge.Job{}
	var missing []string
	for _, j := range jobs {
		if j.Spec != nil {
			parents[j.ID] = j
		}
	}
	for _, j := range jobs {
		if j.ArrayParent != "" && parents[j.ArrayParent] == nil {
			missing = append(missing, j.ArrayParent)
			parents[j.ArrayParent] = nil
		}
	}
	if len(missing) > 0 {
		found, err := s.store.GetJobs(ctx, missing)
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			parents[p.ID] = p
		}
	}
	return parents, nil
}

// specOf returns the spec job j runs with, given its array parent (nil for
// a job that is no child): never nil.
func specOf(j, parent *barge.Job) *barge.JobSpec {
	spec := j.Spec
	if spec == nil && parent != nil {
		spec = parent.Spec
	}
	if spec == nil {
		spec = &barge.JobSpec{}
	}
	return spec
}

func (s *Service) describe(ctx context.Context, d *JobDescription, j, parent *barge.Job) error {
	spec := specOf(j, parent)
	*d = JobDescription{Job: j, Spec: spec, StatusReason: s.statusReason(j, spec)}
	if j.IsArrayParent() {
		summary, err := s.statusSummary(ctx, j.ID)
		if err != nil {
			return err
		}
		d.StatusSummary, d.SummaryAt = summary, s.nowMillis()
	}
	var err error
	d.Cost, d.Costed, err = s.jobCost(ctx, j, spec)
	return err
}

// statusSummary counts an array's children by status, every status present.
func (s *Service) statusSummary(ctx context.Context, parent string) (map[barge.JobStatus]int, error) {
	counts, err := s.store.CountChildren(ctx, parent)
	if err != nil {
		return nil, err
	}
	summary := make(map[barge.JobStatus]int, len(barge.JobStatuses))
	for _, st := range barge.JobStatuses {
		summary[st] = counts[st]
	}
	return summary, nil
}

// JobSummary is a job as ListJobs shows it.
type JobSummary struct {
	Job *barge.Job
	// Spec is the job's own specification or its array parent's (when
	// listing an array's children); nil for a child listed otherwise.
	Spec *barge.JobSpec
	// StatusReason is the job's, or for a RUNNABLE job why it waits.
	StatusReason string
}

// ListJobs pages through a queue's jobs (array children excluded) or an
// array's children, by status (RUNNING when none is given) or by one filter.
// With multiNodeJobId it lists no jobs: barge runs no multi-node parallel
// jobs, so the ID names none.
func (s *Service) ListJobs(ctx context.Context, in *ListJobsInput) (*Page[JobSummary], error) {
	given := 0
	for _, v := range []string{in.JobQueue, in.ArrayJobID, in.MultiNodeJobID} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return nil, barge.Errorf(barge.EInvalid, "Exactly one of jobQueue, arrayJobId or multiNodeJobId must be given.")
	}
	if in.JobStatus != "" && !in.JobStatus.Valid() {
		return nil, barge.Errorf(barge.EInvalid, "jobStatus must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED; got %q.", in.JobStatus)
	}
	q := barge.JobQuery{Status: in.JobStatus, Summary: true}
	if q.Status == "" && len(in.Filters) == 0 {
		q.Status = barge.JobRunning
	}
	limitCap := 1000
	if len(in.Filters) > 0 {
		if err := s.applyFilters(&q, in.Filters); err != nil {
			return nil, err
		}
		limitCap = 100
	}
	if in.MaxResults != nil && *in.MaxResults < 1 {
		return nil, barge.Errorf(barge.EInvalid, "maxResults must be at least 1; got %d.", *in.MaxResults)
	}
	q.Limit = limitCap
	if in.MaxResults != nil && *in.MaxResults < limitCap {
		q.Limit = *in.MaxResults
	}
	cursor, err := decodeSeqToken("lj", in.NextToken)
	if err != nil {
		return nil, err
	}
	q.Cursor = cursor
	if in.MultiNodeJobID != "" {
		// AWS lists the nodes of the multi-node parallel job named; barge
		// runs none, so no ID names one, and the list is empty.
		return &Page[JobSummary]{Items: []JobSummary{}}, nil
	}

	var parent *barge.Job
	if in.ArrayJobID != "" {
		q.ArrayParent, q.Oldest = in.ArrayJobID, true
		found, err := s.store.GetJobs(ctx, []string{in.ArrayJobID})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 || !found[0].IsArrayParent() {
			return nil, barge.Errorf(barge.EInvalid, "arrayJobId %s is not the ID of an array job.", in.ArrayJobID)
		}
		parent = found[0]
	} else {
		jq, err := s.jobQueue(ctx, "jobQueue", in.JobQueue)
		if err != nil {
			return nil, err
		}
		q.Queue = jq.Name
	}
	want := q.Limit
	q.Limit++
	jobs, err := s.store.ListJobs(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &Page[JobSummary]{Items: make([]JobSummary, 0, len(jobs))}
	if len(jobs) > want {
		jobs = jobs[:want]
		out.NextToken = encodeToken("lj", strconv.FormatInt(jobs[want-1].Seq, 10))
	}
	for _, j := range jobs {
		spec := j.Spec
		if spec == nil && parent != nil {
			spec = parent.Spec
		}
		out.Items = append(out.Items, JobSummary{Job: j, Spec: spec, StatusReason: s.statusReason(j, spec)})
	}
	return out, nil
}

// applyFilters turns ListJobs' single filter into the query. Filters list
// jobs of every status, as on AWS.
func (s *Service) applyFilters(q *barge.JobQuery, filters []KeyValuesPair) error {
	if len(filters) > 1 {
		return barge.Errorf(barge.EInvalid, "Only one filter can be used per ListJobs call; got %d.", len(filters))
	}
	f := filters[0]
	if len(f.Values) != 1 || f.Values[0] == "" {
		return barge.Errorf(barge.EInvalid, "Filter %s takes exactly one non-empty value; got %d values.", f.Name, len(f.Values))
	}
	v := f.Values[0]
	status := q.Status
	q.Status = ""
	switch f.Name {
	case "JOB_NAME":
		v = strings.ToLower(v)
		if p, ok := strings.CutSuffix(v, "*"); ok {
			q.NamePrefix = p
		} else {
			q.NamePrefix, q.NameExact = v, true
		}
	case "JOB_DEFINITION":
		if strings.HasPrefix(v, "arn:") || strings.Contains(v, ":") {
			name, rev, err := s.parseJobDefinitionRef("JOB_DEFINITION", v)
			if err != nil || rev == 0 || strings.Contains(v, "*") {
				return barge.Errorf(barge.EInvalid, "The JOB_DEFINITION filter takes a job definition name (optionally ending in *) or a full ARN with its revision; got %s.", v)
			}
			q.JobDefArn = s.scope.JobDefinitionARN(name, rev)
		} else if p, ok := strings.CutSuffix(v, "*"); ok {
			q.JobDefName, q.JobDefNamePrefix = p, true
		} else {
			q.JobDefName = v
		}
	case "BEFORE_CREATED_AT", "AFTER_CREATED_AT":
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms < 0 {
			return barge.Errorf(barge.EInvalid, "Filter %s takes a time in epoch milliseconds, such as 1700000000000; got %q.", f.Name, v)
		}
		if f.Name == "BEFORE_CREATED_AT" {
			q.CreatedBefore = ms
		} else {
			q.CreatedAfter = ms
		}
	case "SHARE_IDENTIFIER":
		q.ShareID, q.Status = v, status // the one filter that jobStatus narrows
	default:
		return barge.Errorf(barge.EInvalid, "Unknown filter name %q. ListJobs filters are JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT and SHARE_IDENTIFIER.", f.Name)
	}
	return nil
}
