package simulate

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// The settings of a simulated task: environment variables of its container,
// set in the job definition's containerProperties.environment and
// overridden at submit time through containerOverrides.environment. An
// empty value is the same as no value. docs/SIMULATE.md documents them.
const (
	// EnvDuration is the task's run time: a Go duration (90s, 1m30s,
	// 250ms) or a number of seconds (90, 0.25). Default 0: it ends at once.
	EnvDuration = "BARGE_SIMULATE_DURATION"
	// EnvExitCode is the task's exit code, 0 to 255 (default 0); a
	// comma-separated list gives one per attempt, the last one serving the
	// attempts after it ("1,0": the first attempt fails, the next succeed).
	EnvExitCode = "BARGE_SIMULATE_EXIT_CODE"
	// EnvLog is what the task writes to stdout, one line per line of the
	// value, spread evenly over its run time (line k of n at
	// start + k*duration/n). ${NAME} is replaced by the task's environment
	// variable NAME, such as ${AWS_BATCH_JOB_ARRAY_INDEX}.
	EnvLog = "BARGE_SIMULATE_LOG"
	// EnvStderr is what the task writes to stderr, as EnvLog.
	EnvStderr = "BARGE_SIMULATE_STDERR"
	// EnvOutOfMemory, when true, has the task killed for its memory at the
	// end of its run time: exit code 137 and the OutOfMemoryError reason,
	// whatever EnvExitCode says.
	EnvOutOfMemory = "BARGE_SIMULATE_OUT_OF_MEMORY"
	// EnvSigterm is what the task does on SIGTERM (Stop, and so
	// TerminateJob, timeouts and Spot interruptions): "exit" (the default)
	// ends it at once, with EnvSigtermExitCode; "ignore" lets it run on
	// until its end or SIGKILL at the end of the grace period (exit 137).
	EnvSigterm = "BARGE_SIMULATE_SIGTERM"
	// EnvSigtermExitCode is the exit code of a task that SIGTERM ends;
	// default 143 (128+15), as a process that does not trap the signal.
	EnvSigtermExitCode = "BARGE_SIMULATE_SIGTERM_EXIT_CODE"
	// EnvSigtermLog is what the task writes to stdout when SIGTERM comes,
	// as EnvLog.
	EnvSigtermLog = "BARGE_SIMULATE_SIGTERM_LOG"
	// EnvStartError makes Start fail with this container reason, as a
	// task that never ran (e.g. "CannotPullContainerError: pull access
	// denied"); the job's attempt fails with "Task failed to start".
	EnvStartError = "BARGE_SIMULATE_START_ERROR"

	envPrefix = "BARGE_SIMULATE_"
)

var settingNames = []string{EnvDuration, EnvExitCode, EnvLog, EnvStderr, EnvOutOfMemory, EnvSigterm, EnvSigtermExitCode, EnvSigtermLog, EnvStartError}

// Exit codes and reasons a simulated task ends with, as a container's.
const (
	exitSIGTERM       = 143 // 128+15
	exitSIGKILL       = 137 // 128+9
	ReasonOutOfMemory = barge.ReasonOutOfMemory
)

// plan is what a simulated task does, read from its settings when it
// starts and kept with it.
type plan struct {
	Duration        time.Duration `json:"duration,omitempty"`
	ExitCode        int           `json:"exitCode,omitempty"`
	OutOfMemory     bool          `json:"outOfMemory,omitempty"`
	Stdout          []string      `json:"stdout,omitempty"`
	Stderr          []string      `json:"stderr,omitempty"`
	IgnoreSigterm   bool          `json:"ignoreSigterm,omitempty"`
	SigtermExitCode int           `json:"sigtermExitCode"`
	SigtermLog      []string      `json:"sigtermLog,omitempty"`
}

