package iam_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestGoldenPolicyResponses pins the bytes of the managed-policy and
// instance-profile responses, as TestGoldenResponses does for roles.
func TestGoldenPolicyResponses(t *testing.T) {
	ts := startServer(t)
	form := func(kv ...string) string {
		v := url.Values{"Version": {"2010-05-08"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const arn = "arn:aws:iam::123456789012:policy/batch/s3-read"
	steps := []struct {
		golden string // "" for setup steps
		body   string
	}{
		{"create-policy.xml", form("Action", "CreatePolicy", "PolicyName", "s3-read", "Path", "/batch/", "PolicyDocument", s3Policy,
			"Description", "reads the bucket", "Tags.member.1.Key", "team", "Tags.member.1.Value", "data")},
		{"create-policy-version.xml", form("Action", "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", s3Policy, "SetAsDefault", "true")},
		{"get-policy-version.xml", form("Action", "GetPolicyVersion", "PolicyArn", arn, "VersionId", "v2")},
		{"list-policy-versions.xml", form("Action", "ListPolicyVersions", "PolicyArn", arn)},
		{"", form("Action", "CreateRole", "RoleName", "ecsInstanceRole", "AssumeRolePolicyDocument", batchTrust)},
		{"", form("Action", "AttachRolePolicy", "RoleName", "ecsInstanceRole", "PolicyArn", arn)},
		{"list-entities-for-policy.xml", form("Action", "ListEntitiesForPolicy", "PolicyArn", arn)},
		{"list-policies-local.xml", form("Action", "ListPolicies", "Scope", "Local")},
		{"get-aws-policy.xml", form("Action", "GetPolicy", "PolicyArn", executionPolicyARN)},
		{"get-aws-policy-version.xml", form("Action", "GetPolicyVersion", "PolicyArn", executionPolicyARN, "VersionId", "v1")},
		{"create-instance-profile.xml", form("Action", "CreateInstanceProfile", "InstanceProfileName", "ecsInstanceRole")},
		{"", form("Action", "AddRoleToInstanceProfile", "InstanceProfileName", "ecsInstanceRole", "RoleName", "ecsInstanceRole")},
		{"list-instance-profiles-for-role.xml", form("Action", "ListInstanceProfilesForRole", "RoleName", "ecsInstanceRole")},
		{"delete-conflict.xml", form("Action", "DeletePolicy", "PolicyArn", arn)},
	}
	for _, s := range steps {
		status, body := ts.post(s.body)
		if s.golden == "" {
			if status != http.StatusOK {
				t.Fatalf("POST %s = %d %s", s.body, status, body)
			}
			continue
		}
		t.Run(s.golden, func(t *testing.T) {
			got := fmt.Sprintf("%d %s\n%s\n", status, http.StatusText(status), requestIDPattern.ReplaceAll(body, []byte("<RequestId>REQUEST-ID</RequestId>")))
			golden(t, s.golden, []byte(got))
		})
	}
}
