package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of array jobs and ListJobs: children, filters, order and
// pagination.

func TestArrayJobs(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	in := jobInput("array")
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(50)}
	parent := submit(t, c, in)
	single := submit(t, c, jobInput("single"))

	p := describeJob(t, c, parent)
	if p.Status != types.JobStatusPending || p.ArrayProperties == nil || aws.ToInt32(p.ArrayProperties.Size) != 50 {
		t.Fatalf("parent = %s %+v, want PENDING with arrayProperties.size 50", p.Status, p.ArrayProperties)
	}
	wantSummary := map[string]int32{"SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 50, "STARTING": 0, "RUNNING": 0, "SUCCEEDED": 0, "FAILED": 0}
	if fmt.Sprint(p.ArrayProperties.StatusSummary) != fmt.Sprint(wantSummary) {
		t.Errorf("statusSummary = %v, want %v", p.ArrayProperties.StatusSummary, wantSummary)
	}
	if p.ArrayProperties.Index != nil {
		t.Errorf("parent index = %d, want none", aws.ToInt32(p.ArrayProperties.Index))
	}

	t.Run("children", func(t *testing.T) {
		ids := []string{parent}
		for i := range 50 {
			ids = append(ids, fmt.Sprintf("%s:%d", parent, i))
		}
		jobs := describeJobs(t, c, ids...)
		if len(jobs) != 51 {
			t.Fatalf("DescribeJobs(parent and 50 children) = %d jobs, want 51", len(jobs))
		}
		seen := map[int32]bool{}
		for _, j := range jobs {
			id := aws.ToString(j.JobId)
			if id == parent {
				continue
			}
			idx := aws.ToInt32(j.ArrayProperties.Index)
			if id != fmt.Sprintf("%s:%d", parent, idx) || seen[idx] {
				t.Errorf("child %s has index %d", id, idx)
			}
			seen[idx] = true
			if j.Status != types.JobStatusRunnable || aws.ToString(j.JobName) != "array" || aws.ToString(j.JobArn) != jobARNPrefix+id ||
				aws.ToString(j.JobDefinition) != jobDefARNPrefix+"seed-job:1" || j.Container == nil || aws.ToString(j.Container.Image) != "busybox:latest" {
				t.Errorf("child %s = %s name %q arn %q definition %q container %+v, want a RUNNABLE copy of the parent",
					id, j.Status, aws.ToString(j.JobName), aws.ToString(j.JobArn), aws.ToString(j.JobDefinition), j.Container)
			}
		}
	})

	t.Run("list children", func(t *testing.T) {
		pages := listJobPages(t, c, &batch.ListJobsInput{ArrayJobId: aws.String(parent), JobStatus: types.JobStatusRunnable, MaxResults: aws.Int32(20)})
		var sizes []int
		var idx []int32
		for _, page := range pages {
			sizes = append(sizes, len(page))
			for _, s := range page {
				idx = append(idx, aws.ToInt32(s.ArrayProperties.Index))
				if aws.ToString(s.JobId) != fmt.Sprintf("%s:%d", parent, aws.ToInt32(s.ArrayProperties.Index)) || s.Status != types.JobStatusRunnable {
					t.Errorf("summary %s index %d status %s", aws.ToString(s.JobId), aws.ToInt32(s.ArrayProperties.Index), s.Status)
				}
			}
		}
		if !slices.Equal(sizes, []int{20, 20, 10}) {
			t.Errorf("page sizes = %v, want [20 20 10]", sizes)
		}
		want := make([]int32, 50)
		for i := range want {
			want[i] = int32(i)
		}
		if !slices.Equal(idx, want) {
			t.Errorf("indexes = %v, want 0 to 49 once each, in order", idx)
		}
		if got := listJobIDs(t, c, &batch.ListJobsInput{ArrayJobId: aws.String(parent)}); len(got) != 0 {
			t.Errorf("ListJobs(arrayJobId) without a status = %v, want none (RUNNING only)", got)
		}
		if got := listJobIDs(t, c, &batch.ListJobsInput{ArrayJobId: aws.String(parent), JobStatus: types.JobStatusPending}); len(got) != 0 {
			t.Errorf("ListJobs(arrayJobId, PENDING) = %v, want none", got)
		}
	})

	t.Run("queue listing leaves children out", func(t *testing.T) {
		if got := listJobIDs(t, c, &batch.ListJobsInput{JobQueue: aws.String("seed-queue"), JobStatus: types.JobStatusRunnable}); !slices.Equal(got, []string{single}) {
			t.Errorf("ListJobs(queue, RUNNABLE) = %v, want only the single job %s", got, single)
		}
		out, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String("seed-queue"), JobStatus: types.JobStatusPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.JobSummaryList) != 1 || aws.ToString(out.JobSummaryList[0].JobId) != parent || aws.ToInt32(out.JobSummaryList[0].ArrayProperties.Size) != 50 {
			t.Errorf("ListJobs(queue, PENDING) = %+v, want the parent with size 50", out.JobSummaryList)
		}
	})

	t.Run("arrayJobId that is no array", func(t *testing.T) {
		for _, id := range []string{single, "nosuch", parent + ":3"} {
			_, err := c.ListJobs(ctx, &batch.ListJobsInput{ArrayJobId: aws.String(id), JobStatus: types.JobStatusRunnable})
			wantClientError(t, err, "arrayJobId "+id+" is not the ID of an array job")
		}
	})

	t.Run("sequential", func(t *testing.T) {
		in := jobInput("sequential")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(5)}
		in.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
		id := submit(t, c, in)
		p := describeJob(t, c, id)
		if p.Status != types.JobStatusPending || p.ArrayProperties.StatusSummary["RUNNABLE"] != 1 || p.ArrayProperties.StatusSummary["PENDING"] != 4 {
			t.Errorf("parent = %s %v, want PENDING with 1 RUNNABLE and 4 PENDING children", p.Status, p.ArrayProperties.StatusSummary)
		}
		for i := range 5 {
			want := types.JobStatusPending
			if i == 0 {
				want = types.JobStatusRunnable
			}
			if got := describeJob(t, c, fmt.Sprintf("%s:%d", id, i)).Status; got != want {
				t.Errorf("child %d = %s, want %s", i, got, want)
			}
		}
	})

	t.Run("10000 children", func(t *testing.T) {
		in := jobInput("huge")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(10000)}
		id := submit(t, c, in)
		p := describeJob(t, c, id)
		if aws.ToInt32(p.ArrayProperties.Size) != 10000 || p.ArrayProperties.StatusSummary["RUNNABLE"] != 10000 {
			t.Errorf("parent = size %d summary %v, want 10000 RUNNABLE children", aws.ToInt32(p.ArrayProperties.Size), p.ArrayProperties.StatusSummary)
		}
		last := describeJob(t, c, id+":9999")
		if aws.ToInt32(last.ArrayProperties.Index) != 9999 || last.Status != types.JobStatusRunnable {
			t.Errorf("child 9999 = index %d %s, want index 9999 RUNNABLE", aws.ToInt32(last.ArrayProperties.Index), last.Status)
		}
		if got := describeJobs(t, c, id+":10000"); len(got) != 0 {
			t.Errorf("child 10000 = %+v, want none", got)
		}
	})
}

