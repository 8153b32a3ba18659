package store

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/bargehq/barge"
)

var testScope = barge.Scope{Region: "us-east-1", Account: "123456789012"}

// newJob returns a SUBMITTED top-level job of definition "def:1".
func newJob(id, queue, name string) *barge.Job {
	return &barge.Job{
		ID:        id,
		Name:      name,
		Queue:     queue,
		Status:    barge.JobSubmitted,
		CreatedAt: 1_700_000_000_000,
		Spec: &barge.JobSpec{
			JobDefinitionArn:  testScope.JobDefinitionARN("def", 1),
			JobDefinitionName: "def",
			Container:         &barge.ContainerProperties{Image: "busybox", Command: []string{"true"}},
		},
	}
}

// newArray returns an array job of n children, parent first.
func newArray(id, queue, name string, n int) []*barge.Job {
	p := newJob(id, queue, name)
	p.Status = barge.JobPending
	p.Spec.ArraySize = n
	jobs := []*barge.Job{p}
	for i := range n {
		jobs = append(jobs, &barge.Job{
			ID:          barge.ChildID(id, i),
			Name:        name,
			Queue:       queue,
			Status:      barge.JobRunnable,
			CreatedAt:   p.CreatedAt,
			ArrayParent: id,
			ArrayIndex:  i,
		})
	}
	return jobs
}

func jobsEqual(a, b *barge.Job) bool { return reflect.DeepEqual(a, b) }

func ids(jobs []*barge.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

// fullJob has every field of barge.Job set.
func fullJob() *barge.Job {
	exit, prio, attempts, secs := 1, 5, 3, 60
	yes := true
	return &barge.Job{
		ID:           "full",
		Name:         "Full-Job",
		Queue:        "q",
		Status:       barge.JobRunning,
		StatusReason: "Essential container in task exited",
		CreatedAt:    1_700_000_000_000,
		StartedAt:    1_700_000_001_000,
		StoppedAt:    1_700_000_002_000,
		IsCancelled:  true,
		IsTerminated: true,
		ArrayParent:  "",
		Attempts: []barge.Attempt{{
			Container:    barge.ContainerRuntime{TaskArn: "task/1", ExitCode: &exit, Reason: "boom", LogStreamName: "s/1"},
			StartedAt:    1_700_000_001_000,
			StoppedAt:    1_700_000_001_500,
			StatusReason: "failed",
		}},
		Runtime: &barge.ContainerRuntime{TaskArn: "task/2", LogStreamName: "s/2",
			NetworkInterfaces: []barge.NetworkInterface{{PrivateIpv4Address: "10.0.0.2"}}},
		Spec: &barge.JobSpec{
			JobDefinitionArn:     testScope.JobDefinitionARN("def", 7),
			JobDefinitionName:    "def",
			ShareIdentifier:      "teamA",
			SchedulingPriority:   &prio,
			Parameters:           map[string]string{"k": "v"},
			Container:            &barge.ContainerProperties{Image: "busybox", Command: []string{"sh", "-c", "exit 1"}},
			RetryStrategy:        &barge.RetryStrategy{Attempts: &attempts},
			Timeout:              &barge.JobTimeout{AttemptDurationSeconds: &secs},
			DependsOn:            []barge.JobDependency{{JobID: "other"}},
			Tags:                 map[string]string{"team": "a"},
			PropagateTags:        &yes,
			PlatformCapabilities: []string{barge.PlatformFargate},
		},
	}
}

// TestJobFieldsStored guards against a field added to barge.Job that the
// store would silently drop: each field must be a column or in jobState.
func TestJobFieldsStored(t *testing.T) {
	columns := map[string]bool{"ID": true, "Name": true, "Queue": true, "Status": true, "CreatedAt": true,
		"StartedAt": true, "StoppedAt": true, "ArrayParent": true, "ArrayIndex": true, "Spec": true, "Seq": true,
		"WaitsFor": true} // WaitsFor: the job_deps table
	state := reflect.TypeFor[jobState]()
	for f := range reflect.TypeFor[barge.Job]().Fields() {
		if _, inState := state.FieldByName(f.Name); !columns[f.Name] && !inState {
			t.Errorf("barge.Job.%s is neither a column nor in jobState", f.Name)
		}
	}
}

func TestInsertAndGetJobs(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	full := fullJob()
	array := newArray("arr", "q", "Array", 3)
	array[2].Status, array[2].StatusReason = barge.JobFailed, "Dependent job failed"
	if err := s.InsertJobs(ctx, []*barge.Job{full}); err != nil {
		t.Fatalf("InsertJobs(full) = %v", err)
	}
	if err := s.InsertJobs(ctx, array); err != nil {
		t.Fatalf("InsertJobs(array) = %v", err)
	}
	for i, j := range append([]*barge.Job{full}, array...) {
		if j.Seq != int64(i+1) {
			t.Errorf("InsertJobs: %s.Seq = %d, want %d", j.ID, j.Seq, i+1)
		}
	}

	tests := []struct {
		name string
		ids  []string
		want []*barge.Job
	}{
		{"one", []string{"full"}, []*barge.Job{full}},
		{"input order", []string{"arr:1", "full", "arr", "arr:0"}, []*barge.Job{array[2], full, array[0], array[1]}},
		{"unknown left out", []string{"nope", "arr:2", "arr:9"}, []*barge.Job{array[3]}},
		{"duplicate once", []string{"full", "full"}, []*barge.Job{full}},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.GetJobs(ctx, tt.ids)
			if err != nil {
				t.Fatalf("GetJobs(%v) = %v", tt.ids, err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("GetJobs(%v) = %v, want %v", tt.ids, ids(got), ids(tt.want))
			}
			for i := range got {
				if !jobsEqual(got[i], tt.want[i]) {
					t.Errorf("GetJobs(%v)[%d] = %+v, want %+v", tt.ids, i, got[i], tt.want[i])
				}
			}
		})
	}

	t.Run("duplicate ID", func(t *testing.T) {
		err := s.InsertJobs(ctx, []*barge.Job{newJob("new", "q", "n"), newJob("full", "q", "again")})
		wantCode(t, "InsertJobs(new, full)", err, barge.EConflict)
		if got, _ := s.GetJobs(ctx, []string{"new"}); len(got) != 0 {
			t.Errorf("GetJobs(new) after failed InsertJobs = %v, want none", ids(got))
		}
	})
}

