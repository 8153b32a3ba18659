package logs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge/internal/awscli"

	"github.com/bargehq/barge"
)

// cliCommand returns a command running the aws CLI against e.
func (e *env) cliCommand(ctx context.Context, cli string, args ...string) *exec.Cmd {
	return awscli.Client{CLI: cli, Endpoint: e.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		Region: testRegion, Home: e.t.TempDir()}.Command(ctx, args...)
}

// TestAWSCLI reads events back with each aws CLI installed, a smoke test
// that botocore's signing and parsing agree with barge's.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s")
	now := time.Now().UnixMilli()
	e.put("g", "s", event(now-2, "hello"), event(now-1, "world"))
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			var out bytes.Buffer
			cmd := e.cliCommand(t.Context(), cli, "logs", "get-log-events", "--log-group-name", "g", "--log-stream-name", "s", "--start-from-head")
			cmd.Stdout = &out
			cmd.Stderr = &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("aws logs get-log-events: %v\n%s", err, out.Bytes())
			}
			var res struct {
				Events []struct {
					Message string `json:"message"`
				} `json:"events"`
				NextForwardToken string `json:"nextForwardToken"`
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Events) != 2 || res.Events[1].Message != "world" || res.NextForwardToken == "" {
				t.Errorf("aws logs get-log-events printed %s (%v), want hello and world and a token", out.Bytes(), err)
			}
			out.Reset()
			cmd = e.cliCommand(t.Context(), cli, "logs", "describe-log-groups", "--log-group-name-prefix", "nope-")
			cmd.Stdout = &out
			cmd.Stderr = &out
			if err := cmd.Run(); err != nil || !bytes.Contains(out.Bytes(), []byte(`"logGroups": []`)) {
				t.Errorf("aws logs describe-log-groups: %v\n%s", err, out.Bytes())
			}
			out.Reset()
			cmd = e.cliCommand(t.Context(), cli, "logs", "create-log-group", "--log-group-name", "g")
			cmd.Stdout = &out
			cmd.Stderr = &out
			if err := cmd.Run(); err == nil || !bytes.Contains(out.Bytes(), []byte("(ResourceAlreadyExistsException)")) {
				t.Errorf("aws logs create-log-group of an existing group: %v\n%s, want a ResourceAlreadyExistsException", err, out.Bytes())
			}
		})
	}
}

// tailCLI returns an installed aws CLI that has `logs tail` (a v2 command),
// or "".
func tailCLI() string {
	for _, cli := range awscli.Installed() {
		// Without a group name, v2 says the argument is required; v1 says
		// tail is not a command.
		out, _ := exec.Command(cli, "logs", "tail").CombinedOutput()
		if bytes.Contains(out, []byte("group_name")) {
			return cli
		}
	}
	return ""
}

// TestAWSLogsTailFollow runs `aws logs tail GROUP --follow` against the
// server while the runner appends events: the lines already there and those
// appended while it follows appear, each once.
func TestAWSLogsTailFollow(t *testing.T) {
	t.Parallel()
	cli := tailCLI()
	if cli == "" {
		t.Skip("no aws CLI with `logs tail` (a v2 command) installed")
	}
	e := newEnv(t)
	const group = "/aws/batch/job"
	if err := e.svc.EnsureStream(ctx0, group, "job/default/1", true); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EnsureStream(ctx0, group, "job/default/2", true); err != nil {
		t.Fatal(err)
	}
	appendLines := func(stream, prefix string, n int) {
		t.Helper()
		events := make([]barge.LogLine, n)
		now := time.Now().UnixMilli()
		for i := range events {
			events[i] = line(now, fmt.Sprintf("%s %d", prefix, i))
		}
		if err := e.svc.Append(ctx0, group, stream, events); err != nil {
			t.Fatal(err)
		}
	}
	appendLines("job/default/1", "before", 3)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := e.cliCommand(ctx, cli, "logs", "tail", group, "--follow", "--since", "5m")
	// Stop it as a user does, with Ctrl-C, which it handles by exiting.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	// seen counts the lines printed, by stream and message (the detailed
	// format is time, stream, message).
	seen := map[string]int{}
	count := func(line string) {
		if f := strings.SplitN(line, " ", 3); len(f) == 3 {
			seen[f[1]+" "+f[2]]++
		}
	}
	// await reads lines until every one of want has appeared.
	await := func(want ...string) {
		t.Helper()
		for {
			missing := 0
			for _, w := range want {
				if seen[w] == 0 {
					missing++
				}
			}
			if missing == 0 {
				return
			}
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("aws logs tail ended before printing %q; it printed %v\nstderr: %s", want, seen, stderr.Bytes())
				}
				count(line)
			case <-ctx.Done():
				t.Fatalf("aws logs tail did not print %q in time; it printed %v\nstderr: %s", want, seen, stderr.Bytes())
			}
		}
	}
	await("job/default/1 before 0", "job/default/1 before 1", "job/default/1 before 2")
	appendLines("job/default/2", "after", 2)
	appendLines("job/default/1", "later", 1)
	await("job/default/2 after 0", "job/default/2 after 1", "job/default/1 later 0")

	// A last poll, and the tail must print nothing again.
	appendLines("job/default/2", "last", 1)
	await("job/default/2 last 0")
	cancel()
	for line := range lines {
		count(line)
	}
	cmd.Wait()
	for line, n := range seen {
		if n != 1 {
			t.Errorf("aws logs tail printed %q %d times, want once", line, n)
		}
	}
}