func TestListJobs(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)
	registerDef(t, c, fargateDefInput("other-def"))
	registerDef(t, c, fargateDefInput("other-def"))
	registerDef(t, c, fargateDefInput("another"))

	type job struct{ name, def string }
	specs := []job{
		{"alpha-1", "seed-job"}, {"Alpha-2", "seed-job"}, {"beta", "seed-job"},
		{"gamma", "other-def:1"}, {"gamma", "other-def:2"}, {"delta", "another"}, {"alphabet", "seed-job"},
	}
	ids := map[string][]string{} // by name, in submission order
	var order []string           // every ID in submission order
	for _, s := range specs {
		in := jobInput(s.name)
		in.JobDefinition = aws.String(s.def)
		id := submit(t, c, in)
		ids[s.name] = append(ids[s.name], id)
		order = append(order, id)
	}
	// One cancelled job, one PENDING job and an array: filters see every
	// status, never array children.
	cancelled := submit(t, c, jobInput("alpha-cancelled"))
	cancelJob(t, c, cancelled, "not needed")
	order = append(order, cancelled)
	pendingIn := jobInput("waiting")
	pendingIn.DependsOn = []types.JobDependency{{JobId: aws.String(order[0])}}
	pending := submit(t, c, pendingIn)
	order = append(order, pending)
	arrayIn := jobInput("alpha-array")
	arrayIn.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	array := submit(t, c, arrayIn)
	order = append(order, array)

	newestFirst := func(want ...string) []string {
		var out []string
		for i := len(order) - 1; i >= 0; i-- {
			if slices.Contains(want, order[i]) {
				out = append(out, order[i])
			}
		}
		return out
	}
	runnable := slices.Concat(ids["alpha-1"], ids["Alpha-2"], ids["beta"], ids["gamma"], ids["delta"], ids["alphabet"])

	created := map[string]int64{}
	for _, j := range describeJobs(t, c, order...) {
		created[aws.ToString(j.JobId)] = aws.ToInt64(j.CreatedAt)
	}
	mid := created[ids["gamma"][0]]
	var afterMid, beforeMid []string
	for _, id := range order {
		switch {
		case created[id] > mid:
			afterMid = append(afterMid, id)
		case created[id] < mid:
			beforeMid = append(beforeMid, id)
		}
	}

	filter := func(name string, values ...string) []types.KeyValuesPair {
		return []types.KeyValuesPair{{Name: aws.String(name), Values: values}}
	}
	queue := aws.String("seed-queue")
	tests := []struct {
		name string
		in   *batch.ListJobsInput
		want []string // in order
	}{
		{"RUNNABLE, newest first", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusRunnable}, newestFirst(runnable...)},
		{"queue by ARN", &batch.ListJobsInput{JobQueue: aws.String(jobQueueARNPrefix + "seed-queue"), JobStatus: types.JobStatusRunnable}, newestFirst(runnable...)},
		{"FAILED", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusFailed}, []string{cancelled}},
		{"PENDING", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusPending}, newestFirst(pending, array)},
		{"default is RUNNING only", &batch.ListJobsInput{JobQueue: queue}, nil},
		{"SUCCEEDED", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusSucceeded}, nil},
		{"JOB_NAME exact, any case", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "ALPHA-1")}, ids["alpha-1"]},
		{"JOB_NAME exact, two jobs", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "gamma")}, newestFirst(ids["gamma"]...)},
		{"JOB_NAME prefix", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "alpha*")},
			newestFirst(ids["alpha-1"][0], ids["Alpha-2"][0], ids["alphabet"][0], cancelled, array)},
		{"JOB_NAME prefix, upper case", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "ALPHA-*")},
			newestFirst(ids["alpha-1"][0], ids["Alpha-2"][0], cancelled, array)},
		{"JOB_NAME without star is exact", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "alpha")}, nil},
		{"JOB_NAME ignores jobStatus", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusRunning, Filters: filter("JOB_NAME", "beta")}, ids["beta"]},
		{"JOB_DEFINITION name, every revision", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", "other-def")}, newestFirst(ids["gamma"]...)},
		{"JOB_DEFINITION prefix", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", "an*")}, ids["delta"]},
		{"JOB_DEFINITION name is case-sensitive", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", "Other-def")}, nil},
		{"JOB_DEFINITION ARN with revision", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", jobDefARNPrefix+"other-def:2")}, ids["gamma"][1:]},
		{"JOB_DEFINITION ARN of the seed", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", jobDefARNPrefix+"seed-job:1")},
			newestFirst(ids["alpha-1"][0], ids["Alpha-2"][0], ids["beta"][0], ids["alphabet"][0], cancelled, pending, array)},
		{"AFTER_CREATED_AT", &batch.ListJobsInput{JobQueue: queue, Filters: filter("AFTER_CREATED_AT", strconv.FormatInt(mid, 10))}, newestFirst(afterMid...)},
		{"BEFORE_CREATED_AT", &batch.ListJobsInput{JobQueue: queue, Filters: filter("BEFORE_CREATED_AT", strconv.FormatInt(mid, 10))}, newestFirst(beforeMid...)},
		{"AFTER_CREATED_AT in the future", &batch.ListJobsInput{JobQueue: queue, Filters: filter("AFTER_CREATED_AT", strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10))}, nil},
		{"BEFORE_CREATED_AT in the future", &batch.ListJobsInput{JobQueue: queue, Filters: filter("BEFORE_CREATED_AT", strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10))}, newestFirst(order...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := listJobIDs(t, c, tt.in)
			if len(got) != 0 || len(tt.want) != 0 {
				if !slices.Equal(got, tt.want) {
					t.Errorf("ListJobs = %v, want %v", got, tt.want)
				}
			}
		})
	}

	t.Run("summary", func(t *testing.T) {
		out, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "alpha-cancelled")})
		if err != nil || len(out.JobSummaryList) != 1 {
			t.Fatalf("ListJobs = %+v, %v", out, err)
		}
		s := out.JobSummaryList[0]
		if aws.ToString(s.JobArn) != jobARNPrefix+cancelled || aws.ToString(s.JobName) != "alpha-cancelled" || s.Status != types.JobStatusFailed ||
			aws.ToString(s.StatusReason) != "not needed" || aws.ToInt64(s.CreatedAt) != created[cancelled] || aws.ToInt64(s.StoppedAt) < created[cancelled] ||
			aws.ToString(s.JobDefinition) != jobDefARNPrefix+"seed-job:1" || s.StartedAt != nil {
			t.Errorf("summary = %+v", s)
		}
	})

	errs := []struct {
		name string
		in   *batch.ListJobsInput
		want []string
	}{
		{"no queue or array", &batch.ListJobsInput{JobStatus: types.JobStatusRunnable}, []string{"Exactly one of jobQueue, arrayJobId or multiNodeJobId"}},
		{"queue and array", &batch.ListJobsInput{JobQueue: queue, ArrayJobId: aws.String(array)}, []string{"Exactly one of jobQueue, arrayJobId or multiNodeJobId"}},
		{"unknown queue", &batch.ListJobsInput{JobQueue: aws.String("nosuch")}, []string{"JobQueue nosuch not found."}},
		{"unknown status", &batch.ListJobsInput{JobQueue: queue, JobStatus: "DONE"}, []string{"jobStatus must be one of", "\"DONE\""}},
		{"two filters", &batch.ListJobsInput{JobQueue: queue, Filters: append(filter("JOB_NAME", "a*"), filter("JOB_DEFINITION", "seed-job")...)},
			[]string{"Only one filter can be used"}},
		{"unknown filter", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_STATUS", "RUNNABLE")},
			[]string{"Unknown filter name \"JOB_STATUS\"", "JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT and SHARE_IDENTIFIER"}},
		{"filter with two values", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME", "a", "b")}, []string{"exactly one non-empty value"}},
		{"filter without a value", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_NAME")}, []string{"exactly one non-empty value"}},
		{"created at not a number", &batch.ListJobsInput{JobQueue: queue, Filters: filter("AFTER_CREATED_AT", "2024-01-01")}, []string{"epoch milliseconds"}},
		{"JOB_DEFINITION ARN without revision", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", jobDefARNPrefix+"seed-job")},
			[]string{"full ARN with its revision"}},
		{"JOB_DEFINITION ARN with star", &batch.ListJobsInput{JobQueue: queue, Filters: filter("JOB_DEFINITION", jobDefARNPrefix+"seed-job:*")},
			[]string{"full ARN with its revision"}},
		{"maxResults 0", &batch.ListJobsInput{JobQueue: queue, MaxResults: aws.Int32(0)}, []string{"maxResults must be at least 1"}},
		{"bad nextToken", &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusRunnable, NextToken: aws.String("garbage")}, []string{"nextToken is not valid"}},
		{"multiNodeJobId with an unknown status", &batch.ListJobsInput{MultiNodeJobId: aws.String(array), JobStatus: "DONE"}, []string{"jobStatus must be one of"}},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListJobs(ctx, tt.in)
			wantClientError(t, err, tt.want...)
		})
	}

	// AWS lists the nodes of the multi-node parallel job multiNodeJobId
	// names; barge runs none, so an array job's ID, a single job's or an
	// unknown one lists nothing.
	t.Run("multiNodeJobId", func(t *testing.T) {
		for _, id := range []string{array, cancelled, "00000000-0000-4000-8000-000000000000"} {
			for _, status := range []types.JobStatus{"", types.JobStatusFailed} {
				out, err := c.ListJobs(ctx, &batch.ListJobsInput{MultiNodeJobId: aws.String(id), JobStatus: status})
				if err != nil || out.JobSummaryList == nil || len(out.JobSummaryList) != 0 || out.NextToken != nil {
					t.Errorf("ListJobs(multiNodeJobId %s, %q) = %+v, %v; want an empty jobSummaryList", id, status, out, err)
				}
			}
		}
	})

	t.Run("a token of another operation", func(t *testing.T) {
		registerDef(t, c, fargateDefInput("other-def"))
		out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{MaxResults: aws.Int32(1)})
		if err != nil || out.NextToken == nil {
			t.Fatalf("DescribeJobDefinitions = %+v, %v, want a nextToken", out, err)
		}
		_, err = c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: queue, JobStatus: types.JobStatusRunnable, NextToken: out.NextToken})
		wantClientError(t, err, "nextToken is not valid")
	})
}

