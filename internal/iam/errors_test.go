package iam_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestErrors checks each error as SDK users see it: the code, the HTTP
// status and the words of the message that say what to fix.
func TestErrors(t *testing.T) {
	ts := startServer(t)
	c := ts.client()
	ctx := context.Background()

	// "full" has the ten managed policies a role may have; "inline" an
	// inline policy; "plain" nothing.
	createRole(t, c, "full", ecsTasksTrust)
	createRole(t, c, "inline", ecsTasksTrust)
	createRole(t, c, "plain", ecsTasksTrust)
	for _, name := range []string{"AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess",
		"AmazonDynamoDBFullAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess", "SecretsManagerReadWrite", "ReadOnlyAccess", "PowerUserAccess"} {
		if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + name)}); err != nil {
			t.Fatalf("AttachRolePolicy(%s) = %v", name, err)
		}
	}
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("inline"), PolicyName: aws.String("p"), PolicyDocument: aws.String(s3Policy)}); err != nil {
		t.Fatal(err)
	}

	createWithTrust := func(doc string) func() error {
		return func() error {
			_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("new"), AssumeRolePolicyDocument: aws.String(doc)})
			return err
		}
	}
	putInline := func(doc string) func() error {
		return func() error {
			_, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("plain"), PolicyName: aws.String("x"), PolicyDocument: aws.String(doc)})
			return err
		}
	}
	attach := func(role, arn string) func() error {
		return func() error {
			_, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
			return err
		}
	}
	tagPlain := func(tags ...types.Tag) func() error {
		return func() error {
			_, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("plain"), Tags: tags})
			return err
		}
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	var fiftyOne []types.Tag
	for i := range 51 {
		fiftyOne = append(fiftyOne, tag(fmt.Sprint("k", i), "v"))
	}
	bigTrust := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 2100) + `","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	bigInline := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", 10300) + `","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

	tests := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    []string
	}{
		// NoSuchEntity, 404.
		{"GetRole missing", func() error {
			_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"The role with name nope cannot be found."}},
		{"DeleteRole missing", func() error {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"The role with name nope cannot be found."}},
		{"ListAttachedRolePolicies of a missing role", func() error {
			_, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"nope"}},
		{"ListRolePolicies of a missing role", func() error {
			_, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"nope"}},
		{"GetRolePolicy missing", func() error {
			_, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("plain"), PolicyName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"The role policy with name nope cannot be found."}},
		{"DeleteRolePolicy missing", func() error {
			_, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("plain"), PolicyName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, []string{"The role policy with name nope cannot be found."}},
		{"UpdateAssumeRolePolicy of a missing role", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("nope"), PolicyDocument: aws.String(ecsTasksTrust)})
			return err
		}, "NoSuchEntity", 404, []string{"nope"}},
		{"AttachRolePolicy to a missing role", attach("nope", executionPolicyARN), "NoSuchEntity", 404, []string{"The role with name nope cannot be found."}},
		{"AttachRolePolicy with the wrong path", attach("plain", "arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"), "NoSuchEntity", 404,
			[]string{"does not exist or is not attachable", "Did you mean " + executionPolicyARN}},
		{"AttachRolePolicy of an unknown AWS policy", attach("plain", "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"), "NoSuchEntity", 404,
			[]string{"does not exist or is not attachable", "service-role/AmazonECSTaskExecutionRolePolicy"}},
		{"AttachRolePolicy of a customer policy", attach("plain", "arn:aws:iam::123456789012:policy/mine"), "NoSuchEntity", 404,
			[]string{"Policy arn:aws:iam::123456789012:policy/mine does not exist or is not attachable."}},
		{"DetachRolePolicy not attached", func() error {
			_, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("plain"), PolicyArn: aws.String(executionPolicyARN)})
			return err
		}, "NoSuchEntity", 404, []string{"Policy " + executionPolicyARN + " was not found."}},

		// Conflicts and quotas, 409.
		{"CreateRole duplicate, regardless of case", createRoleNamed(c, "PLAIN"), "EntityAlreadyExists", 409, []string{"Role with name PLAIN already exists."}},
		{"DeleteRole with managed policies", func() error {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("full")})
			return err
		}, "DeleteConflict", 409, []string{"Cannot delete entity, must detach all policies first."}},
		{"DeleteRole with inline policies", func() error {
			_, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("inline")})
			return err
		}, "DeleteConflict", 409, []string{"Cannot delete entity, must delete policies first."}},
		{"AttachRolePolicy, eleventh", attach("full", executionPolicyARN), "LimitExceeded", 409, []string{"Cannot exceed quota for PoliciesPerRole: 10"}},
		{"TagRole over 50", func() error {
			if err := tagPlain(fiftyOne[:30]...)(); err != nil {
				return err
			}
			return tagPlain(fiftyOne[30:]...)()
		}, "LimitExceeded", 409, []string{"maximum limit", "at most 50 tags"}},
		{"trust policy over 2048 characters", createWithTrust(bigTrust), "LimitExceeded", 409, []string{"Cannot exceed quota for ACLSizePerRole: 2048"}},
		{"inline policies over 10240 characters", putInline(bigInline), "LimitExceeded", 409, []string{"Maximum policy size of 10240 bytes exceeded for role plain"}},

		// MalformedPolicyDocument, 400.
		{"trust policy not JSON", createWithTrust(`{"Version": "2012-10-17", "Statement": [`), "MalformedPolicyDocument", 400, []string{"Syntax errors in policy", "ends before it is complete"}},
		{"trust policy a JSON list", createWithTrust(`[]`), "MalformedPolicyDocument", 400, []string{"must be a JSON object", "not a JSON array"}},
		{"trust policy without Statement", createWithTrust(`{"Version":"2012-10-17"}`), "MalformedPolicyDocument", 400, []string{"Missing required field Statement"}},
		{"trust policy with no statements", createWithTrust(`{"Version":"2012-10-17","Statement":[]}`), "MalformedPolicyDocument", 400, []string{"no statements"}},
		{"trust policy of an unknown version", createWithTrust(`{"Version":"2012-10-18","Statement":[]}`), "MalformedPolicyDocument", 400, []string{"legacy parsing", "2012-10-17"}},
		{"trust policy with a misspelt element", createWithTrust(`{"Version":"2012-10-17","Statment":[]}`), "MalformedPolicyDocument", 400, []string{`unknown element "Statment"`}},
		{"trust policy without Effect", createWithTrust(`{"Statement":{"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`), "MalformedPolicyDocument", 400, []string{"Missing required field Effect"}},
		{"trust policy with effect allow", createWithTrust(`{"Statement":{"Effect":"allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`), "MalformedPolicyDocument", 400, []string{`Invalid effect: "allow"`}},
		{"trust policy without Principal", createWithTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`), "MalformedPolicyDocument", 400, []string{"Missing required field Principal", "ecs-tasks.amazonaws.com"}},
		{"trust policy without Action", createWithTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"}}]}`), "MalformedPolicyDocument", 400, []string{"Missing required field Action", "sts:AssumeRole"}},
		{"trust policy with Resource", createWithTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`), "MalformedPolicyDocument", 400, []string{"Has prohibited field Resource"}},
		{"trust policy with a bad principal", createWithTrust(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}`), "MalformedPolicyDocument", 400, []string{"Invalid principal in policy"}},
		{"trust policy with an action without vendor", createWithTrust(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"AssumeRole"}]}`), "MalformedPolicyDocument", 400, []string{"prefaced by a vendor", "sts:AssumeRole"}},
		{"second statement malformed", createWithTrust(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny"}]}`), "MalformedPolicyDocument", 400, []string{"Statement 2: Missing required field Principal"}},
		{"inline policy with Principal", putInline(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`), "MalformedPolicyDocument", 400, []string{"Policy document should not specify a principal."}},
		{"inline policy without Resource", putInline(`{"Statement":{"Effect":"Allow","Action":"s3:*"}}`), "MalformedPolicyDocument", 400, []string{"Policy statement must contain resources."}},
		{"inline policy with a bad Resource", putInline(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}}`), "MalformedPolicyDocument", 400, []string{`Resource my-bucket must be in ARN format or "*".`}},
		{"UpdateAssumeRolePolicy malformed", func() error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("plain"), PolicyDocument: aws.String(s3Policy)})
			return err
		}, "MalformedPolicyDocument", 400, []string{"Principal"}},

		// ValidationError and InvalidInput, 400.
		{"role name with a space", createRoleNamed(c, "my role"), "ValidationError", 400, []string{"The specified value for roleName is invalid", "+=,.@_-"}},
		{"role name of 65 characters", createRoleNamed(c, strings.Repeat("r", 65)), "ValidationError", 400, []string{"at 'roleName'", "less than or equal to 64"}},
		{"bad path", func() error {
			_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("p"), Path: aws.String("service-role"), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
			return err
		}, "ValidationError", 400, []string{"The specified value for path is invalid", "/service-role/"}},
		{"MaxSessionDuration too short", func() error {
			_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("p"), MaxSessionDuration: aws.Int32(60), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
			return err
		}, "ValidationError", 400, []string{"'maxSessionDuration'", "greater than or equal to 3600"}},
		{"document with a character IAM refuses", createWithTrust(`{"Statement":[{"Sid":"☃"}]}`), "ValidationError", 400, []string{"'assumeRolePolicyDocument'", "Latin-1"}},
		{"MaxItems 0", func() error {
			_, err := c.ListRoles(ctx, &awsiam.ListRolesInput{MaxItems: aws.Int32(0)})
			return err
		}, "ValidationError", 400, []string{"'maxItems'", "greater than or equal to 1"}},
		{"bad Marker", func() error {
			_, err := c.ListRoles(ctx, &awsiam.ListRolesInput{Marker: aws.String("garbage")})
			return err
		}, "ValidationError", 400, []string{"Marker is not valid"}},
		{"Marker of another list", func() error {
			out, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("plain"), MaxItems: aws.Int32(1)})
			if err != nil || out.Marker == nil {
				return fmt.Errorf("ListRoleTags gave no marker: %v", err)
			}
			_, err = c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("plain"), Marker: out.Marker})
			return err
		}, "ValidationError", 400, []string{"Marker is not valid"}},
		{"AttachRolePolicy of a non-ARN", attach("plain", "AmazonECSTaskExecutionRolePolicy"), "InvalidInput", 400, []string{"ARN AmazonECSTaskExecutionRolePolicy is not valid", executionPolicyARN}},
		{"AttachRolePolicy of a service-linked role's policy", attach("plain", "arn:aws:iam::aws:policy/aws-service-role/BatchServiceRolePolicy"), "PolicyNotAttachable", 400, []string{"Cannot attach a Service Role Policy to a Customer Role"}},
		{"tag key aws:", tagPlain(tag("aws:x", "v")), "InvalidInput", 400, []string{"can't start with 'aws:'"}},
		{"tag keys differing in case", tagPlain(tag("Team", "a"), tag("team", "b")), "InvalidInput", 400, []string{"Duplicate tag keys found"}},
		{"tag key with a bad character", tagPlain(tag("a#b", "v")), "ValidationError", 400, []string{"tags.member.key"}},
		{"CreateServiceLinkedRole for an unknown service", func() error {
			_, err := c.CreateServiceLinkedRole(ctx, &awsiam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("example.amazonaws.com")})
			return err
		}, "InvalidInput", 400, []string{"batch.amazonaws.com"}},

		// IAM operations barge does not serve.
		{"CreateUser", func() error {
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u")})
			return err
		}, "InvalidAction", 400, []string{"Could not find operation CreateUser for version 2010-05-08."}},
		{"CreateGroup", func() error {
			_, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")})
			return err
		}, "InvalidAction", 400, []string{"CreateGroup"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantAPIError(t, tt.name, tt.call(), tt.code, tt.status, tt.msg...)
		})
	}
}

