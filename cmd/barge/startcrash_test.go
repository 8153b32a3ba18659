package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/store"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestKilledWhileStarting: barge killed (kill -9) inside the executor's
// Start leaves a STARTING job whose task was begun but never ran: for the
// process executor, a task directory whose wrapper exited as soon as barge
// was gone, without running the command; for Docker, a container created
// and never started. After a restart the job's task runs once, in the same
// attempt, and the job succeeds; it does not fail with "barge stopped
// while starting the task".
func TestKilledWhileStarting(t *testing.T) {
	for _, executor := range []string{"process", "docker"} {
		t.Run(executor, func(t *testing.T) {
			image := "busybox"
			if executor == "docker" {
				_, image = startDockerServer(t) // skips without Docker; builds the image
			}
			dir := t.TempDir()
			marks := filepath.Join(t.TempDir(), "marks")
			script := "echo ran; echo x >> " + marks
			if executor == "docker" {
				script = "echo ran" // the container cannot reach the host's files
			}
			held := startServerWith(t, dir, func(c *Config) { c.Executor, c.Hold = executor, true })
			id := submitHeld(t, held, image, script)
			held.close()

			taskID := markStarting(t, dir, id)
			switch executor {
			case "process":
				leaveUnranWrapper(t, dir, id, taskID)
			case "docker":
				leaveCreatedContainer(t, dir, image, id, taskID)
			}

			ts := startServerWith(t, dir, func(c *Config) { c.Executor = executor })
			j := waitJob(t, ts.batch(), id, time.Minute)
			if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
				t.Fatalf("job = %s (%q, container reason %q) after %d attempts, want SUCCEEDED after 1",
					j.Status, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason), len(j.Attempts))
			}
			if got := barge.TaskID(aws.ToString(j.Container.TaskArn)); got != taskID {
				t.Errorf("task = %s, want the attempt's own %s", got, taskID)
			}
			if got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)); !slices.Equal(got, []string{"ran"}) {
				t.Errorf("output = %q, want [ran]", got)
			}
			if executor == "process" {
				if b, _ := os.ReadFile(marks); string(b) != "x\n" {
					t.Errorf("the command ran %d times, want once", strings.Count(string(b), "x"))
				}
			}
		})
	}
}

// submitHeld sets up a queue on a Fargate compute environment of a held
// server and submits a job that runs script there; it returns once the job
// is RUNNABLE.
func submitHeld(t *testing.T, ts *testServer, image, script string) string {
	t.Helper()
	c := ts.batch()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn = aws.String(image), role.Role.Arn
	if _, err := c.RegisterJobDefinition(context.Background(), &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
		ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}})
	for deadline := time.Now().Add(time.Minute); describeJob(t, c, id).Status != types.JobStatusRunnable; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("job %s never became RUNNABLE", id)
		}
	}
	return id
}

// markStarting does what the scheduler's placement does to job id in the
// store of the stopped server in dir: STARTING on compute environment ce,
// with a new task. It returns the task's ID.
func markStarting(t *testing.T, dir, id string) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.GetJobs(ctx, []string{id})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("GetJobs(%s) = %v, %v", id, jobs, err)
	}
	j := jobs[0]
	taskID := strings.Repeat("5a", 16)
	j.Status = barge.JobStarting
	j.Runtime = &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce/" + taskID}
	j.Spec = nil
	if err := st.UpdateJob(ctx, j, barge.JobRunnable); err != nil {
		t.Fatal(err)
	}
	return taskID
}

