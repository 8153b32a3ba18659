package scheduler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/scheduler"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// loadedReason returns why a job of spec in queue waits according to the
// view s publishes, as a server that does not lead loads it.
func loadedReason(t *testing.T, s *scheduler.Scheduler, queue string, spec *barge.JobSpec) string {
	t.Helper()
	b := s.PublishedView()
	if b == nil {
		t.Fatal("PublishedView() = nil after a pass")
	}
	v, err := scheduler.LoadView(b)
	if err != nil {
		t.Fatalf("LoadView(%s) = %v", b, err)
	}
	return v.WaitReason(queue, spec)
}

// TestPublishedView: a server that does not lead, loading the view the
// leader's scheduler publishes, gives the same reason as the leader for a
// job waiting for capacity, in a disabled queue, for an executor that does
// not answer or is being connected, for its host, too big for its compute
// environments (AWS's MISCONFIGURATION reasons) or with invalid ones; and
// none where the leader gives none. An unchanged view publishes the same
// bytes, pinned by testdata/view.json, and a view of another format is
// refused.
func TestPublishedView(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	spot := ce("spot", 4, barge.StateEnabled)
	spot.ComputeResources.Type = barge.CRFargateSpot
	invalid := ce("bad", 4, barge.StateEnabled)
	invalid.Status = barge.StatusInvalid
	for _, c := range []*barge.ComputeEnvironment{ce("small", 2, barge.StateEnabled), ce("off", 8, barge.StateDisabled), spot, invalid,
		ce("down", 4, barge.StateEnabled), ce("cluster", 2, barge.StateEnabled), ce("next", 16, barge.StateEnabled), ce("hosted", 64, barge.StateEnabled)} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	disabled := queue("disabled", 1, "small")
	disabled.State = barge.StateDisabled
	for _, q := range []*barge.JobQueue{queue("q", 1, "small", "off"), queue("offq", 1, "off"), queue("badq", 1, "bad"), queue("spotq", 1, "spot"),
		disabled, queue("downq", 1, "down"), queue("connq", 1, "cluster", "next"), queue("hostq", 1, "hosted")} {
		if err := st.CreateJobQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Two 1-vCPU jobs fill small; two jobs of 2 GiB fill the host of hosted.
	if err := st.InsertJobs(ctx, []*barge.Job{job("j1", "q", "1"), job("j2", "q", "1"), job("h1", "hostq", "1"), job("h2", "hostq", "1")}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s := runPassWith(t, st, rec, func(c *scheduler.Config) {
		c.Unavailable = func(ce *barge.ComputeEnvironment) string {
			switch ce.Name {
			case "down":
				return "the container engine at unix:///x.sock does not answer"
			case "cluster":
				return "connecting to the default cluster"
			}
			return ""
		}
		c.Connecting = func(ce *barge.ComputeEnvironment) bool { return ce.Name == "cluster" }
		c.StartingReasons = func(limit int) map[string]string {
			if limit < 1 {
				t.Errorf("StartingReasons(%d): want a positive limit", limit)
			}
			return map[string]string{"h1": "Waiting for a node: 0/1 nodes are available: 1 Insufficient cpu."}
		}
		c.Host = func(ce *barge.ComputeEnvironment) (string, barge.HostCapacity) {
			if ce != nil && ce.Name == "hosted" {
				return "docker", barge.HostCapacity{VCPU: 8, MemoryMiB: 4096, CPUOvercommit: 2, MemoryOvercommit: 1}
			}
			return "", barge.HostCapacity{}
		}
	})
	if got := len(rec.ids()); got != 4 {
		t.Fatalf("placed %v, want j1, j2, h1, h2", rec.ids())
	}

	arm := job("arm", "spotq", "1").Spec
	arm.Container.RuntimePlatform = &barge.RuntimePlatform{CPUArchitecture: "ARM64"}
	huge := job("huge", "hostq", "1").Spec
	huge.Container.ResourceRequirements[1].Value = "8192"
	for _, tt := range []struct {
		name, queue string
		spec        *barge.JobSpec
		want        string // the start of the reason, "" for none
	}{
		{"fits, room", "spotq", job("x", "spotq", "1").Spec, ""},
		{"compute environment full", "q", job("x", "q", "1").Spec, "Waiting for capacity: the job needs 1 vCPU; compute environment small has 2 of 2 vCPUs in use."},
		{"bigger than maxvCpus", "q", job("x", "q", "4").Spec, "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"},
		{"ARM64 on Fargate Spot", "spotq", arm, "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"},
		{"compute environments invalid", "badq", job("x", "badq", "1").Spec, "ACTION_REQUIRED"},
		{"compute environment disabled", "offq", job("x", "offq", "1").Spec, "No compute environment of job queue offq can run jobs now: off is DISABLED."},
		{"queue disabled", "disabled", job("x", "disabled", "1").Spec, "Job queue disabled is DISABLED"},
		{"executor down", "downq", job("x", "downq", "1").Spec, "Waiting for an executor that answers: compute environment down: the container engine"},
		{"executor connecting", "connq", job("x", "connq", "1").Spec, "Waiting for an executor that answers: compute environment cluster: connecting"},
		{"host full", "hostq", job("x", "hostq", "1").Spec, "Waiting for host capacity: the job needs 2 GiB of memory; the host has 0 GiB of 4 GiB free"},
		{"host too small", "hostq", huge, "Waiting for a bigger host: the job needs 8 GiB of memory"},
		{"unknown queue", "nope", job("x", "nope", "1").Spec, ""},
	} {
		leader := s.WaitReason(tt.queue, tt.spec)
		if !strings.HasPrefix(leader, tt.want) || (tt.want == "") != (leader == "") {
			t.Errorf("%s: the leader's WaitReason = %q, want it to start %q", tt.name, leader, tt.want)
		}
		if got := loadedReason(t, s, tt.queue, tt.spec); got != leader {
			t.Errorf("%s: WaitReason from the loaded view = %q, the leader's %q", tt.name, got, leader)
		}
	}

	// What is stored is pinned: a renamed field would change it.
	before := s.PublishedView()
	var indented bytes.Buffer
	if err := json.Indent(&indented, before, "", "\t"); err != nil {
		t.Fatal(err)
	}
	indented.WriteByte('\n')
	golden := filepath.Join("testdata", "view.json")
	if *update {
		if err := os.WriteFile(golden, indented.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(indented.Bytes(), want) {
		t.Errorf("PublishedView() = %s\nwant %s (%v); go test -update rewrites it", indented.Bytes(), want, err)
	}

	// The capacity in use is published as it is now: released memory is
	// room on the loaded view too.
	if again := s.PublishedView(); !bytes.Equal(before, again) {
		t.Errorf("an unchanged view published %s, then %s", before, again)
	}
	s.Release("hosted", 1, 2048)
	if after := s.PublishedView(); bytes.Equal(before, after) {
		t.Error("the published view did not change when capacity was released")
	}
	if got := loadedReason(t, s, "hostq", job("x", "hostq", "1").Spec); got != "" {
		t.Errorf("with 2 GiB released, WaitReason from the loaded view = %q, want none (it fits)", got)
	}

	// Why a STARTING job's task waits is published as the runner says.
	v, err := scheduler.LoadView(before)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.StartingReason("h1"), "Waiting for a node: 0/1 nodes are available: 1 Insufficient cpu."; got != want {
		t.Errorf("StartingReason(h1) from the loaded view = %q, want %q", got, want)
	}
	if got := v.StartingReason("h2"); got != "" {
		t.Errorf("StartingReason(h2) from the loaded view = %q, want none", got)
	}

	if _, err := scheduler.LoadView(bytes.Replace(before, []byte(`"format":1`), []byte(`"format":2`), 1)); err == nil {
		t.Error("LoadView of a view of format 2 = nil error, want it refused")
	}
}
