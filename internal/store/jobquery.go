package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bargehq/barge"
)

// ListJobs returns a page of the jobs q selects, ordered by Seq (newest
// first unless q.Oldest). A queue's listing leaves out array children unless
// q.IncludeChildren, which needs a q.Status; name and job-definition filters
// apply to top-level jobs only, as AWS's ListJobs filters do. Created-at
// bounds are strict. Pages stay consistent while jobs are added: a job that
// existed at the first page appears exactly once.
//
// Every query it runs is a range scan of an index. Most read just the page.
// For the children of an array in any status, the index entries of all of
// them are sorted by seq to find the page. A name or job-definition prefix
// is served as listByPrefix says.
func (s *Store) ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error) {
	if q.ShareID != "" {
		return s.listShareJobs(ctx, q) // fairshare.go
	}
	if err := validateJobQuery(q); err != nil {
		return nil, err
	}
	r, err := s.seqRange(ctx, q)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	if r.empty() {
		return nil, nil
	}
	if hasPrefixFilter(q) {
		return s.listByPrefix(ctx, q, r)
	}
	query, args := jobQuerySQL(q, r)
	return s.scanJobs(ctx, q.Summary, query, args...)
}

// hasPrefixFilter reports whether q filters a queue by a name or
// job-definition prefix.
func hasPrefixFilter(q barge.JobQuery) bool {
	return (q.NamePrefix != "" && !q.NameExact) || (q.JobDefName != "" && q.JobDefNamePrefix)
}

// prefixWalkBudget is how far, in seqs, a prefix filter walks a queue from
// where its page starts before it sorts its matches instead. A page of a
// prefix matching m of a queue's n jobs costs ~100·n/m index entries walked,
// or ~m sorted; for a million jobs the worst case, where the two meet, is
// near 10,000 of each.
const prefixWalkBudget = 10000

// listByPrefix lists the jobs of a queue whose name or definition starts
// with a prefix. No index yields them in seq order. Sorting the seqs of
// every match, from the index of the column, reads one index entry per
// match: 110,000 for a prefix matching 11% of a million jobs. Three ways
// avoid that. If the prefix covers at most maxMergeValues distinct names (or
// definitions), as it does when names repeat, the runs of those names are
// merged (prefixValues). Otherwise the queue's
// newest top-level jobs (oldest, with q.Oldest) are walked first, in
// jobs_queue_seq, which carries both columns, so that no row is read: those
// within prefixWalkBudget seqs of where the page starts, at most that many
// entries (fewer where other queues and array children hold seqs), which
// hold a page of any prefix matching more than 1% of jobs spread evenly.
// Only if the walk found less than a page, which means a narrow prefix (or
// matches all far from the newest), are the matches sorted, and then they
// are few (~100·n/10,000).
//
// s.prefixWalkBudget is prefixWalkBudget but in tests, where 0 means to sort
// at once and -1 to walk the whole queue and never sort.
func (s *Store) listByPrefix(ctx context.Context, q barge.JobQuery, r seqBounds) ([]*barge.Job, error) {
	if column, prefix, ok := prefixColumn(q); ok && s.prefixMergeValues > 0 {
		values, err := s.prefixValues(ctx, q.Queue, column, prefix, s.prefixMergeValues+1)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		if len(values) == 0 {
			return nil, nil
		}
		if len(values) <= s.prefixMergeValues {
			query, args := mergeSQL(q, r, column, values)
			return s.scanJobs(ctx, q.Summary, query, args...)
		}
	}
	if budget := int64(s.prefixWalkBudget); budget != 0 {
		walk, whole := r, true
		if budget > 0 {
			if q.Oldest {
				walk.below(r.lo + budget + 1)
			} else {
				end := r.hi
				if end == 0 {
					if err := s.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").Scan(&end); err != nil {
						return nil, s.d.dbError(err)
					}
				}
				walk.above(end - budget - 1)
			}
			whole = walk == r
		}
		query, args := prefixWalkSQL(q, walk)
		jobs, err := s.scanJobs(ctx, q.Summary, query, args...)
		if err != nil || whole || len(jobs) >= pageSize(q.Limit) {
			return jobs, err
		}
	}
	query, args := jobQuerySQL(q, r)
	return s.scanJobs(ctx, q.Summary, query, args...)
}

// maxMergeValues is the most distinct names (or definition names) a prefix
// may cover for its page to be merged from their runs (see prefixValues).
const maxMergeValues = 64

