package store

import (
	"context"
	"strconv"

	"github.com/bargehq/barge"
)

// A fair-share queue keeps one line per share identifier (see migration
// 0005): the share_id and priority columns of its jobs, array children
// included, and the partial indexes jobs_share_runnable (the lines),
// jobs_share_started (the shares holding capacity) and jobs_queue_share
// (ListJobs' SHARE_IDENTIFIER filter).

// shareLines gives the jobs of one InsertJobs call their share_id and
// priority columns. An array child has neither share nor priority of its
// own: it takes its parent's, and the parent is inserted in the same call,
// before its children.
type shareLines map[string]*barge.JobSpec // array parent ID → its spec

// of returns j's share_id (nil outside fair-share queues) and priority.
func (l shareLines) of(j *barge.Job) (share any, priority int) {
	spec := j.Spec
	if spec == nil {
		spec = l[j.ArrayParent]
	} else if spec.ArraySize > 0 {
		l[j.ID] = spec
	}
	if spec == nil || spec.ShareIdentifier == "" {
		return nil, 0
	}
	if spec.SchedulingPriority != nil {
		priority = *spec.SchedulingPriority
	}
	return spec.ShareIdentifier, priority
}

// maxShares bounds the share identifiers RunnableShares and StartedShares
// return: AWS allows 500 active ones per queue.
const maxShares = 10000

// skipSharesSQL returns the query of the distinct share identifiers of a
// queue's jobs that match cond (whose partial index, keyed by queue and
// share_id, it uses). It seeks from one share to the next (a recursive
// query, so that the seeks cost no round trip each): one seek per share,
// however many jobs each has. The queue is its one parameter, given twice.
func skipSharesSQL(cond string) string {
	next := "SELECT MIN(share_id) FROM jobs WHERE queue = ? AND " + cond + " AND share_id > "
	// The LIMIT is on the outer query (PostgreSQL has none in a recursive
	// one); both databases compute the recursion only as far as it is read.
	return "WITH RECURSIVE shares(share) AS (" + next + "''" +
		" UNION ALL SELECT (" + next + "shares.share) FROM shares WHERE shares.share IS NOT NULL" +
		") SELECT share FROM shares WHERE share IS NOT NULL LIMIT " + strconv.Itoa(maxShares)
}

// The queries of the shares of a queue with RUNNABLE jobs (the lines, in
// jobs_share_runnable) and of those with jobs STARTING or RUNNING (in
// jobs_share_started).
var (
	runnableSharesSQL = skipSharesSQL("status = 'RUNNABLE'")
	startedSharesSQL  = skipSharesSQL("status IN ('STARTING', 'RUNNING')")
)

// RunnableShares returns the share identifiers that have RUNNABLE jobs in
// queue, in byte order.
func (s *Store) RunnableShares(ctx context.Context, queue string) ([]string, error) {
	return s.shares(ctx, runnableSharesSQL, queue)
}

// StartedShares returns the share identifiers that have jobs STARTING or
// RUNNING in queue (the active shares), in byte order.
func (s *Store) StartedShares(ctx context.Context, queue string) ([]string, error) {
	return s.shares(ctx, startedSharesSQL, queue)
}

// shares runs a query of skipSharesSQL.
func (s *Store) shares(ctx context.Context, query, queue string) ([]string, error) {
	shares, err := s.queryStrings(ctx, query, queue, queue)
	return shares, s.d.dbError(err)
}

// shareLineSQL reads the front of a share's line in jobs_share_runnable;
// shareJobsSQL adds the conditions and order of one range of it.
const shareLineSQL = "SELECT " + jobColumns + " FROM jobs WHERE queue = ? AND status = 'RUNNABLE' AND share_id = ?"

// ShareJobs returns up to limit RUNNABLE jobs of share's line in queue,
// after cursor: highest schedulingPriority first, then oldest first. Array
// children are included (they carry their parent's share and priority).
func (s *Store) ShareJobs(ctx context.Context, queue, share string, after barge.ShareCursor, limit int) ([]*barge.Job, error) {
	limit = pageSize(limit)
	if after.Seq == 0 {
		return s.scanJobs(ctx, false, shareLineSQL+" ORDER BY priority DESC, seq LIMIT ?", queue, share, limit)
	}
	// The rest of the cursor's priority, then the lower priorities: two
	// ranges of the index, where one condition with OR would be a scan.
	jobs, err := s.scanJobs(ctx, false, shareLineSQL+" AND priority = ? AND seq > ? ORDER BY seq LIMIT ?",
		queue, share, after.Priority, after.Seq, limit)
	if err != nil || len(jobs) == limit {
		return jobs, err
	}
	more, err := s.scanJobs(ctx, false, shareLineSQL+" AND priority < ? ORDER BY priority DESC, seq LIMIT ?",
		queue, share, after.Priority, limit-len(jobs))
	return append(jobs, more...), err
}

// listShareJobs is ListJobs with q.ShareID: the top-level jobs of one share
// of a queue, in any status or in q.Status, newest first (oldest first with
// q.Oldest).
func (s *Store) listShareJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error) {
	if q.Queue == "" || q.ArrayParent != "" || q.IncludeChildren || q.NamePrefix != "" || q.JobDefName != "" ||
		q.JobDefArn != "" || q.CreatedAfter > 0 || q.CreatedBefore > 0 {
		return nil, barge.Errorf(barge.EInvalid, "The share identifier filter lists the top-level jobs of a job queue, with a job status at most.")
	}
	query, args := shareQuerySQL(q)
	return s.scanJobs(ctx, q.Summary, query, args...)
}

// shareQuerySQL returns listShareJobs' query, a range of jobs_queue_share.
func shareQuerySQL(q barge.JobQuery) (string, []any) {
	query := "SELECT " + jobColumns + " FROM jobs WHERE queue = ? AND share_id = ? AND array_index IS NULL"
	args := []any{q.Queue, q.ShareID}
	if q.Status != "" {
		// As an expression, the status is no index term, so SQLite takes
		// jobs_queue_share rather than jobs_queue_status, where a small
		// share among many jobs of that status would be a long scan.
		query += " AND status || '' = ?"
		args = append(args, q.Status)
	}
	order := " ORDER BY seq DESC LIMIT ?"
	if q.Oldest {
		order = " ORDER BY seq LIMIT ?"
	}
	if q.Cursor > 0 {
		if q.Oldest {
			query += " AND seq > ?"
		} else {
			query += " AND seq < ?"
		}
		args = append(args, q.Cursor)
	}
	return query + order, append(args, pageSize(q.Limit))
}

// scanJobs runs a query of jobColumns and reads its jobs, in full or, with
// summary, as barge.JobQuery.Summary says.
func (s *Store) scanJobs(ctx context.Context, summary bool, query string, args ...any) ([]*barge.Job, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var raws []rawJob
	for rows.Next() {
		r, err := scanRawJob(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		raws = append(raws, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.d.dbError(err)
	}
	rows.Close() // give the reader back before decoding
	out, err := decodeJobs(raws, summary)
	return out, s.d.dbError(err)
}
