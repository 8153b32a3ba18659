package batch

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// SubmitJob validates a job against its queue and definition and stores it,
// with its array children, in one durable write.
func (s *Service) SubmitJob(ctx context.Context, in *submitJobInput) (*submitJobOutput, error) {
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
		HasEksPropertiesOverride:   len(nonNull(in.EksPropertiesOverride)) > 0,
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
	spec, err := barge.NewJobSpec(def, s.scope.JobDefinitionARN(def.Name, def.Revision), sub, q.SchedulingPolicyArn != "")
	if err != nil {
		return nil, err
	}
	deps, err := s.resolveDependencies(ctx, spec)
	if err != nil {
		return nil, err
	}

	now := s.nowMillis()
	job := &barge.Job{ID: s.newID(), Name: in.JobName, Queue: q.Name, Status: barge.JobRunnable, CreatedAt: now, Spec: spec}
	jobs := []*barge.Job{job}
	if spec.ArraySize > 0 {
		jobs = append(jobs, arrayChildren(job, deps)...)
	} else {
		deps.apply(job, -1)
	}
	if reason := spec.StartFailure(); reason != "" {
		for _, j := range jobs {
			j.Status, j.StatusReason = barge.JobFailed, reason
		}
	}
	for _, j := range jobs {
		if j.Status == barge.JobFailed {
			j.StoppedAt, j.WaitsFor = now, nil
		}
	}
	if err := s.store.InsertJobs(ctx, jobs); err != nil {
		return nil, err
	}
	// A dependency that finished between the check above and the insert
	// did not see this job's edges: go over it again.
	if err := s.recheck(ctx, deps); err != nil {
		return nil, err
	}
	s.wake()
	return &submitJobOutput{JobArn: s.scope.ARN(barge.KindJob, job.ID), JobName: job.Name, JobID: job.ID}, nil
}

// dependencies are a new job's dependsOn, resolved.
type dependencies struct {
	jobs       []*barge.Job // the jobs named by dependsOn, as they were read
	sequential bool         // SEQUENTIAL: each child of the new array waits for the one before
	// pairs holds the N_TO_N dependencies on arrays (child i of the new
	// array waits for child i of each): by array ID, the statuses of the
	// children that had ended when read, by index.
	pairs map[string]map[int]barge.JobStatus
	// waited lists the children of those arrays that the new array's
	// children wait for.
	waited []string
}

