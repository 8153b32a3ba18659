package iam_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestAWSManagedPolicies reads AWS managed policies through GetPolicy and
// GetPolicyVersion, with their documents as AWS publishes them, and their
// attachment counts in this account.
func TestAWSManagedPolicies(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	createRole(t, c, "exec", ecsTasksTrust)
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(executionPolicyARN)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(executionPolicyARN)})
	if err != nil {
		t.Fatal(err)
	}
	p := out.Policy
	if aws.ToString(p.PolicyName) != "AmazonECSTaskExecutionRolePolicy" || aws.ToString(p.Path) != "/service-role/" || aws.ToString(p.DefaultVersionId) != "v1" ||
		aws.ToInt32(p.AttachmentCount) != 1 || !p.IsAttachable || !strings.HasPrefix(aws.ToString(p.PolicyId), "ANPA") || len(aws.ToString(p.PolicyId)) != 21 {
		t.Errorf("GetPolicy(%s) = %+v", executionPolicyARN, p)
	}
	v, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(executionPolicyARN), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
	if err != nil || !v.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion = %+v, %v", v.PolicyVersion, err)
	}
	for _, action := range []string{"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"} {
		if !strings.Contains(doc, `"`+action+`"`) {
			t.Errorf("AmazonECSTaskExecutionRolePolicy's document lacks %s:\n%s", action, doc)
		}
	}
	batch, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole")})
	if err != nil || aws.ToInt32(batch.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy(AWSBatchServiceRole) = %v, %v", batch, err)
	}
	bv, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: batch.Policy.Arn, VersionId: batch.Policy.DefaultVersionId})
	if err != nil || !strings.Contains(aws.ToString(bv.PolicyVersion.Document), "ecs%3ACreateCluster") {
		t.Errorf("GetPolicyVersion(AWSBatchServiceRole, %s) = %v, %v; want its document", aws.ToString(batch.Policy.DefaultVersionId), bv, err)
	}
	_, err = c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(executionPolicyARN), VersionId: aws.String("v9")})
	wantAPIError(t, "GetPolicyVersion(v9)", err, "NoSuchEntity", 404, "does not exist")
	_, err = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere")})
	wantAPIError(t, "GetPolicy(unknown)", err, "NoSuchEntity", 404, "NoSuchPolicyAnywhere")

	var aws1 []string
	pages := awsiam.NewListPoliciesPaginator(c, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(7)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Policies {
			aws1 = append(aws1, aws.ToString(p.PolicyName))
		}
	}
	if len(aws1) < 30 || !slices.IsSorted(aws1) || !slices.Contains(aws1, "AWSBatchServiceRole") {
		t.Errorf("ListPolicies(AWS) = %q, want the AWS policies barge knows, in order", aws1)
	}
	attached, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{OnlyAttached: true})
	if err != nil || len(attached.Policies) != 1 || aws.ToString(attached.Policies[0].Arn) != executionPolicyARN {
		t.Errorf("ListPolicies(OnlyAttached) = %v, %v; want the execution policy", attached, err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(executionPolicyARN)})
	if err != nil || len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "exec" || len(ents.PolicyUsers) != 0 {
		t.Errorf("ListEntitiesForPolicy = %v, %v; want the role exec", ents, err)
	}
}

