// Package cli is barge's command line for people: the client commands of the
// barge binary (barge jobs, submit, wait, queues, ces, status). It talks to a
// barge server, or to AWS Batch itself, through the aws-sdk-go-v2 clients,
// and takes credentials, region and endpoint the way the aws CLI does.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Exit statuses of the client commands. A wait that saw a job fail exits
// ExitFailed; a command the server refused (an unknown job, an invalid
// submission) also exits ExitFailed; ExitUsage is for bad arguments and for
// a server that cannot be reached or authenticated to.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// Env is what a command reads and writes besides the network: tests give
// buffers, main gives the process's own.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads barge's own variables (BARGE_*). The SDK reads the AWS_*
	// ones from the process environment itself.
	Getenv func(string) string
	// Now is the wall clock for rates and ETAs.
	Now func() time.Time
}

// IsCommand reports whether name is one of the client commands Run
// handles, for main's dispatch.
func IsCommand(name string) bool {
	switch name {
	case "jobs", "submit", "wait", "queues", "ces", "status":
		return true
	}
	return false
}

// Usage is the client commands' part of barge's help.
const Usage = `Client commands (credentials, region and endpoint as the aws CLI takes them):
  barge jobs ls [--queue Q] [--status S] [--name PREFIX] [--array ID] [--limit N]
  barge jobs describe ID
  barge jobs logs ID [-f]
  barge jobs wait ID...                 (or: barge wait ID...)
  barge jobs cancel ID --reason R
  barge jobs terminate ID --reason R
  (the aws CLI's spellings work too: --job-queue, --job-status, --array-job-id, --max-items, --jobs, --job-id)
  barge submit --job-name N --job-queue Q --job-definition D [--array-size N]
               [--parameters k=v,...] [--container-overrides JSON|shorthand]
               [--depends-on ID[:N_TO_N|SEQUENTIAL]]... [--retry-attempts N] [--timeout SECONDS]
  barge queues
  barge ces
  barge status
Common flags (before or after the command): --endpoint URL, --region R, --profile P, --output table|json
Exit status: 0 done (every job waited on SUCCEEDED), 1 a job FAILED or the server refused the request,
2 bad arguments or the server could not be reached.`

// usageError is an error in the arguments: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errJobFailed says the command ran but a job it waited for failed: exit
// 1, with nothing more to print.
var errJobFailed = errors.New("a job failed")

// Run runs the client command args (args[0] is the command) and returns the
// process's exit status.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	err := run(ctx, args, env)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errJobFailed) {
		return ExitFailed
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintln(env.Stderr, "barge:", err)
	var ue *usageError
	if errors.As(err, &ue) || isConnectionError(err) {
		return ExitUsage
	}
	return ExitFailed
}

func run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("no command\n%s", Usage)
	}
	cmd, rest := args[0], args[1:]
	if IsHelp(cmd) || cmd == "jobs" && len(rest) > 0 && IsHelp(rest[0]) {
		_, err := fmt.Fprintln(env.Stdout, Usage)
		return err
	}
	if cmd == "jobs" {
		if len(rest) == 0 {
			return usagef("barge jobs: want ls, describe, logs, wait, cancel or terminate\n%s", Usage)
		}
		cmd, rest = "jobs "+rest[0], rest[1:]
	}
	c := &command{env: env, name: cmd}
	err := c.run(ctx, cmd, rest)
	if c.clients != nil && isUnreachable(err) {
		return &unreachableError{endpoint: c.clients.endpoint, err: err}
	}
	return err
}

// IsHelp reports whether arg asks for help: help, -h, -help or --help.
func IsHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func (c *command) run(ctx context.Context, cmd string, rest []string) error {
	switch cmd {
	case "jobs ls", "jobs list":
		return c.jobsList(ctx, rest)
	case "jobs describe":
		return c.jobsDescribe(ctx, rest)
	case "jobs logs":
		return c.jobsLogs(ctx, rest)
	case "jobs wait", "wait":
		return c.wait(ctx, rest)
	case "jobs cancel":
		return c.jobsStop(ctx, rest, false)
	case "jobs terminate":
		return c.jobsStop(ctx, rest, true)
	case "submit":
		return c.submit(ctx, rest)
	case "queues":
		return c.queues(ctx, rest)
	case "ces":
		return c.ces(ctx, rest)
	case "status":
		return c.status(ctx, rest)
	}
	return usagef("unknown command %q\n%s", strings.TrimSpace(cmd), Usage)
}

// command is one run of a client command: its name, its environment, and
// the common flags once parsed.
type command struct {
	env  Env
	name string

	endpoint, region, profile, output string
	clients                           *clients
}

// flags returns a flag set for the command with the common flags.
func (c *command) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("barge "+c.name, flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	fs.StringVar(&c.endpoint, "endpoint", "", "the server's URL (default: AWS_ENDPOINT_URL[_BATCH], the profile's endpoint_url, else "+DefaultEndpoint+")")
	fs.StringVar(&c.endpoint, "endpoint-url", "", "the same as --endpoint, as the aws CLI spells it")
	fs.StringVar(&c.region, "region", "", "the region (default: AWS_REGION, the profile's region, else us-east-1)")
	fs.StringVar(&c.profile, "profile", "", "a profile of the shared AWS config files (default: AWS_PROFILE)")
	fs.StringVar(&c.output, "output", "table", "table for people, json for machines")
	return fs
}

// parse parses args with flags after or between positional arguments, as
// people type them, and returns the positional arguments.
func (c *command) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if c.output != "table" && c.output != "json" {
		return nil, usagef("--output %s: want table or json", c.output)
	}
	return pos, nil
}

func (c *command) json() bool { return c.output == "json" }
