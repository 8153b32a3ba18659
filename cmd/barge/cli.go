package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bargehq/barge/internal/cli"
)

// runClient runs a client command (barge jobs, submit, wait, ...) and
// returns its exit status, or false when args name no client command.
func runClient(args []string) (int, bool) {
	if len(args) == 0 || !cli.IsCommand(args[0]) {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, args, cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}), true
}
