package iamservice

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// The service's tests call it directly, with typed values, on the real
// store; the wire is tested in internal/iam.

const testAccount = "123456789012"

var ctx0 = context.Background()

const ecsTasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func newService(t *testing.T) *Service {
	t.Helper()
	st, err := store.Open(ctx0, filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := 0
	return New(Config{
		Store: st, Account: testAccount,
		Now:       func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 800, time.UTC) },
		NewRoleID: func() string { n++; return fmt.Sprintf("AROA%017d", n) },
		NewID:     func() string { return "id" },
	})
}

// wantErr fails the test unless err has code and its message contains msg.
func wantErr(t *testing.T, op string, err error, code barge.ErrorCode, msg string) {
	t.Helper()
	if barge.ErrorCodeOf(err) != code || !strings.Contains(barge.ErrorMessage(err), msg) {
		t.Errorf("%s = %v, want %s containing %q", op, err, code, msg)
	}
}

func TestCreateRole(t *testing.T) {
	svc := newService(t)
	r, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "exec", Path: "/jobs/", AssumeRolePolicy: ecsTasksTrust, Tags: []barge.RoleTag{{Key: "team", Value: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := barge.Role{Name: "exec", ID: "AROA00000000000000001", Path: "/jobs/", ARN: "arn:aws:iam::123456789012:role/jobs/exec",
		Created: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), AssumeRolePolicy: ecsTasksTrust, MaxSessionDuration: 3600}
	if r.Name != want.Name || r.ID != want.ID || r.ARN != want.ARN || !r.Created.Equal(want.Created) || r.MaxSessionDuration != 3600 || len(r.Tags) != 1 {
		t.Errorf("CreateRole = %+v, want %+v with one tag", r, want)
	}
	got, err := svc.GetRole(ctx0, "EXEC")
	if err != nil || got.ARN != want.ARN {
		t.Errorf("GetRole(EXEC) = %v, %v; want the role, names regardless of case", got, err)
	}
	_, err = svc.CreateRole(ctx0, CreateRoleInput{Name: "Exec", AssumeRolePolicy: ecsTasksTrust})
	wantErr(t, "CreateRole(Exec)", err, barge.EConflict, "Role with name Exec already exists.")
	for _, tt := range []struct {
		in   CreateRoleInput
		code barge.ErrorCode
		msg  string
	}{
		{CreateRoleInput{AssumeRolePolicy: ecsTasksTrust}, barge.EInvalid, "Value null at 'roleName'"},
		{CreateRoleInput{Name: "a b", AssumeRolePolicy: ecsTasksTrust}, barge.EInvalid, "The specified value for roleName is invalid"},
		{CreateRoleInput{Name: "r", Path: "jobs", AssumeRolePolicy: ecsTasksTrust}, barge.EInvalid, "The specified value for path is invalid"},
		{CreateRoleInput{Name: "r"}, barge.EInvalid, "Value null at 'assumeRolePolicyDocument'"},
		{CreateRoleInput{Name: "r", AssumeRolePolicy: "{"}, EMalformedPolicy, "Syntax errors in policy"},
		{CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust, MaxSessionDuration: new(60)}, barge.EInvalid, "greater than or equal to 3600"},
		{CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust, Tags: []barge.RoleTag{{Key: "aws:x"}}}, EInvalidInput, "reserved for AWS"},
		{CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust, Tags: []barge.RoleTag{{Key: "a"}, {Key: "A"}}}, EInvalidInput, "Duplicate tag keys"},
		{CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust, PermissionsBoundary: "arn:aws:iam::aws:policy/Nope"}, EInvalidInput, "Scope ARN"},
	} {
		_, err := svc.CreateRole(ctx0, tt.in)
		wantErr(t, "CreateRole("+tt.in.Name+")", err, tt.code, tt.msg)
	}
	if page, err := svc.ListRoles(ctx0, "", ListInput{}); err != nil || len(page.Items) != 1 {
		t.Errorf("after the refused creations, ListRoles = %v, %v; want the one role", page, err)
	}
}

