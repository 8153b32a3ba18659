package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/bargehq/barge/internal/awscli"
	"github.com/bargehq/barge/internal/kubecluster"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
)

// kubeNamespace is where the tests' Pods run.
const kubeNamespace = "barge-e2e"

// The cluster the package's Kubernetes tests share, started by the first
// that needs it and stopped by TestMain: one cluster runs per machine.
var (
	kubeOnce    sync.Once
	kubeShared  *kubecluster.Cluster
	kubeErr     error
	kubeCleanup = func() {
		if kubeShared != nil {
			if err := kubeShared.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "stopping the test cluster: %v\n", err)
			}
		}
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	kubeCleanup()
	os.Exit(code)
}

// kubeCluster returns the test cluster, starting it the first time; it
// skips the test where none can run (not root, or no cached binaries).
func kubeCluster(t *testing.T) *kubecluster.Cluster {
	t.Helper()
	if err := kubecluster.Available(); err != nil {
		t.Skipf("no Kubernetes test cluster: %v", err)
	}
	kubeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		kubeShared, kubeErr = kubecluster.Start(ctx, "", kubeNamespace)
	})
	if kubeErr != nil {
		t.Fatalf("starting the test cluster: %v", kubeErr)
	}
	return kubeShared
}

// kubeBarge is a real barge process whose jobs run on the test cluster.
type kubeBarge struct {
	bin, dir, addr string
	args           []string
	cmd            *exec.Cmd
	ts             *testServer
}

// startKubeBarge runs the barge binary on a fresh data directory with args
// after its own (--executor ..., the cluster's flags).
func startKubeBarge(t *testing.T, args ...string) *kubeBarge {
	t.Helper()
	b := &kubeBarge{bin: buildBarge(t), dir: t.TempDir(), addr: freePort(t), args: args}
	b.start(t)
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(b.dir, "server.log"))
			t.Logf("server log:\n%s", log)
		}
	})
	return b
}

