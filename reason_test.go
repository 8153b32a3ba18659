package barge

import (
	"strings"
	"testing"
)

func TestFitReason(t *testing.T) {
	long := strings.Repeat("g", 512)
	got := FitReason("The log group %s does not exist. Set awslogs-create-group to \"true\" (and %d more).", long, 7)
	if len(got) > MaxReasonLen || !strings.HasSuffix(got, "does not exist. Set awslogs-create-group to \"true\" (and 7 more).") || !strings.Contains(got, "g...g") {
		t.Errorf("FitReason = %q (%d), want it within %d with the fixed text whole", got, len(got), MaxReasonLen)
	}
	if got := FitReason("short %s", "name"); got != "short name" {
		t.Errorf("FitReason(short) = %q, want it unchanged", got)
	}
	got = FitReason("%s and %s: fix it.", strings.Repeat("a", 300), strings.Repeat("b", 300))
	if len(got) > MaxReasonLen || !strings.HasSuffix(got, ": fix it.") {
		t.Errorf("FitReason(two long args) = %q (%d)", got, len(got))
	}
}

// TestStartFailureFits: the statusReason of a job that cannot start fits
// in AWS's 255 characters with its largest numbers.
func TestStartFailureFits(t *testing.T) {
	tags := map[string]string{}
	for i := range 100 {
		tags[strings.Repeat("k", 120)+string(rune('A'+i%26))+string(rune('a'+i/26))] = "v"
	}
	yes := true
	s := &JobSpec{Tags: tags, PropagateTags: &yes}
	if r := s.StartFailure(); r == "" || len(r) > MaxReasonLen {
		t.Errorf("StartFailure = %q (%d), want a reason within %d", r, len(r), MaxReasonLen)
	}
}
