package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// IAM roles and their policies. Role names are matched regardless of case,
// as IAM does. Only the IAM API calls these methods, so their errors carry
// IAM's own messages: ENotFound "The role with name X cannot be found.",
// EConflict "Role with name X already exists." or, from DeleteRole, the
// policies still in the way, ELimit for the policy quotas.

// roleKey is the key a role name is stored and looked up under.
func roleKey(name string) string { return strings.ToLower(name) }

func errNoRole(name string) error {
	return barge.Errorf(barge.ENotFound, "The role with name %s cannot be found.", name)
}

const roleColumns = "name, id, path, arn, created_at, assume_role_policy, description, max_session_duration, permissions_boundary, tags"

// scanRole reads a row of roleColumns.
func scanRole(sc interface{ Scan(...any) error }) (*barge.Role, error) {
	var (
		r       barge.Role
		created int64
		tags    []byte
	)
	err := sc.Scan(&r.Name, &r.ID, &r.Path, &r.ARN, &created, &r.AssumeRolePolicy, &r.Description,
		&r.MaxSessionDuration, &r.PermissionsBoundary, &tags)
	if err != nil {
		return nil, err
	}
	r.Created = time.UnixMilli(created).UTC()
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &r.Tags); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// tagsJSON returns the tags column for tags: NULL when there are none.
func tagsJSON(tags []barge.RoleTag) ([]byte, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	return json.Marshal(tags)
}

// CreateRole stores a new role; EConflict if a role of the same name,
// regardless of case, exists.
func (s *Store) CreateRole(ctx context.Context, r *barge.Role) error {
	tags, err := tagsJSON(r.Tags)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("INSERT INTO roles (name_key, "+roleColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			roleKey(r.Name), r.Name, r.ID, r.Path, r.ARN, r.Created.UnixMilli(), r.AssumeRolePolicy, r.Description,
			r.MaxSessionDuration, r.PermissionsBoundary, tags)
		if s.d.isUniqueViolation(err) {
			return barge.Errorf(barge.EConflict, "Role with name %s already exists.", r.Name)
		}
		return err
	})
}

// GetRole returns the role called name; ENotFound if there is none.
func (s *Store) GetRole(ctx context.Context, name string) (*barge.Role, error) {
	r, err := scanRole(s.queryRow(ctx, "SELECT "+roleColumns+" FROM roles WHERE name_key = ?", roleKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRole(name)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	return r, nil
}

// ListRoles returns up to limit roles whose path starts with pathPrefix, in
// order of their names regardless of case, starting after the role called
// after ("" starts at the beginning). after need not exist any more. A limit
// of zero or less means 100.
func (s *Store) ListRoles(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.Role, error) {
	rows, err := s.query(ctx, "SELECT "+roleColumns+" FROM roles WHERE name_key > ? AND substr(path, 1, ?) = ? ORDER BY name_key LIMIT ?",
		roleKey(after), len(pathPrefix), pathPrefix, pageSize(limit))
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.Role
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, r)
	}
	return out, s.d.dbError(rows.Err())
}

