package barge

import "encoding/json"

// Job definition statuses.
const (
	JobDefinitionActive   = "ACTIVE"
	JobDefinitionInactive = "INACTIVE"
)

// Platform capabilities.
const (
	PlatformEC2     = "EC2"
	PlatformFargate = "FARGATE"
)

// JobDefinition is one revision of a named job template. Revisions are
// immutable except for Status, which DeregisterJobDefinition sets INACTIVE.
type JobDefinition struct {
	Name                         string               `json:"name"`
	Revision                     int                  `json:"revision"`
	Status                       string               `json:"status"`
	Type                         string               `json:"type"`
	Parameters                   map[string]string    `json:"parameters,omitempty"`
	SchedulingPriority           *int                 `json:"schedulingPriority,omitempty"`
	RetryStrategy                *RetryStrategy       `json:"retryStrategy,omitempty"`
	ContainerProperties          *ContainerProperties `json:"containerProperties,omitempty"`
	Timeout                      *JobTimeout          `json:"timeout,omitempty"`
	Tags                         map[string]string    `json:"tags,omitempty"`
	PropagateTags                *bool                `json:"propagateTags,omitempty"`
	PlatformCapabilities         []string             `json:"platformCapabilities,omitempty"`
	NodeProperties               json.RawMessage      `json:"nodeProperties,omitempty"`
	EcsProperties                json.RawMessage      `json:"ecsProperties,omitempty"`
	EksProperties                *EksProperties       `json:"eksProperties,omitempty"`
	ConsumableResourceProperties json.RawMessage      `json:"consumableResourceProperties,omitempty"`
	CreatedAt                    int64                `json:"createdAt"`

	// Seq orders definitions by registration; the store assigns it.
	Seq int64 `json:"-"`
}

// IsEKS reports whether the definition describes a Pod for Amazon EKS
// (eksProperties).
func (d *JobDefinition) IsEKS() bool { return d.EksProperties != nil }

// ContainerOrchestrationType is EKS for a definition with eksProperties,
// ECS otherwise.
func (d *JobDefinition) ContainerOrchestrationType() string {
	if d.IsEKS() {
		return OrchestrationEKS
	}
	return OrchestrationECS
}

// IsFargate reports whether the definition targets Fargate.
func (d *JobDefinition) IsFargate() bool {
	for _, p := range d.PlatformCapabilities {
		if p == PlatformFargate {
			return true
		}
	}
	return false
}