// start starts the process (again) and waits for /healthz.
func (b *kubeBarge) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(b.bin, append([]string{"server", "--listen", b.addr, "--data", b.dir, "--log-level", "debug"}, b.args...)...)
	cmd.Env = append(os.Environ(), "BARGE_ACCESS_KEY_ID="+testKeyID, "BARGE_SECRET_ACCESS_KEY="+testSecret)
	logf, err := os.OpenFile(filepath.Join(b.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b.cmd = cmd
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	b.ts = &testServer{t: t, URL: "http://" + b.addr}
	waitHealthy(t, b.ts.URL)
}

// kill ends the process with SIGKILL, as a crash would.
func (b *kubeBarge) kill() {
	b.cmd.Process.Signal(syscall.SIGKILL)
	b.cmd.Wait()
}

// cli runs the aws CLI v2 against b and returns its output.
func (b *kubeBarge) cli(t *testing.T, args ...string) string {
	t.Helper()
	cmd := awscli.Client{CLI: "/usr/bin/aws", Endpoint: b.ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		Region: "us-east-1", Home: t.TempDir()}.Command(context.Background(), args...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// needCLIv2 skips the test without the aws CLI v2 at /usr/bin/aws.
func needCLIv2(t *testing.T) {
	t.Helper()
	out, err := exec.Command("/usr/bin/aws", "--version").CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("aws-cli/2.")) {
		t.Skipf("no aws CLI v2 at /usr/bin/aws: %v %s", err, out)
	}
}

// bargePods returns the names of the Pods of barge in the test namespace.
func bargePods(t *testing.T, c *kubecluster.Cluster) []string {
	t.Helper()
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(kubeNamespace).List(context.Background(), metav1.ListOptions{LabelSelector: "barge/managed=true"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Name+"("+string(p.Status.Phase)+")")
	}
	return names
}

// TestKubernetesREADME runs the README's quick start with the aws CLI v2
// against `barge server --executor kubernetes` on the test cluster: the
// execution role, the Spot and on-demand compute environments, the queue,
// the definition (image busybox, as written), a job and its log; then an
// array job and an override submit, each read back with get-log-events;
// and no Pod is left behind.
func TestKubernetesREADME(t *testing.T) {
	needCLIv2(t)
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	kc := kubeCluster(t)
	b := startKubeBarge(t, "--executor", "kubernetes", "--kubeconfig", kc.Kubeconfig, "--kube-namespace", kubeNamespace)

	block := readmeBlocks(t)
	wd := t.TempDir()
	if err := os.MkdirAll(filepath.Join(wd, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(b.bin, filepath.Join(wd, "bin", "barge")); err != nil {
		t.Fatal(err)
	}
	var script []string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "export AWS_ACCESS_KEY_ID=") {
			continue
		}
		script = append(script, strings.ReplaceAll(line, "http://127.0.0.1:8420", b.ts.URL))
	}
	bin := t.TempDir()
	if err := os.Symlink("/usr/bin/aws", filepath.Join(bin, "aws")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := awscli.Client{CLI: "bash", Endpoint: b.ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		Region: "us-east-1", Home: t.TempDir()}.Command(ctx)
	cmd.Args = []string{"bash", "-euo", "pipefail", "-c", strings.Join(script, "\n")}
	cmd.Dir = wd
	for i, kv := range cmd.Env {
		if strings.HasPrefix(kv, "PATH=") {
			cmd.Env[i] = "PATH=" + bin + string(os.PathListSeparator) + kv[len("PATH="):]
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's quick start failed on Kubernetes: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"SUCCEEDED\t0", "hello", `"lastStatus": "STOPPED"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the README's quick start on Kubernetes printed:\n%s\nwant %q in it", stdout.String(), want)
		}
	}

	// An array job of 3 children and a submit with overrides, on the
	// README's queue and definition.
	arr := b.cli(t, "batch", "submit-job", "--job-name", "arr", "--job-queue", "queue", "--job-definition", "hello",
		"--array-properties", "size=3", "--container-overrides", `{"command":["sh","-c","echo child $AWS_BATCH_JOB_ARRAY_INDEX"]}`,
		"--query", "jobId", "--output", "text")
	over := b.cli(t, "batch", "submit-job", "--job-name", "over", "--job-queue", "queue", "--job-definition", "hello",
		"--container-overrides", `{"command":["sh","-c","echo $GREETING; echo to-stderr >&2; exit 3"],"environment":[{"name":"GREETING","value":"hi there"}]}`,
		"--query", "jobId", "--output", "text")
	c := b.ts.batch()
	if j := waitJob(t, c, arr, 2*time.Minute); j.Status != types.JobStatusSucceeded {
		t.Errorf("array job = %s %q, want SUCCEEDED", j.Status, aws.ToString(j.StatusReason))
	}
	for i := range 3 {
		id := fmt.Sprintf("%s:%d", arr, i)
		stream := b.cli(t, "batch", "describe-jobs", "--jobs", id, "--query", "jobs[0].container.logStreamName", "--output", "text")
		got := b.cli(t, "logs", "get-log-events", "--log-group-name", "/aws/batch/job", "--log-stream-name", stream,
			"--query", "events[].message", "--output", "text")
		if want := fmt.Sprintf("child %d", i); got != want {
			t.Errorf("log of child %d = %q, want %q", i, got, want)
		}
	}
	j := waitJob(t, c, over, time.Minute)
	if j.Status != types.JobStatusFailed || aws.ToInt32(j.Container.ExitCode) != 3 {
		t.Errorf("override job = %s exit %d, want FAILED with exit code 3", j.Status, aws.ToInt32(j.Container.ExitCode))
	}
	got := b.cli(t, "logs", "get-log-events", "--log-group-name", "/aws/batch/job", "--log-stream-name", aws.ToString(j.Container.LogStreamName),
		"--query", "events[].message", "--output", "text")
	if got != "hi there\tto-stderr" {
		t.Errorf("log of the override job = %q, want its stdout and stderr lines", got)
	}
	waitNoPods(t, kc)
}

// waitNoPods waits until no Pod of barge's is left in the test namespace.
func waitNoPods(t *testing.T, kc *kubecluster.Cluster) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := bargePods(t, kc)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pods left behind: %v", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