// leaveUnranWrapper leaves in the process executor's directory what barge
// killed inside Start leaves (see package local's "Files"): a task whose
// state names a wrapper process, which has exited without writing the
// task's PID or exit status, because its gate closed with barge.
func leaveUnranWrapper(t *testing.T, dir, jobID, taskID string) {
	t.Helper()
	wrapper := exec.Command("sh", "-c", "exit 125")
	if err := wrapper.Run(); err == nil || wrapper.ProcessState.ExitCode() != 125 {
		t.Fatalf("wrapper stand-in: %v", err)
	}
	task := filepath.Join(dir, "tasks", taskID)
	if err := os.MkdirAll(filepath.Join(task, "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	state, err := json.Marshal(map[string]any{"taskId": taskID, "jobId": jobID, "attempt": 1, "wrapperPid": wrapper.Process.Pid, "wrapperStart": 1})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"state.json": state, "stdout": nil, "stderr": nil, "log": nil, "pid": nil, "exit": nil}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(task, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// leaveCreatedContainer leaves on the Docker engine what barge killed
// inside Start, between creating the task's container and starting it,
// leaves: the container, created and labelled as the docker executor does,
// never started.
func leaveCreatedContainer(t *testing.T, dir, image, jobID, taskID string) {
	t.Helper()
	instance, err := instanceID(dir)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx := context.Background()
	name := "barge-" + taskID
	_, err = cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config: &container.Config{Image: image, Cmd: []string{"sh", "-c", "echo stale"}, Labels: map[string]string{
			docker.LabelManaged: "true", docker.LabelTaskID: taskID, docker.LabelJobID: jobID, docker.LabelAttempt: "1", docker.LabelInstance: instance}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.ContainerRemove(context.Background(), name, client.ContainerRemoveOptions{Force: true})
	})
}

// TestKillNineWhileStarting kills the real barge binary with SIGKILL at
// random moments of a workload, and starts it again each time: the kill
// moments are spread over the whole workload, each when a random share of
// the jobs (drawn from the seed, which is logged) has ended, so that they
// fall while jobs are submitted, start, run and end. Jobs are submitted all
// along, by a client that tries again while barge is down. At the end it
// counts what a user would see lost or wrong: acknowledged jobs missing,
// succeeded jobs whose command ran twice, jobs failed without running, jobs
// stuck unfinished, and what barge left behind: host processes of its tasks
// (process executor) or containers labelled for its instance (Docker).
// All must be 0. BARGE_KILL9_JOBS and BARGE_KILL9_KILLS set the workload
// (60 jobs and 3 kills by default), BARGE_KILL9_SEED the kill moments, and
// BARGE_KILL9_EXECUTOR=docker runs the jobs as containers (where a task's
// runs are counted by its output lines).
func TestKillNineWhileStarting(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the barge binary")
	}
	executor, image := "process", "busybox"
	if os.Getenv("BARGE_KILL9_EXECUTOR") == "docker" {
		executor = "docker"
		_, image = startDockerServer(t) // skips without Docker; builds the image
	}
	jobs, kills, seed := envInt(t, "BARGE_KILL9_JOBS", 60), envInt(t, "BARGE_KILL9_KILLS", 3), envInt(t, "BARGE_KILL9_SEED", int(time.Now().UnixNano()%1e9))
	t.Logf("%d jobs, %d kills, seed %d (BARGE_KILL9_SEED)", jobs, kills, seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 0))
	// Kill k comes when at least ends[k] jobs have ended, after a further
	// pause of up to a second: the moments spread over the workload.
	ends := make([]int, kills)
	for k := range ends {
		ends[k] = rnd.IntN(jobs)
	}
	slices.Sort(ends)
	bin := buildBarge(t)
	dir, addr, marks := t.TempDir(), freePort(t), t.TempDir()
	p := startBargeProcess(t, bin, dir, addr, executor)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Logf("server log (last 8 KiB):\n%s", b[max(0, len(b)-8192):])
		}
	})
	c := p.ts.batch() // the address stays the same across restarts
	ctx := context.Background()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := p.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.ExecutionRoleArn, cp.Image = role.Role.Arn, aws.String(image)
	cp.Command = []string{"sh", "-c", "echo ran; echo x >> " + marks + "/$AWS_BATCH_JOB_ID; sleep 0.2"}
	if executor == "docker" {
		cp.Command = []string{"sh", "-c", "echo ran; sleep 0.2"}
	}
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}

	// The submitter: each job is submitted until barge acknowledges it.
	acked := make(chan string, jobs)
	go func() {
		defer close(acked)
		for i := 0; i < jobs; {
			out, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("j%d", i)), JobQueue: aws.String("q"), JobDefinition: aws.String("d")})
			if err != nil {
				time.Sleep(100 * time.Millisecond) // barge is down: try again
				continue
			}
			acked <- aws.ToString(out.JobId)
			i++
		}
	}()
	// What counts the processes and containers left behind at the end
	// must see those of running tasks, or it could not fail.
	seen := false
	running := func() {
		if !seen && executor == "docker" {
			seen = len(leftContainers(t, dir)) > 0
		} else if !seen {
			seen = len(leftProcesses(t, dir, nil)) > 0
		}
	}
	for k, n := range ends {
		for ended(t, c) < n {
			running()
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Duration(rnd.Int64N(int64(time.Second))))
		t.Logf("kill %d after %d jobs ended", k+1, n)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		p = startBargeProcess(t, bin, dir, addr, executor)
	}
	for ended(t, c) < jobs/2 {
		running()
		time.Sleep(100 * time.Millisecond)
	}
	if !seen {
		t.Errorf("no process or container of a running task was seen: what counts those left behind sees nothing")
	}
	var ids []string
	for id := range acked {
		ids = append(ids, id)
	}

	// Wait while jobs still end; what has not ended once none has for two
	// minutes is stuck.
	final := map[string]types.JobDetail{}
	for last, progress := len(final), time.Now(); len(final) < len(ids) && time.Since(progress) < 2*time.Minute; time.Sleep(200 * time.Millisecond) {
		for i := 0; i < len(ids); i += 100 {
			out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids[i:min(i+100, len(ids))]})
			if err != nil {
				t.Fatalf("DescribeJobs = %v", err)
			}
			for _, j := range out.Jobs {
				if j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed {
					final[aws.ToString(j.JobId)] = j
				}
			}
		}
		if len(final) > last {
			last, progress = len(final), time.Now()
		}
	}
	missing, stuck, failedWithoutRunning, twice := 0, 0, 0, 0
	for i := 0; i < len(ids); i += 100 {
		batchIDs := ids[i:min(i+100, len(ids))]
		out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: batchIDs})
		if err != nil {
			t.Fatalf("DescribeJobs = %v", err)
		}
		found := map[string]types.JobDetail{}
		for _, j := range out.Jobs {
			found[aws.ToString(j.JobId)] = j
		}
		for _, id := range batchIDs {
			j, ok := found[id]
			if !ok {
				missing++
				t.Errorf("job %s, acknowledged, is missing", id)
				continue
			}
			b, _ := os.ReadFile(filepath.Join(marks, id))
			runs := strings.Count(string(b), "x")
			if executor == "docker" && j.Container != nil && aws.ToString(j.Container.LogStreamName) != "" {
				runs = len(logLines(t, p.ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)))
			}
			switch {
			case j.Status != types.JobStatusSucceeded && j.Status != types.JobStatusFailed:
				stuck++
			case j.Status != types.JobStatusSucceeded && runs == 0:
				failedWithoutRunning++
			case runs > 1:
				twice++
			}
			if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 || runs != 1 {
				t.Errorf("job %s = %s (%q, container reason %q) after %d attempts, its command run %d times; want SUCCEEDED after 1, run once",
					id, j.Status, aws.ToString(j.StatusReason), containerReason(j), len(j.Attempts), runs)
			}
		}
	}
	// Jobs submitted but not acknowledged (the answer lost to a kill) are
	// not counted above; none may be stuck either.
	for _, s := range []types.JobStatus{types.JobStatusSubmitted, types.JobStatusPending, types.JobStatusRunnable, types.JobStatusStarting, types.JobStatusRunning} {
		out, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String("q"), JobStatus: s, MaxResults: aws.Int32(1000)})
		if err != nil {
			t.Fatalf("ListJobs(%s) = %v", s, err)
		}
		for _, j := range out.JobSummaryList {
			if _, ok := final[aws.ToString(j.JobId)]; !ok && !slices.Contains(ids, aws.ToString(j.JobId)) {
				stuck++
				t.Errorf("job %s, submitted but not acknowledged, is stuck in %s", aws.ToString(j.JobId), s)
			}
		}
	}

	// What barge started outlives no job: once every job has ended, no
	// process of a task and no container of this barge is left.
	var left []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if executor == "docker" {
			left = leftContainers(t, dir)
		} else {
			left = leftProcesses(t, dir, ids)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, l := range left {
		t.Errorf("left behind after every job ended: %s", l)
	}
	orphanProcesses, orphanContainers := len(left), 0
	if executor == "docker" {
		orphanProcesses, orphanContainers = 0, len(left)
	}
	t.Logf("%d jobs, %d kills: %d acknowledged jobs missing, %d succeeded jobs run twice, %d failed without running, %d stuck, %d orphan processes, %d orphan containers",
		len(ids), kills, missing, twice, failedWithoutRunning, stuck, orphanProcesses, orphanContainers)
}

