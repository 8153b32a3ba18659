package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/cli"
	"github.com/bargehq/barge/internal/executor/simulate"
)

// cliEnv gives the client commands the test's credentials through the
// variables the aws CLI reads, and nothing of the developer's AWS setup.
func cliEnv(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": testKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SESSION_TOKEN": "",
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_BATCH": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
}

// cliResult is what one run of a client command printed and its status.
type cliResult struct {
	stdout, stderr string
	code           int
}

// barge runs a client command in-process against the server, as
// `barge args... --endpoint URL` does.
func (ts *testServer) barge(args ...string) cliResult {
	var out, errOut bytes.Buffer
	code := ts.bargeTo(&out, &errOut, args...)
	return cliResult{out.String(), errOut.String(), code}
}

func (ts *testServer) bargeTo(stdout, stderr io.Writer, args ...string) int {
	return cli.Run(context.Background(), append(args, "--endpoint", ts.URL), cli.Env{Stdout: stdout, Stderr: stderr})
}

// wantOK fails unless the command exited 0, and returns its output.
func (r cliResult) wantOK(t *testing.T, cmd string) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("barge %s: exit %d, stderr %q, want exit 0", cmd, r.code, r.stderr)
	}
	return r.stdout
}

// wantLines fails unless out has, for each row, a line with all its cells.
func wantLines(t *testing.T, what, out string, rows ...[]string) {
	t.Helper()
next:
	for _, row := range rows {
		for _, line := range strings.Split(out, "\n") {
			ok := true
			for _, cell := range row {
				ok = ok && strings.Contains(line, cell)
			}
			if ok {
				continue next
			}
		}
		t.Errorf("%s:\n%s\nwant a line with %q", what, out, row)
	}
}

// syncBuffer is a buffer written by a command running in a goroutine and
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runArray drives an array of 4 one-minute children on a compute
// environment with room for 2 through to its end: two run, the clock
// moves a minute, two more run, the clock moves a minute. running is
// called while two children run, with the number that succeeded before
// them; ended after each minute with the number that succeeded so far.
func runArray(t *testing.T, c *batch.Client, clock *simulate.ManualClock, id string, running, ended func(succeeded int)) {
	t.Helper()
	summary := func() map[string]int32 { return describeJob(t, c, id).ArrayProperties.StatusSummary }
	for _, done := range []int32{2, 4} {
		pollUntil(t, func() string { return fmt.Sprintf("array %s: %v, want 2 RUNNING", id, summary()) },
			func() bool { return summary()["RUNNING"] == 2 })
		running(int(done) - 2)
		clock.Advance(time.Minute)
		pollUntil(t, func() string { return fmt.Sprintf("array %s: %v, want %d SUCCEEDED", id, summary(), done) },
			func() bool { return summary()["SUCCEEDED"] == done })
		ended(int(done))
	}
}

// seen waits until out shows want.
func seen(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	pollUntil(t, func() string { return fmt.Sprintf("output %q, want %q", out.String(), want) },
		func() bool { return strings.Contains(out.String(), want) })
}