// UpdateRole changes the role called name: fn gets the stored role and
// changes its trust policy, description, maximum session duration,
// permissions boundary or tags (its name, ID, path, ARN and creation time
// stay). fn's error aborts the update and is returned. UpdateRole returns
// the role as stored; ENotFound if there is none.
//
// The read and the write are one request of the writer, so no other change
// to the role comes between them. fn must not block.
func (s *Store) UpdateRole(ctx context.Context, name string, fn func(*barge.Role) error) (*barge.Role, error) {
	var updated *barge.Role
	err := s.write(ctx, func(tx *wtx) error {
		r, err := scanRole(tx.queryRow("SELECT "+roleColumns+" FROM roles WHERE name_key = ?", roleKey(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return errNoRole(name)
		}
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		tags, err := tagsJSON(r.Tags)
		if err != nil {
			return err
		}
		if _, err := tx.exec("UPDATE roles SET assume_role_policy = ?, description = ?, max_session_duration = ?, permissions_boundary = ?, tags = ? WHERE name_key = ?",
			r.AssumeRolePolicy, r.Description, r.MaxSessionDuration, r.PermissionsBoundary, tags, roleKey(name)); err != nil {
			return err
		}
		updated = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return updated, nil
}

// DeleteRole deletes the role called name. ENotFound if there is none;
// EConflict, as IAM, while it is in an instance profile, managed policies
// are attached to it or inline policies are in it.
func (s *Store) DeleteRole(ctx context.Context, name string) error {
	key := roleKey(name)
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec(`DELETE FROM roles WHERE name_key = ?
			AND NOT EXISTS (SELECT 1 FROM role_attached_policies WHERE role_key = ?)
			AND NOT EXISTS (SELECT 1 FROM role_inline_policies WHERE role_key = ?)
			AND NOT EXISTS (SELECT 1 FROM instance_profiles WHERE role_key = ?)`, key, key, key, key))
		if err != nil || n == 1 {
			return err
		}
		var exists, attached, inline, profiles bool
		err = tx.queryRow(`SELECT
			EXISTS (SELECT 1 FROM roles WHERE name_key = ?),
			EXISTS (SELECT 1 FROM role_attached_policies WHERE role_key = ?),
			EXISTS (SELECT 1 FROM role_inline_policies WHERE role_key = ?),
			EXISTS (SELECT 1 FROM instance_profiles WHERE role_key = ?)`, key, key, key, key).Scan(&exists, &attached, &inline, &profiles)
		switch {
		case err != nil:
			return err
		case !exists:
			return errNoRole(name)
		case profiles:
			return barge.Errorf(barge.EConflict, "Cannot delete entity, must remove roles from instance profile first.")
		case attached:
			return barge.Errorf(barge.EConflict, "Cannot delete entity, must detach all policies first.")
		default:
			return barge.Errorf(barge.EConflict, "Cannot delete entity, must delete policies first.")
		}
	})
}

// roleExists reports whether the role keyed key exists, inside a write.
func roleExists(tx *wtx, key string) (bool, error) {
	var ok bool
	err := tx.queryRow("SELECT EXISTS (SELECT 1 FROM roles WHERE name_key = ?)", key).Scan(&ok)
	return ok, err
}

// AttachRolePolicy attaches the managed policy policyARN to the role called
// name. Attaching a policy already attached changes nothing, as in IAM.
// ENotFound if the role does not exist; ELimit if it already has limit
// policies attached.
func (s *Store) AttachRolePolicy(ctx context.Context, name, policyARN string, limit int) error {
	key := roleKey(name)
	return s.write(ctx, func(tx *wtx) error {
		if ok, err := roleExists(tx, key); err != nil || !ok {
			if err == nil {
				err = errNoRole(name)
			}
			return err
		}
		var n, attached int
		if err := tx.queryRow("SELECT COUNT(*), COUNT(CASE WHEN policy_arn = ? THEN 1 END) FROM role_attached_policies WHERE role_key = ?",
			policyARN, key).Scan(&n, &attached); err != nil {
			return err
		}
		if attached > 0 {
			return nil
		}
		if parts := strings.SplitN(policyARN, ":", 6); len(parts) != 6 || parts[4] != "aws" { // arn:<partition>:iam::aws:policy/...
			// A customer managed policy must exist as it is attached, so
			// that DeletePolicy, which refuses attached policies, cannot
			// come between.
			var ok bool
			if err := tx.queryRow("SELECT EXISTS (SELECT 1 FROM managed_policies WHERE arn = ?)", policyARN).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return barge.Errorf(barge.ENotFound, "Policy %s does not exist or is not attachable.", policyARN)
			}
		}
		if n >= limit {
			return barge.Errorf(barge.ELimit, "Cannot exceed quota for PoliciesPerRole: %d", limit)
		}
		_, err := tx.exec("INSERT INTO role_attached_policies (role_key, policy_arn) VALUES (?, ?)", key, policyARN)
		return err
	})
}

// DetachRolePolicy detaches the managed policy policyARN from the role
// called name; ENotFound if the role does not exist or the policy is not
// attached to it.
func (s *Store) DetachRolePolicy(ctx context.Context, name, policyARN string) error {
	key := roleKey(name)
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("DELETE FROM role_attached_policies WHERE role_key = ? AND policy_arn = ?", key, policyARN))
		if err != nil || n == 1 {
			return err
		}
		if ok, err := roleExists(tx, key); err != nil || !ok {
			if err == nil {
				err = errNoRole(name)
			}
			return err
		}
		return barge.Errorf(barge.ENotFound, "Policy %s was not found.", policyARN)
	})
}

