package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/pgtest"
)

// startReplicas starts two barge servers on one new PostgreSQL database,
// simulating jobs; the first leads.
func startReplicas(t *testing.T) (*testServer, *testServer) {
	t.Helper()
	if pgtest.Bin() == "" {
		t.Skip("no PostgreSQL installed")
	}
	pg := pgtest.New()
	t.Cleanup(pg.Close)
	url := pg.Database(t)
	shared := func(c *Config) { c.Executor, c.DatabaseURL = "simulate", url }
	a := startServerWith(t, "", shared)
	waitLeading(t, a)
	b := startServerWith(t, "", shared)
	return a, b
}

// waitLeading waits until ts leads.
func waitLeading(t *testing.T, ts *testServer) {
	t.Helper()
	for range 600 { // 30 s
		if ts.main.Leading() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the first server never led")
}

// TestReplicasShareJobs: on two servers over one PostgreSQL, each sees
// what the other acknowledged, the event stream of each sees the job
// changes the other made (the follower leads nothing and writes nothing of
// the run), and a TerminateJob sent to the one that does not lead stops the
// task that the leader runs.
func TestReplicasShareJobs(t *testing.T) {
	a, b := startReplicas(t)
	if b.main.Leading() {
		t.Fatal("both servers lead")
	}
	simSetup(t, a, "rep", 4, nil)
	ca, cb := a.batch(), b.batch()
	waitJobDefinition(t, []*batch.Client{cb}, "rep-def")

	evA, evB := openEvents(t, a, "jobQueue=rep-queue", false), openEvents(t, b, "jobQueue=rep-queue", false)
	// Submitted to the server that does not lead, run by the one that does.
	id := simSubmit(t, cb, "rep", "via-b", "BARGE_SIMULATE_DURATION", "100ms")
	for name, events := range map[string]<-chan sseEvent{"leader": evA, "other": evB} {
		var got []string
		for len(got) == 0 || got[len(got)-1] != "SUCCEEDED" {
			_, eb := nextEvent(t, events)
			if eb.Detail.JobID != id {
				t.Fatalf("%s: event of job %s, want %s", name, eb.Detail.JobID, id)
			}
			got = append(got, eb.Detail.Status)
		}
		if want := "RUNNABLE STARTING RUNNING SUCCEEDED"; strings.Join(got, " ") != want {
			t.Errorf("%s's event stream: statuses %q, want %q", name, strings.Join(got, " "), want)
		}
	}
	// Each server's metrics say whether it leads, and both count the job.
	for name, want := range map[*testServer]float64{a: 1, b: 0} {
		fams := scrape(t, name.URL+"/metrics")
		if got := value(fams, "barge_leader"); got != want {
			t.Errorf("barge_leader of %s = %v, want %v", name.URL, got, want)
		}
		if got := value(fams, "barge_jobs", "queue", "rep-queue", "status", "SUCCEEDED"); got != 1 {
			t.Errorf("barge_jobs{SUCCEEDED} of %s = %v, want 1", name.URL, got)
		}
	}
	out, err := ca.DescribeJobs(context.Background(), &batch.DescribeJobsInput{Jobs: []string{id}})
	if err != nil || len(out.Jobs) != 1 || out.Jobs[0].Status != types.JobStatusSucceeded {
		t.Fatalf("DescribeJobs on the leader = %+v, %v; want the job SUCCEEDED", out, err)
	}

	// TerminateJob on the other server reaches the leader's runner.
	long := simSubmit(t, ca, "rep", "long", "BARGE_SIMULATE_DURATION", "10m")
	waitJobStatus(t, cb, long, types.JobStatusRunning)
	if _, err := cb.TerminateJob(context.Background(), &batch.TerminateJobInput{JobId: aws.String(long), Reason: aws.String("stop it")}); err != nil {
		t.Fatal(err)
	}
	j := waitJobStatus(t, ca, long, types.JobStatusFailed)
	if aws.ToString(j.StatusReason) != "stop it" {
		t.Errorf("terminated job's statusReason = %q, want %q", aws.ToString(j.StatusReason), "stop it")
	}
}
