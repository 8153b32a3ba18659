package store

import (
	"context"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// LoggedChange is one entry of the job change log (Options.ChangeLog).
type LoggedChange struct {
	Seq    int64
	Origin string // the ID of the server that wrote it
	JobID  string
	From   barge.JobStatus // "" for a new job
	To     barge.JobStatus
	At     int64 // Unix milliseconds
}

// logged reports whether the change log keeps c: a change of status, or a
// started job that TerminateJob marked (the leader's runner must stop its
// task, wherever TerminateJob was called).
func logged(c barge.JobChange) bool {
	j := c.Job
	return c.From != j.Status || (j.IsTerminated && (j.Status == barge.JobStarting || j.Status == barge.JobRunning))
}

// logChanges numbers the logged ones of a transaction's job changes and
// writes them to the change log, as the transaction's last statements.
func (w *writer) logChanges(ctx context.Context, changes []barge.JobChange) error {
	n := 0
	for _, c := range changes {
		if logged(c) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	var last int64
	st, err := w.stmt(ctx, "UPDATE job_change_head SET seq = seq + ? WHERE id = 1 RETURNING seq")
	if err != nil {
		return err
	}
	if err := st.QueryRowContext(ctx, n).Scan(&last); err != nil {
		return err
	}
	seq, at := last-int64(n), time.Now().UnixMilli()
	// Many rows a statement: on PostgreSQL each statement is a round trip,
	// and a batch of SubmitJobs logs one change a job.
	args := make([]any, 0, 6*min(n, changesPerInsert))
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		_, err := w.exec(ctx, insertChangesSQL(rows), args...)
		args, rows = args[:0], 0
		return err
	}
	for _, c := range changes {
		if !logged(c) {
			continue
		}
		seq++
		args = append(args, seq, w.origin, c.Job.ID, string(c.From), string(c.Job.Status), at)
		if rows++; rows == changesPerInsert {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// changesPerInsert is how many change-log rows one INSERT writes at most.
const changesPerInsert = 100

// insertChangesSQL returns the INSERT statement for n change-log rows.
func insertChangesSQL(n int) string {
	const row = "(?, ?, ?, ?, ?, ?)"
	return "INSERT INTO job_changes (seq, origin, job_id, from_status, to_status, at) VALUES " +
		row + strings.Repeat(", "+row, n-1)
}

// LastJobChange returns the number of the newest entry of the change log,
// 0 if there is none: where a follower starts.
func (s *Store) LastJobChange(ctx context.Context) (int64, error) {
	var seq int64
	err := s.queryRow(ctx, "SELECT seq FROM job_change_head WHERE id = 1").Scan(&seq)
	return seq, s.d.dbError(err)
}

// JobChangesAfter returns up to limit entries of the change log after seq,
// in order.
func (s *Store) JobChangesAfter(ctx context.Context, seq int64, limit int) ([]LoggedChange, error) {
	rows, err := s.query(ctx, `SELECT seq, origin, job_id, from_status, to_status, at FROM job_changes
		WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []LoggedChange
	for rows.Next() {
		var c LoggedChange
		var from, to string
		if err := rows.Scan(&c.Seq, &c.Origin, &c.JobID, &from, &to, &c.At); err != nil {
			return nil, s.d.dbError(err)
		}
		c.From, c.To = barge.JobStatus(from), barge.JobStatus(to)
		out = append(out, c)
	}
	return out, s.d.dbError(rows.Err())
}

// TrimJobChanges deletes the change log's entries older than before (Unix
// milliseconds), returning how many it deleted.
func (s *Store) TrimJobChanges(ctx context.Context, before int64) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *wtx) error {
		var err error
		n, err = affected(tx.exec("DELETE FROM job_changes WHERE at < ?", before))
		return err
	})
	return n, err
}
