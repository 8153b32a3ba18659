package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestSeedExecutionRole replays the IAM steps of "How to Use AWS Batch with
// Fargate": create the task execution role trusting ECS tasks, attach
// AWS's execution policy, and look at the result, after which a job using
// the role can start.
func TestSeedExecutionRole(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()

	created, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName:                 aws.String("ecsTaskExecutionRole"),
		AssumeRolePolicyDocument: aws.String(ecsTasksTrust),
	})
	if err != nil {
		t.Fatalf("CreateRole = %v", err)
	}
	roleARN := aws.ToString(created.Role.Arn)
	if roleARN != "arn:aws:iam::123456789012:role/ecsTaskExecutionRole" {
		t.Errorf("the role's ARN is %s", roleARN)
	}
	if id := aws.ToString(created.Role.RoleId); len(id) != 21 || !strings.HasPrefix(id, "AROA") {
		t.Errorf("RoleId = %q, want AROA and 17 more characters", id)
	}

	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{
		RoleName:  aws.String("ecsTaskExecutionRole"),
		PolicyArn: aws.String(executionPolicyARN),
	}); err != nil {
		t.Fatalf("AttachRolePolicy = %v", err)
	}

	attached, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole")})
	if err != nil {
		t.Fatalf("ListAttachedRolePolicies = %v", err)
	}
	if len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != executionPolicyARN ||
		aws.ToString(attached.AttachedPolicies[0].PolicyName) != "AmazonECSTaskExecutionRolePolicy" || attached.IsTruncated {
		t.Errorf("ListAttachedRolePolicies = %+v, want only %s", attached.AttachedPolicies, executionPolicyARN)
	}

	got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("ecsTaskExecutionRole")})
	if err != nil {
		t.Fatalf("GetRole = %v", err)
	}
	if aws.ToString(got.Role.Arn) != roleARN || aws.ToString(got.Role.RoleId) != aws.ToString(created.Role.RoleId) || !got.Role.CreateDate.Equal(*created.Role.CreateDate) {
		t.Errorf("GetRole = %+v, want the role CreateRole returned", got.Role)
	}
	if doc := decoded(t, got.Role.AssumeRolePolicyDocument); doc != ecsTasksTrust {
		t.Errorf("GetRole's AssumeRolePolicyDocument decodes to %q, want %q", doc, ecsTasksTrust)
	}

	reason, err := ts.IAM.CheckExecutionRole(ctx, roleARN)
	if err != nil || reason != "" {
		t.Errorf("CheckExecutionRole(%s) = %q, %v; want it to pass", roleARN, reason, err)
	}
}

func TestCheckExecutionRole(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()
	trusts := map[string]string{
		"good":        ecsTasksTrust,
		"batchOnly":   batchTrust,
		"lists":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["batch.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":["sts:TagSession","sts:AssumeRole"]}]}`,
		"wildcard":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ECS-Tasks.amazonaws.com"},"Action":"sts:Assume*"}]}`,
		"anyone":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*"}]}`,
		"conditional": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`,
		"denied":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:*"}]}`,
		"otherAction": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:TagSession"}]}`,
		"notAction":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"NotAction":"sts:TagSession"}]}`,
	}
	for name, trust := range trusts {
		createRole(t, c, name, trust)
	}
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("pathed"), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)}); err != nil {
		t.Fatal(err)
	}
	arn := func(name string) string { return "arn:aws:iam::123456789012:role/" + name }

	tests := []struct {
		name string
		arn  string
		want []string // words of the reason; none means the role passes
	}{
		{"no execution role", "", nil},
		{"good role", arn("good"), nil},
		{"name in another case", arn("GOOD"), nil},
		{"lists of principals and actions", arn("lists"), nil},
		{"wildcard action", arn("wildcard"), nil},
		{"any AWS principal", arn("anyone"), nil},
		{"condition", arn("conditional"), nil},
		{"NotAction", arn("notAction"), nil},
		{"role with a path", "arn:aws:iam::123456789012:role/service-role/pathed", nil},
		{"missing role", arn("ecsTaskExecutionRole"), []string{
			"ResourceInitializationError: ", "execution role arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "the role does not exist",
			"aws iam create-role --role-name ecsTaskExecutionRole", "ecs-tasks.amazonaws.com", "or fix the ARN."}},
		{"role trusting only Batch", arn("batchOnly"), []string{
			"ResourceInitializationError: ", arn("batchOnly"), "trust policy does not allow ecs-tasks.amazonaws.com to call sts:AssumeRole",
			"Add that to it (aws iam update-assume-role-policy)."}},
		{"denied", arn("denied"), []string{"trust policy does not allow ecs-tasks.amazonaws.com"}},
		{"another action", arn("otherAction"), []string{"trust policy does not allow"}},
		{"wrong path", arn("pathed"), []string{"does not exist", "role pathed has path /service-role/", "Set executionRoleArn to arn:aws:iam::123456789012:role/service-role/pathed."}},
		{"another account", "arn:aws:iam::999999999999:role/good", []string{"does not exist", "account 999999999999", "account is 123456789012", "Correct executionRoleArn."}},
		{"not a role ARN", "ecsTaskExecutionRole", []string{"ResourceInitializationError: ", "not an IAM role ARN", "arn:aws:iam::123456789012:role/<name>"}},
		{"a policy ARN", executionPolicyARN, []string{"not an IAM role ARN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, err := ts.IAM.CheckExecutionRole(ctx, tt.arn)
			if err != nil {
				t.Fatalf("CheckExecutionRole(%q) = %v", tt.arn, err)
			}
			if len(tt.want) == 0 && reason != "" {
				t.Errorf("CheckExecutionRole(%q) = %q, want it to pass", tt.arn, reason)
			}
			if len(tt.want) > 0 && reason == "" {
				t.Errorf("CheckExecutionRole(%q) passed, want a reason", tt.arn)
			}
			for _, w := range tt.want {
				if !strings.Contains(reason, w) {
					t.Errorf("CheckExecutionRole(%q) = %q, want it to contain %q", tt.arn, reason, w)
				}
			}
		})
	}

	t.Run("fixed role", func(t *testing.T) {
		if _, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("batchOnly"), PolicyDocument: aws.String(ecsTasksTrust)}); err != nil {
			t.Fatal(err)
		}
		if reason, err := ts.IAM.CheckExecutionRole(ctx, arn("batchOnly")); reason != "" || err != nil {
			t.Errorf("after UpdateAssumeRolePolicy, CheckExecutionRole = %q, %v; want it to pass", reason, err)
		}
	})
}
