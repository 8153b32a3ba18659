package iamservice

import (
	"slices"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

const s3Doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

func TestAWSManagedPolicyTable(t *testing.T) {
	known := awsManagedPolicies()
	if len(known) < 30 {
		t.Fatalf("%d AWS managed policies, want the table", len(known))
	}
	for _, p := range known {
		if p.version < 1 || p.created.IsZero() || p.updated.Before(p.created) {
			t.Errorf("%s: version %d, created %v, updated %v", p.arn("aws"), p.version, p.created, p.updated)
		}
		if _, err := parsePolicy(p.document, identityPolicy); err != nil {
			t.Errorf("%s: its document does not parse: %v", p.arn("aws"), err)
		}
		if p.serviceLinked != (p.path == "/aws-service-role/") {
			t.Errorf("%s: serviceLinked %v", p.arn("aws"), p.serviceLinked)
		}
	}
	if id := awsPolicyID("arn:aws:iam::aws:policy/ReadOnlyAccess"); len(id) != 21 || !strings.HasPrefix(id, "ANPA") || id != awsPolicyID("arn:aws:iam::aws:policy/ReadOnlyAccess") {
		t.Errorf("awsPolicyID = %q, want a fixed ANPA ID of 21 characters", id)
	}
}

func TestCustomerPolicyLifecycle(t *testing.T) {
	svc := newService(t)
	p, err := svc.CreatePolicy(ctx0, CreatePolicyInput{Name: "p", Document: s3Doc})
	if err != nil {
		t.Fatal(err)
	}
	if p.ARN != "arn:aws:iam::123456789012:policy/p" || p.ID != "ANPA00000000000000001" || p.DefaultVersion != 1 || p.Path != "/" {
		t.Errorf("CreatePolicy = %+v", p)
	}
	for _, tt := range []struct {
		in   CreatePolicyInput
		code barge.ErrorCode
		msg  string
	}{
		{CreatePolicyInput{Name: "P", Document: s3Doc}, barge.EConflict, "A policy called P already exists."},
		{CreatePolicyInput{Document: s3Doc}, barge.EInvalid, "Value null at 'policyName'"},
		{CreatePolicyInput{Name: "q"}, barge.EInvalid, "Value null at 'policyDocument'"},
		{CreatePolicyInput{Name: "q", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`}, EMalformedPolicy, ""},
		{CreatePolicyInput{Name: "q", Path: "x", Document: s3Doc}, barge.EInvalid, "path"},
	} {
		_, err := svc.CreatePolicy(ctx0, tt.in)
		wantErr(t, "CreatePolicy("+tt.in.Name+")", err, tt.code, tt.msg)
	}
	v, err := svc.CreatePolicyVersion(ctx0, p.ARN, s3Doc, false)
	if err != nil || v.VersionID() != "v2" || v.IsDefault {
		t.Fatalf("CreatePolicyVersion = %+v, %v", v, err)
	}
	if err := svc.SetDefaultPolicyVersion(ctx0, p.ARN, "v2"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "SetDefaultPolicyVersion(v7)", svc.SetDefaultPolicyVersion(ctx0, p.ARN, "v7"), barge.ENotFound, "version v7 does not exist")
	wantErr(t, "DeletePolicyVersion(v2, the default)", svc.DeletePolicyVersion(ctx0, p.ARN, "v2"), EDeleteConflict, "default version")
	got, err := svc.GetPolicyVersion(ctx0, p.ARN, "v2")
	if err != nil || !got.IsDefault || got.Document != s3Doc {
		t.Errorf("GetPolicyVersion(v2) = %+v, %v", got, err)
	}
	versions, err := svc.ListPolicyVersions(ctx0, p.ARN, ListInput{MaxItems: new(1)})
	if err != nil || len(versions.Items) != 1 || versions.Items[0].Version != 2 || versions.Marker == "" {
		t.Errorf("ListPolicyVersions(1 a page) = %+v, %v; want v2 and a marker", versions, err)
	}

	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust, PermissionsBoundary: p.ARN}); err != nil {
		t.Fatalf("CreateRole with the policy as its boundary = %v", err)
	}
	if err := svc.AttachRolePolicy(ctx0, "r", p.ARN); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AttachRolePolicy(missing customer policy)", svc.AttachRolePolicy(ctx0, "r", "arn:aws:iam::123456789012:policy/none"), barge.ENotFound, "does not exist or is not attachable")
	wantErr(t, "AttachRolePolicy(another account's policy)", svc.AttachRolePolicy(ctx0, "r", "arn:aws:iam::210987654321:policy/p"), barge.ENotFound, "not an AWS managed policy")
	roles, err := svc.ListEntitiesForPolicy(ctx0, p.ARN, "", "", ListInput{})
	if err != nil || len(roles.Items) != 1 || roles.Items[0].Name != "r" {
		t.Errorf("ListEntitiesForPolicy = %+v, %v", roles, err)
	}
	if users, err := svc.ListEntitiesForPolicy(ctx0, p.ARN, "User", "", ListInput{}); err != nil || len(users.Items) != 0 {
		t.Errorf("ListEntitiesForPolicy(User) = %+v, %v; want none", users, err)
	}
	wantErr(t, "DeletePolicy(attached)", svc.DeletePolicy(ctx0, p.ARN), EDeleteConflict, "attached to entities")
	if err := svc.DetachRolePolicy(ctx0, "r", p.ARN); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeletePolicy(two versions)", svc.DeletePolicy(ctx0, p.ARN), EDeleteConflict, "more than one version")
	if err := svc.DeletePolicyVersion(ctx0, p.ARN, "v1"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeletePolicy(ctx0, p.ARN); err != nil {
		t.Fatal(err)
	}
	_, err = svc.GetPolicy(ctx0, p.ARN)
	wantErr(t, "GetPolicy after DeletePolicy", err, barge.ENotFound, "was not found")
	wantErr(t, "DeletePolicy(AWS's)", svc.DeletePolicy(ctx0, "arn:aws:iam::aws:policy/ReadOnlyAccess"), EInvalidInput, "AWS managed policy")
}

func TestListPoliciesPages(t *testing.T) {
	svc := newService(t)
	for _, name := range []string{"b", "a", "c"} {
		if _, err := svc.CreatePolicy(ctx0, CreatePolicyInput{Name: name, Document: s3Doc}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	marker := ""
	for range 100 {
		page, err := svc.ListPolicies(ctx0, ListPoliciesInput{ListInput: ListInput{Marker: marker, MaxItems: new(4)}})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			names = append(names, p.Name)
		}
		if marker = page.Marker; marker == "" {
			break
		}
	}
	n := len(awsManagedPolicies())
	if len(names) != n+3 || !slices.Equal(names[n:], []string{"a", "b", "c"}) || !slices.IsSorted(names[:n]) {
		t.Errorf("ListPolicies pages = %q, want %d AWS policies in order, then a, b, c", names, n)
	}
	local, err := svc.ListPolicies(ctx0, ListPoliciesInput{Scope: "Local", ListInput: ListInput{MaxItems: new(2)}})
	if err != nil || len(local.Items) != 2 || local.Items[0].Name != "a" || local.Marker == "" {
		t.Errorf("ListPolicies(Local, 2) = %+v, %v", local, err)
	}
	_, err = svc.ListPolicies(ctx0, ListPoliciesInput{Scope: "Mine"})
	wantErr(t, "ListPolicies(Mine)", err, barge.EInvalid, "[All, AWS, Local]")
}

func TestInstanceProfileLifecycle(t *testing.T) {
	svc := newService(t)
	if _, err := svc.CreateRole(ctx0, CreateRoleInput{Name: "r", AssumeRolePolicy: ecsTasksTrust}); err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateInstanceProfile(ctx0, "ip", "/batch/", nil)
	if err != nil || p.ARN != "arn:aws:iam::123456789012:instance-profile/batch/ip" || len(p.Roles) != 0 {
		t.Fatalf("CreateInstanceProfile = %+v, %v", p, err)
	}
	wantErr(t, "AddRoleToInstanceProfile(no role)", svc.AddRoleToInstanceProfile(ctx0, "ip", "none"), barge.ENotFound, "The role with name none cannot be found.")
	wantErr(t, "AddRoleToInstanceProfile(no profile)", svc.AddRoleToInstanceProfile(ctx0, "none", "r"), barge.ENotFound, "Instance Profile none cannot be found.")
	if err := svc.AddRoleToInstanceProfile(ctx0, "ip", "r"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "AddRoleToInstanceProfile again", svc.AddRoleToInstanceProfile(ctx0, "ip", "R"), barge.EConflict, "already been added")
	got, err := svc.GetInstanceProfile(ctx0, "IP")
	if err != nil || len(got.Roles) != 1 || got.Roles[0].Name != "r" {
		t.Errorf("GetInstanceProfile = %+v, %v", got, err)
	}
	wantErr(t, "DeleteRole(in a profile)", svc.DeleteRole(ctx0, "r"), EDeleteConflict, "must remove roles from instance profile first")
	wantErr(t, "DeleteInstanceProfile(with a role)", svc.DeleteInstanceProfile(ctx0, "ip"), EDeleteConflict, "must remove roles from instance profile first")
	wantErr(t, "RemoveRoleFromInstanceProfile(other)", svc.RemoveRoleFromInstanceProfile(ctx0, "ip", "other"), barge.ENotFound, "")
	if err := svc.RemoveRoleFromInstanceProfile(ctx0, "ip", "r"); err != nil {
		t.Fatal(err)
	}
	if page, err := svc.ListInstanceProfilesForRole(ctx0, "r", ListInput{}); err != nil || len(page.Items) != 0 {
		t.Errorf("ListInstanceProfilesForRole after removal = %+v, %v", page, err)
	}
	if page, err := svc.ListInstanceProfiles(ctx0, "/batch/", ListInput{}); err != nil || len(page.Items) != 1 {
		t.Errorf("ListInstanceProfiles(/batch/) = %+v, %v", page, err)
	}
	if err := svc.DeleteInstanceProfile(ctx0, "ip"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteRole(ctx0, "r"); err != nil {
		t.Fatal(err)
	}
}
