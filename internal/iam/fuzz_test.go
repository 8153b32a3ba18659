package iam_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bargehq/barge/internal/iam"
	"github.com/bargehq/barge/internal/iamservice"
	"github.com/bargehq/barge/internal/store"
)

// FuzzHandler sends arbitrary requests to the IAM API (behind no server, so
// without signatures) over a real store: whatever the input, the answer is a
// success or a client error, never a server fault or a panic.
func FuzzHandler(f *testing.F) {
	st, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h := iam.New(iamservice.New(iamservice.Config{Store: st, Account: testAccount}), nil).Handler()

	form := func(kv ...string) string {
		v := url.Values{"Version": {"2010-05-08"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	for _, seed := range []string{
		form("Action", "CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", ecsTasksTrust, "Tags.member.1.Key", "k", "Tags.member.1.Value", "v"),
		form("Action", "CreateRole", "RoleName", "r", "Path", "/a/", "AssumeRolePolicyDocument", `{"Statement":{"Effect":"Deny","NotPrincipal":"*","NotAction":"*"}}`),
		form("Action", "PutRolePolicy", "RoleName", "r", "PolicyName", "p", "PolicyDocument", s3Policy),
		form("Action", "AttachRolePolicy", "RoleName", "r", "PolicyArn", executionPolicyARN),
		form("Action", "ListRoles", "MaxItems", "1", "Marker", "cm9sZXM6YmF0Y2hSb2xl"),
		form("Action", "ListAttachedRolePolicies", "RoleName", "r", "PathPrefix", "/service-role/"),
		form("Action", "TagRole", "RoleName", "r", "Tags.member.2.Key", "x"),
		form("Action", "UntagRole", "RoleName", "r", "TagKeys", ""),
		form("Action", "CreateServiceLinkedRole", "AWSServiceName", "batch.amazonaws.com"),
		form("Action", "DeleteRole", "RoleName", "r"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(body)))
		if rec.Code >= 500 {
			t.Fatalf("POST %q = %d %s", body, rec.Code, rec.Body)
		}
	})
}
