package barge

// JobQuery selects a page of jobs: the children of one array job, or the jobs
// of one queue (array children excluded unless IncludeChildren) with at most
// one filter.
type JobQuery struct {
	Queue            string    // queue name; exactly one of Queue and ArrayParent is set
	IncludeChildren  bool      // with Queue: also array children (the queue's real work)
	ArrayParent      string    // list the children of this array job
	Status           JobStatus // "" = any status
	NamePrefix       string    // lower-case name prefix, or the whole lower-case name with NameExact
	NameExact        bool
	JobDefName       string // job definition name, or a prefix of it with JobDefNamePrefix
	JobDefNamePrefix bool
	JobDefArn        string // job definition ARN with revision
	ShareID          string // with Queue: the jobs of this share identifier; combines with Status alone
	CreatedBefore    int64  // epoch ms, 0 = unbounded (strict)
	CreatedAfter     int64  // epoch ms, 0 = unbounded (strict)
	Oldest           bool   // oldest first instead of newest first
	Cursor           int64  // Seq of the last job of the previous page; 0 = first page
	Limit            int
	// Summary asks for only what a ListJobs summary shows: each job's Spec
	// then holds JobDefinitionArn, ShareIdentifier, ArraySize and, of its
	// Container, the Vcpus, ResourceRequirements and RuntimePlatform that
	// say why a RUNNABLE job waits, alone (of an EKS job's Pod, its
	// containers' Resources); its Runtime only ExitCode and
	// Reason, and Attempts are left out.
	Summary bool
}

// ShareCursor is a place in the line of a fair-share queue's share, whose
// jobs come highest schedulingPriority first and then in submission order:
// the Priority and Seq of the last job read. The zero value is the front.
type ShareCursor struct {
	Priority int
	Seq      int64
}

// JobDefinitionQuery selects a page of job definitions, newest registration
// first.
type JobDefinitionQuery struct {
	Name      string // "" = all names
	Status    string // "" = any status
	BeforeSeq int64  // Seq of the last definition of the previous page; 0 = first page
	Limit     int
}

// JobUpdate is one conditional job write: it applies only while the stored
// job still has status From.
type JobUpdate struct {
	Job  *Job
	From JobStatus
}
