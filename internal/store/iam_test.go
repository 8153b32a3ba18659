package store

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

func testRole(name, path string) *barge.Role {
	return &barge.Role{
		Name:               name,
		ID:                 "AROA" + fmt.Sprintf("%017d", len(name)*1000+len(path)) + name,
		Path:               path,
		ARN:                "arn:aws:iam::123456789012:role" + path + name,
		Created:            time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		AssumeRolePolicy:   `{"Version":"2012-10-17","Statement":[]}`,
		Description:        "d",
		MaxSessionDuration: 3600,
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	r := testRole("Exec", "/")
	r.Tags = []barge.RoleTag{{Key: "team", Value: "a"}, {Key: "env", Value: ""}}
	r.PermissionsBoundary = "arn:aws:iam::aws:policy/PowerUserAccess"
	if err := s.CreateRole(ctx, r); err != nil {
		t.Fatalf("CreateRole = %v", err)
	}

	t.Run("get regardless of case", func(t *testing.T) {
		for _, name := range []string{"Exec", "exec", "EXEC"} {
			got, err := s.GetRole(ctx, name)
			if err != nil || !reflect.DeepEqual(got, r) {
				t.Errorf("GetRole(%s) = %+v, %v; want %+v", name, got, err, r)
			}
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		dup := testRole("EXEC", "/other/")
		dup.ID = "AROADIFFERENT0000000"
		err := s.CreateRole(ctx, dup)
		wantCode(t, "CreateRole(EXEC)", err, barge.EConflict)
		if err == nil || err.Error() != "Role with name EXEC already exists." {
			t.Errorf("CreateRole(EXEC) = %v, want IAM's message", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := s.GetRole(ctx, "nope")
		wantCode(t, "GetRole(nope)", err, barge.ENotFound)
		if err == nil || err.Error() != "The role with name nope cannot be found." {
			t.Errorf("GetRole(nope) = %v, want IAM's message", err)
		}
		_, err = s.UpdateRole(ctx, "nope", func(*barge.Role) error { return nil })
		wantCode(t, "UpdateRole(nope)", err, barge.ENotFound)
		wantCode(t, "DeleteRole(nope)", s.DeleteRole(ctx, "nope"), barge.ENotFound)
	})
	t.Run("update", func(t *testing.T) {
		got, err := s.UpdateRole(ctx, "exec", func(r *barge.Role) error {
			r.Description = "new"
			r.Tags = nil
			r.Name = "ignored" // the name is not updatable
			return nil
		})
		if err != nil || got.Description != "new" {
			t.Fatalf("UpdateRole = %+v, %v", got, err)
		}
		stored, err := s.GetRole(ctx, "Exec")
		if err != nil || stored.Description != "new" || stored.Tags != nil || stored.Name != "Exec" {
			t.Errorf("after UpdateRole, GetRole = %+v, %v; want description new, no tags, name Exec", stored, err)
		}
		boom := barge.Errorf(barge.ELimit, "boom")
		if _, err := s.UpdateRole(ctx, "Exec", func(r *barge.Role) error { r.Description = "lost"; return boom }); err != boom {
			t.Errorf("UpdateRole with a failing fn = %v, want its error", err)
		}
		if stored, _ := s.GetRole(ctx, "Exec"); stored.Description != "new" {
			t.Errorf("a failed UpdateRole changed the description to %q", stored.Description)
		}
	})
}

func TestUpdateRoleIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.CreateRole(ctx, testRole("r", "/")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := s.UpdateRole(ctx, "r", func(r *barge.Role) error {
				r.Tags = append(r.Tags, barge.RoleTag{Key: fmt.Sprint(i)})
				return nil
			})
			if err != nil {
				t.Errorf("UpdateRole = %v", err)
			}
		})
	}
	wg.Wait()
	if r, _ := s.GetRole(ctx, "r"); len(r.Tags) != 20 {
		t.Errorf("after 20 concurrent tag additions, the role has %d tags", len(r.Tags))
	}
}

func TestListRoles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, r := range []*barge.Role{
		testRole("b", "/"), testRole("A", "/service-role/"), testRole("c", "/service-role/x/"), testRole("D", "/other/"),
	} {
		if err := s.CreateRole(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	names := func(rs []*barge.Role) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	tests := []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"/", "", 0, []string{"A", "b", "c", "D"}},
		{"/", "", 2, []string{"A", "b"}},
		{"/", "b", 2, []string{"c", "D"}},
		{"/", "B", 0, []string{"c", "D"}},
		{"/", "bb", 0, []string{"c", "D"}}, // after need not exist
		{"/service-role/", "", 0, []string{"A", "c"}},
		{"/service-role/x/", "", 0, []string{"c"}},
		{"/service-role/x/y", "", 0, nil},
		{"/%", "", 0, nil}, // LIKE wildcards mean nothing
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %q limit %d", tt.prefix, tt.after, tt.limit), func(t *testing.T) {
			got, err := s.ListRoles(ctx, tt.prefix, tt.after, tt.limit)
			if err != nil || !reflect.DeepEqual(names(got), tt.want) {
				t.Errorf("ListRoles(%q, %q, %d) = %v, %v; want %v", tt.prefix, tt.after, tt.limit, names(got), err, tt.want)
			}
		})
	}
}

