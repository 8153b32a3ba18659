package barge

import "strconv"

// Placement is the scheduler's decision to run a job's next attempt on a
// compute environment: the job has been moved to STARTING with a task ARN,
// and capacity VCPU is counted against the compute environment until the
// attempt ends.
type Placement struct {
	Job                *Job
	Spec               *JobSpec // the job's own, or its array parent's
	ComputeEnvironment string
	// CE is the compute environment as the scheduler saw it when it
	// placed the job; nil for an attempt taken over after a restart.
	CE        *ComputeEnvironment
	VCPU      float64
	MemoryMiB int // JobMemoryMiB of Spec: what it holds of its host's memory
}

// TaskID returns the 32-hex task ID at the end of an ECS task ARN.
func TaskID(taskArn string) string {
	for i := len(taskArn) - 1; i >= 0; i-- {
		if taskArn[i] == '/' {
			return taskArn[i+1:]
		}
	}
	return taskArn
}

// JobVCPU is the vCPUs a job occupies while it runs: its VCPU resource
// requirement, or the legacy vcpus member, or 1.
func JobVCPU(spec *JobSpec) float64 {
	if spec.IsEKS() {
		return EksPodCPU(spec.EksProperties)
	}
	if spec == nil || spec.Container == nil {
		return 1
	}
	if v := spec.Container.Requirement(ResourceVCPU); v != "" {
		if f, err := ParseVCPU(v); err == nil {
			return f
		}
	}
	if spec.Container.Vcpus != nil && *spec.Container.Vcpus > 0 {
		return float64(*spec.Container.Vcpus)
	}
	return 1
}

// JobMemoryMiB returns the memory a job of spec asks for, in MiB: its
// MEMORY resource requirement, else the legacy memory; 0 if neither is set.
func JobMemoryMiB(spec *JobSpec) int {
	if spec.IsEKS() {
		return EksPodMemoryMiB(spec.EksProperties)
	}
	if spec == nil || spec.Container == nil {
		return 0
	}
	if v := spec.Container.Requirement(ResourceMemory); v != "" {
		mib, _ := strconv.Atoi(v) // validated at registration and submission
		return max(mib, 0)
	}
	if m := spec.Container.Memory; m != nil && *m > 0 {
		return *m
	}
	return 0
}
