package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bargehq/barge"
)

// AddEC2Resources stores new resources, all or none; EConflict if one's ID
// or unique key is taken.
func (s *Store) AddEC2Resources(ctx context.Context, rs ...barge.EC2Resource) error {
	return s.write(ctx, func(tx *wtx) error {
		for _, r := range rs {
			var unique any
			if r.UniqueKey != "" {
				unique = r.UniqueKey
			}
			_, err := tx.exec("INSERT INTO ec2_resources (id, kind, vpc_id, unique_key, doc) VALUES (?, ?, ?, ?, ?)",
				r.ID, r.Kind, r.VPCID, unique, r.Doc)
			if s.d.isUniqueViolation(err) {
				return barge.Errorf(barge.EConflict, "The EC2 resource %s or its name already exists.", r.ID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// GetEC2Resource returns the resource with ID id; ENotFound if there is
// none.
func (s *Store) GetEC2Resource(ctx context.Context, id string) (*barge.EC2Resource, error) {
	var r barge.EC2Resource
	var unique sql.NullString
	err := s.queryRow(ctx, "SELECT id, kind, vpc_id, unique_key, doc FROM ec2_resources WHERE id = ?", id).
		Scan(&r.ID, &r.Kind, &r.VPCID, &unique, &r.Doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, barge.Errorf(barge.ENotFound, "The EC2 resource %s does not exist.", id)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	r.UniqueKey = unique.String
	return &r, nil
}

// ListEC2Resources returns the resources of kind, in creation order.
func (s *Store) ListEC2Resources(ctx context.Context, kind string) ([]barge.EC2Resource, error) {
	rows, err := s.query(ctx, "SELECT id, kind, vpc_id, unique_key, doc FROM ec2_resources WHERE kind = ? ORDER BY seq", kind)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []barge.EC2Resource
	for rows.Next() {
		var r barge.EC2Resource
		var unique sql.NullString
		if err := rows.Scan(&r.ID, &r.Kind, &r.VPCID, &unique, &r.Doc); err != nil {
			return nil, s.d.dbError(err)
		}
		r.UniqueKey = unique.String
		out = append(out, r)
	}
	return out, s.d.dbError(rows.Err())
}

// UpdateEC2Resources replaces the documents of the resources given, all or
// none; ENotFound if one is gone.
func (s *Store) UpdateEC2Resources(ctx context.Context, rs ...barge.EC2Resource) error {
	return s.write(ctx, func(tx *wtx) error {
		for _, r := range rs {
			res, err := tx.exec("UPDATE ec2_resources SET doc = ? WHERE id = ?", r.Doc, r.ID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return barge.Errorf(barge.ENotFound, "The EC2 resource %s does not exist.", r.ID)
			}
		}
		return nil
	})
}

// DeleteEC2Resources deletes the resources with the IDs given, all or none;
// ENotFound if one is gone.
func (s *Store) DeleteEC2Resources(ctx context.Context, ids ...string) error {
	return s.write(ctx, func(tx *wtx) error {
		for _, id := range ids {
			res, err := tx.exec("DELETE FROM ec2_resources WHERE id = ?", id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return barge.Errorf(barge.ENotFound, "The EC2 resource %s does not exist.", id)
			}
		}
		return nil
	})
}