// TestCLI runs each client command against a server whose jobs are
// simulated, and checks what people and scripts see: tables, JSON and exit
// statuses.
func TestCLI(t *testing.T) {
	cliEnv(t)
	clock := simulate.NewManualClock(time.Now().Add(time.Minute).Truncate(time.Millisecond))
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "sim", 1, nil, "BARGE_SIMULATE_DURATION", "1m",
		"BARGE_SIMULATE_LOG", "hello from ${AWS_BATCH_JOB_ID}\nbye")

	t.Run("queues and ces", func(t *testing.T) {
		// The reconcile loop makes the new queue VALID soon after it is
		// created; the table is about a VALID one.
		pollUntil(t, func() string { return "sim-queue is not VALID yet" }, func() bool {
			out, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{JobQueues: []string{"sim-queue"}})
			return err == nil && len(out.JobQueues) == 1 && out.JobQueues[0].Status == types.JQStatusValid
		})
		out := ts.barge("queues").wantOK(t, "queues")
		wantLines(t, "barge queues", out, []string{"QUEUE", "STATE", "PRIORITY"}, []string{"sim-queue", "ENABLED", "VALID", "sim"})
		out = ts.barge("ces").wantOK(t, "ces")
		wantLines(t, "barge ces", out, []string{"sim", "MANAGED/FARGATE", "ENABLED", "VALID", " 1 "})
		var js struct{ JobQueues []map[string]any }
		if err := json.Unmarshal([]byte(ts.barge("queues", "--output", "json").wantOK(t, "queues --output json")), &js); err != nil || len(js.JobQueues) != 1 {
			t.Errorf("barge queues --output json = %v queues (%v), want 1", len(js.JobQueues), err)
		}
	})

	var ok, fails string
	t.Run("submit", func(t *testing.T) {
		ok = strings.TrimSpace(ts.barge("submit", "--job-name", "ok-job", "--job-queue", "sim-queue", "--job-definition", "sim-def",
			"--parameters", "a=1,b=2", "--retry-attempts", "2").wantOK(t, "submit"))
		fails = strings.TrimSpace(ts.barge("submit", "--job-name", "fails-job", "--job-queue", "sim-queue", "--job-definition", "sim-def",
			"--container-overrides", "environment=[{name=BARGE_SIMULATE_EXIT_CODE,value=3}],command=[echo,hi]").wantOK(t, "submit"))
		j := describeJob(t, c, ok)
		if j.Parameters["a"] != "1" || j.Parameters["b"] != "2" || aws.ToInt32(j.RetryStrategy.Attempts) != 2 {
			t.Errorf("submitted job's parameters %v, retry %v; want a=1,b=2 and 2 attempts", j.Parameters, j.RetryStrategy)
		}
		f := describeJob(t, c, fails)
		if got := strings.Join(f.Container.Command, " "); got != "echo hi" {
			t.Errorf("overridden command = %q, want echo hi", got)
		}
		found := false
		for _, e := range f.Container.Environment {
			found = found || aws.ToString(e.Name) == "BARGE_SIMULATE_EXIT_CODE" && aws.ToString(e.Value) == "3"
		}
		if !found {
			t.Errorf("overridden environment = %v, want BARGE_SIMULATE_EXIT_CODE=3", f.Container.Environment)
		}
		r := ts.barge("submit", "--job-name", "x", "--job-queue", "nope", "--job-definition", "sim-def")
		if r.code != cli.ExitFailed || !strings.Contains(r.stderr, "nope") {
			t.Errorf("submit to a missing queue: exit %d, stderr %q; want exit 1 naming the queue", r.code, r.stderr)
		}
	})

	t.Run("ls", func(t *testing.T) {
		out := ts.barge("jobs", "ls").wantOK(t, "jobs ls")
		wantLines(t, "barge jobs ls", out, []string{"JOB ID", "NAME", "STATUS"}, []string{ok, "ok-job", "sim-queue"}, []string{fails, "fails-job"})
		out = ts.barge("jobs", "ls", "--queue", "sim-queue", "--name", "ok").wantOK(t, "jobs ls --name ok")
		if !strings.Contains(out, ok) || strings.Contains(out, fails) {
			t.Errorf("barge jobs ls --name ok:\n%s\nwant %s and not %s", out, ok, fails)
		}
		var js struct {
			JobSummaryList []struct{ JobID, JobName, Status string }
		}
		json.Unmarshal([]byte(ts.barge("jobs", "ls", "--output", "json", "--status", "SUCCEEDED").wantOK(t, "jobs ls --output json")), &js)
		if len(js.JobSummaryList) != 0 {
			t.Errorf("barge jobs ls --status SUCCEEDED before any ran = %+v, want none", js.JobSummaryList)
		}
		if r := ts.barge("jobs", "ls", "--status", "DONE"); r.code != cli.ExitUsage {
			t.Errorf("barge jobs ls --status DONE: exit %d, want %d", r.code, cli.ExitUsage)
		}
	})

	t.Run("wait", func(t *testing.T) {
		pollUntil(t, func() string { return "both jobs RUNNING" }, func() bool {
			return describeJob(t, c, ok).Status == types.JobStatusRunning && describeJob(t, c, fails).Status == types.JobStatusRunning
		})
		var out syncBuffer
		done := make(chan int)
		go func() { done <- ts.bargeTo(&out, io.Discard, "wait", ok, fails, "--interval", "20ms") }()
		pollUntil(t, func() string { return "wait's first line: " + out.String() }, func() bool { return strings.Contains(out.String(), "0/2 succeeded, 2 running") })
		clock.Advance(time.Minute)
		if code := <-done; code != cli.ExitFailed {
			t.Errorf("barge wait on a job that failed: exit %d, want %d", code, cli.ExitFailed)
		}
		wantLines(t, "barge wait (not a terminal)", out.String(),
			[]string{"0/2 succeeded, 2 running, 0 waiting"}, []string{"1/2 succeeded, 1 failed, 0 running, 0 waiting"},
			[]string{"done in", "1 succeeded, 1 failed"}, []string{"FAILED " + fails, "fails-job", "Essential container in task exited"})
		if strings.Contains(out.String(), "\r") || strings.Contains(out.String(), "\x1b[") {
			t.Errorf("barge wait wrote terminal controls to a pipe: %q", out.String())
		}
		if r := ts.barge("jobs", "wait", ok); r.code != 0 || !strings.Contains(r.stdout, "1 succeeded, 0 failed") {
			t.Errorf("barge jobs wait on a job that succeeded: exit %d, %q; want 0", r.code, r.stdout)
		}
		var js struct {
			Succeeded, Failed int
			Jobs              []struct{ JobID, Status string }
		}
		r := ts.barge("wait", fails, "--output", "json")
		if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || r.code != 1 || js.Failed != 1 || len(js.Jobs) != 1 || js.Jobs[0].Status != "FAILED" {
			t.Errorf("barge wait --output json: exit %d, %s (%v); want exit 1 and the job FAILED", r.code, r.stdout, err)
		}
		if r := ts.barge("wait", "no-such-job"); r.code != cli.ExitFailed || !strings.Contains(r.stderr, "no-such-job") {
			t.Errorf("barge wait on no job: exit %d, %q; want 1 naming it", r.code, r.stderr)
		}
	})

	t.Run("describe", func(t *testing.T) {
		out := ts.barge("jobs", "describe", fails).wantOK(t, "jobs describe")
		wantLines(t, "barge jobs describe", out, []string{"Job ID:", fails}, []string{"Name:", "fails-job"},
			[]string{"Status:", "FAILED"}, []string{"Exit code:", "3"}, []string{"Ran:", "1m00s"},
			[]string{"Attempts:"}, []string{"1", "3", "Essential container in task exited"},
			// A minute of 0.5 vCPU and 1 GiB, priced by barge's cost helper.
			[]string{"Cost:", "on Fargate", "on Fargate Spot", "30 vCPU-s", "60 GB-s"})
		// The queue's totals per day: today has the jobs that ended so far.
		pollUntil(t, func() string { return "queue cost per day in " + ts.barge("jobs", "describe", fails).stdout }, func() bool {
			out := ts.barge("jobs", "describe", fails).stdout
			return strings.Contains(out, "Queue sim-queue, cost per day (last 7 days):") &&
				strings.Contains(out, clock.Now().UTC().Format(time.DateOnly)+"  2 ")
		})
		var j map[string]any
		if err := json.Unmarshal([]byte(ts.barge("jobs", "describe", ok, "--output", "json").wantOK(t, "describe --output json")), &j); err != nil ||
			j["jobId"] != ok || j["status"] != "SUCCEEDED" {
			t.Errorf("barge jobs describe --output json = %v (%v), want the job as DescribeJobs gives it", j, err)
		}
	})

	t.Run("logs", func(t *testing.T) {
		out := ts.barge("jobs", "logs", ok).wantOK(t, "jobs logs")
		if want := "hello from " + ok + "\nbye\n"; out != want {
			t.Errorf("barge jobs logs = %q, want %q", out, want)
		}
		// -f on a job that runs: the lines as they come, then the end.
		id := strings.TrimSpace(ts.barge("submit", "--job-name", "follow", "--job-queue", "sim-queue", "--job-definition", "sim-def").wantOK(t, "submit"))
		waitJobStatus(t, c, id, types.JobStatusRunning)
		var buf syncBuffer
		done := make(chan int)
		go func() { done <- ts.bargeTo(&buf, io.Discard, "jobs", "logs", id, "-f", "--interval", "20ms") }()
		pollUntil(t, func() string { return "first line: " + buf.String() }, func() bool { return strings.Contains(buf.String(), "hello from") })
		select {
		case code := <-done:
			t.Fatalf("barge jobs logs -f returned %d while the job runs", code)
		default:
		}
		clock.Advance(time.Minute)
		if code := <-done; code != 0 || buf.String() != "hello from "+id+"\nbye\n" {
			t.Errorf("barge jobs logs -f: exit %d, %q; want both lines and exit 0", code, buf.String())
		}
	})

	t.Run("cancel and terminate", func(t *testing.T) {
		run := strings.TrimSpace(ts.barge("submit", "--job-name", "long", "--job-queue", "sim-queue", "--job-definition", "sim-def").wantOK(t, "submit"))
		dep := strings.TrimSpace(ts.barge("submit", "--job-name", "after", "--job-queue", "sim-queue", "--job-definition", "sim-def", "--depends-on", run).wantOK(t, "submit"))
		if d := describeJob(t, c, dep).DependsOn; len(d) != 1 || aws.ToString(d[0].JobId) != run {
			t.Errorf("--depends-on %s gave dependencies %+v", run, d)
		}
		waitJobStatus(t, c, run, types.JobStatusRunning)
		if out := ts.barge("jobs", "cancel", dep, "--reason", "not needed").wantOK(t, "jobs cancel"); out != "cancelled "+dep+"\n" {
			t.Errorf("barge jobs cancel = %q", out)
		}
		ts.barge("jobs", "terminate", run, "--reason", "stop it").wantOK(t, "jobs terminate")
		if j := waitJobStatus(t, c, run, types.JobStatusFailed); aws.ToString(j.StatusReason) != "stop it" {
			t.Errorf("terminated job's reason = %q, want stop it", aws.ToString(j.StatusReason))
		}
		if j := waitJobStatus(t, c, dep, types.JobStatusFailed); aws.ToString(j.StatusReason) != "not needed" {
			t.Errorf("cancelled job's reason = %q, want not needed", aws.ToString(j.StatusReason))
		}
		if r := ts.barge("jobs", "cancel", dep); r.code != cli.ExitUsage || !strings.Contains(r.stderr, "--reason") {
			t.Errorf("barge jobs cancel without --reason: exit %d, %q; want 2 asking for it", r.code, r.stderr)
		}
	})

	t.Run("array wait and status", func(t *testing.T) {
		id := strings.TrimSpace(ts.barge("submit", "--job-name", "arr", "--job-queue", "sim-queue", "--job-definition", "sim-def", "--array-size", "4").wantOK(t, "submit"))
		var out syncBuffer
		done := make(chan int)
		go func() { done <- ts.bargeTo(&out, io.Discard, "wait", id, "--interval", "20ms") }()
		runArray(t, c, clock, id, func(n int) { seen(t, &out, fmt.Sprintf("%d/4 succeeded, 2 running", n)) }, func(n int) {
			if n == 2 {
				// Mid-way: the table counts the array as one RUNNING job.
				// The first two children free their capacity as they end,
				// and the scheduler places the next two only then: wait for
				// those placements, which the status is about.
				pollUntil(t, func() string {
					return fmt.Sprintf("array %s: %v, want 2 STARTING or RUNNING", id, describeJob(t, c, id).ArrayProperties.StatusSummary)
				},
					func() bool {
						s := describeJob(t, c, id).ArrayProperties.StatusSummary
						return s["STARTING"]+s["RUNNING"] == 2
					})
				st := ts.barge("status").wantOK(t, "status")
				wantLines(t, "barge status", st, []string{"QUEUE", "RUNNABLE", "RUNNING", "VCPUS IN USE"},
					[]string{"sim-queue", "ENABLED", "1"}, []string{"sim", "1 of 1", "[####################]"})
			}
		})
		if code := <-done; code != 0 {
			t.Errorf("barge wait on an array that succeeded: exit %d, want 0; output:\n%s", code, out.String())
		}
		wantLines(t, "barge wait on an array", out.String(), []string{"0/4 succeeded"}, []string{"2/4 succeeded", "2 running"},
			[]string{"4/4 succeeded", "0 running, 0 waiting", "/s)"}, []string{"done in", "4 succeeded, 0 failed"})
		out2 := ts.barge("jobs", "ls", "--array", id, "--status", "SUCCEEDED").wantOK(t, "jobs ls --array")
		wantLines(t, "barge jobs ls --array", out2, []string{id + ":0", "arr[0]", "SUCCEEDED"}, []string{id + ":3", "arr[3]"})
	})

	t.Run("usage and connection errors", func(t *testing.T) {
		for _, args := range [][]string{{"jobs", "describe"}, {"jobs", "frob"}, {"submit", "--job-name", "x"}, {"wait"}, {"jobs", "ls", "--output", "yaml"}} {
			if r := ts.barge(args...); r.code != cli.ExitUsage || r.stderr == "" {
				t.Errorf("barge %q: exit %d, stderr %q; want %d and a message", args, r.code, r.stderr, cli.ExitUsage)
			}
		}
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), []string{"queues", "--endpoint", "http://127.0.0.1:1"}, cli.Env{Stdout: &out, Stderr: &errOut})
		if msg := errOut.String(); code != cli.ExitUsage || strings.Count(msg, "\n") != 1 ||
			!strings.Contains(msg, "cannot reach a barge server at http://127.0.0.1:1 (connection refused)") || !strings.Contains(msg, "--endpoint") {
			t.Errorf("barge queues with no server: exit %d, %q; want %d and one line naming the URL and --endpoint", code, msg, cli.ExitUsage)
		}
		t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
		if r := ts.barge("queues"); r.code != cli.ExitUsage {
			t.Errorf("barge queues with a wrong secret: exit %d, %q; want %d", r.code, r.stderr, cli.ExitUsage)
		}

		// No credentials anywhere: a clear word at once, not the SDK's
		// attempt at the EC2 instance metadata service.
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_PROFILE", "")
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		out.Reset()
		errOut.Reset()
		code = cli.Run(context.Background(), []string{"queues", "--endpoint", ts.URL},
			cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
		if code != cli.ExitUsage || !strings.Contains(errOut.String(), "no credentials: set AWS_ACCESS_KEY_ID") {
			t.Errorf("barge queues with no credentials: exit %d, %q; want %d saying which variables to set", code, errOut.String(), cli.ExitUsage)
		}
		code = cli.Run(context.Background(), []string{"queues", "--endpoint", ts.URL}, cli.Env{Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string {
				return map[string]string{"BARGE_ACCESS_KEY_ID": testKeyID, "BARGE_SECRET_ACCESS_KEY": testSecret}[k]
			}})
		if code != 0 {
			t.Errorf("barge queues with BARGE_ credentials only: exit %d, %q; want 0", code, errOut.String())
		}
	})
}

