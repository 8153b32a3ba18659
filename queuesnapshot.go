package barge

// QueueSnapshot is what the scheduler shows of a job queue at one moment
// (GetJobQueueSnapshot): the front of its line and the capacity its jobs
// hold.
type QueueSnapshot struct {
	// Front is the first 100 RUNNABLE jobs in the order they are to be
	// placed: by submission in a FIFO queue, share by share in a fair-share
	// queue.
	Front []FrontJob
	// At is when the snapshot was taken, epoch ms.
	At int64
	// VCPU is the vCPUs the queue's STARTING and RUNNING jobs hold.
	VCPU float64
	// FairShare is set on queues with a fair-share scheduling policy.
	FairShare *FairShareUsage
	// EKS says the queue's compute environments are EKS ones, whose
	// capacity AWS counts in the unit "cpu" rather than "VCPU".
	EKS bool
}

// FrontJob is a job at the front of a queue.
type FrontJob struct {
	JobID string
	// Since is when the job took its place: the later of its creation and
	// the last time a job ahead of it left the line, epoch ms.
	Since int64
}

// FairShareUsage is the capacity each share of a fair-share queue holds.
type FairShareUsage struct {
	// ActiveShares is the number of shares with jobs STARTING or RUNNING.
	ActiveShares int
	// Top is the shares holding the most vCPUs, most first, at most 20.
	Top []ShareVCPU
}

// ShareVCPU is the vCPUs one share holds.
type ShareVCPU struct {
	ShareID string
	VCPU    float64
}
