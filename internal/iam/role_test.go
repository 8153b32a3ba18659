package iam_test

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// decoded returns a percent-encoded policy document as it was written.
func decoded(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document %q is not percent-encoded: %v", aws.ToString(doc), err)
	}
	return s
}

func TestRoleLifecycle(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()

	created, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName:                 aws.String("BatchJobRole"),
		Path:                     aws.String("/batch/jobs/"),
		AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
		Description:              aws.String("Role of the jobs' containers"),
		MaxSessionDuration:       aws.Int32(7200),
		Tags:                     []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("empty"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatalf("CreateRole = %v", err)
	}
	const arn = "arn:aws:iam::123456789012:role/batch/jobs/BatchJobRole"
	wantTags := []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("empty"), Value: aws.String("")}}

	t.Run("CreateRole output", func(t *testing.T) {
		r := created.Role
		if aws.ToString(r.RoleName) != "BatchJobRole" || aws.ToString(r.Path) != "/batch/jobs/" || aws.ToString(r.Arn) != arn ||
			aws.ToString(r.RoleId) != "AROA00000000000000001" || !r.CreateDate.Equal(now) ||
			aws.ToString(r.Description) != "Role of the jobs' containers" || !reflect.DeepEqual(r.Tags, wantTags) {
			t.Errorf("CreateRole returned %+v", r)
		}
		if got := decoded(t, r.AssumeRolePolicyDocument); got != ecsTasksTrust {
			t.Errorf("CreateRole's AssumeRolePolicyDocument decodes to %q, want the document as sent", got)
		}
	})

	t.Run("GetRole", func(t *testing.T) {
		for _, name := range []string{"BatchJobRole", "batchjobrole"} { // role names are case-insensitive
			out, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				t.Fatalf("GetRole(%s) = %v", name, err)
			}
			r := out.Role
			if aws.ToString(r.RoleName) != "BatchJobRole" || aws.ToString(r.Arn) != arn || aws.ToInt32(r.MaxSessionDuration) != 7200 ||
				aws.ToString(r.Description) != "Role of the jobs' containers" || !reflect.DeepEqual(r.Tags, wantTags) || r.RoleLastUsed == nil {
				t.Errorf("GetRole(%s) = %+v", name, r)
			}
			if got := decoded(t, r.AssumeRolePolicyDocument); got != ecsTasksTrust {
				t.Errorf("GetRole's AssumeRolePolicyDocument decodes to %q, want %q", got, ecsTasksTrust)
			}
		}
	})

	t.Run("UpdateRole", func(t *testing.T) {
		if _, err := c.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("BatchJobRole"), MaxSessionDuration: aws.Int32(3600)}); err != nil {
			t.Fatalf("UpdateRole = %v", err)
		}
		out, err := c.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("BatchJobRole"), Description: aws.String("new")})
		if err != nil {
			t.Fatalf("UpdateRoleDescription = %v", err)
		}
		if aws.ToString(out.Role.Description) != "new" || aws.ToInt32(out.Role.MaxSessionDuration) != 3600 {
			t.Errorf("after the updates, the role is %+v, want description new and 3600 s sessions", out.Role)
		}
	})

	t.Run("UpdateAssumeRolePolicy", func(t *testing.T) {
		if _, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("BatchJobRole"), PolicyDocument: aws.String(batchTrust)}); err != nil {
			t.Fatalf("UpdateAssumeRolePolicy = %v", err)
		}
		out, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("BatchJobRole")})
		if err != nil || decoded(t, out.Role.AssumeRolePolicyDocument) != batchTrust {
			t.Errorf("after UpdateAssumeRolePolicy, GetRole = %v, %v; want the new trust policy", out, err)
		}
	})

	t.Run("tags", func(t *testing.T) {
		if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("BatchJobRole"), Tags: []types.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("ml")}, // replaces team: keys are case-insensitive
			{Key: aws.String("cost-center"), Value: aws.String("42")},
		}}); err != nil {
			t.Fatalf("TagRole = %v", err)
		}
		if _, err := c.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("BatchJobRole"), TagKeys: []string{"EMPTY", "absent"}}); err != nil {
			t.Fatalf("UntagRole = %v", err)
		}
		want := []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("ml")}, {Key: aws.String("cost-center"), Value: aws.String("42")}}
		out, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("BatchJobRole")})
		if err != nil || !reflect.DeepEqual(out.Tags, want) || out.IsTruncated {
			t.Errorf("ListRoleTags = %+v, %v; want %v", out, err, want)
		}
		page, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("BatchJobRole"), MaxItems: aws.Int32(1)})
		if err != nil || len(page.Tags) != 1 || !page.IsTruncated || page.Marker == nil {
			t.Fatalf("ListRoleTags(MaxItems 1) = %+v, %v; want one tag and a marker", page, err)
		}
		rest, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("BatchJobRole"), Marker: page.Marker})
		if err != nil || !reflect.DeepEqual(append(page.Tags, rest.Tags...), want) || rest.IsTruncated || rest.Marker != nil {
			t.Errorf("ListRoleTags, second page = %+v, %v", rest, err)
		}
	})

	t.Run("DeleteRole", func(t *testing.T) {
		if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("BatchJobRole")}); err != nil {
			t.Fatalf("DeleteRole = %v", err)
		}
		_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("BatchJobRole")})
		wantAPIError(t, "GetRole after DeleteRole", err, "NoSuchEntity", 404, "The role with name BatchJobRole cannot be found.")
	})
}

