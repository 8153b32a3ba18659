package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/bargehq/barge"
)

// A namedTable holds one kind of small resource keyed by a unique name, with
// the JSON of the domain struct as data: compute environments, job queues and
// scheduling policies. The typed methods of each kind are thin wrappers of
// the functions below.
type namedTable struct {
	table string // SQL table name
	kind  string // for messages, e.g. "compute environment"
}

var (
	computeEnvironments = namedTable{table: "compute_environments", kind: "compute environment"}
	jobQueues           = namedTable{table: "job_queues", kind: "job queue"}
	schedulingPolicies  = namedTable{table: "scheduling_policies", kind: "scheduling policy"}
)

func (t namedTable) notFound(name string) error {
	return barge.Errorf(barge.ENotFound, "%s %q not found", t.kind, name)
}

// createNamed stores v under name; EConflict if the name is taken.
func createNamed[T any](ctx context.Context, s *Store, t namedTable, name string, v *T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("INSERT INTO "+t.table+" (name, data) VALUES (?, ?)", name, data)
		if s.d.isUniqueViolation(err) {
			return barge.Errorf(barge.EConflict, "%s %q already exists", t.kind, name)
		}
		return err
	})
}

// getNamed returns the resource called name.
func getNamed[T any](ctx context.Context, s *Store, t namedTable, name string) (*T, error) {
	var data []byte
	err := s.queryRow(ctx, "SELECT data FROM "+t.table+" WHERE name = ?", name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, t.notFound(name)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	return v, nil
}

// listNamed returns up to limit resources in creation order, starting after
// the one called after ("" starts at the beginning).
func listNamed[T any](ctx context.Context, s *Store, t namedTable, after string, limit int) ([]*T, error) {
	var seq int64
	if after != "" {
		err := s.queryRow(ctx, "SELECT seq FROM "+t.table+" WHERE name = ?", after).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			// The page ended with a resource deleted since: where it stood
			// is lost, and restarting would repeat items.
			return nil, barge.Errorf(barge.EInvalid, "The pagination token is no longer valid; list again from the start.")
		}
		if err != nil {
			return nil, s.d.dbError(err)
		}
	}
	rows, err := s.query(ctx, "SELECT data FROM "+t.table+" WHERE seq > ? ORDER BY seq LIMIT ?", seq, pageSize(limit))
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, s.d.dbError(err)
		}
		v := new(T)
		if err := json.Unmarshal(data, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, s.d.dbError(rows.Err())
}

// putNamed replaces the resource called name with v; ENotFound if absent.
func putNamed[T any](ctx context.Context, s *Store, t namedTable, name string, v *T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("UPDATE "+t.table+" SET data = ? WHERE name = ?", data, name))
		if err == nil && n == 0 {
			return t.notFound(name)
		}
		return err
	})
}

// deleteNamed deletes the resource called name; ENotFound if absent.
func deleteNamed(ctx context.Context, s *Store, t namedTable, name string) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("DELETE FROM "+t.table+" WHERE name = ?", name))
		if err == nil && n == 0 {
			return t.notFound(name)
		}
		return err
	})
}
