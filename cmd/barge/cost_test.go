package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awscli"
	"github.com/bargehq/barge/internal/executor/simulate"
)

type wireCost struct {
	FargateUSD     float64 `json:"fargateUsd"`
	FargateSpotUSD float64 `json:"fargateSpotUsd"`
	VCPUSeconds    float64 `json:"vcpuSeconds"`
	GBSeconds      float64 `json:"gbSeconds"`
	Capacity       string  `json:"capacity"`
}

type wireCostDays struct {
	JobQueue string `json:"jobQueue"`
	Days     []struct {
		Day            string  `json:"day"`
		FargateUSD     float64 `json:"fargateUsd"`
		FargateSpotUSD float64 `json:"fargateSpotUsd"`
		Jobs           int     `json:"jobs"`
	} `json:"days"`
}

// postJSON sends a signed Batch request and decodes its 200 answer into out.
func (ts *testServer) postJSON(path string, in any, out any) {
	ts.t.Helper()
	body, _ := json.Marshal(in)
	resp := ts.signedRequest("POST", path, "batch", "us-east-1", body, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		ts.t.Fatalf("POST %s = %d %s", path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		ts.t.Fatalf("POST %s: %v in %s", path, err, b)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestJobCost: a simulated job of 90 seconds at 1 vCPU / 2 GB carries its
// Fargate and Fargate Spot price in DescribeJobs (the SDK and the aws CLI
// still parse the answer), and the day's totals of its queue count it once.
func TestJobCost(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "cost", 4, nil, "BARGE_SIMULATE_DURATION", "90s")

	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("ninety"), JobQueue: aws.String("cost-queue"), JobDefinition: aws.String("cost-def"),
		ContainerOverrides: &types.ContainerOverrides{ResourceRequirements: []types.ResourceRequirement{
			{Type: types.ResourceTypeVcpu, Value: aws.String("1")}, {Type: types.ResourceTypeMemory, Value: aws.String("2048")}}}})
	waitJobStatus(t, c, id, types.JobStatusRunning)
	var raw struct {
		Jobs []struct {
			Status    string    `json:"status"`
			BargeCost *wireCost `json:"bargeCost"`
		} `json:"jobs"`
	}
	ts.postJSON("/v1/describejobs", map[string]any{"jobs": []string{id}}, &raw)
	if raw.Jobs[0].BargeCost != nil {
		t.Errorf("RUNNING job's bargeCost = %+v, want none", raw.Jobs[0].BargeCost)
	}

	clock.Advance(90 * time.Second)
	j := waitJobStatus(t, c, id, types.JobStatusSucceeded) // the SDK parses the answer
	if len(j.Attempts) != 1 || aws.ToInt64(j.Attempts[0].StoppedAt)-aws.ToInt64(j.Attempts[0].StartedAt) != 90_000 {
		t.Fatalf("attempts = %+v, want one of 90 seconds", j.Attempts)
	}
	ts.postJSON("/v1/describejobs", map[string]any{"jobs": []string{id}}, &raw)
	// docs/COST.md's example: 90 × 0.04048/3600 + 180 × 0.004445/3600, and
	// the same at the Spot prices.
	got, want := raw.Jobs[0].BargeCost, wireCost{FargateUSD: 0.00123425, FargateSpotUSD: 0.000370275, VCPUSeconds: 90, GBSeconds: 180, Capacity: "FARGATE"}
	if got == nil || !near(got.FargateUSD, want.FargateUSD) || !near(got.FargateSpotUSD, want.FargateSpotUSD) ||
		got.VCPUSeconds != want.VCPUSeconds || got.GBSeconds != want.GBSeconds || got.Capacity != want.Capacity {
		t.Errorf("bargeCost = %+v, want %+v", got, want)
	}

	if clis := awscli.Installed(); len(clis) > 0 {
		cmd := awscli.Client{CLI: clis[0], Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Region: "us-east-1", Home: t.TempDir()}.Command(context.Background(),
			"batch", "describe-jobs", "--jobs", id, "--query", "jobs[0].status", "--output", "text")
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			t.Errorf("aws batch describe-jobs: %v\n%s", err, ee.Stderr)
		} else if err != nil || strings.TrimSpace(string(out)) != "SUCCEEDED" {
			t.Errorf("aws batch describe-jobs = %q, %v; want SUCCEEDED", out, err)
		}
	}

	var days wireCostDays
	day := clock.Now().UTC().Format(time.DateOnly)
	pollUntil(t, func() string { return fmt.Sprintf("costs = %+v, want today %s with 1 job", days, day) }, func() bool {
		ts.postJSON("/v1/barge/costs", map[string]any{"jobQueue": "cost-queue", "days": 2}, &days)
		return len(days.Days) == 2 && days.Days[1].Jobs == 1
	})
	if d := days.Days[1]; days.JobQueue != "cost-queue" || d.Day != day || !near(d.FargateUSD, want.FargateUSD) || !near(d.FargateSpotUSD, want.FargateSpotUSD) {
		t.Errorf("costs = %+v, want cost-queue, %s: %v Fargate, %v Spot, 1 job", days, day, want.FargateUSD, want.FargateSpotUSD)
	}
	if d := days.Days[0]; d.Jobs != 0 || d.FargateUSD != 0 || d.Day != clock.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly) {
		t.Errorf("yesterday = %+v, want no jobs", d)
	}

	// The route answers errors as the Batch API does.
	resp := ts.signedRequest("POST", "/v1/barge/costs", "batch", "us-east-1", []byte(`{"jobQueue":"cost-queue","days":0}`), nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "ClientException" || !strings.Contains(string(b), "days must be between 1 and 366") {
		t.Errorf("costs with days 0 = %d %s %s, want 400 ClientException naming days", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b)
	}
}

// TestPricesFlag: --prices replaces the price table; a bad file fails
// start-up naming the flag and what is wrong.
func TestPricesFlag(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	table := barge.DefaultPrices()
	table.X86.Fargate.VCPUHour = 1
	if err := os.WriteFile(good, table.MarshalIndented(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig([]string{"--prices", good}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("ParseConfig(--prices good) = %v", err)
	}
	if p, err := cfg.PriceTable(); err != nil || p != table {
		t.Errorf("PriceTable() = %+v, %v; want the file's", p, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"x86_64":{"fargate":{"vcpuHour":"cheap"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, want string }{
		{bad, "--prices " + bad + ": price table: json: cannot unmarshal string"},
		{filepath.Join(dir, "missing.json"), "--prices: open"},
	} {
		if _, err := ParseConfig([]string{"--prices", tt.path}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(--prices %s) = %v, want an error containing %q", tt.path, err, tt.want)
		}
	}
}
