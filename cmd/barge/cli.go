package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/bargehq/barge/internal/cli"
)

// usage is barge's help: barge --help, -h or help.
var usage = `barge is serverless batch on your own machines, speaking the AWS Batch API.

Server:
  barge server [--listen 127.0.0.1:8420] [--data DIR] [--region us-east-1] [--account-id 123456789012]
               [--executor auto|docker|process|kubernetes|simulate]   (barge server -h lists every flag)
  barge version

` + cli.Usage + `

The aws CLI and the AWS SDKs work too, with --endpoint-url http://127.0.0.1:8420.
More: README.md and docs/CLI.md.
`

// runClient runs a client command (barge jobs, submit, wait, ...) and
// returns its exit status, or false when args name no client command.
func runClient(args []string) (int, bool) {
	return runClientTo(args, os.Stdout, os.Stderr)
}

// runClientTo is runClient printing to stdout and stderr.
func runClientTo(args []string, stdout, stderr io.Writer) (int, bool) {
	if len(args) > 0 && cli.IsHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		return 0, true
	}
	args = commandFirst(args)
	if len(args) == 0 || !cli.IsCommand(args[0]) {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, args, cli.Env{Stdout: stdout, Stderr: stderr}), true
}

// commandFirst moves flags given before the command after it, as the aws CLI
// takes them: `barge --endpoint URL jobs ls` is `barge jobs ls --endpoint
// URL`. A flag's value is never a command's name, so the command is the
// first argument that names one.
func commandFirst(args []string) []string {
	for i, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if cli.IsCommand(a) || a == "server" || a == "version" {
			if i == 0 {
				return args
			}
			return slices.Concat([]string{a}, args[i+1:], args[:i])
		}
	}
	return args
}