// prefixColumn returns the column and the prefix of q's one prefix filter.
func prefixColumn(q barge.JobQuery) (column, prefix string, ok bool) {
	name := q.NamePrefix != "" && !q.NameExact
	def := q.JobDefName != "" && q.JobDefNamePrefix
	switch {
	case name && !def:
		return "name_lc", strings.ToLower(q.NamePrefix), true
	case def && !name:
		return "jobdef_name", q.JobDefName, true
	}
	return "", "", false
}

// prefixValues returns up to limit of the distinct values of column in
// queue that start with prefix, in order. Job names repeat: a queue of a
// million jobs may hold a few dozen names. Each value is found with one seek
// past the one before it in the column's index (queue, column, seq), in one
// statement, so that a prefix covering few values costs few seeks however
// many jobs it matches. Then the jobs of each value are already in seq
// order in that index, and a page is a merge of their runs (mergeSQL): it
// reads at most a page of entries per value, instead of walking the queue
// or sorting every match.
func (s *Store) prefixValues(ctx context.Context, queue, column, prefix string, limit int) ([]string, error) {
	end, ok := prefixEnd(prefix)
	if !ok {
		return nil, nil // no job name or definition name is all 0xff bytes
	}
	query, args := prefixValuesSQL(queue, column, prefix, end, limit)
	return s.queryStrings(ctx, query, args...)
}

// prefixValuesSQL returns prefixValues' query for the values of column in
// queue from prefix up to, not including, end.
func prefixValuesSQL(queue, column, prefix, end string, limit int) (string, []any) {
	first := "SELECT " + column + " FROM jobs WHERE queue = ? AND " + column + " >= ? AND " + column + " < ? ORDER BY " + column + " LIMIT 1"
	next := "SELECT " + column + " FROM jobs WHERE queue = ? AND " + column + " > v.value AND " + column + " < ? ORDER BY " + column + " LIMIT 1"
	return "WITH RECURSIVE v(value) AS (SELECT (" + first + ") UNION ALL SELECT (" + next + ") FROM v WHERE v.value IS NOT NULL) " +
		"SELECT value FROM v WHERE value IS NOT NULL LIMIT ?", []any{queue, prefix, end, queue, end, limit}
}

// mergeSQL returns the query for the page of q within r that merges the
// seq-ordered runs of the given values of column.
func mergeSQL(q barge.JobQuery, r seqBounds, column string, values []string) (string, []any) {
	order := seqOrder(q)
	page := pageSize(q.Limit)
	runs := make([]string, len(values))
	var args []any
	for i, v := range values {
		one := q
		if column == "name_lc" {
			one.NamePrefix, one.NameExact = v, true
		} else {
			one.JobDefName, one.JobDefNamePrefix = v, false
		}
		cond, a := jobQueryWhere(one, r, false)
		runs[i] = "SELECT seq FROM (SELECT seq FROM jobs WHERE " + cond + order + " LIMIT ?) AS r" + strconv.Itoa(i)
		args = append(append(args, a...), page)
	}
	return "SELECT " + jobColumns + " FROM jobs WHERE seq IN (SELECT seq FROM (" + strings.Join(runs, " UNION ALL ") +
		") AS m" + order + " LIMIT ?)" + order, append(args, page)
}

// prefixWalkSQL returns the query that walks q's queue within r, in
// jobs_queue_seq, for a page of the top-level jobs matching q's prefix.
func prefixWalkSQL(q barge.JobQuery, r seqBounds) (string, []any) {
	cond, args := jobQueryWhere(q, r, true)
	where := []string{cond}
	add := func(c string, a ...any) {
		where = append(where, c)
		args = append(args, a...)
	}
	if q.NamePrefix != "" && !q.NameExact {
		addStartsWith(add, "name_lc", strings.ToLower(q.NamePrefix))
	}
	if q.JobDefName != "" && q.JobDefNamePrefix {
		addStartsWith(add, "jobdef_name", q.JobDefName)
	}
	order := seqOrder(q)
	return "SELECT " + jobColumns + " FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE " + strings.Join(where, " AND ") +
		order + " LIMIT ?)" + order, append(args, pageSize(q.Limit))
}

