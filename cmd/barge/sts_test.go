package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/bargehq/barge/internal/awscli"
)

func (ts *testServer) sts() *sts.Client {
	return sts.NewFromConfig(ts.awsConfig(), func(o *sts.Options) { o.BaseEndpoint = aws.String(ts.URL) })
}

// rootARN is how AWS shows the test account's root user.
const rootARN = "arn:aws:iam::123456789012:root"

// TestGetCallerIdentity asks STS who the caller is, through the SDK and the
// aws CLIs: barge's root credentials are the account's root user.
func TestGetCallerIdentity(t *testing.T) {
	ts := startServer(t, "")
	out, err := ts.sts().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Arn); got != rootARN {
		t.Errorf("Arn = %s, want %s", got, rootARN)
	}
	if got, want := aws.ToString(out.Account), "123456789012"; got != want {
		t.Errorf("Account = %s, want %s", got, want)
	}
	if got, want := aws.ToString(out.UserId), "123456789012"; got != want {
		t.Errorf("UserId = %s, want %s (the root user's ID is the account's)", got, want)
	}

	// An operation STS has but barge does not serve is InvalidAction, in
	// STS's error shape.
	_, err = ts.sts().GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" {
		t.Errorf("GetSessionToken: %v, want InvalidAction", err)
	}

	for _, cli := range awscli.Installed() {
		cmd := awscli.Client{CLI: cli, Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Region: "us-east-1", Home: t.TempDir()}.Command(context.Background(), "sts", "get-caller-identity")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s sts get-caller-identity: %v\n%s", cli, err, stderr.Bytes())
		}
		var id struct{ UserId, Account, Arn string }
		if err := json.Unmarshal(b, &id); err != nil || id.Arn != rootARN || id.Account != "123456789012" || id.UserId != "123456789012" {
			t.Errorf("%s sts get-caller-identity printed %s, want the root user", cli, strings.TrimSpace(string(b)))
		}
	}
}