// TestCommandFirst takes flags before the command as the aws CLI does.
func TestCommandFirst(t *testing.T) {
	for _, tt := range []struct{ in, want []string }{
		{[]string{"jobs", "ls", "--queue", "q"}, []string{"jobs", "ls", "--queue", "q"}},
		{[]string{"--endpoint", "http://h:1", "jobs", "ls"}, []string{"jobs", "ls", "--endpoint", "http://h:1"}},
		{[]string{"--region=eu-west-1", "wait", "id"}, []string{"wait", "id", "--region=eu-west-1"}},
		{[]string{"--data", "d", "server"}, []string{"server", "--data", "d"}},
		{[]string{"--help"}, []string{"--help"}},
	} {
		if got := commandFirst(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("commandFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCLIHelp: barge --help, -h and help print barge's usage, and barge jobs
// --help the client commands', on stdout with exit 0.
func TestCLIHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"jobs", "--help"}, {"jobs", "-h"}} {
		var stdout, stderr bytes.Buffer
		code, ok := runClientTo(args, &stdout, &stderr)
		if !ok || code != 0 || !strings.Contains(stdout.String(), "barge jobs ls") || !strings.Contains(stdout.String(), "barge submit") {
			t.Errorf("barge %s: handled %v, exit %d, stdout %q, stderr %q; want the usage, exit 0", strings.Join(args, " "), ok, code, stdout.String(), stderr.String())
		}
	}
}

// TestCLIStatusAndAWSSpellings: barge status shows the vCPUs in use of
// every compute environment, also those of a queue with two, and the
// commands take the aws CLI's flag spellings.
func TestCLIStatusAndAWSSpellings(t *testing.T) {
	cliEnv(t)
	clock := simulate.NewManualClock(time.Now().Add(time.Minute).Truncate(time.Millisecond))
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "a", 1, nil, "BARGE_SIMULATE_DURATION", "1m")
	createFargateCE(t, c, "b", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "b", types.CEStatusValid)
	createQueue(t, c, "ab-queue", "b", "a")

	id := strings.TrimSpace(ts.barge("submit", "--job-name", "two", "--job-queue", "ab-queue", "--job-definition", "a-def",
		"--container-overrides", `command=[sh,-c,"echo a; echo b"]`).wantOK(t, "submit"))
	job := waitStatus(t, c, id, types.JobStatusRunning)
	if got := job.Container.Command; !slices.Equal(got, []string{"sh", "-c", "echo a; echo b"}) {
		t.Errorf("command = %q, want the shorthand's quotes stripped", got)
	}
	st := ts.barge("status").wantOK(t, "status")
	wantLines(t, "barge status", st, []string{"b", "ENABLED", "0.5 of 4"}, []string{"a ", "ENABLED", "0 of 1"})
	if strings.Contains(st, "?") {
		t.Errorf("barge status:\n%s\nwant every compute environment's vCPUs known", st)
	}

	ls := ts.barge("jobs", "ls", "--job-queue", "ab-queue", "--job-status", "RUNNING", "--max-items", "5").wantOK(t, "jobs ls --job-queue")
	wantLines(t, "barge jobs ls --job-queue", ls, []string{id, "two", "RUNNING"})
	desc := ts.barge("jobs", "describe", "--jobs", id, "--output", "json").wantOK(t, "jobs describe --jobs")
	if !strings.Contains(desc, id) {
		t.Errorf("barge jobs describe --jobs %s printed %s, want the job", id, desc)
	}
	ts.barge("jobs", "terminate", "--job-id", id, "--reason", "done").wantOK(t, "jobs terminate --job-id")
	waitStatus(t, c, id, types.JobStatusFailed)
}
