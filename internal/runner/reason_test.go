package runner

import (
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

// TestReasonsFit: the container reasons the runner builds fit in AWS's 255
// characters with their longest variable parts, the fix whole.
func TestReasonsFit(t *testing.T) {
	for _, group := range []string{"/aws/batch/job", strings.Repeat("g", 512)} {
		r := logGroupMissing(group)
		if len(r) > barge.MaxReasonLen || !strings.HasSuffix(r, `Create it (aws logs create-log-group) or set the awslogs-create-group option to "true".`) {
			t.Errorf("logGroupMissing(%d characters) = %q (%d), want at most %d with the whole fix", len(group), r, len(r), barge.MaxReasonLen)
		}
	}
	if r := logGroupMissing("/aws/batch/job"); !strings.Contains(r, "log group /aws/batch/job does not exist") {
		t.Errorf("logGroupMissing = %q, want the group named", r)
	}
}