func TestListRoles(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	for i, path := range []string{"/", "/service-role/", "/", "/service-role/", "/other/"} {
		if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
			RoleName:                 aws.String(fmt.Sprintf("role-%d", i)),
			Path:                     aws.String(path),
			AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
			Tags:                     []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		prefix   *string
		maxItems *int32
		want     []string
	}{
		{"all", nil, nil, []string{"role-0", "role-1", "role-2", "role-3", "role-4"}},
		{"pages of 2", nil, aws.Int32(2), []string{"role-0", "role-1", "role-2", "role-3", "role-4"}},
		{"pages of 1", nil, aws.Int32(1), []string{"role-0", "role-1", "role-2", "role-3", "role-4"}},
		{"path prefix", aws.String("/service-role/"), aws.Int32(1), []string{"role-1", "role-3"}},
		{"no match", aws.String("/nothing/"), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			pages := 0
			p := awsiam.NewListRolesPaginator(c, &awsiam.ListRolesInput{PathPrefix: tt.prefix, MaxItems: tt.maxItems})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListRoles page %d = %v", pages+1, err)
				}
				pages++
				for _, r := range out.Roles {
					got = append(got, aws.ToString(r.RoleName))
					if r.Tags != nil || r.RoleLastUsed != nil || aws.ToInt32(r.MaxSessionDuration) != 3600 || r.AssumeRolePolicyDocument == nil {
						t.Errorf("ListRoles returned %+v; want no tags or last use, as AWS, but the session length and trust policy", r)
					}
				}
				if tt.maxItems != nil && len(out.Roles) > int(*tt.maxItems) {
					t.Errorf("ListRoles(MaxItems %d) returned %d roles", *tt.maxItems, len(out.Roles))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListRoles = %v in %d pages, want %v", got, pages, tt.want)
			}
		})
	}
}

func TestManagedPolicies(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	createRole(t, c, "r", ecsTasksTrust)
	arns := []string{
		executionPolicyARN,
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole",
	}
	for _, arn := range append(arns, arns[0]) { // attaching twice is no error, as on AWS
		if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("AttachRolePolicy(%s) = %v", arn, err)
		}
	}
	list := func(in *awsiam.ListAttachedRolePoliciesInput) []types.AttachedPolicy {
		t.Helper()
		var all []types.AttachedPolicy
		p := awsiam.NewListAttachedRolePoliciesPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListAttachedRolePolicies = %v", err)
			}
			all = append(all, out.AttachedPolicies...)
		}
		return all
	}
	want := []types.AttachedPolicy{
		{PolicyName: aws.String("AmazonECSTaskExecutionRolePolicy"), PolicyArn: aws.String(arns[0])},
		{PolicyName: aws.String("AmazonS3ReadOnlyAccess"), PolicyArn: aws.String(arns[1])},
		{PolicyName: aws.String("AWSBatchServiceRole"), PolicyArn: aws.String(arns[2])},
	}
	tests := []struct {
		name string
		in   awsiam.ListAttachedRolePoliciesInput
		want []types.AttachedPolicy
	}{
		{"all", awsiam.ListAttachedRolePoliciesInput{}, want},
		{"pages of 1", awsiam.ListAttachedRolePoliciesInput{MaxItems: aws.Int32(1)}, want},
		{"path prefix", awsiam.ListAttachedRolePoliciesInput{PathPrefix: aws.String("/service-role/")}, []types.AttachedPolicy{want[0], want[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.RoleName = aws.String("R")
			if got := list(&tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ListAttachedRolePolicies = %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("detach", func(t *testing.T) {
		if _, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arns[1])}); err != nil {
			t.Fatalf("DetachRolePolicy = %v", err)
		}
		if got := list(&awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("r")}); !reflect.DeepEqual(got, []types.AttachedPolicy{want[0], want[2]}) {
			t.Errorf("after DetachRolePolicy, ListAttachedRolePolicies = %+v", got)
		}
	})
}