func TestListRolesPages(t *testing.T) {
	svc := newService(t)
	for i := range 5 {
		path := "/"
		if i%2 == 1 {
			path = "/odd/"
		}
		if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: fmt.Sprint("r", i), Path: path, AssumeRolePolicy: ecsTasksTrust}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	marker := ""
	for range 10 {
		page, err := svc.ListRoles(ctx0, "", ListInput{Marker: marker, MaxItems: new(2)})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Items {
			names = append(names, r.Name)
		}
		if marker = page.Marker; marker == "" {
			break
		}
	}
	if want := []string{"r0", "r1", "r2", "r3", "r4"}; !slices.Equal(names, want) {
		t.Errorf("ListRoles pages = %q, want %q", names, want)
	}
	page, err := svc.ListRoles(ctx0, "/odd/", ListInput{})
	if err != nil || len(page.Items) != 2 {
		t.Errorf("ListRoles(/odd/) = %v, %v; want 2 roles", page, err)
	}
	_, err = svc.ListRoles(ctx0, "", ListInput{Marker: "bogus"})
	wantErr(t, "ListRoles(bad marker)", err, barge.EInvalid, "The Marker is not valid")
	_, err = svc.ListRoles(ctx0, "", ListInput{MaxItems: new(1001)})
	wantErr(t, "ListRoles(1001)", err, barge.EInvalid, "less than or equal to 1000")
}

