package main

// Benchmarks of array jobs through the API: submitting and cancelling
// arrays of 10,000 children, and what a big array's insert costs the
// submissions of others, which share the store's one writer.

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// arrayInput is benchSubmitInput as an array of size children.
func arrayInput(queue, jobDef, name string, size int32, deps ...types.JobDependency) *batch.SubmitJobInput {
	in := benchSubmitInput(queue, jobDef, name)
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(size)}
	in.DependsOn = deps
	return in
}

// BenchmarkSubmitArray10000 submits arrays of 10,000 children, one at a
// time, through the SDK: ms/op is what a client waits for one.
func BenchmarkSubmitArray10000(b *testing.B) {
	m := runBenchMain(b, b.TempDir())
	c := benchClient(m.Addr)
	queue, def := benchSeed(b, c)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.SubmitJob(ctx, arrayInput(queue, def, fmt.Sprint("array-", i), 10000)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}

// BenchmarkSubmitBesideArrays measures the latency of single SubmitJob
// calls from 4 clients, alone and while another client submits arrays of
// 10,000 children back to back into another queue: each array is one write
// of 10,001 rows, which the other submissions wait behind. It reports the
// median, 99th percentile and worst latency.
func BenchmarkSubmitBesideArrays(b *testing.B) {
	for _, arrays := range []bool{false, true} {
		b.Run(fmt.Sprint("arrays=", arrays), func(b *testing.B) {
			m := runBenchMain(b, b.TempDir())
			c := benchClient(m.Addr)
			queue, def := benchSeed(b, c)
			ctx := context.Background()
			if _, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("arrays"), Priority: aws.Int32(1),
				ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("bench-ce")}}}); err != nil {
				b.Fatal(err)
			}
			stop := make(chan struct{})
			var bg sync.WaitGroup
			if arrays {
				bg.Add(1)
				go func() {
					defer bg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := c.SubmitJob(ctx, arrayInput("arrays", def, fmt.Sprint("array-", i), 10000)); err != nil {
							b.Error(err)
							return
						}
					}
				}()
				time.Sleep(50 * time.Millisecond) // the first array is being written
			}
			const clients = 4
			var mu sync.Mutex
			var latencies []time.Duration
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < b.N; i += clients {
						start := time.Now()
						if _, err := c.SubmitJob(ctx, benchSubmitInput(queue, def, fmt.Sprint("job-", i))); err != nil {
							b.Error(err)
							return
						}
						d := time.Since(start)
						mu.Lock()
						latencies = append(latencies, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			close(stop)
			bg.Wait()
			slices.Sort(latencies)
			at := func(q float64) float64 {
				return float64(latencies[min(len(latencies)-1, int(q*float64(len(latencies))))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.5), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(at(1), "max-ms")
		})
	}
}

// BenchmarkCancelArray10000 cancels arrays of 10,000 children that have
// not started: each child fails with the caller's reason, and the parent
// with them. SEQUENTIAL arrays fail as a whole too, not child after child.
func BenchmarkCancelArray10000(b *testing.B) {
	for _, sequential := range []bool{false, true} {
		b.Run(fmt.Sprint("sequential=", sequential), func(b *testing.B) {
			m := runBenchMain(b, b.TempDir())
			c := benchClient(m.Addr)
			queue, def := benchSeed(b, c)
			ctx := context.Background()
			var deps []types.JobDependency
			if sequential {
				deps = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
			}
			ids := make([]string, b.N)
			for i := range ids {
				out, err := c.SubmitJob(ctx, arrayInput(queue, def, fmt.Sprint("array-", i), 10000, deps...))
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = aws.ToString(out.JobId)
			}
			b.ResetTimer()
			for _, id := range ids {
				if _, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(id), Reason: aws.String("bench")}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids[:1]})
			if err != nil || out.Jobs[0].Status != types.JobStatusFailed {
				b.Fatalf("cancelled array = %+v, %v; want FAILED", out, err)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
		})
	}
}

// BenchmarkDescribeArrayParent describes the parent of an array of 10,000
// children: its statusSummary counts them.
func BenchmarkDescribeArrayParent(b *testing.B) {
	m := runBenchMain(b, b.TempDir())
	c := benchClient(m.Addr)
	queue, def := benchSeed(b, c)
	ctx := context.Background()
	out, err := c.SubmitJob(ctx, arrayInput(queue, def, "array", 10000))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{aws.ToString(out.JobId)}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
}