// TestListJobsPagination pages through a queue while jobs keep arriving.
func TestListJobsPagination(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	var first []string
	for i := range 30 {
		first = append(first, submit(t, c, jobInput(fmt.Sprint("first-", i))))
	}
	seen := map[string]int{}
	var later []string
	in := &batch.ListJobsInput{JobQueue: aws.String("seed-queue"), JobStatus: types.JobStatusRunnable, MaxResults: aws.Int32(10)}
	for page := 0; ; page++ {
		out, err := c.ListJobs(ctx, in)
		if err != nil {
			t.Fatalf("ListJobs page %d = %v", page+1, err)
		}
		for _, id := range summaryIDs(out.JobSummaryList) {
			seen[id]++
		}
		if out.NextToken == nil {
			break
		}
		if page > 10 {
			t.Fatal("ListJobs keeps returning a nextToken")
		}
		// Jobs submitted between pages land before the first page.
		for i := range 5 {
			later = append(later, submit(t, c, jobInput(fmt.Sprintf("later-%d-%d", page, i))))
		}
		in.NextToken = out.NextToken
	}
	for _, id := range first {
		if seen[id] != 1 {
			t.Errorf("job %s was listed %d times, want once", id, seen[id])
		}
	}
	for id, n := range seen {
		if !slices.Contains(first, id) {
			t.Errorf("job %s, submitted after the first page, was listed %d times", id, n)
		}
	}

	// The SDK's paginator walks every job once, newest first.
	var all []string
	p := batch.NewListJobsPaginator(c, &batch.ListJobsInput{JobQueue: aws.String("seed-queue"), JobStatus: types.JobStatusRunnable, MaxResults: aws.Int32(7)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListJobsPaginator page %d: %v", pages+1, err)
		}
		pages++
		all = append(all, summaryIDs(out.JobSummaryList)...)
	}
	want := slices.Concat(first, later)
	slices.Reverse(want)
	if !slices.Equal(all, want) {
		t.Errorf("paginator listed %d jobs, want the %d submitted, newest first", len(all), len(want))
	}
	if wantPages := (len(want) + 6) / 7; pages != wantPages {
		t.Errorf("paginator pages = %d, want %d", pages, wantPages)
	}

	// A filter pages too, 100 at most per page.
	filtered := listJobPages(t, c, &batch.ListJobsInput{JobQueue: aws.String("seed-queue"), Filters: []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{"first-*"}}}, MaxResults: aws.Int32(1000)})
	if len(filtered) != 1 || len(filtered[0]) != 30 {
		t.Errorf("ListJobs(JOB_NAME first-*) pages = %d, want one page of 30", len(filtered))
	}
}
