package store

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
)

// depsPerInsert is how many edges one INSERT statement writes.
const depsPerInsert = 200

// insertDeps writes the dependency edges of jobs (their WaitsFor).
func insertDeps(tx *wtx, jobs []*barge.Job) error {
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		n := len(args) / 2
		q := "INSERT INTO job_deps (dep_id, job_id) VALUES (?, ?)" + strings.Repeat(", (?, ?)", n-1) + " ON CONFLICT DO NOTHING"
		_, err := tx.exec(q, args...)
		args = args[:0]
		return err
	}
	for _, j := range jobs {
		for _, dep := range j.WaitsFor {
			args = append(args, dep, j.ID)
			if len(args) == 2*depsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// Dependents returns the IDs of the jobs that wait for job id.
func (s *Store) Dependents(ctx context.Context, id string) ([]string, error) {
	return s.queryStrings(ctx, "SELECT job_id FROM job_deps WHERE dep_id = ?", id)
}

// Prerequisites returns the IDs of the jobs that job id waits for.
func (s *Store) Prerequisites(ctx context.Context, id string) ([]string, error) {
	return s.queryStrings(ctx, "SELECT dep_id FROM job_deps WHERE job_id = ?", id)
}
