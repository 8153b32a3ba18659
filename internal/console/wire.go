package console

import "encoding/json"

// The subset of AWS Batch's wire shapes the console shows. Each listing
// keeps the raw JSON of every resource as well, shown as it is.

type queueDetail struct {
	JobQueueName            string `json:"jobQueueName"`
	JobQueueArn             string `json:"jobQueueArn"`
	State                   string `json:"state"`
	Status                  string `json:"status"`
	StatusReason            string `json:"statusReason"`
	Priority                int    `json:"priority"`
	SchedulingPolicyArn     string `json:"schedulingPolicyArn"`
	ComputeEnvironmentOrder []struct {
		Order              int    `json:"order"`
		ComputeEnvironment string `json:"computeEnvironment"`
	} `json:"computeEnvironmentOrder"`
	Raw json.RawMessage `json:"-"`
}

type ceDetail struct {
	ComputeEnvironmentName string `json:"computeEnvironmentName"`
	ComputeEnvironmentArn  string `json:"computeEnvironmentArn"`
	Type                   string `json:"type"`
	State                  string `json:"state"`
	Status                 string `json:"status"`
	StatusReason           string `json:"statusReason"`
	ComputeResources       *struct {
		Type     string `json:"type"`
		MaxvCpus int    `json:"maxvCpus"`
	} `json:"computeResources"`
	Raw json.RawMessage `json:"-"`
}

type jobDefDetail struct {
	JobDefinitionName   string `json:"jobDefinitionName"`
	JobDefinitionArn    string `json:"jobDefinitionArn"`
	Revision            int    `json:"revision"`
	Status              string `json:"status"`
	Type                string `json:"type"`
	ContainerProperties *struct {
		Image   string   `json:"image"`
		Command []string `json:"command"`
	} `json:"containerProperties"`
	Raw json.RawMessage `json:"-"`
}

type jobDetail struct {
	JobArn        string `json:"jobArn"`
	JobName       string `json:"jobName"`
	JobID         string `json:"jobId"`
	JobQueue      string `json:"jobQueue"`
	Status        string `json:"status"`
	StatusReason  string `json:"statusReason"`
	CreatedAt     int64  `json:"createdAt"`
	StartedAt     int64  `json:"startedAt"`
	StoppedAt     int64  `json:"stoppedAt"`
	JobDefinition string `json:"jobDefinition"`
	IsCancelled   bool   `json:"isCancelled"`
	IsTerminated  bool   `json:"isTerminated"`
	DependsOn     []struct {
		JobID string `json:"jobId"`
		Type  string `json:"type"`
	} `json:"dependsOn"`
	Attempts []struct {
		Container struct {
			TaskArn       string `json:"taskArn"`
			ExitCode      *int   `json:"exitCode"`
			Reason        string `json:"reason"`
			LogStreamName string `json:"logStreamName"`
		} `json:"container"`
		StartedAt    int64  `json:"startedAt"`
		StoppedAt    int64  `json:"stoppedAt"`
		StatusReason string `json:"statusReason"`
	} `json:"attempts"`
	Container *struct {
		Image            string   `json:"image"`
		Command          []string `json:"command"`
		ExitCode         *int     `json:"exitCode"`
		Reason           string   `json:"reason"`
		LogStreamName    string   `json:"logStreamName"`
		LogConfiguration *struct {
			LogDriver string            `json:"logDriver"`
			Options   map[string]string `json:"options"`
		} `json:"logConfiguration"`
	} `json:"container"`
	ArrayProperties *struct {
		StatusSummary map[string]int `json:"statusSummary"`
		Size          int            `json:"size"`
		Index         *int           `json:"index"`
	} `json:"arrayProperties"`
	Raw json.RawMessage `json:"-"`
}

// decodeEach decodes each raw element into a T, keeping its raw JSON.
func decodeEach[T any](raws []json.RawMessage, setRaw func(*T, json.RawMessage)) ([]T, error) {
	out := make([]T, 0, len(raws))
	for _, r := range raws {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			return nil, err
		}
		setRaw(&v, r)
		out = append(out, v)
	}
	return out, nil
}