func TestRolePolicies(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.CreateRole(ctx, testRole("R", "/")); err != nil {
		t.Fatal(err)
	}
	const p1, p2, p3 = "arn:aws:iam::aws:policy/a", "arn:aws:iam::aws:policy/b", "arn:aws:iam::aws:policy/c"

	t.Run("attach", func(t *testing.T) {
		for _, arn := range []string{p2, p1, p2} { // attaching twice is no error
			if err := s.AttachRolePolicy(ctx, "r", arn, 2); err != nil {
				t.Fatalf("AttachRolePolicy(%s) = %v", arn, err)
			}
		}
		err := s.AttachRolePolicy(ctx, "R", p3, 2)
		wantCode(t, "AttachRolePolicy over the limit", err, barge.ELimit)
		wantCode(t, "AttachRolePolicy to a missing role", s.AttachRolePolicy(ctx, "nope", p1, 2), barge.ENotFound)
		got, err := s.ListAttachedRolePolicies(ctx, "R")
		if err != nil || !reflect.DeepEqual(got, []string{p2, p1}) {
			t.Errorf("ListAttachedRolePolicies = %v, %v; want %v in attachment order", got, err, []string{p2, p1})
		}
		_, err = s.ListAttachedRolePolicies(ctx, "nope")
		wantCode(t, "ListAttachedRolePolicies(nope)", err, barge.ENotFound)
	})
	t.Run("inline", func(t *testing.T) {
		doc := `{"Statement": []}`
		for _, name := range []string{"zeta", "alpha", "zeta"} {
			if err := s.PutRolePolicy(ctx, &barge.InlinePolicy{RoleName: "r", Name: name, Document: doc}, 100); err != nil {
				t.Fatalf("PutRolePolicy(%s) = %v", name, err)
			}
		}
		// Each policy so far counts 16 characters (spaces do not count).
		// Replacing zeta with one of 82 makes 98, which fits in 100; a
		// third policy of 82 does not.
		big := &barge.InlinePolicy{RoleName: "r", Name: "zeta", Document: fmt.Sprintf(`{"S":"%074d"}`, 0)}
		if err := s.PutRolePolicy(ctx, big, 100); err != nil {
			t.Errorf("PutRolePolicy replacing zeta = %v", err)
		}
		big.Name = "third"
		wantCode(t, "PutRolePolicy over the size quota", s.PutRolePolicy(ctx, big, 100), barge.ELimit)
		wantCode(t, "PutRolePolicy to a missing role", s.PutRolePolicy(ctx, &barge.InlinePolicy{RoleName: "nope", Name: "x", Document: doc}, 100), barge.ENotFound)

		names, err := s.ListRolePolicies(ctx, "R")
		if err != nil || !reflect.DeepEqual(names, []string{"alpha", "zeta"}) {
			t.Errorf("ListRolePolicies = %v, %v; want [alpha zeta]", names, err)
		}
		p, err := s.GetRolePolicy(ctx, "r", "alpha")
		if err != nil || *p != (barge.InlinePolicy{RoleName: "R", Name: "alpha", Document: doc}) {
			t.Errorf("GetRolePolicy(r, alpha) = %+v, %v", p, err)
		}
		_, err = s.GetRolePolicy(ctx, "r", "nope")
		wantCode(t, "GetRolePolicy(r, nope)", err, barge.ENotFound)
		if err == nil || err.Error() != "The role policy with name nope cannot be found." {
			t.Errorf("GetRolePolicy(r, nope) = %v, want IAM's message", err)
		}
		_, err = s.GetRolePolicy(ctx, "nope", "alpha")
		if err == nil || err.Error() != "The role with name nope cannot be found." {
			t.Errorf("GetRolePolicy(nope, alpha) = %v, want the role's message", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		err := s.DeleteRole(ctx, "R")
		wantCode(t, "DeleteRole with policies attached", err, barge.EConflict)
		if err == nil || err.Error() != "Cannot delete entity, must detach all policies first." {
			t.Errorf("DeleteRole with policies attached = %v", err)
		}
		for _, arn := range []string{p1, p2} {
			if err := s.DetachRolePolicy(ctx, "r", arn); err != nil {
				t.Errorf("DetachRolePolicy(%s) = %v", arn, err)
			}
		}
		err = s.DetachRolePolicy(ctx, "r", p1)
		wantCode(t, "DetachRolePolicy not attached", err, barge.ENotFound)
		if err == nil || err.Error() != "Policy "+p1+" was not found." {
			t.Errorf("DetachRolePolicy not attached = %v", err)
		}
		wantCode(t, "DetachRolePolicy from a missing role", s.DetachRolePolicy(ctx, "nope", p1), barge.ENotFound)

		err = s.DeleteRole(ctx, "R")
		if err == nil || err.Error() != "Cannot delete entity, must delete policies first." {
			t.Errorf("DeleteRole with inline policies = %v", err)
		}
		for _, name := range []string{"alpha", "zeta"} {
			if err := s.DeleteRolePolicy(ctx, "R", name); err != nil {
				t.Errorf("DeleteRolePolicy(%s) = %v", name, err)
			}
		}
		wantCode(t, "DeleteRolePolicy again", s.DeleteRolePolicy(ctx, "R", "alpha"), barge.ENotFound)
		wantCode(t, "DeleteRolePolicy of a missing role", s.DeleteRolePolicy(ctx, "nope", "alpha"), barge.ENotFound)
		if err := s.DeleteRole(ctx, "r"); err != nil {
			t.Fatalf("DeleteRole = %v", err)
		}
		_, err = s.GetRole(ctx, "R")
		wantCode(t, "GetRole after DeleteRole", err, barge.ENotFound)
		// The name is free again.
		if err := s.CreateRole(ctx, testRole("R", "/")); err != nil {
			t.Errorf("CreateRole after DeleteRole = %v", err)
		}
		if got, err := s.ListAttachedRolePolicies(ctx, "R"); err != nil || len(got) != 0 {
			t.Errorf("the new role R has policies %v, %v", got, err)
		}
	})
}

func TestRolesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := testDatabase(t)
	s := mustOpen(t, path)
	r := testRole("keep", "/")
	r.Tags = []barge.RoleTag{{Key: "k", Value: "v"}}
	if err := s.CreateRole(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachRolePolicy(ctx, "keep", "arn:aws:iam::aws:policy/x", 10); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, path)
	got, err := s.GetRole(ctx, "keep")
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("after reopening, GetRole = %+v, %v; want %+v", got, err, r)
	}
	if arns, err := s.ListAttachedRolePolicies(ctx, "keep"); err != nil || len(arns) != 1 {
		t.Errorf("after reopening, ListAttachedRolePolicies = %v, %v", arns, err)
	}
}
