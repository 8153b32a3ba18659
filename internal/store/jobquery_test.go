package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

// listFixture stores, in this order, in queue q: s1 "Alpha-1" (SUBMITTED),
// s2 "alpha-2" (RUNNABLE), the array arr "Beta" (PENDING) with three
// RUNNABLE children, s3 "gamma" (RUNNABLE, definition "define"), s4 "ALPHA"
// (RUNNING, definition def:2); and in queue q2: t1 "alpha-x". Job i is
// created at i*1000 ms.
func listFixture(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	at := int64(0)
	add := func(jobs ...*barge.Job) {
		at += 1000
		for _, j := range jobs {
			j.CreatedAt = at
		}
		if err := s.InsertJobs(context.Background(), jobs); err != nil {
			t.Fatal(err)
		}
	}
	job := func(id, queue, name string, st barge.JobStatus) *barge.Job {
		j := newJob(id, queue, name)
		j.Status = st
		return j
	}
	add(job("s1", "q", "Alpha-1", barge.JobSubmitted))
	add(job("s2", "q", "alpha-2", barge.JobRunnable))
	arr := newArray("arr", "q", "Beta", 3)
	arr[0].Spec.JobDefinitionName, arr[0].Spec.JobDefinitionArn = "other", testScope.JobDefinitionARN("other", 3)
	add(arr...)
	s3 := job("s3", "q", "gamma", barge.JobRunnable)
	s3.Spec.JobDefinitionName, s3.Spec.JobDefinitionArn = "define", testScope.JobDefinitionARN("define", 1)
	add(s3)
	s4 := job("s4", "q", "ALPHA", barge.JobRunning)
	s4.Spec.JobDefinitionArn = testScope.JobDefinitionARN("def", 2)
	add(s4)
	add(job("t1", "q2", "alpha-x", barge.JobRunnable))
	return s
}