func validateJobQuery(q barge.JobQuery) error {
	if (q.Queue == "") == (q.ArrayParent == "") {
		return barge.Errorf(barge.EInvalid, "List jobs of either a job queue or an array job.")
	}
	if q.IncludeChildren && q.Status == "" {
		// Every status of a queue, children included, is no range of any
		// index; the scheduler asks for one status at a time.
		return barge.Errorf(barge.EInvalid, "Listing a queue with its array children needs a job status.")
	}
	if (q.ArrayParent != "" || q.IncludeChildren) && (q.NamePrefix != "" || q.JobDefName != "" || q.JobDefArn != "") {
		// Children carry neither a lower-cased name nor their definition
		// (both are their parent's); AWS filters top-level jobs only.
		return barge.Errorf(barge.EInvalid, "Job name and job definition filters apply to the jobs of a queue, not to array children.")
	}
	return nil
}

// seqBounds is an open interval of seq: lo < seq < hi, where hi == 0 means
// no upper bound.
type seqBounds struct{ lo, hi int64 }

func (r seqBounds) empty() bool { return r.hi != 0 && r.lo+1 >= r.hi }

func (r *seqBounds) above(lo int64) { r.lo = max(r.lo, lo) }

func (r *seqBounds) below(hi int64) {
	if r.hi == 0 || hi < r.hi {
		r.hi = hi
	}
}

// seqRange turns q's cursor and created-at bounds into bounds on seq. A
// created-at bound is a seq bound because created_at never decreases as seq
// grows (InsertJobs sees to it), so no index on created_at is needed.
func (s *Store) seqRange(ctx context.Context, q barge.JobQuery) (seqBounds, error) {
	var r seqBounds
	if q.Cursor > 0 {
		if q.Oldest {
			r.above(q.Cursor)
		} else {
			r.below(q.Cursor)
		}
	}
	if q.CreatedAfter > 0 {
		first, err := s.firstSeqCreatedAfter(ctx, q.CreatedAfter)
		if err != nil {
			return r, err
		}
		r.above(first - 1)
	}
	if q.CreatedBefore > 0 {
		first, err := s.firstSeqCreatedAfter(ctx, q.CreatedBefore-1)
		if err != nil {
			return r, err
		}
		r.below(first)
	}
	return r, nil
}

// firstSeqCreatedAfter returns the smallest seq of the jobs created after t,
// or one more than the largest seq if there is none. It binary-searches the
// table's own seq order: about 20 lookups for a million jobs.
func (s *Store) firstSeqCreatedAfter(ctx context.Context, t int64) (int64, error) {
	var maxSeq int64
	err := s.queryRow(ctx, "SELECT seq FROM jobs ORDER BY seq DESC LIMIT 1").Scan(&maxSeq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	// Invariant: every job with seq < lo was created at or before t, and
	// every job with seq >= hi after it.
	lo, hi := int64(1), maxSeq+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		var seq, created int64
		err := s.queryRow(ctx, "SELECT seq, created_at FROM jobs WHERE seq >= ? ORDER BY seq LIMIT 1", mid).Scan(&seq, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			hi = mid
		case err != nil:
			return 0, err
		case created > t:
			hi = mid
		default:
			lo = seq + 1
		}
	}
	return lo, nil
}

// jobQuerySQL returns the query for q within seq bounds r. Each shape of
// filter makes its own query text (and prepared statement); they are few.
func jobQuerySQL(q barge.JobQuery, r seqBounds) (string, []any) {
	cond, args := jobQueryWhere(q, r, false)
	order := seqOrder(q)
	args = append(args, pageSize(q.Limit))
	if indexOrdered(q) {
		return "SELECT " + jobColumns + " FROM jobs WHERE " + cond + order + " LIMIT ?", args
	}
	// The index finds the jobs but not in seq order, so they must be
	// sorted: sort their seqs alone, which the index holds, and read only
	// the rows of the page.
	return "SELECT " + jobColumns + " FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE " + cond + order +
		" LIMIT ?)" + order, args
}

// seqOrder returns the ORDER BY clause of q's pages: newest first unless
// q.Oldest.
func seqOrder(q barge.JobQuery) string {
	if q.Oldest {
		return " ORDER BY seq"
	}
	return " ORDER BY seq DESC"
}

