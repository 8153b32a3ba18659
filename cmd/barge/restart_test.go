package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/bargehq/barge/internal/executor/docker"
)

// bargeProcess is the real barge binary running as its own process, so a
// test can kill it as a crash would.
type bargeProcess struct {
	cmd *exec.Cmd
	ts  *testServer
}

// buildBarge builds the binary once per test run.
func buildBarge(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "barge")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBargeProcess runs bin on dir at addr with the executor named and
// waits for /healthz.
func startBargeProcess(t *testing.T, bin, dir, addr, executor string) *bargeProcess {
	t.Helper()
	cmd := exec.Command(bin, "server", "--listen", addr, "--data", dir, "--executor", executor, "--log-level", "debug")
	cmd.Env = append(os.Environ(), "BARGE_ACCESS_KEY_ID="+testKeyID, "BARGE_SECRET_ACCESS_KEY="+testSecret)
	logf, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &bargeProcess{cmd: cmd, ts: &testServer{t: t, URL: "http://" + addr}}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait(); logf.Close() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(p.ts.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Fatalf("barge did not answer /healthz:\n%s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKillNineLosesNothing kills barge with SIGKILL while jobs run: after a
// restart it adopts the containers still running, records the outcome of
// those that ended while it was down, runs nothing that had finished again,
// and leaves no container behind.
func TestKillNineLosesNothing(t *testing.T) {
	_, image := startDockerServer(t) // skips without Docker; builds the image
	bin := buildBarge(t)
	dir, addr := t.TempDir(), freePort(t)
	p := startBargeProcess(t, bin, dir, addr, "docker")
	c := p.ts.batch()
	ctx := context.Background()

	createFargateCE(t, c, "ce", types.CRTypeFargate, 16)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	cp := fargateContainer("0.25", "512")
	cp.Image = aws.String(image)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := p.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp.ExecutionRoleArn = role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	job := func(name, script string) string {
		return submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}})
	}
	done := job("done", "echo finished-before")
	if j := waitJob(t, c, done, time.Minute); j.Status != types.JobStatusSucceeded {
		t.Fatalf("first job = %s %q", j.Status, aws.ToString(j.StatusReason))
	}
	short := job("short", "echo short-start; sleep 1; echo short-end")
	long := job("long", "echo long-start; sleep 4; echo long-end; exit 5")
	for _, id := range []string{short, long} {
		deadline := time.Now().Add(time.Minute)
		for describeJob(t, c, id).Status != types.JobStatusRunning {
			if time.Now().After(deadline) {
				t.Fatalf("job %s never ran", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	time.Sleep(1500 * time.Millisecond) // the short job ends while barge is down

	p = startBargeProcess(t, bin, dir, addr, "docker")
	c = p.ts.batch()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			t.Logf("server log:\n%s", b)
		}
	})
	s := waitJob(t, c, short, time.Minute)
	l := waitJob(t, c, long, time.Minute)
	if s.Status != types.JobStatusSucceeded || len(s.Attempts) != 1 {
		t.Errorf("job that ended while barge was down = %s with %d attempts, want SUCCEEDED once", s.Status, len(s.Attempts))
	}
	if l.Status != types.JobStatusFailed || aws.ToInt32(l.Container.ExitCode) != 5 || len(l.Attempts) != 1 {
		t.Errorf("adopted job = %s exit %d with %d attempts, want FAILED exit 5 once", l.Status, aws.ToInt32(l.Container.ExitCode), len(l.Attempts))
	}
	if d := describeJob(t, c, done); len(d.Attempts) != 1 {
		t.Errorf("job that succeeded before the crash has %d attempts, want 1: it must not run again", len(d.Attempts))
	}
	for id, want := range map[string]string{short: "short-start short-end", long: "long-start long-end"} {
		j := describeJob(t, c, id)
		lines := logLines(t, p.ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName))
		if got := strings.Join(lines, " "); got != want {
			t.Errorf("log of %s = %q, want %q (every line once)", aws.ToString(j.JobName), got, want)
		}
	}

	// No container of these jobs is left.
	engine, err := docker.New(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tasks, err := engine.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, task := range tasks {
			if task.JobID == done || task.JobID == short || task.JobID == long {
				left = append(left, task.TaskID)
			}
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("containers of the test's jobs are left behind: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
