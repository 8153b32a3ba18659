package iam_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

var requestIDPattern = regexp.MustCompile(`<RequestId>[0-9a-f-]{36}</RequestId>`)

// TestGoldenResponses pins the bytes of a few responses: the element names
// and order, the envelope, the percent-encoded documents, the timestamps.
// Run with -update to rewrite them after a deliberate change.
func TestGoldenResponses(t *testing.T) {
	ts := startServer(t)
	form := func(kv ...string) string {
		v := url.Values{"Version": {"2010-05-08"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	steps := []struct {
		golden string // "" for setup steps
		body   string
	}{
		{"create-role.xml", form("Action", "CreateRole", "RoleName", "ecsTaskExecutionRole", "Path", "/service-role/",
			"AssumeRolePolicyDocument", ecsTasksTrust, "Description", "Fargate task execution & logs",
			"Tags.member.1.Key", "team", "Tags.member.1.Value", "data")},
		{"", form("Action", "CreateRole", "RoleName", "batchRole", "AssumeRolePolicyDocument", batchTrust)},
		{"", form("Action", "AttachRolePolicy", "RoleName", "ecsTaskExecutionRole", "PolicyArn", executionPolicyARN)},
		{"", form("Action", "PutRolePolicy", "RoleName", "ecsTaskExecutionRole", "PolicyName", "s3", "PolicyDocument", s3Policy)},
		{"get-role.xml", form("Action", "GetRole", "RoleName", "ecsTaskExecutionRole")},
		{"list-roles.xml", form("Action", "ListRoles", "MaxItems", "1")},
		{"list-attached-role-policies.xml", form("Action", "ListAttachedRolePolicies", "RoleName", "ecsTaskExecutionRole")},
		{"get-role-policy.xml", form("Action", "GetRolePolicy", "RoleName", "ecsTaskExecutionRole", "PolicyName", "s3")},
		{"list-role-policies.xml", form("Action", "ListRolePolicies", "RoleName", "batchRole")},
		{"delete-role.xml", form("Action", "DeleteRole", "RoleName", "batchRole")},
		{"no-such-entity.xml", form("Action", "GetRole", "RoleName", "batchRole")},
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
