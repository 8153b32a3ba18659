package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestConcurrentClients is the reliability suite's load soak: N separate
// aws-sdk-go-v2 Batch clients (BARGE_SOAK_CLIENTS; the test is skipped
// without it), each with its own HTTP client and the SDK's default
// retryer, as N users would have, call a real `barge server --executor
// simulate` process for BARGE_SOAK_DURATION (default 10s): 40% SubmitJob
// (some array jobs, some depending on an earlier job), 40% DescribeJobs of
// up to 100 known job IDs, 20% ListJobs by status, following nextToken.
// Every error the SDK returns fails the test, and so does every 5xx or
// 429 answer the SDK retried; every retry is counted and its cause logged. Afterwards every submitted job must
// succeed: none lost, failed or stuck. The figures (calls, p50/p99 per
// operation, retries, the server's peak and end RSS) go to the test log on
// lines starting with FIGURE; scripts/reliability.sh runs it.
//
// BARGE_BIN names the binary (default: built from this package).
func TestConcurrentClients(t *testing.T) {
	clients, _ := strconv.Atoi(os.Getenv("BARGE_SOAK_CLIENTS"))
	if clients <= 0 {
		t.Skip("set BARGE_SOAK_CLIENTS (e.g. 100) to run the concurrent-client soak; scripts/reliability.sh does")
	}
	duration := 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv("BARGE_SOAK_DURATION")); err == nil {
		duration = d
	}
	addr, cmd := startSimulateProcess(t)
	pid := cmd.Process.Pid

	var retries atomic.Int64
	var mu sync.Mutex
	retryCauses := map[string]int{}
	serverRetries := 0 // retries of a 5xx or 429 answer: the server failed, although the SDK hid it
	newClient := func() *batch.Client {
		// No HTTPClient: the SDK builds one of its own per client, with
		// its own connection pool, as it does for a user.
		cfg := aws.Config{
			Region:      "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
			Retryer: func() aws.Retryer {
				return countingRetryer{RetryerV2: retry.NewStandard(), count: &retries, record: func(cause string, status int) {
					mu.Lock()
					retryCauses[cause]++
					if status >= 500 || status == 429 {
						serverRetries++
					}
					mu.Unlock()
				}}
			},
		}
		return batch.NewFromConfig(cfg, func(o *batch.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
	}
	admin := newClient()
	queue, jobDef := soakSeed(t, &testServer{t: t, URL: "http://" + addr}, admin)
	idle := rss(t, pid, "VmRSS")

	type result struct {
		latency   map[string][]time.Duration
		errs      []string
		submitted []string
	}
	results := make([]result, clients)
	var known struct {
		sync.Mutex
		ids []string
	}
	ctx := context.Background()
	began := time.Now()
	end := began.Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient()
			r := &results[i]
			r.latency = map[string][]time.Duration{}
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			timed := func(op string, call func(context.Context) error) bool {
				callCtx, cancel := context.WithTimeout(ctx, time.Minute)
				defer cancel()
				start := time.Now()
				err := call(callCtx)
				r.latency[op] = append(r.latency[op], time.Since(start))
				if err != nil {
					r.errs = append(r.errs, fmt.Sprintf("%s: %v", op, err))
					return false
				}
				return true
			}
			pick := func(n int) []string {
				known.Lock()
				defer known.Unlock()
				ids := make([]string, 0, n)
				for range min(n, len(known.ids)) {
					ids = append(ids, known.ids[rng.IntN(len(known.ids))])
				}
				return ids
			}
			// Bounded in time, and in count in case calls were instant.
			for n := 0; n < 1_000_000 && time.Now().Before(end); n++ {
				switch op := rng.IntN(10); {
				case op < 4:
					in := &batch.SubmitJobInput{
						JobName:       aws.String(fmt.Sprintf("soak-%d-%d", i, n)),
						JobQueue:      aws.String(queue),
						JobDefinition: aws.String(jobDef),
					}
					if rng.IntN(5) == 0 {
						in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(int32(2 + rng.IntN(9)))}
					}
					if rng.IntN(4) == 0 {
						if dep := pick(1); len(dep) == 1 {
							in.DependsOn = []types.JobDependency{{JobId: aws.String(dep[0])}}
						}
					}
					var id string
					if timed("SubmitJob", func(ctx context.Context) error {
						out, err := c.SubmitJob(ctx, in)
						if err == nil {
							id = aws.ToString(out.JobId)
						}
						return err
					}) {
						r.submitted = append(r.submitted, id)
						known.Lock()
						known.ids = append(known.ids, id)
						known.Unlock()
					}
				case op < 8:
					ids := pick(1 + rng.IntN(100))
					if len(ids) == 0 {
						continue
					}
					timed("DescribeJobs", func(ctx context.Context) error {
						out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids})
						if err == nil && len(out.Jobs) == 0 {
							return errors.New("DescribeJobs of known jobs answered none")
						}
						return err
					})
				default:
					statuses := types.JobStatus("").Values()
					in := &batch.ListJobsInput{JobQueue: aws.String(queue), JobStatus: statuses[rng.IntN(len(statuses))], MaxResults: aws.Int32(int32(10 + rng.IntN(91)))}
					for page := 0; page < 5; page++ { // a user looks at a few pages
						var next *string
						if !timed("ListJobs", func(ctx context.Context) error {
							out, err := c.ListJobs(ctx, in)
							if err == nil {
								next = out.NextToken
							}
							return err
						}) || next == nil {
							break
						}
						in.NextToken = next
					}
				}
			}
		}()
	}
	wg.Wait()
	loadTime := time.Since(began)
	afterLoad := rss(t, pid, "VmRSS")

	latency := map[string][]time.Duration{}
	var errs, submitted []string
	calls := 0
	for _, r := range results {
		for op, ds := range r.latency {
			latency[op] = append(latency[op], ds...)
			calls += len(ds)
		}
		errs = append(errs, r.errs...)
		submitted = append(submitted, r.submitted...)
	}
	t.Logf("FIGURE concurrent clients: %d SDK clients for %s: %d calls (%.0f/s), %d errors, %d retries",
		clients, loadTime.Round(time.Second), calls, float64(calls)/loadTime.Seconds(), len(errs), retries.Load())
	for _, op := range []string{"SubmitJob", "DescribeJobs", "ListJobs"} {
		ds := latency[op]
		slices.Sort(ds)
		if len(ds) == 0 {
			t.Errorf("no %s calls were made", op)
			continue
		}
		t.Logf("FIGURE concurrent clients: %s: %d calls, p50 %s, p99 %s, max %s", op, len(ds),
			ds[len(ds)/2].Round(10*time.Microsecond), ds[len(ds)*99/100].Round(10*time.Microsecond), ds[len(ds)-1].Round(10*time.Microsecond))
	}
	for cause, n := range retryCauses {
		t.Logf("retried %d times: %s", n, cause)
	}
	if serverRetries > 0 {
		t.Errorf("%d calls were answered 5xx or 429 and retried by the SDK", serverRetries)
	}
	for i, e := range errs {
		if i == 20 {
			t.Errorf("... and %d more errors", len(errs)-20)
			break
		}
		t.Errorf("error: %s", e)
	}

	// Every submitted job runs to SUCCEEDED: none lost, failed or stuck.
	left := submitted
	failed, missing := 0, 0
	settle := time.Now()
	for deadline := time.Now().Add(5 * time.Minute); len(left) > 0 && time.Now().Before(deadline); time.Sleep(time.Second) {
		var pending []string
		for chunk := range slices.Chunk(left, 100) {
			out, err := admin.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: chunk})
			if err != nil {
				t.Fatalf("DescribeJobs = %v", err)
			}
			seen := map[string]bool{}
			for _, j := range out.Jobs {
				seen[aws.ToString(j.JobId)] = true
				switch j.Status {
				case types.JobStatusSucceeded:
				case types.JobStatusFailed:
					failed++
					reason := aws.ToString(j.StatusReason)
					if j.Container != nil {
						reason += ": " + aws.ToString(j.Container.Reason)
					}
					t.Errorf("job %s FAILED: %s", aws.ToString(j.JobId), reason)
				default:
					pending = append(pending, aws.ToString(j.JobId))
				}
			}
			for _, id := range chunk {
				if !seen[id] {
					missing++
					t.Errorf("acknowledged job %s is missing", id)
				}
			}
		}
		left = pending
	}
	settledRSS := rss(t, pid, "VmRSS")
	peak := rss(t, pid, "VmHWM")
	t.Logf("FIGURE concurrent clients: %d jobs submitted (arrays and dependencies included): %d failed, %d stuck, %d missing; the rest SUCCEEDED within %s of the load's end",
		len(submitted), failed, len(left), missing, time.Since(settle).Round(time.Second))
	t.Logf("FIGURE concurrent clients: server RSS %d MiB idle, peak %d MiB, %d MiB when the load ended, %d MiB once every job had run",
		idle>>20, peak>>20, afterLoad>>20, settledRSS>>20)
	if len(left) > 0 {
		t.Errorf("%d jobs did not finish within 5 minutes of the load, e.g. %s", len(left), left[0])
	}
}

