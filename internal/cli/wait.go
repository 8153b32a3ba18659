package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"golang.org/x/term"
)

// progress is where a set of waited-on jobs stands: an array job counts
// as its children (from its statusSummary), a plain job as one.
type progress struct {
	total, succeeded, failed, running, waiting int
}

func (p progress) finished() int { return p.succeeded + p.failed }

func (p progress) String() string {
	s := fmt.Sprintf("%d/%d succeeded", p.succeeded, p.total)
	if p.failed > 0 {
		s += fmt.Sprintf(", %d failed", p.failed)
	}
	return s + fmt.Sprintf(", %d running, %d waiting", p.running, p.waiting)
}

// isArrayParent reports whether j is the parent of an array job (its
// children have an index instead).
func isArrayParent(j types.JobDetail) bool {
	a := j.ArrayProperties
	return a != nil && a.Size != nil && a.Index == nil
}

// measure counts where jobs stand. Done is true once every job has ended.
func measure(jobs []types.JobDetail) (p progress, done bool) {
	done = true
	for _, j := range jobs {
		ended := j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed
		done = done && ended
		if isArrayParent(j) {
			a := j.ArrayProperties
			n := int(*a.Size)
			p.total += n
			ok, failed, running := int(a.StatusSummary["SUCCEEDED"]), int(a.StatusSummary["FAILED"]), int(a.StatusSummary["STARTING"]+a.StatusSummary["RUNNING"])
			if ended && ok+failed < n {
				// The parent has ended though its summary lags: every
				// child has ended, as the parent's status says.
				if j.Status == types.JobStatusSucceeded {
					ok = n - failed
				} else {
					failed = n - ok
				}
				running = 0
			}
			p.succeeded += ok
			p.failed += failed
			p.running += running
			p.waiting += max(0, n-ok-failed-running)
			continue
		}
		p.total++
		switch j.Status {
		case types.JobStatusSucceeded:
			p.succeeded++
		case types.JobStatusFailed:
			p.failed++
		case types.JobStatusStarting, types.JobStatusRunning:
			p.running++
		default:
			p.waiting++
		}
	}
	return p, done
}

// wait polls DescribeJobs until every job given has ended, showing
// progress: a bar redrawn in place on a terminal, a line on each change
// otherwise. It fails (exit 1) if any job failed.
func (c *command) wait(ctx context.Context, args []string) error {
	fs := c.flags()
	interval := fs.Duration("interval", 2*time.Second, "how often to ask for the jobs' status")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("usage: barge wait ID...")
	}
	if *interval <= 0 {
		return usagef("--interval %s: want a positive duration", *interval)
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	out := c.env.Stdout
	tty, width := isTerminal(out)
	show := c.output != "json"
	start := c.env.Now()
	var first *progress // where the jobs stood when the wait began: the rate counts from it
	var last string
	lastPrint := start
	var jobs []types.JobDetail
	for {
		jobs, err = describeJobs(ctx, cl.batch, pos)
		if err != nil {
			if tty && show && last != "" {
				fmt.Fprintln(out)
			}
			return err
		}
		p, done := measure(jobs)
		if first == nil {
			first = &p
		}
		now := c.env.Now()
		line := p.String() + rateETA(*first, p, now.Sub(start), done)
		switch {
		case !show:
		case tty:
			fmt.Fprintf(out, "\r\x1b[K%s", bar(p, line, width))
		case line != last && (p.String() != strings.SplitN(last, " (", 2)[0] || now.Sub(lastPrint) >= 10*time.Second || done):
			// Plain lines: on a change of the counts, and every ten
			// seconds while the rate and ETA alone change.
			fmt.Fprintln(out, line)
			lastPrint = now
		}
		last = line
		if done {
			if tty && show {
				fmt.Fprintln(out)
			}
			return c.waitSummary(jobs, p, now.Sub(start))
		}
		select {
		case <-ctx.Done():
			if tty && show {
				fmt.Fprintln(out)
			}
			return ctx.Err()
		case <-time.After(*interval):
		}
	}
}

// rateETA formats the rate at which jobs end and when the rest will have,
// from where they stood at the start of the wait.
func rateETA(first, p progress, elapsed time.Duration, done bool) string {
	n := p.finished() - first.finished()
	if elapsed <= 0 || n <= 0 {
		if done {
			return ""
		}
		return " (ETA -)"
	}
	rate := float64(n) / elapsed.Seconds()
	if done {
		return fmt.Sprintf(" (%.1f/s)", rate)
	}
	eta := time.Duration(float64(p.total-p.finished()) / rate * float64(time.Second))
	return fmt.Sprintf(" (%.1f/s, ETA %s)", rate, duration(eta))
}

// bar draws a progress bar of width columns before the counts: '#' for
// jobs that succeeded, 'x' failed, '>' running, '.' waiting.
func bar(p progress, text string, width int) string {
	cells := width - len(text) - 3
	cells = min(cells, 40)
	if cells < 10 || p.total == 0 {
		return text
	}
	part := func(n int) int { return n * cells / p.total }
	ok, failed, running := part(p.succeeded), part(p.failed), part(p.running)
	if ok+failed+running > cells {
		running = cells - ok - failed
	}
	return "[" + strings.Repeat("#", ok) + strings.Repeat("x", failed) + strings.Repeat(">", running) +
		strings.Repeat(".", cells-ok-failed-running) + "] " + text
}

// waitSummary prints how the jobs ended and returns errJobFailed if any
// failed.
func (c *command) waitSummary(jobs []types.JobDetail, p progress, took time.Duration) error {
	if c.json() {
		type ended struct {
			JobID        string `json:"jobId"`
			JobName      string `json:"jobName"`
			Status       string `json:"status"`
			StatusReason string `json:"statusReason,omitempty"`
			ArraySize    int32  `json:"arraySize,omitempty"`
			Succeeded    int    `json:"succeeded"`
			Failed       int    `json:"failed"`
		}
		var list []ended
		for _, j := range jobs {
			jp, _ := measure([]types.JobDetail{j})
			e := ended{JobID: aws.ToString(j.JobId), JobName: aws.ToString(j.JobName), Status: string(j.Status),
				StatusReason: aws.ToString(j.StatusReason), Succeeded: jp.succeeded, Failed: jp.failed}
			if isArrayParent(j) {
				e.ArraySize = *j.ArrayProperties.Size
			}
			list = append(list, e)
		}
		printJSON(c.env.Stdout, map[string]any{"jobs": list, "succeeded": p.succeeded, "failed": p.failed, "seconds": took.Seconds()})
	} else {
		fmt.Fprintf(c.env.Stdout, "done in %s: %d succeeded, %d failed\n", duration(took), p.succeeded, p.failed)
		for _, j := range jobs {
			if j.Status != types.JobStatusFailed {
				continue
			}
			id := aws.ToString(j.JobId)
			if isArrayParent(j) {
				jp, _ := measure([]types.JobDetail{j})
				fmt.Fprintf(c.env.Stdout, "FAILED %s (%s): %d of %d children failed; barge jobs ls --array %s --status FAILED\n",
					id, aws.ToString(j.JobName), jp.failed, jp.total, id)
				continue
			}
			fmt.Fprintf(c.env.Stdout, "FAILED %s (%s): %s\n", id, aws.ToString(j.JobName), aws.ToString(j.StatusReason))
		}
	}
	if p.failed > 0 {
		return errJobFailed
	}
	return nil
}

// isTerminal reports whether w is a terminal, and its width.
func isTerminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		width = 80
	}
	return true, width
}