func TestInlinePolicies(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	createRole(t, c, "r", ecsTasksTrust)
	logsPolicy := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}`
	for name, doc := range map[string]string{"s3-access": s3Policy, "logs": logsPolicy, "b": s3Policy} {
		if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("PutRolePolicy(%s) = %v", name, err)
		}
	}
	// Putting a policy again replaces it.
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("b"), PolicyDocument: aws.String(logsPolicy)}); err != nil {
		t.Fatalf("PutRolePolicy(b) again = %v", err)
	}

	t.Run("GetRolePolicy", func(t *testing.T) {
		for name, want := range map[string]string{"s3-access": s3Policy, "b": logsPolicy} {
			out, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("R"), PolicyName: aws.String(name)})
			if err != nil {
				t.Fatalf("GetRolePolicy(%s) = %v", name, err)
			}
			if aws.ToString(out.RoleName) != "r" || aws.ToString(out.PolicyName) != name || decoded(t, out.PolicyDocument) != want {
				t.Errorf("GetRolePolicy(%s) = %s %s %s, want r %s %s", name, aws.ToString(out.RoleName), aws.ToString(out.PolicyName), decoded(t, out.PolicyDocument), name, want)
			}
		}
	})
	t.Run("ListRolePolicies", func(t *testing.T) {
		for _, max := range []*int32{nil, aws.Int32(1), aws.Int32(2)} {
			var got []string
			p := awsiam.NewListRolePoliciesPaginator(c, &awsiam.ListRolePoliciesInput{RoleName: aws.String("r"), MaxItems: max})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListRolePolicies = %v", err)
				}
				got = append(got, out.PolicyNames...)
			}
			if want := []string{"b", "logs", "s3-access"}; !reflect.DeepEqual(got, want) {
				t.Errorf("ListRolePolicies(MaxItems %v) = %v, want %v", aws.ToInt32(max), got, want)
			}
		}
	})
	t.Run("DeleteRolePolicy", func(t *testing.T) {
		if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("logs")}); err != nil {
			t.Fatalf("DeleteRolePolicy = %v", err)
		}
		_, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("r"), PolicyName: aws.String("logs")})
		wantAPIError(t, "GetRolePolicy after DeleteRolePolicy", err, "NoSuchEntity", 404, "The role policy with name logs cannot be found.")
	})
}

func TestServiceLinkedRole(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	out, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")})
	if err != nil {
		t.Fatalf("CreateServiceLinkedRole = %v", err)
	}
	if aws.ToString(out.Role.RoleName) != "AWSServiceRoleForBatch" ||
		aws.ToString(out.Role.Arn) != "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch" {
		t.Errorf("CreateServiceLinkedRole = %+v", out.Role)
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyName) != "BatchServiceRolePolicy" {
		t.Errorf("the service-linked role has policies %+v, %v; want BatchServiceRolePolicy", attached, err)
	}

	_, err = c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")})
	wantAPIError(t, "CreateServiceLinkedRole again", err, "InvalidInput", 400, "Service role name AWSServiceRoleForBatch has been taken in this account")
	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	wantAPIError(t, "DeleteRole(AWSServiceRoleForBatch)", err, "UnmodifiableEntity", 400, "protected role 'AWSServiceRoleForBatch'", "DeleteServiceLinkedRole")
	_, err = c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("AWSServiceRoleForBatch"), PolicyArn: aws.String(executionPolicyARN)})
	wantAPIError(t, "AttachRolePolicy to the service-linked role", err, "UnmodifiableEntity", 400)

	del, err := c.DeleteServiceLinkedRole(ctx, &awsiam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	if err != nil {
		t.Fatalf("DeleteServiceLinkedRole = %v", err)
	}
	status, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &awsiam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	if err != nil || status.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Errorf("GetServiceLinkedRoleDeletionStatus(%s) = %+v, %v; want SUCCEEDED", aws.ToString(del.DeletionTaskId), status, err)
	}
	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForBatch")})
	wantAPIError(t, "GetRole after DeleteServiceLinkedRole", err, "NoSuchEntity", 404)
}
