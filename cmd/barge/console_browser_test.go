package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium or Chrome binary, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactsDir is where the browser test saves its screenshots:
// $BARGE_ARTIFACTS when set (CI uploads it), a test directory otherwise.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("BARGE_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("console screenshots go to %s", dir)
	return dir
}

// newBrowser starts headless Chromium with a fresh profile and the flags
// that work in a container without a GPU, a sandbox or the network.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no chromium found (apt-get install chromium): the browser test of the console is skipped")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// Start the browser now, so a browser that cannot start says so here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// waitInBrowser evaluates a JavaScript condition until it is true, across the
// page's own reloads, for at most limit (a bound on a hung test, not a
// timed assertion).
func waitInBrowser(t *testing.T, ctx context.Context, what, js string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("waiting for %s: not reached (last error %v); the page says:\n%s", what, err, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s", path)
}

// TestConsoleInBrowser drives the console in a real browser: sign in, submit
// a simulated job from its definition, watch it reach SUCCEEDED on its page
// and read the line it logged there.
func TestConsoleInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	ts := startServerWith(t, "", func(c *Config) { c.Executor = "simulate" })
	simSetup(t, ts, "sim", 4, nil, "BARGE_SIMULATE_LOG", "hello from job ${AWS_BATCH_JOB_ID}", "BARGE_SIMULATE_DURATION", "1s")
	dir := artifactsDir(t)

	// Sign-in comes first: the dashboard sends a stranger there.
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`)),
		chromedp.SendKeys(chromedp.CSS(`#accessKeyId`), testKeyID),
		chromedp.SendKeys(chromedp.CSS(`#secretAccessKey`), testSecret),
		chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#live`)),
	)
	if err != nil {
		t.Fatalf("signing in: %v", err)
	}

	// Submit from the definition's page.
	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/console/definitions"),
		chromedp.WaitVisible(chromedp.CSS(`#definitions a.button`)),
		chromedp.Click(chromedp.CSS(`#definitions a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-name`)),
		chromedp.SendKeys(chromedp.CSS(`#s-name`), "browser-job"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#status`)),
	)
	if err != nil {
		t.Fatalf("submitting: %v", err)
	}
	jobURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := jobURL[strings.LastIndex(jobURL, "/")+1:]
	if i := strings.IndexByte(id, '?'); i >= 0 {
		id = id[:i]
	}
	if !strings.Contains(jobURL, "/console/jobs/") || id == "" {
		t.Fatalf("after submitting, the browser is at %s, want the job's page", jobURL)
	}

	// The page follows the job on its own: no reload by the test.
	waitInBrowser(t, ctx, "the job page to show SUCCEEDED",
		`document.getElementById("status") !== null && document.getElementById("status").textContent === "SUCCEEDED"`, 60*time.Second)
	want := "hello from job " + id
	waitInBrowser(t, ctx, "the job's log line on its page",
		`document.getElementById("log") !== null && document.getElementById("log").textContent.includes(`+jsString(want)+`)`, 30*time.Second)
	screenshot(t, ctx, filepath.Join(dir, "console-job.png"))

	// The API agrees with the page.
	if got := describeJob(t, ts.batch(), id); string(got.Status) != "SUCCEEDED" || aws.ToString(got.JobName) != "browser-job" {
		t.Fatalf("DescribeJobs(%s) = %s %s, want browser-job SUCCEEDED", id, aws.ToString(got.JobName), got.Status)
	}

	// Give the dashboard something to show: jobs that run on (holding
	// vCPUs), jobs that fail, and an array whose children finish at once.
	c := ts.batch()
	for i := range 3 {
		simSubmit(t, c, "sim", fmt.Sprintf("long-%d", i), "BARGE_SIMULATE_DURATION", "1h")
	}
	for i := range 2 {
		simSubmit(t, c, "sim", fmt.Sprintf("failing-%d", i), "BARGE_SIMULATE_EXIT_CODE", "1")
	}
	submit(t, c, &batch.SubmitJobInput{JobName: aws.String("array"), JobQueue: aws.String("sim-queue"), JobDefinition: aws.String("sim-def"),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(8)}})
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS(`#live .card`))); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	// The dashboard updates itself: the test does not reload it.
	waitInBrowser(t, ctx, "the dashboard to count 3 running, 2 failed and 2 succeeded jobs",
		`[...document.querySelectorAll(".count.s-RUNNING .n")].some(e => e.textContent === "3") &&
		 [...document.querySelectorAll(".count.s-FAILED .n")].some(e => e.textContent === "2") &&
		 [...document.querySelectorAll(".count.s-SUCCEEDED .n")].some(e => e.textContent === "2")`, 30*time.Second)
	// The chart counts what the tiles count, top-level jobs: the array's
	// 8 children make one finished job, as they make one SUCCEEDED.
	waitInBrowser(t, ctx, "the dashboard to count 4 top-level jobs finished in the last hour",
		`[...document.querySelectorAll(".finished")].some(e => e.textContent === "4")`, 30*time.Second)
	screenshot(t, ctx, filepath.Join(dir, "console-dashboard.png"))
	if os.Getenv("BARGE_UPDATE_DOCS") == "1" {
		// The README's picture of the dashboard.
		screenshot(t, ctx, filepath.Join("..", "..", "docs", "img", "dashboard.png"))
	}

	// Signing out ends it: the next page is the sign-in form again.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#signout`)),
		chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`)),
		chromedp.Navigate(ts.URL+"/console/jobs"),
		chromedp.WaitVisible(chromedp.CSS(`#accessKeyId`)),
	)
	if err != nil {
		t.Fatalf("signing out: %v", err)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
