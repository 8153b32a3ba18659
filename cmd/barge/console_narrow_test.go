package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// pageErrors collects what pages log as errors in the browser's console:
// console.error calls, uncaught exceptions, and the browser's own messages
// at error level (an invalid pattern attribute, a refused script).
type pageErrors struct {
	mu   sync.Mutex
	list []string
}

func watchPageErrors(t *testing.T, ctx context.Context) *pageErrors {
	t.Helper()
	e := &pageErrors{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				msg = fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				msg = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if x := ev.ExceptionDetails.Exception; x != nil {
				msg += " " + x.Description
			}
		}
		if msg != "" {
			e.mu.Lock()
			e.list = append(e.list, msg)
			e.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// take returns the errors logged since the last call.
func (e *pageErrors) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.list
	e.list = nil
	return l
}

// narrowWidth is the window width the console must fit: a phone's.
const narrowWidth = 420

// TestConsoleNarrowInBrowser uses the console as a person with a phone
// would, in a 420 px wide window: a browser opening the server's root is
// sent to the console; an array job is submitted through the form with
// every override; a child's attempts are numbered from 1 and the first
// attempt's log is reached from its row. Every page fits the window (tables
// scroll in their own box), and none logs an error in the browser's
// console: in particular the job name's pattern compiles under the v flag
// browsers now use, and so is enforced.
func TestConsoleNarrowInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	ts := startServerWith(t, "", func(c *Config) { c.Executor = "simulate" })
	simSetup(t, ts, "sim", 4, nil)
	dir := artifactsDir(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(narrowWidth, 860)); err != nil {
		t.Fatal(err)
	}
	errs := watchPageErrors(t, ctx)

	// fits checks the page on screen: no sideways scrolling of the page,
	// no errors logged, and a screenshot for people to look at.
	fits := func(name string) {
		t.Helper()
		waitInBrowser(t, ctx, name+" to load", `document.readyState === "complete"`, 30*time.Second)
		// Let the page's script run a moment (a poll, a swap) before
		// reading what it logged; a bound, not a timed assertion.
		time.Sleep(300 * time.Millisecond)
		// The page scrolls sideways when its content is wider than the
		// window less its vertical scroll bar.
		sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.body.scrollWidth, document.documentElement.clientWidth, document.documentElement.scrollHeight]`))
		if err != nil {
			t.Fatal(err)
		}
		if width, visible := max(sizes[0], sizes[1]), sizes[2]; width > visible || visible > narrowWidth {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest(".scroll")).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id).join(", ")`))
			t.Errorf("%s is %d px wide in a %d px window showing %d px: the page scrolls sideways (too wide: %s)", name, width, narrowWidth, visible, wide)
		}
		if e := errs.take(); len(e) > 0 {
			t.Errorf("%s logged errors in the browser's console:\n%s", name, strings.Join(e, "\n"))
		}
		// The whole page in one picture, in a window as tall as the page.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(narrowWidth, int64(sizes[3]))); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, filepath.Join(dir, "console-420-"+name+".png"))
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(narrowWidth, 860)); err != nil {
			t.Fatal(err)
		}
	}

	// A browser at the root is sent to the console, which asks it to sign in.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`))); err != nil {
		t.Fatalf("opening %s/: %v", ts.URL, err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasPrefix(loc, ts.URL+"/console/signin") {
		t.Fatalf("opening the server's root in a browser ends at %s, want the console's sign-in page", loc)
	}
	fits("signin")
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#accessKeyId`), testKeyID),
		chromedp.SendKeys(chromedp.CSS(`#secretAccessKey`), testSecret),
		chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#live`)),
	)
	if err != nil {
		t.Fatalf("signing in: %v", err)
	}
	fits("dashboard")

	// The job name's pattern is enforced: a browser ignores a pattern it
	// cannot compile, so a name AWS refuses would pass.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/console/submit?queue=sim-queue"), chromedp.WaitVisible(chromedp.CSS(`#s-name`))); err != nil {
		t.Fatal(err)
	}
	fits("submit")
	for name, valid := range map[string]bool{"frames_2-b": true, "-leading-hyphen": false, "has space": false, strings.Repeat("a", 128): true} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const e = document.getElementById("s-name"); e.value = `+jsString(name)+`; return e.checkValidity(); })()`))
		if err != nil {
			t.Fatal(err)
		}
		if got != valid {
			t.Errorf("the browser finds job name %q valid = %v, want %v", name, got, valid)
		}
	}

	// A refusal comes back on the form in the API's words, with what was
	// typed still there.
	fill := func(fields map[string]string) []chromedp.Action[chromedp.Void] {
		var out []chromedp.Action[chromedp.Void]
		for id, v := range fields {
			out = append(out, chromedp.SetValue(chromedp.CSS("#"+id), v))
		}
		return out
	}
	form := map[string]string{"s-definition": "sim-def", "s-name": "frames", "s-array-size": "2", "s-vcpu": "1", "s-memory": "3000",
		"s-env":      "BARGE_SIMULATE_EXIT_CODE=1,0\nBARGE_SIMULATE_LOG=attempt ${AWS_BATCH_JOB_ATTEMPT} of child ${AWS_BATCH_JOB_ARRAY_INDEX}",
		"s-attempts": "2", "s-timeout": "600"}
	steps := append(fill(form), chromedp.Click(chromedp.CSS(`#submit`)), chromedp.WaitVisible(chromedp.CSS(`#submit-error`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("submitting with 3000 MiB: %v", err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("submit-error").textContent`))
	mem, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("s-memory").value`))
	if !strings.Contains(msg, "MEMORY must be one of 2048, 3072, 4096") || mem != "3000" {
		t.Errorf("the form says %q and holds memory %q; want the API's list of memory sizes for 1 vCPU, and 3000", msg, mem)
	}
	// The page itself answered 400, which the browser logs as a failed
	// load; anything else is an error of the page.
	var rest []string
	for _, e := range errs.take() {
		if !strings.Contains(e, "status of 400") {
			rest = append(rest, e)
		}
	}
	if len(rest) > 0 {
		t.Errorf("the refused submission logged errors:\n%s", strings.Join(rest, "\n"))
	}
	fits("submit-refused")

	// Submitted as it should be: each child fails its first attempt and
	// succeeds in its second.
	steps = append(fill(map[string]string{"s-memory": "2048"}), chromedp.Click(chromedp.CSS(`#submit`)), chromedp.WaitVisible(chromedp.CSS(`#status`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("submitting: %v", err)
	}
	waitInBrowser(t, ctx, "the array's page to show SUCCEEDED",
		`document.getElementById("status") !== null && document.getElementById("status").textContent === "SUCCEEDED" && document.querySelectorAll("#children .cell.s-SUCCEEDED").length === 2`, 60*time.Second)
	fits("array")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#children .cell`)), chromedp.WaitVisible(chromedp.CSS(`#attempts`))); err != nil {
		t.Fatalf("opening child 0: %v", err)
	}
	nums, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#attempts tbody tr td:first-child")].map(e => e.textContent).join(",")`))
	if nums != "1,2" {
		t.Errorf("the child's attempts are numbered %q, want 1,2", nums)
	}
	waitInBrowser(t, ctx, "the child's log to show its last attempt's line",
		`document.getElementById("log").textContent.includes("attempt 2 of child 0")`, 30*time.Second)
	fits("child")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#attempts a.attempt-log`)), chromedp.WaitVisible(chromedp.CSS(`#log`))); err != nil {
		t.Fatalf("opening attempt 1's log: %v", err)
	}
	waitInBrowser(t, ctx, "attempt 1's log line",
		`location.search === "?attempt=1" && document.getElementById("log").textContent.includes("attempt 1 of child 0") && !document.getElementById("log").textContent.includes("attempt 2")`, 30*time.Second)
	fits("child-attempt-1")

	for _, page := range []string{"jobs", "queues", "ces", "definitions"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/console/"+page)); err != nil {
			t.Fatal(err)
		}
		fits(page)
	}
}
