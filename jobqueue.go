package barge

// JobQueue holds submitted jobs until they are placed on one of its compute
// environments, tried in Order.
type JobQueue struct {
	Name                     string                    `json:"name"`
	State                    State                     `json:"state"`
	Status                   ResourceStatus            `json:"status"`
	StatusReason             string                    `json:"statusReason,omitempty"`
	Priority                 int                       `json:"priority"`
	SchedulingPolicyArn      string                    `json:"schedulingPolicyArn,omitempty"`
	ComputeEnvironmentOrder  []ComputeEnvironmentOrder `json:"computeEnvironmentOrder"`
	JobStateTimeLimitActions []JobStateTimeLimitAction `json:"jobStateTimeLimitActions,omitempty"`
	JobQueueType             string                    `json:"jobQueueType,omitempty"`
	Tags                     map[string]string         `json:"tags,omitempty"`
	CreatedAt                int64                     `json:"createdAt"`
}

// ComputeEnvironmentOrder places a compute environment in a queue's order;
// lower Order is tried first. ComputeEnvironment holds the name once stored;
// the API shows ARNs.
type ComputeEnvironmentOrder struct {
	Order              int    `json:"order"`
	ComputeEnvironment string `json:"computeEnvironment"`
}

// JobStateTimeLimitAction cancels jobs stuck in a state for too long.
type JobStateTimeLimitAction struct {
	Reason         string `json:"reason"`
	State          string `json:"state"`
	MaxTimeSeconds int    `json:"maxTimeSeconds"`
	Action         string `json:"action"`
}
