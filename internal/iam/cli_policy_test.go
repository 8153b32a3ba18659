package iam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bargehq/barge/internal/awscli"
)

// TestAWSCLIPoliciesAndProfiles drives managed policies, their versions
// and instance profiles with the installed aws CLIs, and checks the CLI
// reports bad credentials with IAM's own error code.
func TestAWSCLIPoliciesAndProfiles(t *testing.T) {
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
			testAWSCLIPolicies(t, cli)
		})
	}
}

func testAWSCLIPolicies(t *testing.T, awsCLI string) {
	ts := startServer(t)
	dir := t.TempDir()
	run := func(secret string, args ...string) (stdout, stderr []byte, err error) {
		t.Helper()
		cmd := awscli.Client{CLI: awsCLI, Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: secret,
			Region: "us-east-1", Home: dir}.Command(context.Background(), args...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		stdout, err = cmd.Output()
		return stdout, errBuf.Bytes(), err
	}
	cli := func(out any, args ...string) {
		t.Helper()
		stdout, stderr, err := run(testSecret, args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		if out != nil {
			if err := json.Unmarshal(stdout, out); err != nil {
				t.Fatalf("aws %s printed %s: %v", strings.Join(args, " "), stdout, err)
			}
		}
	}
	var s3 any
	json.Unmarshal([]byte(s3Policy), &s3)

	var created struct {
		Policy struct{ Arn, DefaultVersionId string }
	}
	cli(&created, "iam", "create-policy", "--policy-name", "s3rw", "--policy-document", s3Policy)
	arn := created.Policy.Arn
	if arn != "arn:aws:iam::123456789012:policy/s3rw" || created.Policy.DefaultVersionId != "v1" {
		t.Errorf("create-policy printed %+v", created.Policy)
	}
	cli(nil, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", s3Policy, "--set-as-default")
	var version struct {
		PolicyVersion struct {
			Document         any
			VersionId        string
			IsDefaultVersion bool
		}
	}
	cli(&version, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")
	if !version.PolicyVersion.IsDefaultVersion || !reflect.DeepEqual(version.PolicyVersion.Document, s3) {
		t.Errorf("get-policy-version printed %+v, want the default v2 with its document", version.PolicyVersion)
	}
	cli(&version, "iam", "get-policy-version", "--policy-arn", executionPolicyARN, "--version-id", "v1")
	if doc, _ := json.Marshal(version.PolicyVersion.Document); !strings.Contains(string(doc), "ecr:GetAuthorizationToken") {
		t.Errorf("get-policy-version of AmazonECSTaskExecutionRolePolicy printed %s", doc)
	}

	cli(nil, "iam", "create-role", "--role-name", "ecsInstanceRole", "--assume-role-policy-document", batchTrust)
	cli(nil, "iam", "attach-role-policy", "--role-name", "ecsInstanceRole", "--policy-arn", arn)
	var entities struct{ PolicyRoles []struct{ RoleName string } }
	cli(&entities, "iam", "list-entities-for-policy", "--policy-arn", arn)
	if len(entities.PolicyRoles) != 1 || entities.PolicyRoles[0].RoleName != "ecsInstanceRole" {
		t.Errorf("list-entities-for-policy printed %+v", entities)
	}
	cli(nil, "iam", "create-instance-profile", "--instance-profile-name", "ecsInstanceRole")
	cli(nil, "iam", "add-role-to-instance-profile", "--instance-profile-name", "ecsInstanceRole", "--role-name", "ecsInstanceRole")
	var profiles struct {
		InstanceProfiles []struct {
			InstanceProfileName string
			Roles               []struct{ RoleName string }
		}
	}
	cli(&profiles, "iam", "list-instance-profiles-for-role", "--role-name", "ecsInstanceRole")
	if len(profiles.InstanceProfiles) != 1 || len(profiles.InstanceProfiles[0].Roles) != 1 || profiles.InstanceProfiles[0].Roles[0].RoleName != "ecsInstanceRole" {
		t.Errorf("list-instance-profiles-for-role printed %+v", profiles)
	}
	_, stderr, err := run(testSecret, "iam", "delete-role", "--role-name", "ecsInstanceRole")
	if err == nil || !bytes.Contains(stderr, []byte("(DeleteConflict)")) {
		t.Errorf("delete-role in an instance profile: %v, stderr %s; want DeleteConflict", err, stderr)
	}
	cli(nil, "iam", "remove-role-from-instance-profile", "--instance-profile-name", "ecsInstanceRole", "--role-name", "ecsInstanceRole")
	cli(nil, "iam", "delete-instance-profile", "--instance-profile-name", "ecsInstanceRole")
	cli(nil, "iam", "detach-role-policy", "--role-name", "ecsInstanceRole", "--policy-arn", arn)
	cli(nil, "iam", "delete-role", "--role-name", "ecsInstanceRole")
	cli(nil, "iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v1")
	cli(nil, "iam", "delete-policy", "--policy-arn", arn)

	_, stderr, err = run("wrong-secret-0000000000000000000000000000", "iam", "list-roles")
	if err == nil || !bytes.Contains(stderr, []byte("(SignatureDoesNotMatch)")) {
		t.Errorf("list-roles with a wrong secret: %v, stderr %s; want SignatureDoesNotMatch", err, stderr)
	}
}
