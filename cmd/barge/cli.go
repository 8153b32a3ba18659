package main

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/bargehq/barge/internal/cli"
)

// runClient runs a client command (barge jobs, submit, wait, ...) and
// returns its exit status, or false when args name no client command.
func runClient(args []string) (int, bool) {
	args = commandFirst(args)
	if len(args) == 0 || !cli.IsCommand(args[0]) {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, args, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}), true
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
