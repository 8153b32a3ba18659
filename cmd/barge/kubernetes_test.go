package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/bargehq/barge/internal/awscli"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
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

// kubeCluster returns the test cluster, starting it the first time; it
// skips the test where none can run (not root, or no cached binaries).
func kubeCluster(t *testing.T) *kubecluster.Cluster {
	t.Helper()
	if err := kubecluster.Available(); err != nil {
		t.Skipf("no Kubernetes test cluster: %v", err)
	}
	kubeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute) // waiting for another test's cluster to end included
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
func bargePods(t *testing.T, c *kubecluster.Cluster, ns string) []string {
	t.Helper()
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "barge/managed=true"})
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
	// Written at once to two pipes, the two lines may be stored in either
	// order.
	lines := strings.Split(got, "\t")
	slices.Sort(lines)
	if !slices.Equal(lines, []string{"hi there", "to-stderr"}) {
		t.Errorf("log of the override job = %q, want its stdout and stderr lines", got)
	}
	waitNoPods(t, kc)
}

// waitNoPods waits until no Pod of barge's is left in the test namespace.
func waitNoPods(t *testing.T, kc *kubecluster.Cluster) {
	t.Helper()
	waitNoPodsIn(t, kc, kubeNamespace)
}

// waitNoPodsIn waits until no Pod of barge's is left in namespace ns.
func waitNoPodsIn(t *testing.T, kc *kubecluster.Cluster, ns string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := bargePods(t, kc, ns)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Pods left behind: %v", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// secondContext writes a kubeconfig of the test cluster with a second
// context, "second", whose namespace is ns (created here), and returns its
// path.
func secondContext(t *testing.T, kc *kubecluster.Cluster, ns string) string {
	t.Helper()
	raw, err := clientcmd.LoadFromFile(kc.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	second := *raw.Contexts[raw.CurrentContext]
	second.Namespace = ns
	raw.Contexts["second"] = &second
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*raw, path); err != nil {
		t.Fatal(err)
	}
	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return path
}

// createTaggedCE creates a Fargate compute environment with tags.
func createTaggedCE(t *testing.T, c *batch.Client, name string, crType types.CRType, maxvCpus int32, tags map[string]string) {
	t.Helper()
	_, err := c.CreateComputeEnvironment(context.Background(), &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(name),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type: crType, MaxvCpus: aws.Int32(maxvCpus),
			Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
		Tags: tags,
	})
	if err != nil {
		t.Fatalf("CreateComputeEnvironment(%s) = %v", name, err)
	}
}

// kubeJobLog returns the lines of a job's log stream.
func kubeJobLog(t *testing.T, ts *testServer, c *batch.Client, id string) []string {
	t.Helper()
	return logLines(t, ts, "/aws/batch/job", aws.ToString(describeJob(t, c, id).Container.LogStreamName))
}