func TestRolePoliciesAndDelete(t *testing.T) {
	svc := newService(t)
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust}); err != nil {
		t.Fatal(err)
	}
	const execPolicy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
	if err := svc.AttachRolePolicy(ctx0, "r", execPolicy); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AttachRolePolicy(wrong path)", svc.AttachRolePolicy(ctx0, "r", "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"), barge.ENotFound, "Did you mean "+execPolicy)
	wantErr(t, "AttachRolePolicy(service-linked policy)", svc.AttachRolePolicy(ctx0, "r", "arn:aws:iam::aws:policy/aws-service-role/BatchServiceRolePolicy"), EPolicyNotAttachable, "Cannot attach a Service Role Policy")
	wantErr(t, "AttachRolePolicy(not an ARN)", svc.AttachRolePolicy(ctx0, "r", "AmazonECSTaskExecutionRolePolicy"), EInvalidInput, "is not valid")
	if err := svc.PutRolePolicy(ctx0, "r", "s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "PutRolePolicy(with a principal)", svc.PutRolePolicy(ctx0, "r", "p", ecsTasksTrust), EMalformedPolicy, "")
	attached, err := svc.ListAttachedRolePolicies(ctx0, "r", "/service-role/", ListInput{})
	if err != nil || len(attached.Items) != 1 || attached.Items[0] != (AttachedPolicy{Name: "AmazonECSTaskExecutionRolePolicy", ARN: execPolicy}) {
		t.Errorf("ListAttachedRolePolicies = %v, %v", attached, err)
	}
	names, err := svc.ListRolePolicies(ctx0, "r", ListInput{})
	if err != nil || !slices.Equal(names.Items, []string{"s3"}) {
		t.Errorf("ListRolePolicies = %v, %v; want [s3]", names, err)
	}
	p, err := svc.GetRolePolicy(ctx0, "r", "s3")
	if err != nil || !strings.Contains(p.Document, "s3:GetObject") {
		t.Errorf("GetRolePolicy = %v, %v", p, err)
	}

	wantErr(t, "DeleteRole with policies", svc.DeleteRole(ctx0, "r"), EDeleteConflict, "")
	if err := svc.DetachRolePolicy(ctx0, "r", execPolicy); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteRolePolicy(ctx0, "r", "s3"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteRole(ctx0, "r"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteRole again", svc.DeleteRole(ctx0, "r"), barge.ENotFound, "The role with name r cannot be found.")
}

func TestRoleTagsAndUpdates(t *testing.T) {
	svc := newService(t)
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust}); err != nil {
		t.Fatal(err)
	}
	if err := svc.TagRole(ctx0, "r", []barge.RoleTag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.TagRole(ctx0, "r", []barge.RoleTag{{Key: "A", Value: "3"}}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "UntagRole(nil)", svc.UntagRole(ctx0, "r", nil), barge.EInvalid, "Value null at 'tagKeys'")
	if err := svc.UntagRole(ctx0, "r", []string{"B"}); err != nil {
		t.Fatal(err)
	}
	tags, err := svc.ListRoleTags(ctx0, "r", ListInput{})
	if err != nil || !slices.Equal(tags.Items, []barge.RoleTag{{Key: "A", Value: "3"}}) {
		t.Errorf("ListRoleTags = %v, %v; want [A=3]", tags, err)
	}
	many := make([]barge.RoleTag, 50)
	for i := range many {
		many[i] = barge.RoleTag{Key: fmt.Sprint("k", i)}
	}
	wantErr(t, "TagRole(50 more)", svc.TagRole(ctx0, "r", many), barge.ELimit, "at most 50 tags")

	if err := svc.UpdateRole(ctx0, "r", new("new"), new(7200)); err != nil {
		t.Fatal(err)
	}
	r, err := svc.UpdateRoleDescription(ctx0, "r", "newer")
	if err != nil || r.Description != "newer" || r.MaxSessionDuration != 7200 {
		t.Errorf("UpdateRoleDescription = %+v, %v", r, err)
	}
	wantErr(t, "UpdateAssumeRolePolicy(empty)", svc.UpdateAssumeRolePolicy(ctx0, "r", ""), barge.EInvalid, "Value null at 'policyDocument'")
}

func TestServiceLinkedRoles(t *testing.T) {
	svc := newService(t)
	r, err := svc.CreateServiceLinkedRole(ctx0, "batch.amazonaws.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "AWSServiceRoleForBatch" || r.Path != "/aws-service-role/batch.amazonaws.com/" {
		t.Errorf("CreateServiceLinkedRole = %+v", r)
	}
	_, err = svc.CreateServiceLinkedRole(ctx0, "batch.amazonaws.com", "", "")
	wantErr(t, "CreateServiceLinkedRole again", err, EInvalidInput, "has been taken")
	_, err = svc.CreateServiceLinkedRole(ctx0, "s3.amazonaws.com", "", "")
	wantErr(t, "CreateServiceLinkedRole(s3)", err, EInvalidInput, "barge cannot create a service-linked role for s3.amazonaws.com")
	wantErr(t, "DeleteRole(service-linked)", svc.DeleteRole(ctx0, r.Name), EUnmodifiable, "protected role")
	wantErr(t, "PutRolePolicy(service-linked)", svc.PutRolePolicy(ctx0, r.Name, "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), EUnmodifiable, "protected role")
	id, err := svc.DeleteServiceLinkedRole(ctx0, r.Name)
	if err != nil || id != "task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/id" {
		t.Errorf("DeleteServiceLinkedRole = %q, %v", id, err)
	}
	if status, err := svc.GetServiceLinkedRoleDeletionStatus(ctx0, id); status != "SUCCEEDED" || err != nil {
		t.Errorf("GetServiceLinkedRoleDeletionStatus = %q, %v", status, err)
	}
	if _, err := svc.GetRole(ctx0, r.Name); barge.ErrorCodeOf(err) != barge.ENotFound {
		t.Errorf("GetRole after DeleteServiceLinkedRole = %v, want ENotFound", err)
	}
}

func TestCheckExecutionRole(t *testing.T) {
	svc := newService(t)
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "exec", AssumeRolePolicy: ecsTasksTrust}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "batch", AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ arn, want string }{
		{"", ""},
		{"arn:aws:iam::123456789012:role/exec", ""},
		{"arn:aws:iam::123456789012:role/missing", "the role does not exist"},
		{"arn:aws:iam::210987654321:role/exec", "names account 210987654321"},
		{"arn:aws:iam::123456789012:role/x/exec", "has path /"},
		{"arn:aws:iam::123456789012:role/batch", "its trust policy does not allow ecs-tasks.amazonaws.com"},
		{"exec", "it is not an IAM role ARN"},
	} {
		reason, err := svc.CheckExecutionRole(ctx0, tt.arn)
		if err != nil || tt.want == "" && reason != "" || tt.want != "" && (!strings.Contains(reason, tt.want) || !strings.HasPrefix(reason, "ResourceInitializationError: ")) {
			t.Errorf("CheckExecutionRole(%q) = %q, %v; want a reason containing %q", tt.arn, reason, err, tt.want)
		}
	}
}

// TestCheckExecutionRoleReasonsFit: every reason fits in AWS's 255
// characters with the longest names and paths IAM allows (64 and 512), and
// keeps its fix whole.
func TestCheckExecutionRoleReasonsFit(t *testing.T) {
	svc := newService(t)
	name := strings.Repeat("n", 64)
	path := "/" + strings.Repeat("p", 510) + "/"
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: name, Path: path, AssumeRolePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ arn, fix string }{
		{"arn:aws:iam::123456789012:role" + path + name, "Add that to it (aws iam update-assume-role-policy)."},
		// The ARN to set is longer than any reason: it is shortened in its
		// middle, and the rest is whole.
		{"arn:aws:iam::123456789012:role/" + name, "has path /p...p/. Set executionRoleArn to "},
		{"arn:aws:iam::123456789012:role" + path + "x" + name[1:], "(aws iam create-role --role-name x" + name[1:] + ") or fix the ARN."},
		{"arn:aws:iam::210987654321:role" + path + name, "Correct executionRoleArn."},
		{strings.Repeat("x", 2048), "Correct executionRoleArn."},
	} {
		reason, err := svc.CheckExecutionRole(ctx0, tt.arn)
		if err != nil || len(reason) > barge.MaxReasonLen || !strings.Contains(reason, tt.fix) {
			t.Errorf("CheckExecutionRole(%d-character ARN) = %q (%d characters), %v; want at most %d with %q", len(tt.arn), reason, len(reason), err, barge.MaxReasonLen, tt.fix)
		}
	}
}