func TestInsertJobsCreatedAtNeverDecreases(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, b, c := newJob("a", "q", "a"), newJob("b", "q", "b"), newJob("c", "q", "c")
	a.CreatedAt, b.CreatedAt, c.CreatedAt = 1000, 900, 1100
	if err := s.InsertJobs(ctx, []*barge.Job{a}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertJobs(ctx, []*barge.Job{b, c}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetJobs(ctx, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{1000, 1000, 1100} {
		if got[i].CreatedAt != want {
			t.Errorf("stored %s.CreatedAt = %d, want %d", got[i].ID, got[i].CreatedAt, want)
		}
	}
	if b.CreatedAt != 1000 {
		t.Errorf("InsertJobs left b.CreatedAt = %d, want it raised to 1000", b.CreatedAt)
	}
}

func TestUpdateJob(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	j := newJob("j", "q", "n")
	if err := s.InsertJobs(ctx, []*barge.Job{j}); err != nil {
		t.Fatal(err)
	}

	next := *j
	next.Status, next.StartedAt, next.StatusReason = barge.JobPending, 5, "waiting"
	next.Spec = &barge.JobSpec{JobDefinitionArn: j.Spec.JobDefinitionArn, JobDefinitionName: "def",
		Container: j.Spec.Container, Tags: map[string]string{"new": "tag"}}
	if err := s.UpdateJob(ctx, &next, barge.JobSubmitted); err != nil {
		t.Fatalf("UpdateJob(SUBMITTED → PENDING) = %v", err)
	}
	got, _ := s.GetJobs(ctx, []string{"j"})
	if len(got) != 1 || !jobsEqual(got[0], &next) {
		t.Errorf("after UpdateJob, GetJobs(j) = %+v, want %+v", got, next)
	}

	stale := next
	stale.Status = barge.JobFailed
	err := s.UpdateJob(ctx, &stale, barge.JobSubmitted)
	wantCode(t, "UpdateJob(from SUBMITTED, stored PENDING)", err, barge.EConflict)
	err = s.UpdateJob(ctx, &barge.Job{ID: "nope", Status: barge.JobFailed}, barge.JobSubmitted)
	wantCode(t, "UpdateJob(unknown job)", err, barge.EConflict)
	got, _ = s.GetJobs(ctx, []string{"j"})
	if got[0].Status != barge.JobPending {
		t.Errorf("after conflicting UpdateJob, status = %s, want %s", got[0].Status, barge.JobPending)
	}

	// A nil Spec leaves the stored one alone.
	noSpec := next
	noSpec.Spec = nil
	noSpec.Status = barge.JobRunnable
	if err := s.UpdateJob(ctx, &noSpec, barge.JobPending); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetJobs(ctx, []string{"j"})
	if !reflect.DeepEqual(got[0].Spec, next.Spec) {
		t.Errorf("UpdateJob(nil Spec) changed the spec to %+v, want %+v", got[0].Spec, next.Spec)
	}
}

func TestUpdateJobs(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	array := newArray("arr", "q", "a", 4)
	array[2].Status = barge.JobRunning
	if err := s.InsertJobs(ctx, array); err != nil {
		t.Fatal(err)
	}
	var updates []barge.JobUpdate
	for _, child := range array[1:] {
		c := *child
		c.Status, c.StatusReason, c.IsCancelled = barge.JobFailed, "cancelled", true
		updates = append(updates, barge.JobUpdate{Job: &c, From: barge.JobRunnable})
	}
	conflicts, err := s.UpdateJobs(ctx, updates)
	if err != nil {
		t.Fatalf("UpdateJobs = %v", err)
	}
	if want := []string{"arr:1"}; !slices.Equal(conflicts, want) {
		t.Errorf("UpdateJobs conflicts = %v, want %v", conflicts, want)
	}
	got, err := s.GetJobs(ctx, []string{"arr:0", "arr:1", "arr:2", "arr:3"})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := range got {
		want := barge.JobFailed
		if i == 1 {
			want = barge.JobRunning
		}
		if j.Status != want || j.IsCancelled != (i != 1) {
			t.Errorf("after UpdateJobs, %s = %s (cancelled %v), want %s", j.ID, j.Status, j.IsCancelled, want)
		}
	}
}

func TestCountChildren(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := newArray("a", "q", "a", 5)
	a[1].Status, a[2].Status = barge.JobSucceeded, barge.JobSucceeded
	a[3].Status = barge.JobFailed
	b := newArray("b", "q", "b", 2)
	for _, jobs := range [][]*barge.Job{a, b} {
		if err := s.InsertJobs(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		parent string
		want   map[barge.JobStatus]int
	}{
		{"a", map[barge.JobStatus]int{barge.JobSucceeded: 2, barge.JobFailed: 1, barge.JobRunnable: 2}},
		{"b", map[barge.JobStatus]int{barge.JobRunnable: 2}},
		{"none", map[barge.JobStatus]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.parent, func(t *testing.T) {
			got, err := s.CountChildren(ctx, tt.parent)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CountChildren(%q) = %v, %v; want %v", tt.parent, got, err, tt.want)
			}
		})
	}
}

// TestGetJobsMany asks for more IDs than one query takes.
func TestGetJobsMany(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var jobs []*barge.Job
	var want []string
	for i := range 2*getJobsPerQuery + 50 {
		id := fmt.Sprintf("j%03d", i)
		jobs = append(jobs, newJob(id, "q", id))
		want = append(want, id)
	}
	if err := s.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	slices.Reverse(want)
	got, err := s.GetJobs(ctx, want)
	if err != nil || !slices.Equal(ids(got), want) {
		t.Errorf("GetJobs(%d ids, reversed) = %v, %v; want %v", len(want), ids(got), err, want)
	}
}

// TestGetJobsSplit asks for as many IDs as DescribeJobs takes, which GetJobs
// splits across readers when there is more than one CPU: the order of the
// IDs is kept, an ID given twice (once in each half) yields one job, and
// unknown IDs are left out.
func TestGetJobsSplit(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var jobs []*barge.Job
	var ask, want []string
	for i := range 100 {
		id := fmt.Sprintf("j%03d", i)
		jobs = append(jobs, newJob(id, "q", id))
	}
	if err := s.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	for i := 99; i >= 2; i -= 2 {
		id := fmt.Sprintf("j%03d", i)
		ask = append(ask, id, fmt.Sprintf("unknown-%d", i))
		want = append(want, id)
	}
	ask = append(ask, "j099", "j001") // j099 again, in the other half
	want = append(want, "j001")
	for _, procs := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("GOMAXPROCS=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			got, err := s.GetJobs(ctx, ask)
			if err != nil || !slices.Equal(ids(got), want) {
				t.Errorf("GetJobs(%d ids) = %v, %v; want %v", len(ask), ids(got), err, want)
			}
		})
	}
}

// TestListJobsSummary lists jobs for a ListJobs summary: each carries what a
// summary shows (with the job's size and platform, for the reason a RUNNABLE
// job waits) and nothing more, however many jobs the page holds (a long
// page is decoded on several CPUs); without Summary every field comes back.
func TestListJobsSummary(t *testing.T) {
	// Several decoders, however many CPUs the host has: a long page is
	// decoded in parts.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	s := newStore(t)
	ctx := context.Background()
	full := fullJob()
	full.Spec.ArraySize = 3
	jobs := []*barge.Job{full}
	for i := range 2 * minJobsPerDecoder {
		j := fullJob()
		j.ID = fmt.Sprintf("full-%02d", i)
		jobs = append(jobs, j)
	}
	if err := s.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, len(jobs)} {
		q := barge.JobQuery{Queue: "q", Status: barge.JobRunning, Oldest: true, Limit: limit}
		all, err := s.ListJobs(ctx, q)
		if err != nil || len(all) != limit || !jobsEqual(all[0], full) {
			t.Fatalf("ListJobs(limit %d)[0] = %+v, %v; want %+v", limit, all[0], err, full)
		}
		q.Summary = true
		got, err := s.ListJobs(ctx, q)
		if err != nil || len(got) != limit {
			t.Fatalf("ListJobs(summary, limit %d) = %d jobs, %v", limit, len(got), err)
		}
		want := *full
		want.Attempts = nil
		want.Runtime = &barge.ContainerRuntime{ExitCode: full.Runtime.ExitCode, Reason: full.Runtime.Reason}
		c := full.Spec.Container
		want.Spec = &barge.JobSpec{JobDefinitionArn: full.Spec.JobDefinitionArn, ShareIdentifier: "teamA", ArraySize: 3,
			Container: &barge.ContainerProperties{Vcpus: c.Vcpus, ResourceRequirements: c.ResourceRequirements, RuntimePlatform: c.RuntimePlatform}}
		if !jobsEqual(got[0], &want) {
			t.Errorf("ListJobs(summary, limit %d)[0] = %+v, want %+v", limit, got[0], &want)
		}
		if limit > 1 && (got[limit-1].ID != jobs[limit-1].ID || got[limit-1].StatusReason != full.StatusReason) {
			t.Errorf("ListJobs(summary)[%d] = %+v, want job %s", limit-1, got[limit-1], jobs[limit-1].ID)
		}
	}
}