func TestListJobs(t *testing.T) {
	s := listFixture(t)
	ctx := context.Background()
	seqOf := func(id string) int64 {
		jobs, err := s.GetJobs(ctx, []string{id})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("GetJobs(%s) = %v, %v", id, jobs, err)
		}
		return jobs[0].Seq
	}

	tests := []struct {
		name string
		q    barge.JobQuery
		want []string
	}{
		{"queue", barge.JobQuery{Queue: "q"}, []string{"s4", "s3", "arr", "s2", "s1"}},
		{"queue oldest", barge.JobQuery{Queue: "q", Oldest: true}, []string{"s1", "s2", "arr", "s3", "s4"}},
		{"other queue", barge.JobQuery{Queue: "q2"}, []string{"t1"}},
		{"unknown queue", barge.JobQuery{Queue: "nope"}, nil},
		{"status", barge.JobQuery{Queue: "q", Status: barge.JobRunnable}, []string{"s3", "s2"}},
		{"status with children", barge.JobQuery{Queue: "q", Status: barge.JobRunnable, IncludeChildren: true, Oldest: true},
			[]string{"s2", "arr:0", "arr:1", "arr:2", "s3"}},
		{"name prefix", barge.JobQuery{Queue: "q", NamePrefix: "alpha"}, []string{"s4", "s2", "s1"}},
		{"name prefix upper case", barge.JobQuery{Queue: "q", NamePrefix: "ALPHA-"}, []string{"s2", "s1"}},
		{"name prefix, a short page", barge.JobQuery{Queue: "q", NamePrefix: "alpha", Limit: 2}, []string{"s4", "s2"}},
		{"name prefix, oldest, a short page", barge.JobQuery{Queue: "q", NamePrefix: "alpha", Limit: 2, Oldest: true}, []string{"s1", "s2"}},
		{"name prefix after a cursor", barge.JobQuery{Queue: "q", NamePrefix: "alpha", Cursor: seqOf("s4"), Limit: 1}, []string{"s2"}},
		{"name prefix, none", barge.JobQuery{Queue: "q", NamePrefix: "zeta"}, nil},
		{"name exact", barge.JobQuery{Queue: "q", NamePrefix: "alpha", NameExact: true}, []string{"s4"}},
		{"name exact mixed case", barge.JobQuery{Queue: "q", NamePrefix: "ALPHA-1", NameExact: true}, []string{"s1"}},
		{"name prefix and status", barge.JobQuery{Queue: "q", NamePrefix: "a", Status: barge.JobRunnable}, []string{"s2"}},
		{"jobdef", barge.JobQuery{Queue: "q", JobDefName: "def"}, []string{"s4", "s2", "s1"}},
		{"jobdef prefix", barge.JobQuery{Queue: "q", JobDefName: "def", JobDefNamePrefix: true}, []string{"s4", "s3", "s2", "s1"}},
		{"jobdef arn", barge.JobQuery{Queue: "q", JobDefArn: testScope.JobDefinitionARN("def", 2)}, []string{"s4"}},
		{"jobdef arn of array", barge.JobQuery{Queue: "q", JobDefArn: testScope.JobDefinitionARN("other", 3)}, []string{"arr"}},
		{"jobdef arn unknown", barge.JobQuery{Queue: "q", JobDefArn: testScope.JobDefinitionARN("def", 9)}, nil},
		{"created after", barge.JobQuery{Queue: "q", CreatedAfter: 2000}, []string{"s4", "s3", "arr"}},
		{"created before", barge.JobQuery{Queue: "q", CreatedBefore: 3000}, []string{"s2", "s1"}},
		{"created between", barge.JobQuery{Queue: "q", CreatedAfter: 1000, CreatedBefore: 5000}, []string{"s3", "arr", "s2"}},
		{"created between, no time between", barge.JobQuery{Queue: "q", CreatedAfter: 2000, CreatedBefore: 3000}, nil},
		{"created after the last", barge.JobQuery{Queue: "q", CreatedAfter: 99000}, nil},
		{"created before the first", barge.JobQuery{Queue: "q", CreatedBefore: 500}, nil},
		{"created after, status", barge.JobQuery{Queue: "q", CreatedAfter: 2000, Status: barge.JobRunnable}, []string{"s3"}},
		{"created, children", barge.JobQuery{ArrayParent: "arr", CreatedBefore: 3001}, []string{"arr:2", "arr:1", "arr:0"}},
		{"children", barge.JobQuery{ArrayParent: "arr"}, []string{"arr:2", "arr:1", "arr:0"}},
		{"children oldest by status", barge.JobQuery{ArrayParent: "arr", Status: barge.JobRunnable, Oldest: true},
			[]string{"arr:0", "arr:1", "arr:2"}},
		{"children none in status", barge.JobQuery{ArrayParent: "arr", Status: barge.JobFailed}, nil},
		{"limit", barge.JobQuery{Queue: "q", Limit: 2}, []string{"s4", "s3"}},
		{"cursor", barge.JobQuery{Queue: "q", Cursor: seqOf("s3")}, []string{"arr", "s2", "s1"}},
		{"cursor oldest", barge.JobQuery{Queue: "q", Cursor: seqOf("s2"), Oldest: true, Limit: 2}, []string{"arr", "s3"}},
		{"cursor and created", barge.JobQuery{Queue: "q", Cursor: seqOf("s3"), CreatedAfter: 1000}, []string{"arr", "s2"}},
	}
	// Every prefix is served each way a prefix can be: by merging the runs
	// of the names it covers (merge, up to that many names), by walking the
	// queue within a budget and then sorting (budgets of 1 and 2 run out
	// before a page has matched), by sorting alone (budget 0), and by
	// walking alone (budget -1).
	for _, plan := range []struct{ merge, budget int }{
		{maxMergeValues, prefixWalkBudget}, {1, prefixWalkBudget},
		{0, prefixWalkBudget}, {0, 1}, {0, 2}, {0, 0}, {0, -1},
	} {
		s.prefixMergeValues, s.prefixWalkBudget = plan.merge, plan.budget
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/merge=%d,budget=%d", tt.name, plan.merge, plan.budget), func(t *testing.T) {
				got, err := s.ListJobs(ctx, tt.q)
				if err != nil {
					t.Fatalf("ListJobs(%+v) = %v", tt.q, err)
				}
				if !slices.Equal(ids(got), tt.want) {
					t.Errorf("ListJobs(%+v) = %v, want %v", tt.q, ids(got), tt.want)
				}
			})
		}
	}
	s.prefixMergeValues, s.prefixWalkBudget = maxMergeValues, prefixWalkBudget

	invalid := []barge.JobQuery{
		{},
		{Queue: "q", ArrayParent: "arr"},
		{ArrayParent: "arr", NamePrefix: "b"},
		{ArrayParent: "arr", JobDefName: "def"},
		{Queue: "q", IncludeChildren: true, Status: barge.JobRunnable, JobDefArn: "x"},
		{Queue: "q", IncludeChildren: true},
	}
	for _, q := range invalid {
		_, err := s.ListJobs(ctx, q)
		wantCode(t, fmt.Sprintf("ListJobs(%+v)", q), err, barge.EInvalid)
	}
}