// settingError is a setting barge cannot use: the task's fault, a
// CannotStartContainerError.
func settingError(name, value, want string) *barge.TaskError {
	if len(value) > 40 {
		value = value[:40] + "..."
	}
	return barge.TaskFailed(barge.CannotStartContainerError, "%s=%q: %s", name, value, want)
}

// startError is the failure EnvStartError asks Start to fail with: its kind
// is what precedes the first ": " of the reason (CannotStartContainerError
// when nothing does), its detail what follows.
func startError(reason string) *barge.TaskError {
	kind, detail, ok := strings.Cut(reason, ": ")
	if !ok || kind == "" || strings.ContainsAny(kind, " \t") {
		return barge.TaskFailed(barge.CannotStartContainerError, "%s", reason)
	}
	return barge.TaskFailed(barge.TaskErrorKind(kind), "%s", detail)
}

// parsePlan reads the settings in env for the given attempt (1-based).
// An invalid setting, or EnvStartError, is an error whose message is the
// container reason.
func parsePlan(env map[string]string, attempt int) (plan, error) {
	p := plan{SigtermExitCode: exitSIGTERM}
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	slices.Sort(names) // the first bad setting is always the same one
	for _, name := range names {
		v := env[name]
		if !strings.HasPrefix(name, envPrefix) || v == "" {
			continue
		}
		var err error
		switch name {
		case EnvDuration:
			p.Duration, err = parseDuration(name, v)
		case EnvExitCode:
			p.ExitCode, err = parseExitCodes(name, v, attempt)
		case EnvLog:
			p.Stdout = lines(v, env)
		case EnvStderr:
			p.Stderr = lines(v, env)
		case EnvOutOfMemory:
			if p.OutOfMemory, err = strconv.ParseBool(v); err != nil {
				err = settingError(name, v, "want true or false")
			}
		case EnvSigterm:
			switch v {
			case "exit":
			case "ignore":
				p.IgnoreSigterm = true
			default:
				err = settingError(name, v, "want exit or ignore")
			}
		case EnvSigtermExitCode:
			p.SigtermExitCode, err = parseExitCode(name, v)
		case EnvSigtermLog:
			p.SigtermLog = lines(v, env)
		case EnvStartError:
			err = startError(v)
		default:
			err = barge.TaskFailed(barge.CannotStartContainerError, "%s is not a simulate setting; the settings are %s", name, strings.Join(settingNames, ", "))
		}
		if err != nil {
			return plan{}, err
		}
	}
	return p, nil
}

// secondsRE is a plain number of seconds.
var secondsRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

func parseDuration(name, v string) (time.Duration, error) {
	bad := settingError(name, v, "want a duration such as 90s, 1m30s or 250ms, or a number of seconds")
	if secondsRE.MatchString(v) {
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || s*1e9 >= math.MaxInt64 {
			return 0, bad
		}
		return time.Duration(math.Round(s * 1e9)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

func parseExitCode(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 255 {
		return 0, settingError(name, v, "want an exit code from 0 to 255")
	}
	return n, nil
}

// parseExitCodes reads an exit code, or a list of them by attempt.
func parseExitCodes(name, v string, attempt int) (int, error) {
	codes := strings.Split(v, ",")
	for _, c := range codes {
		if _, err := parseExitCode(name, c); err != nil {
			return 0, settingError(name, v, "want an exit code from 0 to 255, or a comma-separated list of them by attempt")
		}
	}
	i := min(max(attempt, 1), len(codes)) - 1
	return parseExitCode(name, codes[i])
}

// varRE is a reference to an environment variable in a log line.
var varRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// lines splits v into lines (a final newline ends the last line rather than
// starting another) and expands ${NAME} with env.
func lines(v string, env map[string]string) []string {
	out := strings.Split(strings.TrimSuffix(v, "\n"), "\n")
	for i, l := range out {
		l = strings.TrimSuffix(l, "\r")
		out[i] = varRE.ReplaceAllStringFunc(l, func(ref string) string { return env[ref[2:len(ref)-1]] })
	}
	return out
}
