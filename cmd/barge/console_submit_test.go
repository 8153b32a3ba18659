package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// consoleSubmit posts the submit form and returns the new job's ID, or ""
// and the page when the console refused it.
func consoleSubmit(t *testing.T, cc *consoleClient, form url.Values) (id string, status int, body string) {
	t.Helper()
	form.Set("csrf", cc.csrf())
	resp, body := cc.post("/console/submit", cc.base, form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther {
		return "", resp.StatusCode, body
	}
	if !strings.HasPrefix(loc, "/console/jobs/") {
		t.Fatalf("submit went to %q, want a job's page", loc)
	}
	loc, _, _ = strings.Cut(loc, "?")
	id, err := url.PathUnescape(strings.TrimPrefix(loc, "/console/jobs/"))
	if err != nil {
		t.Fatal(err)
	}
	return id, resp.StatusCode, body
}

var submitError = regexp.MustCompile(`<p class="error" id="submit-error">([^<]*)</p>`)

// TestConsoleSubmitOverrides submits from the console's form with every
// override the seed's submits use (array size, vCPU and memory, command,
// environment, retries, timeout, dependencies) and reads the jobs back
// through the SDK; the form's refusals are the API's messages, keep what was
// typed, and submit nothing.
func TestConsoleSubmitOverrides(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	queue, def := seed(t, c)
	jqSettles(t, c, queue, types.JQStatusCreating, types.JQStatusValid)
	first := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("first"), JobQueue: aws.String(queue), JobDefinition: aws.String(def)})

	cc := newConsoleClient(t, ts)
	cc.signIn(testKeyID, testSecret)

	t.Run("every override", func(t *testing.T) {
		id, status, body := consoleSubmit(t, cc, url.Values{"definition": {def}, "name": {"render_frames-1"}, "queue": {queue},
			"arraySize": {"3"}, "vcpu": {"1"}, "memory": {"2048"}, "command": {"sh\n-c\necho a; echo b"},
			"env": {"GREETING=hello=world\nEMPTY="}, "attempts": {"3"}, "timeout": {"120"}, "dependsOn": {first + " N_TO_N\n"}})
		if id == "" {
			t.Fatalf("submit = %d: %s", status, submitError.FindString(body))
		}
		j := describeJob(t, c, id)
		if aws.ToString(j.JobName) != "render_frames-1" || j.ArrayProperties == nil || aws.ToInt32(j.ArrayProperties.Size) != 3 {
			t.Fatalf("job = %s, arrayProperties %+v; want render_frames-1, an array of 3", aws.ToString(j.JobName), j.ArrayProperties)
		}
		req := map[types.ResourceType]string{}
		for _, r := range j.Container.ResourceRequirements {
			req[r.Type] = aws.ToString(r.Value)
		}
		if req[types.ResourceTypeVcpu] != "1" || req[types.ResourceTypeMemory] != "2048" {
			t.Errorf("resourceRequirements = %v, want VCPU 1 and MEMORY 2048", req)
		}
		if got := strings.Join(j.Container.Command, "|"); got != "sh|-c|echo a; echo b" {
			t.Errorf("command = %q, want [sh -c \"echo a; echo b\"]", j.Container.Command)
		}
		env := map[string]string{}
		for _, kv := range j.Container.Environment {
			env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
		if v, ok := env["GREETING"]; !ok || v != "hello=world" {
			t.Errorf("GREETING = %q, want hello=world", v)
		}
		if _, ok := env["EMPTY"]; !ok {
			t.Errorf("EMPTY is not in the environment %v", env)
		}
		if j.RetryStrategy == nil || aws.ToInt32(j.RetryStrategy.Attempts) != 3 {
			t.Errorf("retryStrategy = %+v, want 3 attempts", j.RetryStrategy)
		}
		if j.Timeout == nil || aws.ToInt32(j.Timeout.AttemptDurationSeconds) != 120 {
			t.Errorf("timeout = %+v, want 120 s", j.Timeout)
		}
		if len(j.DependsOn) != 1 || aws.ToString(j.DependsOn[0].JobId) != first || j.DependsOn[0].Type != types.ArrayJobDependencyNToN {
			t.Errorf("dependsOn = %+v, want [{%s N_TO_N}]", j.DependsOn, first)
		}
		// The job's page shows what it was submitted with.
		_, page := cc.get("/console/jobs/" + id)
		for _, want := range []string{`<td id="resources">1 vCPU, 2048 MiB</td>`, `<td id="retry-attempts">3</td>`, `<td id="timeout">120 s per attempt</td>`, `<td id="array-size">3</td>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the job's page lacks %s", want)
			}
		}
	})

	t.Run("the definition's values in blank fields", func(t *testing.T) {
		for _, ref := range []string{def, def + ":1"} {
			_, page := cc.get("/console/submit?definition=" + url.QueryEscape(ref))
			for _, want := range []string{`id="s-vcpu" value="" inputmode="decimal" placeholder="0.25"`, `id="s-memory" value="" inputmode="numeric" placeholder="512"`,
				"placeholder=\"echo\nhello\"", `id="s-attempts" value="" inputmode="numeric" placeholder="1"`} {
				if !strings.Contains(page, want) {
					t.Errorf("the submit form for %s lacks %s", ref, want)
				}
			}
		}
	})

	t.Run("sequential array", func(t *testing.T) {
		id, status, body := consoleSubmit(t, cc, url.Values{"definition": {def}, "name": {"in-order"}, "queue": {queue},
			"arraySize": {"2"}, "dependsOn": {"SEQUENTIAL"}})
		if id == "" {
			t.Fatalf("submit = %d: %s", status, submitError.FindString(body))
		}
		if j := describeJob(t, c, id); len(j.DependsOn) != 1 || j.DependsOn[0].Type != types.ArrayJobDependencySequential || j.DependsOn[0].JobId != nil {
			t.Errorf("dependsOn = %+v, want [{type SEQUENTIAL}]", j.DependsOn)
		}
	})

	refusals := []struct {
		name  string
		field string // a form field, and
		value string // its value, on a submission that is otherwise valid
		want  string // in the message shown
	}{
		{"array of one", "arraySize", "1", "arrayProperties.size 1 is not valid: the array size must be between 2 and 10,000."},
		{"array size not a number", "arraySize", "ten", `Invalid type for arrayProperties.size: expected a number, got "ten".`},
		{"memory Fargate does not offer", "memory", "3000", "MEMORY must be one of"},
		{"vCPU Fargate does not offer", "vcpu", "3", "VCPU"},
		{"eleven attempts", "attempts", "11", "retryStrategy.attempts 11 is not valid. It must be between 1 and 10."},
		{"timeout under a minute", "timeout", "30", "timeout.attemptDurationSeconds 30 is not valid. The minimum is 60 seconds."},
		{"timeout not a number", "timeout", "1m", `Invalid type for timeout.attemptDurationSeconds: expected a number, got "1m".`},
		{"unknown dependency type", "dependsOn", first + " AFTER", `dependsOn[0].type "AFTER" is not valid. It must be N_TO_N or SEQUENTIAL, or be omitted.`},
		{"SEQUENTIAL alone on a single job", "dependsOn", "SEQUENTIAL", "dependsOn[0].type SEQUENTIAL without a jobId applies only to array jobs."},
		{"environment line without =", "env", "GREETING", `containerOverrides.environment: each line is NAME=value; got "GREETING".`},
		{"job name with a space", "name", "two words", "two words"},
	}
	for _, tc := range refusals {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			name := "refused-" + strings.ReplaceAll(tc.name, " ", "-")
			form := url.Values{"definition": {def}, "name": {name}, "queue": {queue}, "vcpu": {"1"}, "memory": {"2048"}}
			form.Set(tc.field, tc.value)
			if tc.field == "name" {
				name = tc.value
			}
			id, status, body := consoleSubmit(t, cc, form)
			if id != "" {
				t.Fatalf("the console submitted job %s with %s = %q, want a refusal", id, tc.field, tc.value)
			}
			m := submitError.FindStringSubmatch(body)
			if status != http.StatusBadRequest || m == nil || !strings.Contains(html.UnescapeString(m[1]), tc.want) {
				t.Fatalf("submit with %s = %q: %d %q, want 400 saying %q", tc.field, tc.value, status, m, tc.want)
			}
			// The form comes back as it was typed.
			if !strings.Contains(html.UnescapeString(body), tc.value) {
				t.Errorf("the refused form no longer holds %s = %q", tc.field, tc.value)
			}
			out, err := c.ListJobs(context.Background(), &batch.ListJobsInput{JobQueue: aws.String(queue),
				Filters: []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{name}}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.JobSummaryList) != 0 {
				t.Errorf("a refused submission made jobs %+v", out.JobSummaryList)
			}
		})
	}
}

// TestConsoleAttemptLogs: a job that failed its first attempt and
// succeeded its second shows both attempts numbered 1 and 2, as
// AWS_BATCH_JOB_ATTEMPT numbers them, and each one's log can be read.
func TestConsoleAttemptLogs(t *testing.T) {
	ts := startServerWith(t, "", func(c *Config) { c.Executor = "simulate" })
	simSetup(t, ts, "sim", 4, nil)
	c := ts.batch()
	in := &batch.SubmitJobInput{JobName: aws.String("retried"), JobQueue: aws.String("sim-queue"), JobDefinition: aws.String("sim-def"),
		RetryStrategy: &types.RetryStrategy{Attempts: aws.Int32(2)},
		ContainerOverrides: &types.ContainerOverrides{Environment: []types.KeyValuePair{
			{Name: aws.String("BARGE_SIMULATE_EXIT_CODE"), Value: aws.String("1,0")},
			{Name: aws.String("BARGE_SIMULATE_LOG"), Value: aws.String("this is attempt ${AWS_BATCH_JOB_ATTEMPT}")}}}}
	id := submit(t, c, in)
	j := waitJobStatus(t, c, id, types.JobStatusSucceeded)
	if len(j.Attempts) != 2 {
		t.Fatalf("job has %d attempts, want 2", len(j.Attempts))
	}

	cc := newConsoleClient(t, ts)
	cc.signIn(testKeyID, testSecret)
	_, page := cc.get("/console/jobs/" + id)
	rows := regexp.MustCompile(`<tr(?: class="on")?><td>(\d+)</td>`).FindAllStringSubmatch(page, -1)
	if len(rows) != 2 || rows[0][1] != "1" || rows[1][1] != "2" {
		t.Fatalf("the attempts table numbers its rows %q, want 1 and 2", rows)
	}
	for _, n := range []string{"1", "2"} {
		if !strings.Contains(page, `href="/console/jobs/`+id+`?attempt=`+n+`#log"`) {
			t.Errorf("the job's page does not link attempt %s's log", n)
		}
	}
	if !strings.Contains(page, "Log of attempt 2 of 2") {
		t.Errorf("the job's page does not say its log is attempt 2's")
	}
	_, page = cc.get("/console/jobs/" + id + "?attempt=1")
	if !strings.Contains(page, "Log of attempt 1 of 2") || !strings.Contains(page, `data-log="/console/jobs/`+id+`/log?attempt=1"`) {
		t.Errorf("the page of attempt 1's log does not show attempt 1's log")
	}

	logOf := func(query string) (int, []string) {
		resp, body := cc.get("/console/jobs/" + id + "/log" + query)
		var p struct {
			Events  []struct{ Message string } `json:"events"`
			Done    bool                       `json:"done"`
			Attempt int                        `json:"attempt"`
		}
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil || !p.Done {
			t.Fatalf("log%s = %s, want JSON of a finished log", query, body)
		}
		var lines []string
		for _, e := range p.Events {
			lines = append(lines, e.Message)
		}
		if want := "attempt " + fmt.Sprint(p.Attempt); len(lines) == 1 && !strings.HasSuffix(lines[0], want) {
			t.Errorf("log%s says it is attempt %d's, and holds %q", query, p.Attempt, lines)
		}
		return resp.StatusCode, lines
	}
	for query, want := range map[string]string{"": "this is attempt 2", "?attempt=1": "this is attempt 1", "?attempt=2": "this is attempt 2"} {
		if status, lines := logOf(query); status != http.StatusOK || len(lines) != 1 || lines[0] != want {
			t.Errorf("log%s = %d %q, want [%q]", query, status, lines, want)
		}
	}
	for _, bad := range []string{"?attempt=0", "?attempt=3", "?attempt=x"} {
		if status, _ := logOf(bad); status != http.StatusBadRequest {
			t.Errorf("log%s = %d, want 400", bad, status)
		}
		if resp, _ := cc.get("/console/jobs/" + id + bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("job page%s = %d, want 400", bad, resp.StatusCode)
		}
	}
}

// TestConsoleRoot: a browser opening the server's root goes to the console;
// anything else at / is the APIs' as before, and the SDKs' calls are
// unaffected.
func TestConsoleRoot(t *testing.T) {
	ts := startServer(t, "")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(method, path string, header map[string]string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if resp := get(method, "/", map[string]string{"Accept": browser}); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/console/" {
			t.Errorf("%s / from a browser = %d to %q, want 302 to /console/", method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		header map[string]string
	}{
		{"no Accept", http.MethodGet, "/", nil},
		{"Accept */*", http.MethodGet, "/", map[string]string{"Accept": "*/*"}},
		{"a query string", http.MethodGet, "/?Action=ListRoles&Version=2010-05-08", map[string]string{"Accept": browser}},
		{"an Authorization header", http.MethodGet, "/", map[string]string{"Accept": browser, "Authorization": "AWS4-HMAC-SHA256 Credential=x"}},
		{"a POST", http.MethodPost, "/", map[string]string{"Accept": browser}},
		{"another path", http.MethodGet, "/v1/describejobqueues", map[string]string{"Accept": browser}},
	} {
		if resp := get(tc.method, tc.path, tc.header); resp.StatusCode == http.StatusFound || resp.Header.Get("Location") != "" {
			t.Errorf("%s %s with %s = %d to %q, want the API's answer, not the console", tc.method, tc.path, tc.name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// Each protocol that shares / still answers its SDK.
	ctx := context.Background()
	if _, err := ts.sts().GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("STS GetCallerIdentity = %v", err)
	}
	if _, err := ts.iam().ListRoles(ctx, nil); err != nil {
		t.Errorf("IAM ListRoles = %v", err)
	}
	if _, err := ts.logs().DescribeLogGroups(ctx, nil); err != nil {
		t.Errorf("Logs DescribeLogGroups = %v", err)
	}
	if _, err := ts.ec2().DescribeSubnets(ctx, nil); err != nil {
		t.Errorf("EC2 DescribeSubnets = %v", err)
	}
	if _, err := ts.ecs().ListClusters(ctx, nil); err != nil {
		t.Errorf("ECS ListClusters = %v", err)
	}
	if _, err := ts.batch().DescribeJobQueues(ctx, nil); err != nil {
		t.Errorf("Batch DescribeJobQueues = %v", err)
	}
}