// TestListJobsPagesStable pages through a queue while jobs keep arriving:
// every job there at the first page shows up exactly once.
func TestListJobsPagesStable(t *testing.T) {
	for _, oldest := range []bool{false, true} {
		t.Run(fmt.Sprintf("oldest=%v", oldest), func(t *testing.T) {
			s := newStore(t)
			ctx := context.Background()
			next := 0
			insert := func(n int) []string {
				var jobs []*barge.Job
				for range n {
					next++
					jobs = append(jobs, newJob(fmt.Sprintf("j%03d", next), "q", "n"))
				}
				if err := s.InsertJobs(ctx, jobs); err != nil {
					t.Fatal(err)
				}
				return ids(jobs)
			}
			initial := insert(50)

			seen := map[string]int{}
			q := barge.JobQuery{Queue: "q", Oldest: oldest, Limit: 7}
			for page := 0; ; page++ {
				jobs, err := s.ListJobs(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range jobs {
					seen[j.ID]++
				}
				if len(jobs) < q.Limit || page > 100 {
					break
				}
				q.Cursor = jobs[len(jobs)-1].Seq
				insert(3)
			}
			for _, id := range initial {
				if seen[id] != 1 {
					t.Errorf("job %s listed %d times, want once", id, seen[id])
				}
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("job %s listed %d times", id, n)
				}
			}
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abc", "abd", true},
		{"a", "b", true},
		{"ab\xff", "ac", true},
		{"\xff\xff", "", false},
	}
	for _, tt := range tests {
		got, ok := prefixEnd(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// queryPlan returns SQLite's plan for query, one line per step.
func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	if onPostgres {
		t.Skip("SQLite's query plans; TestPostgresQueryPlans checks PostgreSQL's")
	}
	rows, err := s.rdb.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN %s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// postgresPlan returns PostgreSQL's plan of query, with sequential scans
// priced out of reach: the test tables are small enough for a scan to be
// the cheapest plan, while what matters is that an index can serve the query.
func postgresPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "RESET enable_seqscan")
	// Statistics, as autovacuum would gather on a table in use.
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, "EXPLAIN "+s.d.rebind(query), args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// checkPostgresPlan fails t unless PostgreSQL's plan of query reads no
// table through: some index must serve it. Which index, and whether a page
// is sorted, PostgreSQL decides by its statistics, and on the few rows of a
// test its choices are not those it makes on a million (docs/PERFORMANCE.md
// shows the plans of the hot queries at a million jobs).
func checkPostgresPlan(t *testing.T, s *Store, query string, args []any) {
	t.Helper()
	plan := postgresPlan(t, s, query, args...)
	if strings.Contains(plan, "Seq Scan on") || !strings.Contains(plan, "Index") {
		t.Errorf("plan of %s =\n%s\nwant index scans only", query, plan)
	}
}

// TestQueryPlans checks that the hot queries seek the index meant for them
// and scan no table. Where the index gives the seq order, the plan must not
// sort; where it cannot (sorted), only the seqs are sorted, from the index
// alone (COVERING), and the page's rows are then read by seq.
func TestQueryPlans(t *testing.T) {
	s := listFixture(t)
	list := func(q barge.JobQuery) (string, []any) { return jobQuerySQL(q, seqBounds{}) }
	cursor := func(q barge.JobQuery) (string, []any) { return jobQuerySQL(q, seqBounds{hi: 100}) }
	tests := []struct {
		name   string
		sql    func() (string, []any)
		index  string
		sorted bool
	}{
		{"queue+status", func() (string, []any) { return list(barge.JobQuery{Queue: "q", Status: barge.JobRunnable}) }, "jobs_queue_status", false},
		{"queue+status page 2", func() (string, []any) { return cursor(barge.JobQuery{Queue: "q", Status: barge.JobRunnable}) }, "jobs_queue_status", false},
		{"scheduler scan", func() (string, []any) {
			return list(barge.JobQuery{Queue: "q", Status: barge.JobRunnable, IncludeChildren: true, Oldest: true})
		}, "jobs_queue_status", false},
		{"queue", func() (string, []any) { return list(barge.JobQuery{Queue: "q"}) }, "jobs_queue_seq", false},
		{"created range", func() (string, []any) {
			return jobQuerySQL(barge.JobQuery{Queue: "q", CreatedAfter: 5}, seqBounds{lo: 10, hi: 100})
		}, "jobs_queue_seq", false},
		{"children", func() (string, []any) { return list(barge.JobQuery{ArrayParent: "arr"}) }, "jobs_children", true},
		{"children by status", func() (string, []any) { return list(barge.JobQuery{ArrayParent: "arr", Status: barge.JobFailed}) }, "jobs_children", false},
		{"name exact", func() (string, []any) { return list(barge.JobQuery{Queue: "q", NamePrefix: "a", NameExact: true}) }, "jobs_queue_name", false},
		{"name prefix", func() (string, []any) { return list(barge.JobQuery{Queue: "q", NamePrefix: "alp"}) }, "jobs_queue_name", true},
		{"jobdef", func() (string, []any) { return list(barge.JobQuery{Queue: "q", JobDefName: "def"}) }, "jobs_queue_jobdef", false},
		{"jobdef prefix", func() (string, []any) {
			return list(barge.JobQuery{Queue: "q", JobDefName: "de", JobDefNamePrefix: true})
		}, "jobs_queue_jobdef", true},
		{"prefix values", func() (string, []any) { return prefixValuesSQL("q", "name_lc", "alp", "alq", 65) }, "jobs_queue_name", false},
		{"prefix definitions", func() (string, []any) { return prefixValuesSQL("q", "jobdef_name", "de", "df", 65) }, "jobs_queue_jobdef", false},
		{"name prefix walked", func() (string, []any) {
			return prefixWalkSQL(barge.JobQuery{Queue: "q", NamePrefix: "alp"}, seqBounds{lo: 3, hi: 100})
		}, "jobs_queue_seq", false},
		{"jobdef prefix walked", func() (string, []any) {
			return prefixWalkSQL(barge.JobQuery{Queue: "q", JobDefName: "de", JobDefNamePrefix: true, Oldest: true}, seqBounds{lo: 2})
		}, "jobs_queue_seq", false},

		{"jobdef arn", func() (string, []any) {
			return list(barge.JobQuery{Queue: "q", JobDefArn: testScope.JobDefinitionARN("def", 2)})
		}, "jobs_queue_jobdef", false},
		{"get jobs", func() (string, []any) {
			return "SELECT " + jobColumns + " FROM jobs WHERE id IN (?, ?)", []any{"a", "b"}
		}, "sqlite_autoindex_jobs_1", false},
		{"count children", func() (string, []any) {
			return "SELECT status, COUNT(*) FROM jobs WHERE array_parent = ? GROUP BY status", []any{"arr"}
		}, "jobs_children", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query, args := tt.sql()
			if onPostgres {
				checkPostgresPlan(t, s, query, args)
				return
			}
			plan := queryPlan(t, s, query, args...)
			if !strings.Contains(plan, "INDEX "+tt.index+" (") {
				t.Errorf("plan of %s = %q, want a search of index %s", query, plan, tt.index)
			}
			for _, line := range strings.Split(plan, "\n") {
				// "SCAN v" reads the values a prefix covers, "SCAN
				// CONSTANT ROW" starts their recursion: neither is a table.
				if strings.HasPrefix(line, "SCAN ") && line != "SCAN v" && line != "SCAN CONSTANT ROW" {
					t.Errorf("plan of %s has a full scan: %q", query, line)
				}
			}
			sorts := strings.Contains(plan, "TEMP B-TREE")
			switch {
			case !tt.sorted && sorts:
				t.Errorf("plan of %s = %q, want no sort (the index order)", query, plan)
			case tt.sorted && (!strings.Contains(plan, "COVERING INDEX "+tt.index+" (") ||
				!strings.Contains(plan, "SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)")):
				t.Errorf("plan of %s = %q, want a sort of the seqs in covering index %s, then rows by seq",
					query, plan, tt.index)
			}
		})
	}

	// A merge reads each value's run from the covering index, at most a
	// page of it, and merges the runs; SQLite orders each run's page again
	// (a sort of at most a page) but reads no table and sorts no matches.
	merges := []struct {
		name, index string
		q           barge.JobQuery
		column      string
		values      []string
	}{
		{"name prefix merged", "jobs_queue_name", barge.JobQuery{Queue: "q", NamePrefix: "alp"}, "name_lc", []string{"alpha", "alpha-1", "alpha-2"}},
		{"jobdef prefix merged", "jobs_queue_jobdef", barge.JobQuery{Queue: "q", JobDefName: "de", JobDefNamePrefix: true, Oldest: true}, "jobdef_name", []string{"def", "define"}},
	}
	for _, m := range merges {
		t.Run(m.name, func(t *testing.T) {
			query, args := mergeSQL(m.q, seqBounds{hi: 100}, m.column, m.values)
			plan := queryPlan(t, s, query, args...)
			if n := strings.Count(plan, "SEARCH jobs USING COVERING INDEX "+m.index+" ("); n != len(m.values) {
				t.Errorf("plan of %s = %q, want %d searches of covering index %s", query, plan, len(m.values), m.index)
			}
			if !strings.Contains(plan, "MERGE (UNION ALL)") || strings.Contains(plan, "SCAN jobs") {
				t.Errorf("plan of %s = %q, want a merge of index searches", query, plan)
			}
		})
	}
}

// TestListJobsPrefixPages pages through a prefix whose names repeat, as
// job names do, mixed with jobs it does not match and with array children,
// each way a prefix can be served: every page is the next newest (or
// oldest) matches, whatever the plan.
func TestListJobsPrefixPages(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var want []string // matching IDs, oldest first
	for i := range 60 {
		var jobs []*barge.Job
		switch i % 4 {
		case 0:
			jobs = []*barge.Job{newJob(fmt.Sprint("etl-daily-", i), "q", "etl-daily")}
		case 1:
			jobs = []*barge.Job{newJob(fmt.Sprint("etl-hourly-", i), "q", "ETL-Hourly")}
		case 2:
			jobs = newArray(fmt.Sprint("report-", i), "q", "report", 2)
		case 3:
			jobs = []*barge.Job{newJob(fmt.Sprint("other-q-", i), "q2", "etl-daily")}
		}
		if i%4 < 2 {
			want = append(want, jobs[0].ID)
		}
		if err := s.InsertJobs(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	newest := slices.Clone(want)
	slices.Reverse(newest)
	for _, plan := range []struct{ merge, budget int }{
		{maxMergeValues, prefixWalkBudget}, {1, prefixWalkBudget}, {0, prefixWalkBudget}, {0, 7}, {0, 0}, {0, -1},
	} {
		s.prefixMergeValues, s.prefixWalkBudget = plan.merge, plan.budget
		for _, oldest := range []bool{false, true} {
			t.Run(fmt.Sprintf("merge=%d,budget=%d,oldest=%v", plan.merge, plan.budget, oldest), func(t *testing.T) {
				q := barge.JobQuery{Queue: "q", NamePrefix: "etl-", Limit: 7, Oldest: oldest}
				var got []string
				for page := 0; page < 10; page++ {
					jobs, err := s.ListJobs(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, ids(jobs)...)
					if len(jobs) < q.Limit {
						break
					}
					q.Cursor = jobs[len(jobs)-1].Seq
				}
				w := newest
				if oldest {
					w = want
				}
				if !slices.Equal(got, w) {
					t.Errorf("pages of prefix etl- = %v, want %v", got, w)
				}
			})
		}
	}
}
