package scheduler

import (
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

// TestWaitReasonsFit: every statusReason the scheduler builds for a waiting
// job fits in AWS's 255 characters with names of the longest AWS allows
// (128 characters) and a queue's most compute environments (3), keeping
// what to do whole.
func TestWaitReasonsFit(t *testing.T) {
	name := func(c string) string { return strings.Repeat(c, 128) }
	maxv := 4
	ce := func(n string, st barge.ResourceStatus, state barge.State) *barge.ComputeEnvironment {
		return &barge.ComputeEnvironment{Name: n, Status: st, State: state,
			ComputeResources: &barge.ComputeResource{Type: barge.CRFargate, MaxvCpus: &maxv}}
	}
	full := []*barge.ComputeEnvironment{ce(name("a"), barge.StatusValid, barge.StateEnabled), ce(name("b"), barge.StatusValid, barge.StateEnabled), ce(name("c"), barge.StatusValid, barge.StateEnabled)}
	used := map[string]float64{name("a"): 4, name("b"): 4, name("c"): 3.75}
	spec := &barge.JobSpec{Container: &barge.ContainerProperties{ResourceRequirements: []barge.ResourceRequirement{{Type: barge.ResourceVCPU, Value: "1"}, {Type: barge.ResourceMemory, Value: "2048"}}}}
	q := func(state barge.State) *barge.JobQueue { return &barge.JobQueue{Name: name("q"), State: state} }
	tests := []struct {
		name string
		qv   *queueView
		fix  string
	}{
		{"disabled queue", &queueView{queue: q(barge.StateDisabled)}, "--state ENABLED)."},
		{"no compute environment", &queueView{queue: q(barge.StateEnabled)}, "give it one with update-job-queue --compute-environment-order."},
		{"compute environments disabled", &queueView{queue: q(barge.StateEnabled), ces: []*barge.ComputeEnvironment{
			ce(name("a"), barge.StatusValid, barge.StateDisabled), ce(name("b"), barge.StatusInvalid, barge.StateEnabled), ce(name("c"), barge.StatusCreating, barge.StateEnabled)}},
			"Enable one with update-compute-environment --state ENABLED."},
		{"all full", &queueView{queue: q(barge.StateEnabled), ces: full}, "has 3.75 of 4 vCPUs in use."},
	}
	for _, tt := range tests {
		got := reasons{v: &view{}, used: used}.why(tt.qv, spec).text
		if len(got) > barge.MaxReasonLen || !strings.HasSuffix(got, tt.fix) {
			t.Errorf("%s: reason = %q (%d characters), want at most %d ending %q", tt.name, got, len(got), barge.MaxReasonLen, tt.fix)
		}
	}
	if got := shareReason(strings.Repeat("s", 255), 12.5); len(got) > barge.MaxReasonLen || !strings.HasSuffix(got, "12.5 vCPUs are held back for shares that have none (the scheduling policy's computeReservation).") {
		t.Errorf("shareReason = %q (%d characters)", got, len(got))
	}
}

// TestHostReasonsFit: the reasons of jobs waiting for their host fit in
// AWS's 255 characters with the largest sizes a job can ask for and
// overcommit factors of many digits.
func TestHostReasonsFit(t *testing.T) {
	c := barge.HostCapacity{VCPU: 1234.125, MemoryMiB: 123456789, CPUOvercommit: 1.333333333, MemoryOvercommit: 1.333333333}
	v := &view{ceHost: map[string]string{"ce": "docker"}, hostCap: map[string]barge.HostCapacity{"docker": c}}
	r := reasons{v: v, used: map[string]float64{"ce": 1234}, mem: map[string]int{"ce": 123456000}}
	for _, got := range []string{
		neverFits(v, "ce", 1, 2147483647), neverFits(v, "ce", 4096, 1),
		r.hostWait("ce", 1, 1<<20), r.hostWait("ce", 192.25, 1),
	} {
		if got == "" || len(got) > barge.MaxReasonLen || !strings.HasSuffix(got, ".") {
			t.Errorf("reason = %q (%d characters), want at most %d ending a sentence", got, len(got), barge.MaxReasonLen)
		}
	}
}