// requestID matches the request ID in an SDK error, which differs for
// every call.
var requestID = regexp.MustCompile(`RequestID: [^,]*`)

// countingRetryer is the SDK's retryer, counting the retries it makes and
// their causes.
type countingRetryer struct {
	aws.RetryerV2
	count  *atomic.Int64
	record func(cause string, status int)
}

// RetryDelay is called once before each retry.
func (r countingRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	r.count.Add(1)
	var answered interface{ HTTPStatusCode() int }
	status := 0
	if errors.As(err, &answered) {
		status = answered.HTTPStatusCode()
	}
	r.record(requestID.ReplaceAllString(err.Error(), "RequestID: ..."), status)
	return r.RetryerV2.RetryDelay(attempt, err)
}

// soakSeed creates a task execution role, a Fargate compute environment,
// a queue and a job definition whose simulated jobs run for 100 ms, and
// returns the queue's and definition's names.
func soakSeed(t *testing.T, ts *testServer, c *batch.Client) (queue, jobDef string) {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ts.iam().CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("CreateRole = %v", err)
	}
	queue, _ = benchSeed(t, c)
	_, err := c.RegisterJobDefinition(context.Background(), &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String("soak-def"),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties: &types.ContainerProperties{
			Image:            aws.String("public.ecr.aws/docker/library/busybox:latest"),
			Command:          []string{"true"},
			ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
			ResourceRequirements: []types.ResourceRequirement{
				{Type: types.ResourceTypeVcpu, Value: aws.String("0.25")},
				{Type: types.ResourceTypeMemory, Value: aws.String("512")},
			},
			Environment: []types.KeyValuePair{{Name: aws.String("BARGE_SIMULATE_DURATION"), Value: aws.String("100ms")}},
		},
	})
	if err != nil {
		t.Fatalf("RegisterJobDefinition = %v", err)
	}
	return queue, "soak-def"
}