func createRoleNamed(c *awsiam.Client, name string) func() error {
	return func() error {
		_, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
		return err
	}
}

// TestWireErrors checks requests that no SDK sends.
func TestWireErrors(t *testing.T) {
	ts := startServer(t)
	tests := []struct {
		name, body string
		status     int
		want       []string
	}{
		{"unknown action", "Action=LaunchRockets&Version=2010-05-08", 400, []string{"<Code>InvalidAction</Code>", "Could not find operation LaunchRockets for version 2010-05-08."}},
		{"no action", "Version=2010-05-08&RoleName=x", 400, []string{"<Code>InvalidAction</Code>", "no Action parameter"}},
		{"old version", "Action=GetRole&Version=2009-01-01&RoleName=x", 400, []string{"<Code>InvalidAction</Code>", "version 2010-05-08"}},
		{"required member absent", "Action=GetRole&Version=2010-05-08", 400, []string{"<Code>ValidationError</Code>", "Value null at &#39;roleName&#39; failed to satisfy constraint: Member must not be null"}},
		{"list index not a number", "Action=TagRole&Version=2010-05-08&RoleName=x&Tags.member.one.Key=k", 400, []string{"<Code>ValidationError</Code>", "Tags.member.one.Key"}},
		{"integer not a number", "Action=ListRoles&Version=2010-05-08&MaxItems=ten", 400, []string{"<Code>ValidationError</Code>", "MaxItems"}},
		{"UntagRole without keys", "Action=UntagRole&Version=2010-05-08&RoleName=x", 400, []string{"<Code>ValidationError</Code>", "tagKeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := ts.post(tt.body)
			if status != tt.status {
				t.Errorf("POST %s = %d %s, want %d", tt.body, status, body, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("POST %s = %s, want it to contain %q", tt.body, body, w)
				}
			}
		})
	}
}