// ListAttachedRolePolicies returns the ARNs of the managed policies attached
// to the role called name, in attachment order; ENotFound if there is no
// such role.
func (s *Store) ListAttachedRolePolicies(ctx context.Context, name string) ([]string, error) {
	return s.roleStrings(ctx, `SELECT a.policy_arn FROM roles r
		LEFT JOIN role_attached_policies a ON a.role_key = r.name_key
		WHERE r.name_key = ? ORDER BY a.seq`, name)
}

// roleStrings runs a query that left-joins the role called name with one
// of its lists: one query answers both whether the role exists (a row at
// all) and what the list holds (the non-NULL values), so the two agree.
// ENotFound if there is no such role.
func (s *Store) roleStrings(ctx context.Context, query, name string) ([]string, error) {
	rows, err := s.query(ctx, query, roleKey(name))
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	found := false
	values := []string{}
	for rows.Next() {
		found = true
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return nil, s.d.dbError(err)
		}
		if v.Valid {
			values = append(values, v.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.d.dbError(err)
	}
	if !found {
		return nil, errNoRole(name)
	}
	return values, nil
}

// PutRolePolicy adds the inline policy p to the role called p.RoleName, or
// replaces the one of the same name. ENotFound if the role does not exist;
// ELimit if the role's inline policies would together exceed maxSize
// characters (see barge.PolicySize).
func (s *Store) PutRolePolicy(ctx context.Context, p *barge.InlinePolicy, maxSize int) error {
	key := roleKey(p.RoleName)
	size := barge.PolicySize(p.Document)
	return s.write(ctx, func(tx *wtx) error {
		if ok, err := roleExists(tx, key); err != nil || !ok {
			if err == nil {
				err = errNoRole(p.RoleName)
			}
			return err
		}
		var others int
		if err := tx.queryRow("SELECT COALESCE(SUM(size), 0) FROM role_inline_policies WHERE role_key = ? AND name <> ?",
			key, p.Name).Scan(&others); err != nil {
			return err
		}
		if others+size > maxSize {
			return barge.Errorf(barge.ELimit, "Maximum policy size of %d bytes exceeded for role %s", maxSize, p.RoleName)
		}
		_, err := tx.exec(`INSERT INTO role_inline_policies (role_key, name, document, size) VALUES (?, ?, ?, ?)
			ON CONFLICT (role_key, name) DO UPDATE SET document = excluded.document, size = excluded.size`,
			key, p.Name, p.Document, size)
		return err
	})
}

// GetRolePolicy returns the inline policy called policy of the role called
// name; ENotFound if there is no such role or policy.
func (s *Store) GetRolePolicy(ctx context.Context, name, policy string) (*barge.InlinePolicy, error) {
	var roleName string
	var doc sql.NullString
	err := s.queryRow(ctx, `SELECT r.name, p.document FROM roles r
		LEFT JOIN role_inline_policies p ON p.role_key = r.name_key AND p.name = ?
		WHERE r.name_key = ?`, policy, roleKey(name)).Scan(&roleName, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRole(name)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	if !doc.Valid {
		return nil, errNoRolePolicy(policy)
	}
	return &barge.InlinePolicy{RoleName: roleName, Name: policy, Document: doc.String}, nil
}

func errNoRolePolicy(policy string) error {
	return barge.Errorf(barge.ENotFound, "The role policy with name %s cannot be found.", policy)
}

// DeleteRolePolicy deletes the inline policy called policy from the role
// called name; ENotFound if there is no such role or policy.
func (s *Store) DeleteRolePolicy(ctx context.Context, name, policy string) error {
	key := roleKey(name)
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("DELETE FROM role_inline_policies WHERE role_key = ? AND name = ?", key, policy))
		if err != nil || n == 1 {
			return err
		}
		if ok, err := roleExists(tx, key); err != nil || !ok {
			if err == nil {
				err = errNoRole(name)
			}
			return err
		}
		return errNoRolePolicy(policy)
	})
}

// ListRolePolicies returns the names of the inline policies of the role
// called name, in order; ENotFound if there is no such role.
func (s *Store) ListRolePolicies(ctx context.Context, name string) ([]string, error) {
	return s.roleStrings(ctx, `SELECT p.name FROM roles r
		LEFT JOIN role_inline_policies p ON p.role_key = r.name_key
		WHERE r.name_key = ? ORDER BY p.name`, name)
}
