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

// Customer managed policies, their versions and instance profiles. The
// schema is in migrations/0010_iam_policies.sql. As for roles, only the IAM
// service calls these, and their errors carry IAM's messages.

func errNoPolicy(arn string) error {
	return barge.Errorf(barge.ENotFound, "Policy %s was not found.", arn)
}

const policyColumns = "p.name, p.id, p.path, p.arn, p.description, p.default_version, p.created_at, p.updated_at, p.tags, " +
	"(SELECT COUNT(*) FROM role_attached_policies a WHERE a.policy_arn = p.arn)"

func scanPolicy(sc interface{ Scan(...any) error }) (*barge.ManagedPolicy, error) {
	var (
		p                barge.ManagedPolicy
		created, updated int64
		tags             []byte
	)
	if err := sc.Scan(&p.Name, &p.ID, &p.Path, &p.ARN, &p.Description, &p.DefaultVersion, &created, &updated, &tags, &p.AttachmentCount); err != nil {
		return nil, err
	}
	p.Created, p.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &p.Tags); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// CreateManagedPolicy stores a new customer managed policy whose version 1,
// the default, is document. EConflict if a policy of the same name,
// regardless of case, exists.
func (s *Store) CreateManagedPolicy(ctx context.Context, p *barge.ManagedPolicy, document string) error {
	tags, err := tagsJSON(p.Tags)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO managed_policies (arn, name_key, name, id, path, description, default_version, last_version, created_at, updated_at, tags)
			VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?)`,
			p.ARN, strings.ToLower(p.Name), p.Name, p.ID, p.Path, p.Description, p.Created.UnixMilli(), p.Created.UnixMilli(), tags)
		if s.d.isUniqueViolation(err) {
			return barge.Errorf(barge.EConflict, "A policy called %s already exists. Duplicate names are not allowed.", p.Name)
		}
		if err != nil {
			return err
		}
		p.DefaultVersion = 1
		_, err = tx.exec("INSERT INTO managed_policy_versions (policy_arn, version, document, created_at) VALUES (?, 1, ?, ?)",
			p.ARN, document, p.Created.UnixMilli())
		return err
	})
}

// GetManagedPolicy returns the customer managed policy arn; ENotFound if
// there is none.
func (s *Store) GetManagedPolicy(ctx context.Context, arn string) (*barge.ManagedPolicy, error) {
	p, err := scanPolicy(s.queryRow(ctx, "SELECT "+policyColumns+" FROM managed_policies p WHERE p.arn = ?", arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoPolicy(arn)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	return p, nil
}

// ListManagedPolicies returns up to limit customer managed policies whose
// path starts with pathPrefix, in order of their names regardless of case,
// after the policy called after ("" starts at the beginning).
func (s *Store) ListManagedPolicies(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.ManagedPolicy, error) {
	rows, err := s.query(ctx, "SELECT "+policyColumns+" FROM managed_policies p WHERE p.name_key > ? AND substr(p.path, 1, ?) = ? ORDER BY p.name_key LIMIT ?",
		strings.ToLower(after), len(pathPrefix), pathPrefix, pageSize(limit))
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.ManagedPolicy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, p)
	}
	return out, s.d.dbError(rows.Err())
}

// DeleteManagedPolicy deletes a customer managed policy and its default
// version. ENotFound if there is none; EConflict, as IAM, while it is
// attached to a role or has versions other than the default.
func (s *Store) DeleteManagedPolicy(ctx context.Context, arn string) error {
	return s.write(ctx, func(tx *wtx) error {
		var attached, versions int
		err := tx.queryRow(`SELECT
			(SELECT COUNT(*) FROM role_attached_policies WHERE policy_arn = p.arn),
			(SELECT COUNT(*) FROM managed_policy_versions WHERE policy_arn = p.arn)
			FROM managed_policies p WHERE p.arn = ?`, arn).Scan(&attached, &versions)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errNoPolicy(arn)
		case err != nil:
			return err
		case attached > 0:
			return barge.Errorf(barge.EConflict, "Cannot delete a policy attached to entities.")
		case versions > 1:
			return barge.Errorf(barge.EConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		if _, err := tx.exec("DELETE FROM managed_policy_versions WHERE policy_arn = ?", arn); err != nil {
			return err
		}
		_, err = tx.exec("DELETE FROM managed_policies WHERE arn = ?", arn)
		return err
	})
}

// CreatePolicyVersion adds a version to a customer managed policy, the
// default one if setDefault, and returns it. ENotFound if the policy does
// not exist; ELimit if it has max versions already.
func (s *Store) CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, at time.Time, max int) (*barge.PolicyVersion, error) {
	var v *barge.PolicyVersion
	err := s.write(ctx, func(tx *wtx) error {
		var last, count int
		err := tx.queryRow(`SELECT p.last_version, (SELECT COUNT(*) FROM managed_policy_versions WHERE policy_arn = p.arn)
			FROM managed_policies p WHERE p.arn = ?`, arn).Scan(&last, &count)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoPolicy(arn)
		}
		if err != nil {
			return err
		}
		if count >= max {
			return barge.Errorf(barge.ELimit, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", max)
		}
		v = &barge.PolicyVersion{Version: last + 1, Document: document, IsDefault: setDefault, Created: at}
		if _, err := tx.exec("INSERT INTO managed_policy_versions (policy_arn, version, document, created_at) VALUES (?, ?, ?, ?)",
			arn, v.Version, document, at.UnixMilli()); err != nil {
			return err
		}
		if setDefault {
			_, err = tx.exec("UPDATE managed_policies SET last_version = ?, default_version = ?, updated_at = ? WHERE arn = ?", v.Version, v.Version, at.UnixMilli(), arn)
		} else {
			_, err = tx.exec("UPDATE managed_policies SET last_version = ? WHERE arn = ?", v.Version, arn)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// GetPolicyVersion returns version n of a customer managed policy; ENotFound
// if the policy or the version does not exist.
func (s *Store) GetPolicyVersion(ctx context.Context, arn string, n int) (*barge.PolicyVersion, error) {
	v := barge.PolicyVersion{Version: n}
	var created int64
	err := s.queryRow(ctx, `SELECT v.document, v.created_at, p.default_version = v.version FROM managed_policy_versions v
		JOIN managed_policies p ON p.arn = v.policy_arn WHERE v.policy_arn = ? AND v.version = ?`, arn, n).Scan(&v.Document, &created, &v.IsDefault)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.GetManagedPolicy(ctx, arn); err != nil {
			return nil, err
		}
		return nil, barge.Errorf(barge.ENotFound, "Policy %s version %s does not exist or is not attachable.", arn, v.VersionID())
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	v.Created = time.UnixMilli(created).UTC()
	return &v, nil
}

// ListPolicyVersions returns the versions of a customer managed policy,
// newest first, without their documents; ENotFound if it does not exist.
func (s *Store) ListPolicyVersions(ctx context.Context, arn string) ([]*barge.PolicyVersion, error) {
	rows, err := s.query(ctx, `SELECT v.version, v.created_at, p.default_version = v.version FROM managed_policies p
		LEFT JOIN managed_policy_versions v ON v.policy_arn = p.arn WHERE p.arn = ? ORDER BY v.version DESC`, arn)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	found := false
	var out []*barge.PolicyVersion
	for rows.Next() {
		found = true
		var (
			n, created sql.NullInt64
			def        sql.NullBool
		)
		if err := rows.Scan(&n, &created, &def); err != nil {
			return nil, s.d.dbError(err)
		}
		if n.Valid {
			out = append(out, &barge.PolicyVersion{Version: int(n.Int64), Created: time.UnixMilli(created.Int64).UTC(), IsDefault: def.Bool})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.d.dbError(err)
	}
	if !found {
		return nil, errNoPolicy(arn)
	}
	return out, nil
}

// DeletePolicyVersion deletes version n of a customer managed policy.
// ENotFound if it does not exist; EConflict if it is the default version.
func (s *Store) DeletePolicyVersion(ctx context.Context, arn string, n int) error {
	return s.write(ctx, func(tx *wtx) error {
		var def int
		if err := tx.queryRow("SELECT default_version FROM managed_policies WHERE arn = ?", arn).Scan(&def); errors.Is(err, sql.ErrNoRows) {
			return errNoPolicy(arn)
		} else if err != nil {
			return err
		}
		if def == n {
			return barge.Errorf(barge.EConflict, "Cannot delete the default version of a policy.")
		}
		k, err := affected(tx.exec("DELETE FROM managed_policy_versions WHERE policy_arn = ? AND version = ?", arn, n))
		if err == nil && k == 0 {
			err = barge.Errorf(barge.ENotFound, "Policy %s version v%d does not exist or is not attachable.", arn, n)
		}
		return err
	})
}

// SetDefaultPolicyVersion makes version n the default of a customer
// managed policy; ENotFound if the policy or the version does not exist.
func (s *Store) SetDefaultPolicyVersion(ctx context.Context, arn string, n int, at time.Time) error {
	return s.write(ctx, func(tx *wtx) error {
		k, err := affected(tx.exec(`UPDATE managed_policies SET default_version = ?, updated_at = ? WHERE arn = ?
			AND EXISTS (SELECT 1 FROM managed_policy_versions WHERE policy_arn = ? AND version = ?)`, n, at.UnixMilli(), arn, arn, n))
		if err != nil || k == 1 {
			return err
		}
		var ok bool
		if err := tx.queryRow("SELECT EXISTS (SELECT 1 FROM managed_policies WHERE arn = ?)", arn).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errNoPolicy(arn)
		}
		return barge.Errorf(barge.ENotFound, "Policy %s version v%d does not exist or is not attachable.", arn, n)
	})
}

// ListPolicyRoles returns the names of the roles policyARN (a customer or
// an AWS managed policy) is attached to, in order of their names.
func (s *Store) ListPolicyRoles(ctx context.Context, policyARN string) ([]*barge.Role, error) {
	rows, err := s.query(ctx, "SELECT "+roleColumns+` FROM roles WHERE name_key IN
		(SELECT role_key FROM role_attached_policies WHERE policy_arn = ?) ORDER BY name_key`, policyARN)
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

// Instance profiles.

func errNoInstanceProfile(name string) error {
	return barge.Errorf(barge.ENotFound, "Instance Profile %s cannot be found.", name)
}

const profileColumns = "p.name, p.id, p.path, p.arn, p.created_at, p.tags, COALESCE(r.name, '')"

const profileFrom = " FROM instance_profiles p LEFT JOIN roles r ON r.name_key = p.role_key"

func scanProfile(sc interface{ Scan(...any) error }) (*barge.InstanceProfile, error) {
	var (
		p       barge.InstanceProfile
		created int64
		tags    []byte
	)
	if err := sc.Scan(&p.Name, &p.ID, &p.Path, &p.ARN, &created, &tags, &p.Role); err != nil {
		return nil, err
	}
	p.Created = time.UnixMilli(created).UTC()
	if len(tags) > 0 {
		if err := json.Unmarshal(tags, &p.Tags); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

func (s *Store) scanProfiles(ctx context.Context, query string, args ...any) ([]*barge.InstanceProfile, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.InstanceProfile
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, p)
	}
	return out, s.d.dbError(rows.Err())
}

// CreateInstanceProfile stores a new instance profile without a role;
// EConflict if one of the same name, regardless of case, exists.
func (s *Store) CreateInstanceProfile(ctx context.Context, p *barge.InstanceProfile) error {
	tags, err := tagsJSON(p.Tags)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("INSERT INTO instance_profiles (name_key, name, id, path, arn, created_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
			roleKey(p.Name), p.Name, p.ID, p.Path, p.ARN, p.Created.UnixMilli(), tags)
		if s.d.isUniqueViolation(err) {
			return barge.Errorf(barge.EConflict, "Instance Profile %s already exists.", p.Name)
		}
		return err
	})
}

// GetInstanceProfile returns the instance profile called name; ENotFound if
// there is none.
func (s *Store) GetInstanceProfile(ctx context.Context, name string) (*barge.InstanceProfile, error) {
	p, err := scanProfile(s.queryRow(ctx, "SELECT "+profileColumns+profileFrom+" WHERE p.name_key = ?", roleKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoInstanceProfile(name)
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	return p, nil
}

// ListInstanceProfiles returns up to limit instance profiles whose path
// starts with pathPrefix, in order of their names regardless of case, after
// the one called after.
func (s *Store) ListInstanceProfiles(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.InstanceProfile, error) {
	return s.scanProfiles(ctx, "SELECT "+profileColumns+profileFrom+" WHERE p.name_key > ? AND substr(p.path, 1, ?) = ? ORDER BY p.name_key LIMIT ?",
		roleKey(after), len(pathPrefix), pathPrefix, pageSize(limit))
}

// ListInstanceProfilesForRole returns the instance profiles that hold the
// role called name, in order of their names; ENotFound if there is no such
// role.
func (s *Store) ListInstanceProfilesForRole(ctx context.Context, name string) ([]*barge.InstanceProfile, error) {
	if _, err := s.GetRole(ctx, name); err != nil {
		return nil, err
	}
	return s.scanProfiles(ctx, "SELECT "+profileColumns+profileFrom+" WHERE p.role_key = ? ORDER BY p.name_key", roleKey(name))
}

// DeleteInstanceProfile deletes an instance profile. ENotFound if there is
// none; EConflict, as IAM, while it holds a role.
func (s *Store) DeleteInstanceProfile(ctx context.Context, name string) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("DELETE FROM instance_profiles WHERE name_key = ? AND role_key IS NULL", roleKey(name)))
		if err != nil || n == 1 {
			return err
		}
		var ok bool
		if err := tx.queryRow("SELECT EXISTS (SELECT 1 FROM instance_profiles WHERE name_key = ?)", roleKey(name)).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errNoInstanceProfile(name)
		}
		return barge.Errorf(barge.EConflict, "Cannot delete entity, must remove roles from instance profile first.")
	})
}

// AddRoleToInstanceProfile puts the role called role in an instance
// profile. ENotFound if either does not exist; EConflict if the profile
// holds that role already, ELimit if it holds another (a profile holds one).
func (s *Store) AddRoleToInstanceProfile(ctx context.Context, profile, role string) error {
	return s.write(ctx, func(tx *wtx) error {
		var held sql.NullString
		if err := tx.queryRow("SELECT role_key FROM instance_profiles WHERE name_key = ?", roleKey(profile)).Scan(&held); errors.Is(err, sql.ErrNoRows) {
			return errNoInstanceProfile(profile)
		} else if err != nil {
			return err
		}
		if ok, err := roleExists(tx, roleKey(role)); err != nil || !ok {
			if err == nil {
				err = errNoRole(role)
			}
			return err
		}
		switch {
		case held.String == roleKey(role):
			return barge.Errorf(barge.EConflict, "The role with name %s has already been added to the instance profile %s.", role, profile)
		case held.Valid:
			return barge.Errorf(barge.ELimit, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		_, err := tx.exec("UPDATE instance_profiles SET role_key = ? WHERE name_key = ?", roleKey(role), roleKey(profile))
		return err
	})
}

// RemoveRoleFromInstanceProfile takes the role called role out of an
// instance profile; ENotFound if the profile does not exist or does not
// hold that role.
func (s *Store) RemoveRoleFromInstanceProfile(ctx context.Context, profile, role string) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("UPDATE instance_profiles SET role_key = NULL WHERE name_key = ? AND role_key = ?", roleKey(profile), roleKey(role)))
		if err != nil || n == 1 {
			return err
		}
		var ok bool
		if err := tx.queryRow("SELECT EXISTS (SELECT 1 FROM instance_profiles WHERE name_key = ?)", roleKey(profile)).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return errNoInstanceProfile(profile)
		}
		return barge.Errorf(barge.ENotFound, "The role with name %s cannot be found in the instance profile %s.", role, profile)
	})
}
