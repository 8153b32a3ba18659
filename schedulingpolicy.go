package barge

// SchedulingPolicy is a fair-share policy a job queue can use.
type SchedulingPolicy struct {
	Name             string            `json:"name"`
	FairsharePolicy  *FairsharePolicy  `json:"fairsharePolicy,omitempty"`
	QuotaSharePolicy *QuotaSharePolicy `json:"quotaSharePolicy,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	CreatedAt        int64             `json:"createdAt"`
}

// FairsharePolicy divides a queue's capacity between share identifiers.
type FairsharePolicy struct {
	ShareDecaySeconds  *int              `json:"shareDecaySeconds,omitempty"`
	ComputeReservation *int              `json:"computeReservation,omitempty"`
	ShareDistribution  []ShareAttributes `json:"shareDistribution,omitempty"`
}

// ShareAttributes weighs one share identifier (or prefix, with a trailing *).
// A lower WeightFactor is a larger share.
type ShareAttributes struct {
	ShareIdentifier string   `json:"shareIdentifier"`
	WeightFactor    *float64 `json:"weightFactor,omitempty"`
}

// QuotaSharePolicy is a quota-share policy (accepted and echoed; quota-share
// scheduling is not a Fargate feature).
type QuotaSharePolicy struct {
	IdleResourceAssignmentStrategy string `json:"idleResourceAssignmentStrategy"`
}
