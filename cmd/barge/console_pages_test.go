package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

var jobLink = regexp.MustCompile(`<td><a href="/console/jobs/([0-9a-f-]+(?::[0-9]+)?)">`)

// listedJobs returns the job IDs on a page of the console's job list, and
// the query of the next page ("" on the last).
func listedJobs(t *testing.T, cc *consoleClient, query string) (ids []string, next string) {
	t.Helper()
	resp, body := cc.get("/console/jobs?" + query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /console/jobs?%s = %d: %s", query, resp.StatusCode, body)
	}
	for _, m := range jobLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	if m := regexp.MustCompile(`href="/console/jobs\?([^"]+)" id="next-page"`).FindStringSubmatch(body); m != nil {
		next = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return ids, next
}

// TestConsolePages reads the console's pages over HTTP on a server whose
// jobs wait: the job list's filters and paging, a job's page with its
// dependencies and array grid, the log endpoint, submit and cancel.
func TestConsolePages(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	queue, def := seed(t, c)
	jqSettles(t, c, queue, types.JQStatusCreating, types.JQStatusValid)

	var all []string
	for i := range 57 {
		all = append(all, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("alpha-%d", i)), JobQueue: aws.String(queue), JobDefinition: aws.String(def)}))
	}
	var betas []string
	for i := range 3 {
		betas = append(betas, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("beta-%d", i)), JobQueue: aws.String(queue), JobDefinition: aws.String(def)}))
	}
	array := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("grid"), JobQueue: aws.String(queue), JobDefinition: aws.String(def),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(12)}})
	after := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("after"), JobQueue: aws.String(queue), JobDefinition: aws.String(def),
		DependsOn: []types.JobDependency{{JobId: aws.String(betas[0])}}})
	all = append(all, betas...)
	all = append(all, array, after)

	cc := newConsoleClient(t, ts)
	cc.signIn(testKeyID, testSecret)

	t.Run("paging", func(t *testing.T) {
		seen := map[string]bool{}
		query, pages := "queue="+queue, 0
		for query != "" {
			ids, next := listedJobs(t, cc, query)
			pages++
			if next != "" && len(ids) != 50 {
				t.Fatalf("page %d has %d jobs and a next page, want 50", pages, len(ids))
			}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("job %s listed twice on %q: %v", id, query, ids)
				}
				seen[id] = true
			}
			query = next
		}
		if pages != 2 || len(seen) != len(all) {
			t.Fatalf("listing the queue took %d pages and showed %d jobs, want 2 pages and %d (array children left out)", pages, len(seen), len(all))
		}
		for _, id := range all {
			if !seen[id] {
				t.Fatalf("job %s was not listed", id)
			}
		}
	})

	t.Run("name prefix", func(t *testing.T) {
		ids, next := listedJobs(t, cc, "queue="+queue+"&prefix=BETA")
		if len(ids) != 3 || next != "" {
			t.Fatalf("jobs named beta* = %v (next %q), want the 3 betas on one page", ids, next)
		}
	})

	t.Run("status", func(t *testing.T) {
		ids, _ := listedJobs(t, cc, "queue="+queue+"&status=SUCCEEDED")
		if len(ids) != 0 {
			t.Fatalf("SUCCEEDED jobs of a held queue = %v, want none", ids)
		}
		st := describeJob(t, c, betas[1]).Status
		ids, _ = listedJobs(t, cc, "queue="+queue+"&status="+string(st)+"&prefix=beta-1")
		if len(ids) != 1 || ids[0] != betas[1] {
			t.Fatalf("%s jobs named beta-1* = %v, want [%s]", st, ids, betas[1])
		}
	})

	t.Run("job page", func(t *testing.T) {
		resp, body := cc.get("/console/jobs/" + after)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET job page = %d", resp.StatusCode)
		}
		if !strings.Contains(body, `href="/console/jobs/`+betas[0]+`"`) {
			t.Fatalf("the page of %s does not link the job it depends on, %s", after, betas[0])
		}
		_, body = cc.get("/console/jobs/" + betas[0])
		if !strings.Contains(body, "Needed by") || !strings.Contains(body, `href="/console/jobs/`+after+`"`) {
			t.Fatalf("the page of %s does not link the job that depends on it, %s", betas[0], after)
		}
		_, body = cc.get("/console/jobs/" + array)
		if n := strings.Count(body, `class="cell s-`); n != 12 {
			t.Fatalf("the array's page draws %d children, want 12", n)
		}
		if !strings.Contains(body, `href="/console/jobs/`+array+`:11"`) {
			t.Fatalf("the array's grid does not link child 11")
		}
		if !strings.Contains(body, `id="array-runs"`) || strings.Contains(body, `id="log"`) {
			t.Errorf("the array's page shows an (always empty) log of its own instead of sending to its children's")
		}
		if resp, _ := cc.get("/console/jobs/no-such-job"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET a missing job's page = %d, want 404", resp.StatusCode)
		}
	})

	t.Run("log endpoint", func(t *testing.T) {
		resp, body := cc.get("/console/jobs/" + after + "/log")
		var page struct {
			Status string            `json:"status"`
			Events []json.RawMessage `json:"events"`
			Done   bool              `json:"done"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("GET log = %d %s, want JSON", resp.StatusCode, body)
		}
		if page.Status != string(describeJob(t, c, after).Status) || len(page.Events) != 0 || page.Done {
			t.Fatalf("log of a waiting job = %+v, want its status, no events, not done", page)
		}
	})

	// A cancel of a job that waits for another is recorded at once and
	// done when the other ends (as on AWS): until then the job is PENDING
	// with isCancelled, and the console says the cancel is pending.
	t.Run("pending cancel", func(t *testing.T) {
		resp, _ := cc.post("/console/jobs/"+after+"/cancel", ts.URL, url.Values{"csrf": {cc.csrf()}, "reason": {"changed my mind"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel = %d, want 303", resp.StatusCode)
		}
		if j := describeJob(t, c, after); j.Status != types.JobStatusPending || !aws.ToBool(j.IsCancelled) {
			t.Fatalf("the cancelled job waiting for %s is %s, isCancelled %v; want PENDING and true", betas[0], j.Status, aws.ToBool(j.IsCancelled))
		}
		_, body := cc.get("/console/jobs/" + after)
		if !regexp.MustCompile(`id="status">PENDING</span> <span [^>]*id="stop-pending"[^>]*>CANCEL PENDING</span>`).MatchString(body) {
			t.Errorf("the job's page does not show PENDING with its cancel pending")
		}
		if strings.Contains(body, `id="cancel"`) || !strings.Contains(body, `id="cancel-pending"`) {
			t.Errorf("the job's page offers to cancel again instead of saying the cancel is pending")
		}
		_, body = cc.get("/console/jobs?queue=" + queue + "&prefix=after")
		if !strings.Contains(body, `PENDING</span> <span class="badge s-STOPPING">CANCEL PENDING</span>`) {
			t.Errorf("the job list does not show the pending cancel")
		}
		_, body = cc.get("/console/jobs/" + betas[1])
		if strings.Contains(body, "CANCEL PENDING") || !strings.Contains(body, `id="cancel"`) {
			t.Errorf("a job nobody cancelled shows a pending cancel or no Cancel button")
		}
	})

	t.Run("submit and cancel", func(t *testing.T) {
		token := cc.csrf()
		resp, body := cc.post("/console/submit", ts.URL, url.Values{"csrf": {token}, "definition": {def}, "name": {"from-console"},
			"queue": {queue}, "command": {"echo\nhi there"}, "env": {"GREETING=hello=world"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/jobs/") {
			t.Fatalf("submit = %d to %q: %s", resp.StatusCode, loc, body)
		}
		id := strings.TrimPrefix(loc[:strings.IndexByte(loc, '?')], "/console/jobs/")
		j := describeJob(t, c, id)
		if aws.ToString(j.JobName) != "from-console" || strings.Join(j.Container.Command, "|") != "echo|hi there" {
			t.Fatalf("submitted job = %s %v, want from-console with command [echo, hi there]", aws.ToString(j.JobName), j.Container.Command)
		}
		var env string
		for _, kv := range j.Container.Environment {
			if aws.ToString(kv.Name) == "GREETING" {
				env = aws.ToString(kv.Value)
			}
		}
		if env != "hello=world" {
			t.Fatalf("GREETING = %q, want hello=world", env)
		}

		// A refusal of the API comes back on the form in its words.
		resp, body = cc.post("/console/submit", ts.URL, url.Values{"csrf": {token}, "definition": {"no-such-def"}, "name": {"x"}, "queue": {queue}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="submit-error"`) {
			t.Fatalf("submit with a missing definition = %d, want 400 with the API's message", resp.StatusCode)
		}

		resp, _ = cc.post("/console/jobs/"+id+"/cancel", ts.URL, url.Values{"csrf": {token}, "reason": {"not needed"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel = %d, want 303", resp.StatusCode)
		}
		j = waitJobStatus(t, c, id, types.JobStatusFailed)
		if !aws.ToBool(j.IsCancelled) || aws.ToString(j.StatusReason) != "not needed" {
			t.Fatalf("cancelled job: isCancelled %v, statusReason %q, want true and the reason given", aws.ToBool(j.IsCancelled), aws.ToString(j.StatusReason))
		}
	})

	t.Run("dashboard counts", func(t *testing.T) {
		// The feed counts top-level jobs; it reads them in the background
		// at start-up and follows every change after.
		want := len(all) + 1 // and the job submitted from the console
		count := regexp.MustCompile(`<span class="n">(\d+)</span><span class="st">`)
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, body := cc.get("/console/?fragment=live")
			total := 0
			for _, m := range count.FindAllStringSubmatch(body, -1) {
				var n int
				fmt.Sscan(m[1], &n)
				total += n
			}
			if total == want {
				if !strings.Contains(body, "top-level jobs") {
					t.Errorf("the dashboard does not say its counts are of top-level jobs")
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the dashboard counts %d jobs, want %d:\n%s", total, want, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	// The tiles count what barge status counts: top-level jobs.
	t.Run("counts agree with barge status", func(t *testing.T) {
		cliEnv(t)
		var st struct {
			JobQueues []struct {
				JobQueue string         `json:"jobQueue"`
				Counts   map[string]int `json:"counts"`
			} `json:"jobQueues"`
		}
		if err := json.Unmarshal([]byte(ts.barge("status", "--output", "json").wantOK(t, "status")), &st); err != nil || len(st.JobQueues) != 1 {
			t.Fatalf("barge status --output json = %+v, %v; want one queue", st, err)
		}
		_, body := cc.get("/console/?fragment=live")
		tiles := map[string]int{}
		for _, m := range regexp.MustCompile(`<span class="n">(\d+)</span><span class="st">([A-Z]+)</span>`).FindAllStringSubmatch(body, -1) {
			var n int
			fmt.Sscan(m[1], &n)
			tiles[m[2]] = n
		}
		for _, status := range []string{"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"} {
			if tiles[status] != st.JobQueues[0].Counts[status] {
				t.Errorf("%s: the dashboard counts %d, barge status %d", status, tiles[status], st.JobQueues[0].Counts[status])
			}
		}
	})

	t.Run("resources", func(t *testing.T) {
		for path, want := range map[string]string{
			"/console/queues":                  queue,
			"/console/ces":                     "spot-ce",
			"/console/definitions":             def,
			"/console/definitions?name=" + def: `&#34;revision&#34;: 1`,
		} {
			resp, body := cc.get(path)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("GET %s = %d, want a page showing %q", path, resp.StatusCode, want)
			}
		}
	})
}
