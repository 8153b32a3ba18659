package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bargehq/barge"
)

// RegisterJobDefinition stores d as a new revision of d.Name, setting
// d.Revision to one more than the highest revision ever registered under the
// name, atomically, and d.Seq to its registration sequence. Revisions are
// never reused, even once deregistered.
func (s *Store) RegisterJobDefinition(ctx context.Context, d *barge.JobDefinition) error {
	return s.write(ctx, func(tx *wtx) error {
		var rev int
		err := tx.queryRow(`INSERT INTO job_definition_names (name, last_revision) VALUES (?, 1)
			ON CONFLICT (name) DO UPDATE SET last_revision = job_definition_names.last_revision + 1
			RETURNING last_revision`, d.Name).Scan(&rev)
		if err != nil {
			return err
		}
		// The revision is known only here, inside the transaction, so the
		// JSON is made here too; definitions are small and rare.
		d.Revision = rev
		data, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return tx.queryRow("INSERT INTO job_definitions (name, revision, status, data) VALUES (?, ?, ?, ?) RETURNING seq",
			d.Name, rev, d.Status, data).Scan(&d.Seq)
	})
}

// GetJobDefinition returns revision revision of the job definition name;
// ENotFound if there is none.
func (s *Store) GetJobDefinition(ctx context.Context, name string, revision int) (*barge.JobDefinition, error) {
	row := s.queryRow(ctx, "SELECT seq, data FROM job_definitions WHERE name = ? AND revision = ?", name, revision)
	d, err := scanJobDefinition(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, barge.Errorf(barge.ENotFound, "job definition %s:%d not found", name, revision)
	}
	return d, s.d.dbError(err)
}

// LatestActiveJobDefinition returns the highest ACTIVE revision of the job
// definition name; ENotFound if no revision is active.
func (s *Store) LatestActiveJobDefinition(ctx context.Context, name string) (*barge.JobDefinition, error) {
	row := s.queryRow(ctx, `SELECT seq, data FROM job_definitions WHERE name = ? AND status = ?
		ORDER BY revision DESC LIMIT 1`, name, barge.JobDefinitionActive)
	d, err := scanJobDefinition(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, barge.Errorf(barge.ENotFound, "job definition %s has no active revision", name)
	}
	return d, s.d.dbError(err)
}

// ListJobDefinitions returns the job definitions q selects, the most recently
// registered first, each with its Seq. To read the next page, set
// q.BeforeSeq to the Seq of the last one. A limit of zero or less means 100.
func (s *Store) ListJobDefinitions(ctx context.Context, q barge.JobDefinitionQuery) ([]*barge.JobDefinition, error) {
	var where []string
	var args []any
	if q.Name != "" {
		where, args = append(where, "name = ?"), append(args, q.Name)
	}
	if q.Status != "" {
		where, args = append(where, "status = ?"), append(args, q.Status)
	}
	if q.BeforeSeq > 0 {
		where, args = append(where, "seq < ?"), append(args, q.BeforeSeq)
	}
	query := "SELECT seq, data FROM job_definitions"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC LIMIT ?"
	args = append(args, pageSize(q.Limit))

	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.JobDefinition
	for rows.Next() {
		d, err := scanJobDefinition(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, d)
	}
	return out, s.d.dbError(rows.Err())
}

// PutJobDefinition replaces the stored revision d.Name:d.Revision with d (to
// deregister it or change its tags); ENotFound if there is none.
func (s *Store) PutJobDefinition(ctx context.Context, d *barge.JobDefinition) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("UPDATE job_definitions SET status = ?, data = ? WHERE name = ? AND revision = ?",
			d.Status, data, d.Name, d.Revision))
		if err == nil && n == 0 {
			return barge.Errorf(barge.ENotFound, "job definition %s:%d not found", d.Name, d.Revision)
		}
		return err
	})
}

// scanJobDefinition reads a row of seq and data.
func scanJobDefinition(row interface{ Scan(...any) error }) (*barge.JobDefinition, error) {
	var seq int64
	var data []byte
	if err := row.Scan(&seq, &data); err != nil {
		return nil, err
	}
	d := new(barge.JobDefinition)
	if err := json.Unmarshal(data, d); err != nil {
		return nil, err
	}
	d.Seq = seq
	return d, nil
}