// TestListJobsSummaryEKS: a summary of an EKS job keeps its containers'
// resources, which size it (barge.JobVCPU), and nothing else of its Pod.
func TestListJobsSummaryEKS(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	j := fullJob()
	res := &barge.EksResources{Limits: map[string]string{"cpu": "2", "memory": "512Mi"}}
	j.Spec.Container = nil
	j.Spec.EksProperties = &barge.EksPodProperties{ServiceAccountName: "runner",
		Containers:     []barge.EksContainer{{Name: "main", Image: "busybox", Resources: res}},
		InitContainers: []barge.EksContainer{{Name: "init", Image: "busybox"}}}
	if err := s.InsertJobs(ctx, []*barge.Job{j}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListJobs(ctx, barge.JobQuery{Queue: "q", Status: barge.JobRunning, Limit: 1, Summary: true})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListJobs(summary) = %v, %v", got, err)
	}
	want := &barge.EksPodProperties{Containers: []barge.EksContainer{{Resources: res}}, InitContainers: []barge.EksContainer{{}}}
	if p := got[0].Spec.EksProperties; !reflect.DeepEqual(p, want) || barge.JobVCPU(got[0].Spec) != 2 || barge.JobMemoryMiB(got[0].Spec) != 512 {
		t.Errorf("summary's Pod = %+v, want only the containers' resources (2 vCPUs, 512 MiB)", p)
	}
}
