package control

import (
	"testing"

	"github.com/bargehq/barge"
)

// startingReasons is a Starting that knows the reasons of some jobs.
type startingReasons map[string]string

func (s startingReasons) StartingReason(jobID string) string { return s[jobID] }

// TestStatusReasonStarting: a STARTING job whose task waits (a Pod no node
// can take yet) shows why, as it is read; other STARTING jobs, and jobs in
// other statuses, show their own reason.
func TestStatusReasonStarting(t *testing.T) {
	s := &Service{starting: startingReasons{"waits": "Waiting for cluster capacity: 0/3 nodes are available"}}
	for _, tt := range []struct {
		job  *barge.Job
		want string
	}{
		{&barge.Job{ID: "waits", Status: barge.JobStarting}, "Waiting for cluster capacity: 0/3 nodes are available"},
		{&barge.Job{ID: "starts", Status: barge.JobStarting, StatusReason: "own"}, "own"},
		{&barge.Job{ID: "waits", Status: barge.JobRunning, StatusReason: "running"}, "running"},
	} {
		if got := s.statusReason(tt.job, nil); got != tt.want {
			t.Errorf("statusReason(%s %s) = %q, want %q", tt.job.ID, tt.job.Status, got, tt.want)
		}
	}
}
