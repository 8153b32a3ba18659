package runner

import (
	"maps"
	"testing"

	"github.com/bargehq/barge"
)

// pendingExecutor's tasks wait to run for the reasons given
// (barge.PendingReasoner), as Pods no node takes. Only PendingReason is
// called.
type pendingExecutor struct {
	barge.Executor
	reasons map[string]string // task ID → why it waits
}

func (p pendingExecutor) PendingReason(taskID string) string { return p.reasons[taskID] }

// otherExecutor cannot tell why a task waits.
type otherExecutor struct{ barge.Executor }

// TestStartingReasons: the reasons the leader publishes for the servers
// that do not lead are those of the attempts whose executor says their task
// waits, at most limit of them, the first by job ID.
func TestStartingReasons(t *testing.T) {
	pe := pendingExecutor{reasons: map[string]string{"t1": "no node", "t3": "no node either"}}
	r := &Runner{active: map[string]*attempt{
		"j3": {jobID: "j3", taskID: "t3", exec: pe},
		"j1": {jobID: "j1", taskID: "t1", exec: pe},
		"j2": {jobID: "j2", taskID: "t2", exec: pe}, // runs
		"j4": {jobID: "j4", taskID: "t4", exec: otherExecutor{}},
	}}
	if got, want := r.StartingReasons(10), map[string]string{"j1": "no node", "j3": "no node either"}; !maps.Equal(got, want) {
		t.Errorf("StartingReasons(10) = %v, want %v", got, want)
	}
	if got, want := r.StartingReasons(1), map[string]string{"j1": "no node"}; !maps.Equal(got, want) {
		t.Errorf("StartingReasons(1) = %v, want %v", got, want)
	}
	clear(pe.reasons)
	if got := r.StartingReasons(10); got != nil {
		t.Errorf("with no task waiting, StartingReasons = %v, want nil", got)
	}
}
