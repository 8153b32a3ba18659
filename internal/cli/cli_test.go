package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The listing commands take no arguments: one given is a usage error (exit
// 2) that names the command, before anything is asked of a server.
func TestNoArgumentCommands(t *testing.T) {
	for _, cmd := range []string{"queues", "ces", "status"} {
		var stdout, stderr bytes.Buffer
		env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
		code := Run(context.Background(), []string{cmd, "extra"}, env)
		if want := "barge " + cmd + " takes no arguments"; code != ExitUsage || !strings.Contains(stderr.String(), want) {
			t.Errorf("barge %s extra = exit %d, stderr %q; want exit %d and %q", cmd, code, stderr.String(), ExitUsage, want)
		}
	}
}
