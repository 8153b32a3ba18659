package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"BARGE_REGION": "eu-west-1", "BARGE_LISTEN": "127.0.0.1:9000"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(Config) bool
		wantErr string
	}{
		{name: "defaults", want: func(c Config) bool {
			return c.Listen == "127.0.0.1:8420" && c.Region == "us-east-1" && c.AccountID == "123456789012" && c.Executor == "auto"
		}},
		{name: "environment", env: env, want: func(c Config) bool { return c.Region == "eu-west-1" && c.Listen == "127.0.0.1:9000" }},
		{name: "flags beat environment", env: env, args: []string{"--region", "ap-south-1"}, want: func(c Config) bool { return c.Region == "ap-south-1" }},
		{name: "bad account", args: []string{"--account-id", "12"}, wantErr: "--account-id"},
		{name: "bad region", args: []string{"--region", "moon"}, wantErr: "--region"},
		{name: "simulate executor", env: map[string]string{"BARGE_EXECUTOR": "simulate"}, want: func(c Config) bool { return c.Executor == "simulate" }},
		{name: "kubernetes executor and its cluster", args: []string{"--executor", "kubernetes", "--kube-context", "prod", "--kube-namespace", "batch"},
			env: map[string]string{"BARGE_KUBECONFIG": "/etc/kube/config"},
			want: func(c Config) bool {
				return c.Executor == "kubernetes" && c.Kubeconfig == "/etc/kube/config" && c.KubeContext == "prod" && c.KubeNamespace == "batch"
			}},
		{name: "bad executor", args: []string{"--executor", "slurm"}, wantErr: "--executor"},
		{name: "bad listen", args: []string{"--listen", "8420"}, wantErr: "--listen"},
		{name: "half credentials", env: map[string]string{"BARGE_ACCESS_KEY_ID": "AKID"}, wantErr: "BARGE_SECRET_ACCESS_KEY"},
		{name: "overcommit defaults", want: func(c Config) bool { return c.CPUOvercommit == 4 && c.MemoryOvercommit == 1 }},
		{name: "overcommit from the environment and flags", env: map[string]string{"BARGE_CPU_OVERCOMMIT": "1", "BARGE_MEMORY_OVERCOMMIT": "1.5"},
			args: []string{"--cpu-overcommit", "2.5"}, want: func(c Config) bool { return c.CPUOvercommit == 2.5 && c.MemoryOvercommit == 1.5 }},
		{name: "zero memory overcommit", args: []string{"--memory-overcommit", "0"}, wantErr: "--memory-overcommit 0: want a factor above 0"},
		{name: "negative cpu overcommit", args: []string{"--cpu-overcommit", "-1"}, wantErr: "--cpu-overcommit -1: want a factor above 0"},
		{name: "overcommit not a number", env: map[string]string{"BARGE_MEMORY_OVERCOMMIT": "lots"}, wantErr: `BARGE_MEMORY_OVERCOMMIT "lots": want a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig(tt.args, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseConfig(%v) = %v, want an error naming %s", tt.args, err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.want(c) {
				t.Fatalf("ParseConfig(%v) = %+v, %v", tt.args, c, err)
			}
		})
	}
}

// TestGeneratedCredentials starts barge without credentials: it generates a
// pair, stores it 0600, prints it once, and accepts it; a restart reuses it
// without printing it again.
func TestGeneratedCredentials(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Listen, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", dir, "error"
	var out bytes.Buffer
	m := NewMain(cfg, &out, io.Discard)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	creds := m.Credentials
	if !strings.Contains(out.String(), creds.AccessKeyID) || !strings.Contains(out.String(), creds.SecretAccessKey) {
		t.Errorf("first start printed %q, want the generated key pair", out.String())
	}
	fi, err := os.Stat(filepath.Join(dir, credentialsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file = %v, %v, want mode 0600", fi, err)
	}
	ts := &testServer{t: t, main: m, dir: dir, URL: "http://" + m.Addr}
	cfgAWS := ts.awsConfig()
	cfgAWS.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}, nil
	})
	c := batch.NewFromConfig(cfgAWS, func(o *batch.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	if _, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{}); err != nil {
		t.Fatalf("DescribeJobQueues with the generated credentials = %v", err)
	}
	if _, err := ts.batch().DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{}); apiErrorCode(err) != "UnrecognizedClientException" {
		t.Errorf("DescribeJobQueues with other credentials = %v, want UnrecognizedClientException", err)
	}
	ts.close()

	out.Reset()
	m = NewMain(cfg, &out, io.Discard)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Credentials != creds || out.Len() != 0 {
		t.Errorf("second start: credentials %v (printed %q), want the stored pair, not printed", m.Credentials, out.String())
	}
}

// TestHealthz answers without credentials once the server is up.
func TestHealthz(t *testing.T) {
	ts := startServer(t, "")
	resp, err := http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}
}

// TestDeleteQueueTerminatesJobs deletes a queue holding jobs: as on AWS, the
// jobs left in it fail, and the queue disappears.
func TestDeleteQueueTerminatesJobs(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, jobDef := seed(t, c)
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("left"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef)})
	arr := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("arr"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(3)}})
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String(queue), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteJobQueue(ctx, &batch.DeleteJobQueueInput{JobQueue: aws.String(queue)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{JobQueues: []string{queue}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.JobQueues) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue still there: %+v", out.JobQueues)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, jid := range []string{id, arr, arr + ":1"} {
		j := describeJob(t, c, jid)
		if j.Status != types.JobStatusFailed || !strings.Contains(aws.ToString(j.StatusReason), "was deleted") {
			t.Errorf("job %s = %s %q, want FAILED because its queue was deleted", jid, j.Status, aws.ToString(j.StatusReason))
		}
	}
}
