// Package awscli runs the real aws CLIs against a barge server in tests:
// the CLI on PATH (v1 with the machine's botocore) and Debian's v2 at
// /usr/bin/aws, with the test's credentials and nothing of the
// developer's configuration.
package awscli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Installed returns the aws CLIs installed here, each once.
func Installed() []string {
	var clis []string
	seen := map[string]bool{}
	for _, name := range []string{"aws", "/usr/bin/aws"} {
		path, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(path); err == nil && !seen[real] {
			seen[real] = true
			clis = append(clis, path)
		}
	}
	return clis
}

// Client is how a test's CLI commands reach a server.
type Client struct {
	CLI             string // the executable
	Endpoint        string // the server's URL
	AccessKeyID     string
	SecretAccessKey string
	Region          string
	Home            string // an empty directory for the CLI's config files
}

// Command returns a command running the CLI with args against the server,
// printing JSON, with only the client's AWS settings: a developer's
// profile, session token or config file must not change what it sends.
func (c Client) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.CLI, append([]string{"--endpoint-url", c.Endpoint, "--output", "json"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_ACCESS_KEY_ID="+c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey,
		"AWS_DEFAULT_REGION="+c.Region,
		"AWS_CONFIG_FILE="+filepath.Join(c.Home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.Home, "credentials"),
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
		"PYTHONUNBUFFERED=1", // print each line as it comes
	)
	return cmd
}
