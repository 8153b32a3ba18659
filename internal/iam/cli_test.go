package iam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bargehq/barge/internal/awscli"
)

// TestAWSCLI drives the IAM API with the aws CLIs installed here: the one on
// PATH (v1 with the machine's botocore) and Debian's v2 at /usr/bin/aws.
// botocore signs, encodes and parses awsQuery on its own, and decodes the
// percent-encoded policy documents into JSON, so this checks barge against
// a second client.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the aws CLI takes seconds per command")
	}
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			testAWSCLI(t, cli)
		})
	}
}

func testAWSCLI(t *testing.T, awsCLI string) {
	ts := startServer(t)
	dir := t.TempDir()
	trustFile := filepath.Join(dir, "trust.json")
	if err := os.WriteFile(trustFile, []byte(ecsTasksTrust), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (stdout, stderr []byte, err error) {
		t.Helper()
		cmd := awscli.Client{CLI: awsCLI, Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Region: "us-east-1", Home: dir}.Command(context.Background(), args...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		stdout, err = cmd.Output()
		return stdout, errBuf.Bytes(), err
	}
	cli := func(out any, args ...string) {
		t.Helper()
		stdout, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		if out != nil {
			if err := json.Unmarshal(stdout, out); err != nil {
				t.Fatalf("aws %s printed %s: %v", strings.Join(args, " "), stdout, err)
			}
		}
	}

	type role struct {
		RoleName, Arn, RoleId, Path string
		AssumeRolePolicyDocument    any // botocore decodes it into JSON
	}
	var trust any
	if err := json.Unmarshal([]byte(ecsTasksTrust), &trust); err != nil {
		t.Fatal(err)
	}

	var created struct{ Role role }
	cli(&created, "iam", "create-role", "--role-name", "cliExecutionRole", "--assume-role-policy-document", "file://"+trustFile)
	if created.Role.Arn != "arn:aws:iam::123456789012:role/cliExecutionRole" || !reflect.DeepEqual(created.Role.AssumeRolePolicyDocument, trust) {
		t.Errorf("create-role printed %+v, want the role with its trust policy", created.Role)
	}

	var got struct{ Role role }
	cli(&got, "iam", "get-role", "--role-name", "cliExecutionRole")
	if got.Role.RoleName != "cliExecutionRole" || got.Role.RoleId != created.Role.RoleId || !reflect.DeepEqual(got.Role.AssumeRolePolicyDocument, trust) {
		t.Errorf("get-role printed %+v, want the role create-role made", got.Role)
	}

	cli(nil, "iam", "attach-role-policy", "--role-name", "cliExecutionRole", "--policy-arn", executionPolicyARN)
	var attached struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	cli(&attached, "iam", "list-attached-role-policies", "--role-name", "cliExecutionRole")
	if len(attached.AttachedPolicies) != 1 || attached.AttachedPolicies[0].PolicyArn != executionPolicyARN {
		t.Errorf("list-attached-role-policies printed %+v", attached)
	}

	cli(nil, "iam", "put-role-policy", "--role-name", "cliExecutionRole", "--policy-name", "s3", "--policy-document", s3Policy)
	var inline struct{ PolicyDocument any }
	cli(&inline, "iam", "get-role-policy", "--role-name", "cliExecutionRole", "--policy-name", "s3")
	var s3 any
	json.Unmarshal([]byte(s3Policy), &s3)
	if !reflect.DeepEqual(inline.PolicyDocument, s3) {
		t.Errorf("get-role-policy printed the document %v, want %v", inline.PolicyDocument, s3)
	}

	// The CLI pages through list-roles itself, with Marker.
	cli(nil, "iam", "create-role", "--role-name", "second", "--assume-role-policy-document", batchTrust)
	var roles struct{ Roles []role }
	cli(&roles, "iam", "list-roles", "--page-size", "1")
	if len(roles.Roles) != 2 || roles.Roles[0].RoleName != "cliExecutionRole" || roles.Roles[1].RoleName != "second" {
		t.Errorf("list-roles --page-size 1 printed %+v, want both roles", roles.Roles)
	}

	_, stderr, err := run("iam", "get-role", "--role-name", "missing")
	if err == nil || !bytes.Contains(stderr, []byte("(NoSuchEntity)")) || !bytes.Contains(stderr, []byte("The role with name missing cannot be found.")) {
		t.Errorf("get-role of a missing role: %v, stderr %s; want a NoSuchEntity error", err, stderr)
	}
	_, stderr, err = run("iam", "delete-role", "--role-name", "cliExecutionRole")
	if err == nil || !bytes.Contains(stderr, []byte("(DeleteConflict)")) {
		t.Errorf("delete-role with policies: %v, stderr %s; want a DeleteConflict error", err, stderr)
	}
}
