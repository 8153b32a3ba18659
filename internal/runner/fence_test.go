package runner_test

import (
	"context"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// TestDeposedLeaderLeavesTask: a runner whose writes carry a lease's fence
// (the leader of servers sharing a database) and whose term ended while a
// task ran cannot record the task's end; it then leaves the task, for the
// next leader to adopt and record, rather than remove it and lose the run.
func TestDeposedLeaderLeavesTask(t *testing.T) {
	exec := newFake()
	exec.hold = make(chan struct{})
	e := newEnv(t, nil, exec)
	ctx := context.Background()
	tok, err := e.st.TakeLease(ctx, "leader", "a", store.LeaseState{})
	if err != nil {
		t.Fatal(err)
	}
	e.ctx = store.WithFence(e.ctx, store.Fence{Lease: "leader", Holder: "a", Token: tok})
	j := &barge.Job{ID: "j1", Name: "j1", Queue: "q", CreatedAt: 1}
	e.place(t, j, spec("exit 0", nil, ""), "t1")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := e.st.GetJobs(ctx, []string{"j1"})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Status == barge.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job is %s, want RUNNING", got[0].Status)
		}
	}

	seen, err := e.st.ReadLease(ctx, "leader")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.TakeLease(ctx, "leader", "b", seen); err != nil {
		t.Fatal(err)
	}
	close(exec.hold) // the task ends, after its runner was deposed
	<-e.released     // the attempt is over for this runner
	e.r.Wait()

	got, err := e.st.GetJobs(ctx, []string{"j1"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != barge.JobRunning {
		t.Errorf("job = %s; want RUNNING still (the deposed runner's record refused)", got[0].Status)
	}
	if exec.task("t1") == nil {
		t.Error("the deposed runner removed the task; want it left for the next leader to adopt")
	}
}