// TestKubernetesBesideProcess runs a server whose default executor runs
// host processes, with compute environments tagged to run on Kubernetes:
// on a second context of the kubeconfig and its namespace, beside a
// simulated one in the same queue, and ones whose cluster is misconfigured
// (an unknown context, a missing namespace), whose statusReason says so
// while their jobs wait RUNNABLE. On the cluster: OOM, exit codes,
// terminate-job and a timeout end as AWS reports them. Then barge is killed
// with SIGKILL while jobs run, and restarted: it adopts their Pods, records
// the one that ended meanwhile, runs nothing twice, loses no log line, and
// leaves no Pod behind.
func TestKubernetesBesideProcess(t *testing.T) {
	kc := kubeCluster(t)
	const ns2 = "barge-e2e-2"
	kubeconfig := secondContext(t, kc, ns2)
	b := startKubeBarge(t, "--executor", "process", "--kubeconfig", kubeconfig)
	c := b.ts.batch()
	ctx := context.Background()

	kube := map[string]string{"barge:executor": "kubernetes", "barge:kube-context": "second"}
	createTaggedCE(t, c, "kube", types.CRTypeFargate, 1, kube)
	createTaggedCE(t, c, "kube-spot", types.CRTypeFargateSpot, 16, kube)
	createTaggedCE(t, c, "sim", types.CRTypeFargate, 16, map[string]string{"barge:executor": "simulate"})
	createTaggedCE(t, c, "nocontext", types.CRTypeFargate, 16, map[string]string{"barge:executor": "kubernetes", "barge:kube-context": "nope"})
	createTaggedCE(t, c, "nonamespace", types.CRTypeFargate, 16, map[string]string{"barge:executor": "kubernetes", "barge:kube-namespace": "missing"})
	for _, ce := range []string{"kube", "kube-spot", "sim", "nocontext", "nonamespace"} {
		waitCEStatus(t, c, ce, types.CEStatusValid)
	}
	createQueue(t, c, "mixed", "kube", "sim")
	createQueue(t, c, "spot", "kube-spot")
	createQueue(t, c, "broken", "nocontext", "nonamespace")

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := b.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn = aws.String("busybox"), role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	job := func(name, queue, script string, edit func(*batch.SubmitJobInput)) string {
		in := &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String(queue), JobDefinition: aws.String("d"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script},
				Environment: []types.KeyValuePair{{Name: aws.String("BARGE_SIMULATE_LOG"), Value: aws.String("simulated")},
					{Name: aws.String("BARGE_SIMULATE_DURATION"), Value: aws.String("1s")}}}}
		if edit != nil {
			edit(in)
		}
		return submit(t, c, in)
	}
	const stoppable = `trap 'echo got-term; exit 143' TERM; echo started; while true; do sleep 1; done`

	// A timeout first: it takes AWS's minimum of 60 seconds.
	timeout := job("timeout", "spot", stoppable, func(in *batch.SubmitJobInput) {
		in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(60)}
	})

	// One queue, a Kubernetes compute environment with room for one job
	// and a simulated one with room for both: two jobs at once run one on
	// each. They are submitted while barge still connects to the second
	// context (the first job above asked for it): they wait for it rather
	// than both go to the simulated one.
	whole := func(in *batch.SubmitJobInput) {
		in.ContainerOverrides.ResourceRequirements = []types.ResourceRequirement{
			{Type: types.ResourceTypeVcpu, Value: aws.String("1")}, {Type: types.ResourceTypeMemory, Value: aws.String("2048")}}
	}
	sideBySide := []string{
		job("side-1", "mixed", "echo ran-on-$HOSTNAME; sleep 3", whole),
		job("side-2", "mixed", "echo ran-on-$HOSTNAME; sleep 3", whole),
	}
	var ranOn []string
	for _, id := range sideBySide {
		if j := waitJob(t, c, id, 2*time.Minute); j.Status != types.JobStatusSucceeded {
			t.Fatalf("job %s = %s %q, want SUCCEEDED", aws.ToString(j.JobName), j.Status, aws.ToString(j.StatusReason))
		}
		ranOn = append(ranOn, strings.Join(kubeJobLog(t, b.ts, c, id), " "))
	}
	slices.Sort(ranOn)
	if len(ranOn) != 2 || !strings.HasPrefix(ranOn[0], "ran-on-barge-") || ranOn[1] != "simulated" {
		t.Errorf("logs of two jobs of one queue over a Kubernetes and a simulated compute environment = %q, want one of each (a Pod's hostname is barge-<task>)", ranOn)
	}

	// Outcomes on the cluster.
	oom := job("oom", "spot", `x=$(head -c 3000000000 /dev/zero | tr '\0' x); echo survived`, nil)
	exit := job("exit", "spot", "echo bye; exit 7", nil)
	term := job("term", "spot", stoppable, nil)
	waitStatus(t, c, term, types.JobStatusRunning)
	waitLogLine(t, b.ts, c, term, "started")
	if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(term), Reason: aws.String("enough")}); err != nil {
		t.Fatal(err)
	}
	if j := waitJob(t, c, oom, 2*time.Minute); j.Status != types.JobStatusFailed || aws.ToString(j.Container.Reason) != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("OOM job = %s, container reason %q, want FAILED with OutOfMemoryError", j.Status, aws.ToString(j.Container.Reason))
	}
	if j := waitJob(t, c, exit, time.Minute); j.Status != types.JobStatusFailed || aws.ToInt32(j.Container.ExitCode) != 7 {
		t.Errorf("exit job = %s exit %d, want FAILED with 7", j.Status, aws.ToInt32(j.Container.ExitCode))
	}
	if j := waitJob(t, c, term, time.Minute); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "enough" || aws.ToInt32(j.Container.ExitCode) != 143 {
		t.Errorf("terminated job = %s %q exit %d, want FAILED \"enough\" with 143", j.Status, aws.ToString(j.StatusReason), aws.ToInt32(j.Container.ExitCode))
	}
	if got := kubeJobLog(t, b.ts, c, term); strings.Join(got, " ") != "started got-term" {
		t.Errorf("log of the terminated job = %q, want started and got-term (SIGTERM first)", got)
	}
	if j := waitJob(t, c, timeout, 3*time.Minute); j.Status != types.JobStatusFailed || aws.ToString(j.Attempts[0].StatusReason) != "Job attempt duration exceeded timeout" {
		t.Errorf("timed-out job = %s, attempt reason %q, want FAILED by its timeout", j.Status, aws.ToString(j.Attempts[0].StatusReason))
	}

	// Misconfigured clusters: the compute environments say why, their
	// jobs wait.
	broken := job("broken", "broken", "echo never", nil)
	for ce, want := range map[string]string{"nocontext": `no context "nope"`, "nonamespace": "namespace missing does not exist"} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			got := aws.ToString(waitCEStatus(t, c, ce, types.CEStatusValid).StatusReason)
			if strings.Contains(got, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("statusReason of %s = %q, want it to say %q", ce, got, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// kill -9 while jobs run on the second context.
	long := job("long", "spot", "for i in 1 2 3 4 5 6 7 8; do echo line-$i; sleep 1; done", nil)
	short := job("short", "spot", "echo short-start; sleep 2; echo short-end", nil)
	waitLogLine(t, b.ts, c, long, "line-2")
	waitLogLine(t, b.ts, c, short, "short-start")
	b.kill()
	time.Sleep(3 * time.Second) // the short job ends while barge is down
	b.start(t)
	restarted := time.Now()
	c = b.ts.batch()
	want := map[string]string{long: "line-1 line-2 line-3 line-4 line-5 line-6 line-7 line-8", short: "short-start short-end"}
	for id, lines := range want {
		j := waitJob(t, c, id, 2*time.Minute)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
			t.Errorf("job %s after kill -9 = %s with %d attempts, want SUCCEEDED once", aws.ToString(j.JobName), j.Status, len(j.Attempts))
		}
		t.Logf("%s ended %v after the restart", aws.ToString(j.JobName), time.UnixMilli(aws.ToInt64(j.StoppedAt)).Sub(restarted))
		if got := strings.Join(kubeJobLog(t, b.ts, c, id), " "); got != lines {
			t.Errorf("log of %s after kill -9 = %q, want %q (every line once)", aws.ToString(j.JobName), got, lines)
		}
	}
	if j := describeJob(t, c, broken); j.Status != types.JobStatusRunnable ||
		!strings.Contains(aws.ToString(j.StatusReason), "compute environment nocontext: barge cannot run tasks on its Kubernetes cluster") {
		t.Errorf("job on misconfigured clusters = %s %q, want RUNNABLE with the reason", j.Status, aws.ToString(j.StatusReason))
	}
	t.Logf("jobs checked %v after the restart", time.Since(restarted))
	waitNoPodsIn(t, kc, ns2)
}