// ended counts the jobs of queue q that have ended.
func ended(t *testing.T, c *batch.Client) int {
	t.Helper()
	n := 0
	for _, s := range []types.JobStatus{types.JobStatusSucceeded, types.JobStatusFailed} {
		in := &batch.ListJobsInput{JobQueue: aws.String("q"), JobStatus: s, MaxResults: aws.Int32(1000)}
		for {
			out, err := c.ListJobs(context.Background(), in)
			if err != nil {
				return n // barge is starting again
			}
			n += len(out.JobSummaryList)
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
	}
	return n
}

// leftProcesses lists the host processes of the tasks of the process
// executor in data directory dir, or of the jobs ids: those working under
// its tasks/ directory, or with one of the jobs in their environment.
func leftProcesses(t *testing.T, dir string, ids []string) []string {
	t.Helper()
	tasks := filepath.Join(dir, "tasks") + "/"
	jobs := map[string]bool{}
	for _, id := range ids {
		jobs[id] = true
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, pe := range procs {
		pid, err := strconv.Atoi(pe.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone
		}
		if i := strings.LastIndexByte(string(stat), ')'); i < 0 || strings.HasPrefix(string(stat[i+1:]), " Z") {
			continue // a zombie runs nothing
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		what := fmt.Sprintf("process %d (%s)", pid, strings.ReplaceAll(strings.TrimSpace(string(cmdline)), "\x00", " "))
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && strings.HasPrefix(cwd+"/", tasks) {
			left = append(left, what+" working in "+cwd)
			continue
		}
		env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		for _, kv := range strings.Split(string(env), "\x00") {
			if id, ok := strings.CutPrefix(kv, "AWS_BATCH_JOB_ID="); ok && jobs[id] {
				left = append(left, what+" of job "+id)
				break
			}
		}
	}
	return left
}

// leftContainers lists the containers, running or not, labelled for the
// barge instance of data directory dir on the Docker engine.
func leftContainers(t *testing.T, dir string) []string {
	t.Helper()
	instance, err := instanceID(dir)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	res, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", docker.LabelInstance+"="+instance)})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, c := range res.Items {
		left = append(left, fmt.Sprintf("container %s (%s, job %s)", strings.Join(c.Names, ","), c.State, c.Labels[docker.LabelJobID]))
	}
	return left
}

// envInt returns the integer environment variable name, or def when unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}