// resolveDependencies reads the jobs spec's dependsOn names; each must
// exist. An N_TO_N dependency of an array job on another array job pairs
// their children, which requires arrays of one size; on any other job, or
// from a job that is no array, N_TO_N is a plain dependency.
func (s *Service) resolveDependencies(ctx context.Context, spec *barge.JobSpec) (*dependencies, error) {
	d := &dependencies{pairs: map[string]map[int]barge.JobStatus{}}
	var ids []string
	nToN := map[string]bool{}
	for _, dep := range spec.DependsOn {
		switch {
		case dep.JobID == "" && dep.Type == barge.DependencySequential:
			d.sequential = true
		case dep.JobID != "":
			ids = append(ids, dep.JobID)
			if dep.Type == barge.DependencyNToN && spec.ArraySize > 0 {
				nToN[dep.JobID] = true
			}
		}
	}
	if len(ids) == 0 {
		return d, nil
	}
	found, err := s.store.GetJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*barge.Job, len(found))
	for _, j := range found {
		byID[j.ID] = j
	}
	for _, id := range ids {
		j, ok := byID[id]
		if !ok {
			return nil, barge.Errorf(barge.EInvalid, "dependsOn names job %s, which does not exist. A job can depend only on jobs already submitted.", id)
		}
		if !nToN[id] || !j.IsArrayParent() {
			d.jobs = append(d.jobs, j)
			continue
		}
		if j.Spec.ArraySize != spec.ArraySize {
			return nil, barge.Errorf(barge.EInvalid, "dependsOn: an N_TO_N dependency pairs each child with the child of the same index, so both arrays must have one size; job %s has %d children and this job %d. Give arrayProperties.size %d, or depend on the whole array without a type.",
				id, j.Spec.ArraySize, spec.ArraySize, j.Spec.ArraySize)
		}
		if d.pairs[id], err = s.endedChildren(ctx, j); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// endedChildren returns the statuses of array's children that have ended,
// by index. A SUCCEEDED array has only SUCCEEDED children, and a FAILED one
// only FAILED and SUCCEEDED children: those need one status read.
func (s *Service) endedChildren(ctx context.Context, array *barge.Job) (map[int]barge.JobStatus, error) {
	ended := map[int]barge.JobStatus{}
	switch array.Status {
	case barge.JobSucceeded:
		for i := range array.Spec.ArraySize {
			ended[i] = barge.JobSucceeded
		}
		return ended, nil
	case barge.JobFailed:
		for i := range array.Spec.ArraySize {
			ended[i] = barge.JobSucceeded
		}
		return ended, s.eachChild(ctx, array.ID, barge.JobFailed, true, func(c *barge.Job) { ended[c.ArrayIndex] = barge.JobFailed })
	}
	for _, st := range []barge.JobStatus{barge.JobSucceeded, barge.JobFailed} {
		if err := s.eachChild(ctx, array.ID, st, true, func(c *barge.Job) { ended[c.ArrayIndex] = st }); err != nil {
			return nil, err
		}
	}
	return ended, nil
}

// eachChild calls fn with each child of array parent in status st; with
// summary, decoded only as far as barge.JobQuery.Summary promises (enough
// for its index and status).
func (s *Service) eachChild(ctx context.Context, parent string, st barge.JobStatus, summary bool, fn func(*barge.Job)) error {
	var cursor int64
	for {
		children, err := s.store.ListJobs(ctx, barge.JobQuery{ArrayParent: parent, Status: st, Oldest: true, Cursor: cursor, Limit: 1000, Summary: summary})
		if err != nil || len(children) == 0 {
			return err
		}
		for _, c := range children {
			fn(c)
		}
		cursor = children[len(children)-1].Seq
	}
}

// apply sets what job waits for and the status it starts in: FAILED when a
// dependency failed, PENDING while one is unfinished, else RUNNABLE. index
// is the job's index in its array, or -1 for a job that is no array child:
// a child waits for the child of the same index of each N_TO_N array.
func (d *dependencies) apply(job *barge.Job, index int) {
	wait := func(id string, st barge.JobStatus) {
		switch st {
		case barge.JobSucceeded:
		case barge.JobFailed:
			job.Status, job.StatusReason = barge.JobFailed, barge.ReasonDependentFailed
		default:
			job.WaitsFor = append(job.WaitsFor, id)
		}
	}
	for _, dep := range d.jobs {
		wait(dep.ID, dep.Status)
	}
	if index >= 0 {
		for id, ended := range d.pairs {
			child := barge.ChildID(id, index)
			if _, ok := ended[index]; !ok {
				d.waited = append(d.waited, child)
			}
			wait(child, ended[index])
		}
	}
	switch {
	case job.Status == barge.JobFailed:
		job.WaitsFor = nil
	case len(job.WaitsFor) > 0:
		job.Status = barge.JobPending
	}
}

// recheck propagates again the end of every job the new job waits for that
// has ended by now, in case it ended while the new job was being stored.
func (s *Service) recheck(ctx context.Context, d *dependencies) error {
	ids := make([]string, 0, len(d.jobs)+len(d.waited))
	for _, j := range d.jobs {
		if !j.Status.Done() {
			ids = append(ids, j.ID)
		}
	}
	ids = append(ids, d.waited...)
	for lo := 0; lo < len(ids); lo += 1000 {
		now, err := s.store.GetJobs(ctx, ids[lo:min(lo+1000, len(ids))])
		if err != nil {
			return err
		}
		var ended []*barge.Job
		for _, j := range now {
			if j.Status.Done() {
				ended = append(ended, j)
			}
		}
		if err := s.flow.Finished(ctx, ended...); err != nil {
			return err
		}
	}
	return nil
}

// arrayChildren makes the children of array job parent, and sets what the
// parent waits for. Each child waits for the parent's dependencies (for an
// N_TO_N dependency on an array, for that array's child of the same index);
// in a SEQUENTIAL array, child i also waits for child i-1. The parent waits
// for its own dependencies, not the N_TO_N ones, to fail with them; it is
// PENDING while its children are unfinished, and ends when they all have.
func arrayChildren(parent *barge.Job, deps *dependencies) []*barge.Job {
	own := &dependencies{jobs: deps.jobs}
	own.apply(parent, -1)
	if parent.Status != barge.JobFailed {
		parent.Status = barge.JobPending // an array parent waits while its children run
	}
	children := make([]*barge.Job, parent.Spec.ArraySize)
	counts := map[barge.JobStatus]int{}
	for i := range children {
		c := &barge.Job{
			ID: barge.ChildID(parent.ID, i), Name: parent.Name, Queue: parent.Queue,
			Status: barge.JobRunnable, CreatedAt: parent.CreatedAt,
			ArrayParent: parent.ID, ArrayIndex: i,
		}
		deps.apply(c, i)
		if deps.sequential && i > 0 {
			switch prev := children[i-1]; {
			case c.Status == barge.JobFailed:
			case prev.Status == barge.JobFailed:
				c.Status, c.StatusReason, c.WaitsFor = barge.JobFailed, barge.ReasonDependentFailed, nil
			default:
				c.WaitsFor = append(c.WaitsFor, prev.ID)
				c.Status = barge.JobPending
			}
		}
		counts[c.Status]++
		children[i] = c
	}
	// Children that all failed at once (their partners had failed) finish
	// the parent now: no child's end will.
	barge.SettleArrayParent(parent, counts, parent.CreatedAt)
	return children
}

// DescribeJobs describes up to 100 jobs; unknown IDs are absent.
func (s *Service) DescribeJobs(ctx context.Context, in *describeJobsInput) (*describeJobsOutput, error) {
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
	parents, err := s.parentsOf(ctx, jobs)
	if err != nil {
		return nil, err
	}
	out := &describeJobsOutput{Jobs: make([]jobDetail, 0, len(jobs))}
	for _, j := range jobs {
		d, err := s.jobDetail(ctx, j, parents[j.ArrayParent])
		if err != nil {
			return nil, err
		}
		out.Jobs = append(out.Jobs, d)
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

func (s *Service) jobDetail(ctx context.Context, j, parent *barge.Job) (jobDetail, error) {
	spec := j.Spec
	if spec == nil && parent != nil {
		spec = parent.Spec
	}
	if spec == nil {
		spec = &barge.JobSpec{}
	}
	d := jobDetail{
		JobArn:               s.scope.ARN(barge.KindJob, j.ID),
		JobName:              j.Name,
		JobID:                j.ID,
		JobQueue:             s.scope.ARN(barge.KindJobQueue, j.Queue),
		Status:               j.Status,
		ShareIdentifier:      spec.ShareIdentifier,
		SchedulingPriority:   spec.SchedulingPriority,
		Attempts:             make([]attemptDetail, 0, len(j.Attempts)),
		StatusReason:         s.statusReason(j, spec),
		CreatedAt:            j.CreatedAt,
		RetryStrategy:        spec.RetryStrategy,
		StartedAt:            j.StartedAt,
		StoppedAt:            j.StoppedAt,
		DependsOn:            spec.DependsOn,
		JobDefinition:        spec.JobDefinitionArn,
		Parameters:           spec.Parameters,
		Timeout:              spec.Timeout,
		Tags:                 spec.Tags,
		PropagateTags:        spec.PropagateTags,
		PlatformCapabilities: spec.PlatformCapabilities,
		IsCancelled:          j.IsCancelled,
		IsTerminated:         j.IsTerminated,
	}
	if j.ArrayParent != "" {
		d.DependsOn = nil
		d.Tags = nil
	}
	if d.DependsOn == nil {
		d.DependsOn = []barge.JobDependency{}
	}
	if d.Parameters == nil {
		d.Parameters = map[string]string{}
	}
	if d.Tags == nil {
		d.Tags = map[string]string{}
	}
	if d.PlatformCapabilities == nil {
		d.PlatformCapabilities = []string{}
	}
	for _, a := range j.Attempts {
		d.Attempts = append(d.Attempts, attemptDetail{
			Container: attemptContainerDetail{TaskArn: a.Container.TaskArn, ExitCode: a.Container.ExitCode, Reason: a.Container.Reason,
				LogStreamName: a.Container.LogStreamName, NetworkInterfaces: a.Container.NetworkInterfaces},
			StartedAt: a.StartedAt, StoppedAt: a.StoppedAt, StatusReason: a.StatusReason,
		})
	}
	if spec.Container != nil {
		c := &containerDetail{ContainerProperties: *spec.Container}
		if r := j.Runtime; r != nil {
			c.ExitCode, c.Reason, c.TaskArn, c.LogStreamName, c.NetworkInterfaces = r.ExitCode, r.Reason, r.TaskArn, r.LogStreamName, r.NetworkInterfaces
		}
		d.Container = c
	}
	switch {
	case j.IsArrayParent():
		summary, err := s.statusSummary(ctx, j.ID)
		if err != nil {
			return jobDetail{}, err
		}
		d.ArrayProperties = &arrayPropertiesDetail{Size: spec.ArraySize, StatusSummary: summary, StatusSummaryLastUpdatedAt: s.nowMillis()}
	case j.ArrayParent != "":
		idx := j.ArrayIndex
		d.ArrayProperties = &arrayPropertiesDetail{Index: &idx}
	}
	var err error
	d.BargeCost, err = s.bargeCost(ctx, j, spec)
	return d, err
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

// ListJobs pages through a queue's jobs (array children excluded) or an
// array's children, by status (RUNNING when none is given) or by one filter.
func (s *Service) ListJobs(ctx context.Context, in *listJobsInput) (*listJobsOutput, error) {
	given := 0
	for _, v := range []string{in.JobQueue, in.ArrayJobID, in.MultiNodeJobID} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return nil, barge.Errorf(barge.EInvalid, "Exactly one of jobQueue, arrayJobId or multiNodeJobId must be given.")
	}
	if in.MultiNodeJobID != "" {
		return nil, barge.Errorf(barge.EUnsupported, "multiNodeJobId is not supported: barge runs container jobs on Fargate-style compute environments, which have no multi-node parallel jobs.")
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
	out := &listJobsOutput{JobSummaryList: make([]jobSummary, 0, len(jobs))}
	if len(jobs) > want {
		jobs = jobs[:want]
		out.NextToken = encodeToken("lj", strconv.FormatInt(jobs[want-1].Seq, 10))
	}
	for _, j := range jobs {
		out.JobSummaryList = append(out.JobSummaryList, s.jobSummary(j, parent))
	}
	return out, nil
}

// applyFilters turns ListJobs' single filter into the query. Filters list
// jobs of every status, as on AWS.
func (s *Service) applyFilters(q *barge.JobQuery, filters []keyValuesPair) error {
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

func (s *Service) jobSummary(j, parent *barge.Job) jobSummary {
	sum := jobSummary{
		JobArn: s.scope.ARN(barge.KindJob, j.ID), JobID: j.ID, JobName: j.Name, CreatedAt: j.CreatedAt,
		Status: j.Status, StatusReason: j.StatusReason, StartedAt: j.StartedAt, StoppedAt: j.StoppedAt,
		IsCancelled: j.IsCancelled, IsTerminated: j.IsTerminated,
	}
	spec := j.Spec
	if spec == nil && parent != nil {
		spec = parent.Spec
	}
	if spec != nil {
		sum.JobDefinition = spec.JobDefinitionArn
		sum.ShareIdentifier = spec.ShareIdentifier
	}
	sum.StatusReason = s.statusReason(j, spec)
	if r := j.Runtime; r != nil && (r.ExitCode != nil || r.Reason != "") {
		sum.Container = &containerSummary{ExitCode: r.ExitCode, Reason: r.Reason}
	}
	switch {
	case j.IsArrayParent():
		sum.ArrayProperties = &arrayPropertiesDetail{Size: j.Spec.ArraySize}
	case j.ArrayParent != "":
		idx := j.ArrayIndex
		sum.ArrayProperties = &arrayPropertiesDetail{Index: &idx}
	}
	return sum
}
