package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge/internal/awscli"
)

// readmeBlocks returns the shell blocks of README.md that follow the
// marker comment "TestREADME runs the next block.", in order, as one script.
func readmeBlocks(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- TestREADME runs the next block. -->\n```sh\n"
	var blocks []string
	for rest := string(b); ; {
		_, after, ok := strings.Cut(rest, marker)
		if !ok {
			break
		}
		block, next, closed := strings.Cut(after, "\n```\n")
		if !closed {
			t.Fatal("README.md has a block marked for TestREADME that does not end")
		}
		blocks = append(blocks, block)
		rest = next
	}
	if len(blocks) == 0 {
		t.Fatal("README.md has no block marked for TestREADME")
	}
	return strings.Join(blocks, "\n")
}

// TestREADME runs the README's quick start as written, with each aws CLI
// installed here, against a fresh server on which jobs run as host
// processes: the block must work in the order written, from creating the
// execution role to reading the job's output. Only what cannot be the same
// here changes: the server's address, the credentials (set in the
// environment instead of the placeholder export), and, for the aws CLI v1,
// the lines the README says need v2.
func TestREADME(t *testing.T) {
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	block := readmeBlocks(t)
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "bin", "barge"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			ts := startServerWith(t, "", func(c *Config) { c.Executor = "process" })
			wd := t.TempDir() // the README's working directory, with bin/barge
			if err := os.Symlink(filepath.Join(dir, "bin"), filepath.Join(wd, "bin")); err != nil {
				t.Fatal(err)
			}
			version, _ := exec.Command(cli, "--version").CombinedOutput()
			v2 := bytes.HasPrefix(version, []byte("aws-cli/2."))
			var script []string
			for _, line := range strings.Split(block, "\n") {
				switch {
				case strings.HasPrefix(line, "export AWS_ACCESS_KEY_ID="):
					continue
				case !v2 && strings.Contains(line, "needs the aws CLI v2"):
					continue
				}
				script = append(script, strings.ReplaceAll(line, "http://127.0.0.1:8420", ts.URL))
			}
			// aws is the CLI under test, whichever is first on PATH.
			bin := t.TempDir()
			if err := os.Symlink(cli, filepath.Join(bin, "aws")); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := awscli.Client{CLI: "bash", Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
				Region: "us-east-1", Home: t.TempDir()}.Command(ctx)
			// Command runs the CLI with its endpoint and output flags;
			// here it runs bash with the script, in the CLI's environment.
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
				t.Fatalf("the README's quick start failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{"arn:aws:iam::123456789012:root", "SUCCEEDED\t0", "hello", `"lastStatus": "STOPPED"`} {
				if !strings.Contains(out, want) {
					t.Errorf("the README's quick start printed:\n%s\nwant %q in it", out, want)
				}
			}
		})
	}
}