// TestCustomerManagedPolicies creates a policy, versions it, attaches it,
// and deletes it under IAM's DeleteConflict rules, through the SDK.
func TestCustomerManagedPolicies(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	out, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{
		PolicyName: aws.String("s3-read"), Path: aws.String("/jobs/"), PolicyDocument: aws.String(s3Policy), Description: aws.String("reads the bucket"),
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::123456789012:policy/jobs/s3-read" || aws.ToString(out.Policy.DefaultVersionId) != "v1" || aws.ToString(out.Policy.Description) != "reads the bucket" {
		t.Errorf("CreatePolicy = %+v", out.Policy)
	}
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("S3-READ"), PolicyDocument: aws.String(s3Policy)})
	wantAPIError(t, "CreatePolicy again", err, "EntityAlreadyExists", 409, "A policy called S3-READ already exists.")
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17"}`)})
	wantAPIError(t, "CreatePolicy without statements", err, "MalformedPolicyDocument", 400)
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("big"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6200) + `"}]}`)})
	wantAPIError(t, "CreatePolicy of 6,200 characters", err, "LimitExceeded", 409, "PolicySize: 6144")

	// Versions: up to five, the default one not deletable.
	s3Write := strings.Replace(s3Policy, `"s3:GetObject","s3:PutObject"`, `"s3:PutObject"`, 1)
	for i := 2; i <= 5; i++ {
		v, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Write), SetAsDefault: i == 3})
		if err != nil || aws.ToString(v.PolicyVersion.VersionId) != "v"+string(rune('0'+i)) || v.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Fatalf("CreatePolicyVersion #%d = %+v, %v", i, v, err)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(s3Write)})
	wantAPIError(t, "CreatePolicyVersion #6", err, "LimitExceeded", 409, "up to 5 versions")
	versions, err := c.ListPolicyVersions(ctx, &awsiam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range versions.Versions {
		id := aws.ToString(v.VersionId)
		if v.IsDefaultVersion {
			id += "*"
		}
		ids = append(ids, id)
	}
	if want := []string{"v5", "v4", "v3*", "v2", "v1"}; !slices.Equal(ids, want) {
		t.Errorf("ListPolicyVersions = %q, want %q", ids, want)
	}
	got, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	if doc, _ := url.QueryUnescape(aws.ToString(got.PolicyVersion.Document)); err != nil || doc != s3Write {
		t.Errorf("GetPolicyVersion(v3) = %q, %v; want the document as sent", doc, err)
	}
	_, err = c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantAPIError(t, "DeletePolicyVersion(default)", err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	if _, err := c.SetDefaultPolicyVersion(ctx, &awsiam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)}); err != nil || aws.ToString(p.Policy.DefaultVersionId) != "v1" {
		t.Errorf("after SetDefaultPolicyVersion(v1), GetPolicy = %v, %v", p, err)
	}
	_, err = c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("one")})
	wantAPIError(t, "GetPolicyVersion(one)", err, "ValidationError", 400, "versionId")

	// Attached to a role, it cannot be deleted; nor with versions left.
	createRole(t, c, "worker", ecsTasksTrust)
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arn), EntityFilter: types.EntityTypeRole})
	if err != nil || len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "worker" {
		t.Errorf("ListEntitiesForPolicy = %v, %v; want worker", ents, err)
	}
	local, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(local.Policies) != 1 || aws.ToInt32(local.Policies[0].AttachmentCount) != 1 || local.Policies[0].Description != nil {
		t.Errorf("ListPolicies(Local) = %+v, %v; want s3-read attached once, without its description", local, err)
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, "DeletePolicy(attached)", err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	if _, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, "DeletePolicy(with versions)", err, "DeleteConflict", 409, "more than one version")
	for _, v := range []string{"v2", "v3", "v4", "v5"} {
		if _, err := c.DeletePolicyVersion(ctx, &awsiam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)}); err != nil {
			t.Fatalf("DeletePolicyVersion(%s) = %v", v, err)
		}
	}
	if _, err := c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantAPIError(t, "GetPolicy after DeletePolicy", err, "NoSuchEntity", 404, "was not found")
	_, err = c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: aws.String(arn)})
	wantAPIError(t, "AttachRolePolicy of the deleted policy", err, "NoSuchEntity", 404, "does not exist or is not attachable")
	_, err = c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: aws.String(executionPolicyARN), PolicyDocument: aws.String(s3Policy)})
	wantAPIError(t, "CreatePolicyVersion of an AWS policy", err, "InvalidInput", 400, "AWS managed policy")
}

// TestInstanceProfiles creates an instance profile, puts a role in it, and
// checks that deleting the role, as the CLI and Terraform do, first finds
// it through ListInstanceProfilesForRole and is refused while it is there.
func TestInstanceProfiles(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	createRole(t, c, "ecsInstanceRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	out, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	if err != nil {
		t.Fatal(err)
	}
	if p := out.InstanceProfile; aws.ToString(p.Arn) != "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole" || !strings.HasPrefix(aws.ToString(p.InstanceProfileId), "AIPA") || len(p.Roles) != 0 {
		t.Errorf("CreateInstanceProfile = %+v", p)
	}
	_, err = c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ECSINSTANCEROLE")})
	wantAPIError(t, "CreateInstanceProfile again", err, "EntityAlreadyExists", 409)
	if _, err := c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}
	createRole(t, c, "other", ecsTasksTrust)
	_, err = c.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("other")})
	wantAPIError(t, "AddRoleToInstanceProfile(a second role)", err, "LimitExceeded", 409, "InstanceSessionsPerInstanceProfile")
	got, err := c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	if err != nil || len(got.InstanceProfile.Roles) != 1 || aws.ToString(got.InstanceProfile.Roles[0].RoleName) != "ecsInstanceRole" {
		t.Errorf("GetInstanceProfile = %+v, %v; want the role in it", got, err)
	}
	for_, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ecsInstanceRole")})
	if err != nil || len(for_.InstanceProfiles) != 1 || aws.ToString(for_.InstanceProfiles[0].InstanceProfileName) != "ecsInstanceRole" {
		t.Errorf("ListInstanceProfilesForRole = %+v, %v", for_, err)
	}
	if none, err := c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other")}); err != nil || len(none.InstanceProfiles) != 0 {
		t.Errorf("ListInstanceProfilesForRole(other) = %+v, %v; want none", none, err)
	}
	_, err = c.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nobody")})
	wantAPIError(t, "ListInstanceProfilesForRole(nobody)", err, "NoSuchEntity", 404, "nobody")

	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("ecsInstanceRole")})
	wantAPIError(t, "DeleteRole in a profile", err, "DeleteConflict", 409, "must remove roles from instance profile first")
	_, err = c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	wantAPIError(t, "DeleteInstanceProfile with a role", err, "DeleteConflict", 409, "must remove roles from instance profile first")
	if _, err := c.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole"), RoleName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{})
	if err != nil || len(list.InstanceProfiles) != 1 || len(list.InstanceProfiles[0].Roles) != 0 {
		t.Errorf("ListInstanceProfiles = %+v, %v; want one empty profile", list, err)
	}
	if _, err := c.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("ecsInstanceRole")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("ecsInstanceRole")})
	wantAPIError(t, "GetInstanceProfile after delete", err, "NoSuchEntity", 404, "Instance Profile ecsInstanceRole cannot be found.")
}
