package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
	"github.com/moby/moby/client"
)

// testDockerd is a Docker engine of the test's own: its own socket, data
// root, exec root and pidfile in a temporary directory, no bridge and no
// iptables rules, in a network namespace of its own. (Docker 20.10 started
// with --bridge=none deletes any docker0 it can see: in the host's network
// namespace, that is the host engine's bridge, and every container on the
// machine then fails to start.) The test stops and starts it by its PID,
// never touching the host's engine.
type testDockerd struct {
	dir  string
	host string // unix://<dir>/docker.sock
	args []string
	cmd  *exec.Cmd
	log  *os.File
}

// startTestDockerd starts a testDockerd with dockerd's extra arguments, or
// skips the test when this host cannot run one (no dockerd or unshare, not
// root).
func startTestDockerd(t *testing.T, extra ...string) *testDockerd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a private Docker engine needs root")
	}
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Skip("no dockerd on this host")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1) on this host to give the private engine a network namespace of its own")
	}
	// Short: a unix socket's path holds at most 107 bytes.
	dir, err := os.MkdirTemp("", "barge-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	d := &testDockerd{dir: dir, host: "unix://" + filepath.Join(dir, "docker.sock")}
	config := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(config, []byte("{}\n"), 0o600); err != nil { // not the host's /etc/docker/daemon.json
		t.Fatal(err)
	}
	ns := "barge-test-" + filepath.Base(dir)
	d.args = []string{"--net", dockerd,
		"--host", d.host,
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"--config-file", config,
		"--bridge=none", "--iptables=false", "--ip6tables=false",
		"--storage-driver", "vfs", // no mounts to leave behind
		"--containerd-namespace", ns, "--containerd-plugins-namespace", ns + "-plugins",
	}
	d.args = append(d.args, extra...)
	if d.log, err = os.Create(filepath.Join(dir, "dockerd.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.stop(t)
		d.log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "dockerd.log"))
			t.Logf("private dockerd's log:\n%s", b)
		}
		unmountUnder(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing the private engine's directory: %v", err)
		}
	})
	d.start(t, unshare)
	return d
}