// jobQueryWhere returns the condition of q within seq bounds r; with walk,
// the condition on the jobs a prefix filter walks, without the prefix.
func jobQueryWhere(q barge.JobQuery, r seqBounds, walk bool) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	switch {
	case q.ArrayParent != "":
		add("array_parent = ?", q.ArrayParent)
	case q.IncludeChildren:
		add("queue = ?", q.Queue)
	case walk:
		// jobs_queue_seq holds the top-level jobs alone.
		add("queue = ?", q.Queue)
		add("array_index IS NULL")
	case q.NamePrefix != "" || q.JobDefName != "" || q.JobDefArn != "":
		// Only top-level jobs have these columns set, so a filter on
		// them keeps top-level jobs alone, and the index of the column,
		// which holds them alone, serves it without reading rows.
		add("queue = ?", q.Queue)
	default:
		add("queue = ?", q.Queue)
		add("array_index IS NULL")
	}
	if q.Status != "" {
		add("status = ?", q.Status)
	}
	if q.NamePrefix != "" {
		name := strings.ToLower(q.NamePrefix)
		switch {
		case q.NameExact:
			add("name_lc = ?", name)
		case !walk:
			addPrefix(add, "name_lc", name)
		}
	}
	if q.JobDefName != "" {
		switch {
		case !q.JobDefNamePrefix:
			add("jobdef_name = ?", q.JobDefName)
		case !walk:
			addPrefix(add, "jobdef_name", q.JobDefName)
		}
	}
	if q.JobDefArn != "" {
		if q.JobDefName == "" {
			// The ARN's definition name lets jobs_queue_jobdef find the
			// few candidates.
			if name, ok := jobDefNameOfArn(q.JobDefArn); ok {
				add("jobdef_name = ?", name)
			}
		}
		add("jobdef_arn = ?", q.JobDefArn)
	}
	// The seq bounds derived from created-at bounds are exact for the jobs
	// that existed when they were computed; these catch the ones added since.
	if q.CreatedAfter > 0 {
		add("created_at > ?", q.CreatedAfter)
	}
	if q.CreatedBefore > 0 {
		add("created_at < ?", q.CreatedBefore)
	}
	if r.lo > 0 {
		add("seq > ?", r.lo)
	}
	if r.hi > 0 {
		add("seq < ?", r.hi)
	}
	return strings.Join(where, " AND "), args
}

// indexOrdered reports whether the index that serves q yields its jobs in
// seq order: not when q ranges over names (a prefix) or over statuses (the
// children of an array in any status).
func indexOrdered(q barge.JobQuery) bool {
	return !hasPrefixFilter(q) && (q.ArrayParent == "" || q.Status != "")
}

// addPrefix adds the condition that column starts with prefix as a range,
// column >= prefix AND column < prefix-with-its-last-byte-incremented, which
// an index can seek (LIKE could not, as it ignores case for ASCII).
func addPrefix(add func(string, ...any), column, prefix string) {
	if end, ok := prefixEnd(prefix); ok {
		add(column+" >= ? AND "+column+" < ?", prefix, end)
	} else {
		add(column+" >= ?", prefix)
	}
}

// addStartsWith adds the condition that column starts with prefix as a
// comparison of its first characters, which no index can seek: the walk of
// jobs_queue_seq tests it on each entry. (Job names and definition names
// are ASCII; a prefix that is not matches nothing either way.)
func addStartsWith(add func(string, ...any), column, prefix string) {
	add("substr("+column+", 1, ?) = ?", utf8.RuneCountInString(prefix), prefix)
}

// prefixEnd returns the least string greater than every string starting
// with prefix. ok is false if there is none (prefix is all 0xff bytes).
func prefixEnd(prefix string) (end string, ok bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// jobDefNameOfArn returns the definition name of a job definition ARN,
// arn:...:job-definition/name:revision.
func jobDefNameOfArn(arn string) (string, bool) {
	a, ok := barge.ParseARN(arn)
	if !ok || a.Kind != barge.KindJobDefinition {
		return "", false
	}
	name, _, _ := strings.Cut(a.Resource, ":")
	return name, true
}

// CountJobsByQueue returns the number of top-level jobs (array children left
// out, as ListJobs lists them) per queue and status, from one grouped query
// that the index jobs_queue_status answers alone.
func (s *Store) CountJobsByQueue(ctx context.Context) (map[string]map[barge.JobStatus]int, error) {
	rows, err := s.query(ctx, "SELECT queue, status, COUNT(*) FROM jobs WHERE array_index IS NULL GROUP BY queue, status")
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	counts := map[string]map[barge.JobStatus]int{}
	for rows.Next() {
		var q string
		var st barge.JobStatus
		var n int
		if err := rows.Scan(&q, &st, &n); err != nil {
			return nil, s.d.dbError(err)
		}
		if counts[q] == nil {
			counts[q] = map[barge.JobStatus]int{}
		}
		counts[q][st] = n
	}
	return counts, s.d.dbError(rows.Err())
}
