package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/pgtest"
)

// startReplicas starts two barge servers on one new PostgreSQL database,
// simulating jobs; the first leads.
func startReplicas(t *testing.T) (*testServer, *testServer) {
	t.Helper()
	if pgtest.Bin() == "" {
		t.Skip("no PostgreSQL installed")
	}
	pg := pgtest.New()
	t.Cleanup(pg.Close)
	url := pg.Database(t)
	shared := func(c *Config) { c.Executor, c.DatabaseURL = "simulate", url }
	a := startServerWith(t, "", shared)
	waitLeading(t, a)
	b := startServerWith(t, "", shared)
	return a, b
}

// waitLeading waits until ts leads.
func waitLeading(t *testing.T, ts *testServer) {
	t.Helper()
	for range 600 { // 30 s
		if ts.main.Leading() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the first server never led")
}

// TestReplicasShareJobs: on two servers over one PostgreSQL, each sees
// what the other acknowledged, the event stream of each sees the job
// changes the other made (the follower leads nothing and writes nothing of
// the run), and a TerminateJob sent to the one that does not lead stops the
// task that the leader runs.
func TestReplicasShareJobs(t *testing.T) {
	a, b := startReplicas(t)
	if b.main.Leading() {
		t.Fatal("both servers lead")
	}
	simSetup(t, a, "rep", 4, nil)
	ca, cb := a.batch(), b.batch()
	waitJobDefinition(t, []*batch.Client{cb}, "rep-def")

	evA, evB := openEvents(t, a, "jobQueue=rep-queue", false), openEvents(t, b, "jobQueue=rep-queue", false)
	// Submitted to the server that does not lead, run by the one that does.
	id := simSubmit(t, cb, "rep", "via-b", "BARGE_SIMULATE_DURATION", "100ms")
	for name, events := range map[string]<-chan sseEvent{"leader": evA, "other": evB} {
		var got []string
		for len(got) == 0 || got[len(got)-1] != "SUCCEEDED" {
			_, eb := nextEvent(t, events)
			if eb.Detail.JobID != id {
				t.Fatalf("%s: event of job %s, want %s", name, eb.Detail.JobID, id)
			}
			got = append(got, eb.Detail.Status)
		}
		if want := "RUNNABLE STARTING RUNNING SUCCEEDED"; strings.Join(got, " ") != want {
			t.Errorf("%s's event stream: statuses %q, want %q", name, strings.Join(got, " "), want)
		}
	}
	// Each server's metrics say whether it leads, and both count the job.
	for name, want := range map[*testServer]float64{a: 1, b: 0} {
		fams := scrape(t, name.URL+"/metrics")
		if got := value(fams, "barge_leader"); got != want {
			t.Errorf("barge_leader of %s = %v, want %v", name.URL, got, want)
		}
		if got := value(fams, "barge_jobs", "queue", "rep-queue", "status", "SUCCEEDED"); got != 1 {
			t.Errorf("barge_jobs{SUCCEEDED} of %s = %v, want 1", name.URL, got)
		}
	}
	out, err := ca.DescribeJobs(context.Background(), &batch.DescribeJobsInput{Jobs: []string{id}})
	if err != nil || len(out.Jobs) != 1 || out.Jobs[0].Status != types.JobStatusSucceeded {
		t.Fatalf("DescribeJobs on the leader = %+v, %v; want the job SUCCEEDED", out, err)
	}

	// TerminateJob on the other server reaches the leader's runner.
	long := simSubmit(t, ca, "rep", "long", "BARGE_SIMULATE_DURATION", "10m")
	waitJobStatus(t, cb, long, types.JobStatusRunning)
	if _, err := cb.TerminateJob(context.Background(), &batch.TerminateJobInput{JobId: aws.String(long), Reason: aws.String("stop it")}); err != nil {
		t.Fatal(err)
	}
	j := waitJobStatus(t, ca, long, types.JobStatusFailed)
	if aws.ToString(j.StatusReason) != "stop it" {
		t.Errorf("terminated job's statusReason = %q, want %q", aws.ToString(j.StatusReason), "stop it")
	}
}

// TestReplicasShareConsoleSessions: a browser signed in to the console on
// one server is signed in on the other, with the same CSRF token; a cookie
// that no server made, or one altered, is refused; and a sign-out on the
// other server ends the session on both.
func TestReplicasShareConsoleSessions(t *testing.T) {
	a, b := startReplicas(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, target string, ck *http.Cookie, form url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, target, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		if ck != nil {
			req.AddCookie(ck)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// signedIn reports whether the dashboard of ts opens with ck, and the
	// page's CSRF token.
	csrfRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	signedIn := func(ts *testServer, ck *http.Cookie) (bool, string) {
		t.Helper()
		resp, page := do(http.MethodGet, ts.URL+"/console/", ck, nil)
		switch resp.StatusCode {
		case http.StatusOK:
			m := csrfRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the dashboard of %s has no CSRF token", ts.URL)
			}
			return true, m[1]
		case http.StatusSeeOther:
			if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/console/signin") {
				t.Fatalf("GET /console/ on %s redirects to %q, want the sign-in page", ts.URL, loc)
			}
			return false, ""
		}
		t.Fatalf("GET /console/ on %s = %d", ts.URL, resp.StatusCode)
		return false, ""
	}

	resp, _ := do(http.MethodPost, a.URL+"/console/signin", nil, url.Values{"accessKeyId": {testKeyID}, "secretAccessKey": {testSecret}})
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "barge_console" {
			ck = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || ck == nil {
		t.Fatalf("sign-in on the first server = %d with cookies %v; want 303 and a session cookie", resp.StatusCode, resp.Cookies())
	}
	okA, csrfA := signedIn(a, ck)
	okB, csrfB := signedIn(b, ck)
	if !okA || !okB || csrfA != csrfB {
		t.Fatalf("signed in on the first server: first %v (csrf %q), other %v (csrf %q); want both, with one token", okA, csrfA, okB, csrfB)
	}
	altered := *ck
	altered.Value = map[bool]string{true: "B", false: "A"}[ck.Value[0] == 'A'] + ck.Value[1:]
	for name, c := range map[string]*http.Cookie{
		"forged":  {Name: "barge_console", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"altered": &altered,
	} {
		if ok, _ := signedIn(b, c); ok {
			t.Errorf("a %s session cookie opens the console", name)
		}
	}

	// A form posted to the other server with the session's token is taken.
	if resp, body := do(http.MethodPost, b.URL+"/console/signout", ck, url.Values{"csrf": {csrfA}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out on the other server = %d %s; want 303", resp.StatusCode, body)
	}
	for _, ts := range []*testServer{a, b} {
		if ok, _ := signedIn(ts, ck); ok {
			t.Errorf("%s still takes the session signed out on the other server", ts.URL)
		}
	}
}

// TestReplicasWaitReasons: why a RUNNABLE job waits is computed from what
// the leader's scheduler last saw, which it publishes for the other server:
// both give the same statusReason, and follow a change made through the
// other server.
func TestReplicasWaitReasons(t *testing.T) {
	a, b := startReplicas(t)
	simSetup(t, a, "why", 1, nil)
	ca, cb := a.batch(), b.batch()
	ctx := context.Background()
	// Two jobs of 0.5 vCPU fill the compute environment; the third waits.
	for _, name := range []string{"first", "second"} {
		waitJobStatus(t, ca, simSubmit(t, ca, "why", name, "BARGE_SIMULATE_DURATION", "10m"), types.JobStatusRunning)
	}
	id := simSubmit(t, cb, "why", "waits", "BARGE_SIMULATE_DURATION", "10m")
	reason := func(c *batch.Client) string {
		t.Helper()
		out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{id}})
		if err != nil || len(out.Jobs) != 1 {
			t.Fatalf("DescribeJobs = %+v, %v", out, err)
		}
		if out.Jobs[0].Status != types.JobStatusRunnable {
			t.Fatalf("job %s is %s, want RUNNABLE", id, out.Jobs[0].Status)
		}
		return aws.ToString(out.Jobs[0].StatusReason)
	}
	// waitReason waits for the statusReason want on the server of c.
	waitReason := func(server string, c *batch.Client, want string) {
		t.Helper()
		got := ""
		for range 400 { // 20 s
			if got = reason(c); got == want {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("statusReason on the %s = %q, want %q", server, got, want)
	}
	want := "Waiting for capacity: the job needs 0.5 vCPU; compute environment why has 1 of 1 vCPUs in use."
	waitReason("leader", ca, want)
	waitReason("other server", cb, want)
	if b.main.Leading() {
		t.Fatal("the other server leads")
	}
	// Both servers' metrics give the vCPUs the two running jobs hold.
	for server, ts := range map[string]*testServer{"leader": a, "other server": b} {
		used := -1.0
		for range 100 { // 5 s
			m := sample(scrape(t, ts.URL+"/metrics"), "barge_compute_environment_vcpus_used", "compute_environment", "why")
			if m != nil {
				if used = m.GetGauge().GetValue(); used == 1 {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		if used != 1 {
			t.Errorf("barge_compute_environment_vcpus_used{why} on the %s = %v, want 1 (-1: no sample)", server, used)
		}
	}

	// The queue disabled through the other server: both say so.
	if _, err := cb.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String("why-queue"), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	want = "Job queue why-queue is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue why-queue --state ENABLED)."
	waitReason("leader", ca, want)
	waitReason("other server", cb, want)
}