// start starts the engine and waits until it answers.
func (d *testDockerd) start(t *testing.T, unshare string) {
	t.Helper()
	d.cmd = exec.Command(unshare, d.args...)
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("starting the private dockerd: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for docker.Ping(context.Background(), d.host) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the private dockerd did not answer within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// restart starts the engine again on the same directories.
func (d *testDockerd) restart(t *testing.T) {
	t.Helper()
	unshare, _ := exec.LookPath("unshare")
	d.start(t, unshare)
}

// stop stops the engine, by its PID, as a service manager would: SIGTERM,
// which stops its containers, and SIGKILL after a minute.
func (d *testDockerd) stop(t *testing.T) {
	t.Helper()
	if d.cmd == nil || d.cmd.Process == nil || d.cmd.ProcessState != nil {
		return
	}
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Errorf("the private dockerd did not stop within a minute of SIGTERM; killing it")
		d.cmd.Process.Kill()
		<-done
	}
}

// unmountUnder unmounts whatever is mounted under dir, deepest first.
func unmountUnder(t *testing.T, dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			points = append(points, fields[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", p, err)
		}
	}
}

// TestDockerEngineRestart stops the Docker engine under a running barge
// and starts it again. Jobs that ran are recorded with their real exit
// codes and output once the engine answers again, and give their vCPUs
// back; a job submitted while the engine is down waits in RUNNABLE, saying
// why, and so does its compute environment's statusReason; it runs once the
// engine is back. BARGE_ENGINE_RESTART_JOBS sets how many jobs run when the
// engine stops (2 by default; the reliability figures use 100).
func TestDockerEngineRestart(t *testing.T) {
	n := 2
	if v := os.Getenv("BARGE_ENGINE_RESTART_JOBS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("BARGE_ENGINE_RESTART_JOBS=%q: want a number of jobs", v)
		}
	}
	d := startTestDockerd(t)
	image := testimage.Ensure(context.Background(), t, d.host)
	ts := startServerWith(t, "", func(c *Config) { c.Executor, c.DockerHost = "docker", d.host })
	c := ts.batch()
	ctx := context.Background()
	// Room for the running jobs (a quarter of a vCPU each) and one more.
	createFargateCE(t, c, "ce", types.CRTypeFargate, int32(n+3)/4+1)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn = aws.String(image), role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	job := func(name, script string) string {
		return submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}})
	}
	// The running jobs each exit with a code of their own when the engine
	// stops their containers (SIGTERM) as it shuts down.
	exitCode := func(i int) int32 { return int32(10 + i%200) }
	running := make([]string, n)
	for i := range running {
		running[i] = job(fmt.Sprintf("run-%d", i), fmt.Sprintf("echo started; trap 'echo stopping; exit %d' TERM; sleep 600 & wait", exitCode(i)))
	}
	for _, id := range running {
		for deadline := time.Now().Add(5 * time.Minute); describeJob(t, c, id).Status != types.JobStatusRunning; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("job %s never ran", id)
			}
		}
	}
	stopping := time.Now()
	d.stop(t)
	t.Logf("the engine stopped %d running containers in %s", n, time.Since(stopping).Round(time.Millisecond))

	// While the engine is down, a new job waits and says why. There is
	// room for it: until barge sees that the engine does not answer, it
	// may place the job, whose task then cannot start for a failure of the
	// infrastructure, which must not fail the job.
	waiting := job("waiting", "echo hello")
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, c, waiting)
		if j.Status == types.JobStatusFailed || j.Status == types.JobStatusSucceeded {
			t.Fatalf("job submitted while the engine is down = %s (%q, %q), want it to wait in RUNNABLE", j.Status, aws.ToString(j.StatusReason), containerReason(j))
		}
		if j.Status == types.JobStatusRunnable && strings.Contains(aws.ToString(j.StatusReason), "docker executor cannot start tasks") {
			t.Logf("a job submitted after the engine stopped waited for it after %s", time.Since(stopping).Round(time.Millisecond))
			if len(j.Attempts) != 0 {
				t.Errorf("waiting job has %d attempts, want none", len(j.Attempts))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job submitted while the engine is down = %s, %q; want RUNNABLE waiting for the docker executor", j.Status, aws.ToString(j.StatusReason))
		}
		time.Sleep(100 * time.Millisecond)
	}
	ce := waitCEStatus(t, c, "ce", types.CEStatusValid)
	if r := aws.ToString(ce.StatusReason); !strings.Contains(r, "docker executor cannot start tasks") || !strings.Contains(r, "does not answer") {
		t.Errorf("compute environment's statusReason while the engine is down = %q, want it to say the docker executor's engine does not answer", r)
	}

	restarting := time.Now()
	d.restart(t)
	t.Logf("the engine answered again after %s", time.Since(restarting).Round(time.Millisecond))
	for i, id := range running {
		j := waitJob(t, c, id, 2*time.Minute)
		if j.Status != types.JobStatusFailed || len(j.Attempts) != 1 || aws.ToInt32(j.Container.ExitCode) != exitCode(i) {
			t.Errorf("job %d after the engine restarted = %s exit %d (%q) in %d attempts, want FAILED exit %d in 1",
				i, j.Status, aws.ToInt32(j.Container.ExitCode), containerReason(j), len(j.Attempts), exitCode(i))
		}
		if got, want := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)), []string{"started", "stopping"}; !slices.Equal(got, want) {
			t.Errorf("job %d's output = %q, want %q", i, got, want)
		}
	}
	t.Logf("%d jobs recorded with their exit codes %s after the engine was started again", n, time.Since(restarting).Round(time.Millisecond))
	j := waitJob(t, c, waiting, 2*time.Minute)
	if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
		t.Errorf("job submitted while the engine was down = %s (%q) in %d attempts, want SUCCEEDED in 1", j.Status, containerReason(j), len(j.Attempts))
	}
	if got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)); !slices.Equal(got, []string{"hello"}) {
		t.Errorf("its output = %q, want [hello]", got)
	}
	ce = waitCEStatus(t, c, "ce", types.CEStatusValid)
	if r := aws.ToString(ce.StatusReason); strings.Contains(r, "cannot start tasks") {
		t.Errorf("compute environment's statusReason after the engine is back = %q", r)
	}

	// Nothing is left on the engine: each task's container goes once its
	// attempt is recorded.
	cli, err := client.New(client.FromEnv, client.WithHost(d.host))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		res, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", docker.LabelManaged+"=true")})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of barge's containers are left on the engine, want none", len(res.Items))
		}
	}
}

// containerReason is the container reason of j's last attempt, if any.
func containerReason(j types.JobDetail) string {
	if j.Container == nil {
		return ""
	}
	return aws.ToString(j.Container.Reason)
}
