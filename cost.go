package barge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// What a finished job would cost on AWS Fargate. barge bills no one: it
// reports, for every finished job, the price of the tasks its attempts were
// on Fargate and on Fargate Spot, by AWS's billing rules (docs/COST.md).

// Rate is the price of one vCPU-hour and of one GB-hour of memory, in USD.
type Rate struct {
	VCPUHour float64 `json:"vcpuHour"`
	GBHour   float64 `json:"gbHour"`
}

// ArchPrices are the Fargate and Fargate Spot rates of one CPU
// architecture.
type ArchPrices struct {
	Fargate     Rate `json:"fargate"`
	FargateSpot Rate `json:"fargateSpot"`
}

// PriceTable is what barge charges a task: per CPU architecture (the job's
// runtimePlatform.cpuArchitecture, X86_64 when not given), and for
// ephemeral storage above the 20 GiB every task gets, per GB-hour, the same
// on Fargate and Fargate Spot. Its JSON form is what --prices reads.
type PriceTable struct {
	X86                    ArchPrices `json:"x86_64"`
	ARM64                  ArchPrices `json:"arm64"`
	EphemeralStorageGBHour float64    `json:"ephemeralStorageGbHour"`
}

// DefaultPrices are the us-east-1 Linux prices barge uses unless --prices
// replaces them; docs/COST.md gives their sources and dates. AWS publishes
// Fargate Spot prices that move with supply and demand: the defaults here
// are on-demand less 70%, the discount AWS advertises as "up to 70%", so
// they are a floor rather than an observed price.
func DefaultPrices() PriceTable {
	return PriceTable{
		X86: ArchPrices{
			Fargate:     Rate{VCPUHour: 0.04048, GBHour: 0.004445},
			FargateSpot: Rate{VCPUHour: 0.012144, GBHour: 0.0013335},
		},
		ARM64: ArchPrices{
			Fargate:     Rate{VCPUHour: 0.03238, GBHour: 0.00356},
			FargateSpot: Rate{VCPUHour: 0.009714, GBHour: 0.001068},
		},
		EphemeralStorageGBHour: 0.000111,
	}
}

// ParsePriceTable reads a price table in its JSON form. Every price must be
// given and be a positive number; unknown fields are errors, so that a
// misspelt name does not leave a default silently in place.
func ParsePriceTable(r io.Reader) (PriceTable, error) {
	var p PriceTable
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return PriceTable{}, fmt.Errorf("price table: %w (the fields are x86_64 and arm64, each with fargate and fargateSpot {vcpuHour, gbHour}, and ephemeralStorageGbHour; docs/COST.md)", err)
	}
	if dec.More() {
		return PriceTable{}, fmt.Errorf("price table: one JSON object expected, found more after it")
	}
	return p, p.Validate()
}

// Validate reports the first price that is missing, zero, negative or not
// a number, by its JSON path.
func (p PriceTable) Validate() error {
	fields := []struct {
		name string
		v    float64
	}{
		{"x86_64.fargate.vcpuHour", p.X86.Fargate.VCPUHour},
		{"x86_64.fargate.gbHour", p.X86.Fargate.GBHour},
		{"x86_64.fargateSpot.vcpuHour", p.X86.FargateSpot.VCPUHour},
		{"x86_64.fargateSpot.gbHour", p.X86.FargateSpot.GBHour},
		{"arm64.fargate.vcpuHour", p.ARM64.Fargate.VCPUHour},
		{"arm64.fargate.gbHour", p.ARM64.Fargate.GBHour},
		{"arm64.fargateSpot.vcpuHour", p.ARM64.FargateSpot.VCPUHour},
		{"arm64.fargateSpot.gbHour", p.ARM64.FargateSpot.GBHour},
		{"ephemeralStorageGbHour", p.EphemeralStorageGBHour},
	}
	for _, f := range fields {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("price table: %s must be a positive price in USD, got %v", f.name, f.v)
		}
	}
	return nil
}

// MarshalIndented returns p as the JSON --prices reads.
func (p PriceTable) MarshalIndented() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	_ = enc.Encode(p) // a struct of floats always encodes
	return b.Bytes()
}

// Cost is what a job's attempts used and what that is priced at.
type Cost struct {
	FargateUSD     float64 // every attempt priced as Fargate (on-demand)
	FargateSpotUSD float64 // every attempt priced as Fargate Spot
	VCPUSeconds    float64 // billed vCPU-seconds, minimum minute included
	GBSeconds      float64 // billed memory GB-seconds
	// StorageGBSeconds is the billed ephemeral storage above the included
	// 20 GiB, in GB-seconds.
	StorageGBSeconds float64
}

// Add returns the sum of c and d.
func (c Cost) Add(d Cost) Cost {
	return Cost{
		FargateUSD:       c.FargateUSD + d.FargateUSD,
		FargateSpotUSD:   c.FargateSpotUSD + d.FargateSpotUSD,
		VCPUSeconds:      c.VCPUSeconds + d.VCPUSeconds,
		GBSeconds:        c.GBSeconds + d.GBSeconds,
		StorageGBSeconds: c.StorageGBSeconds + d.StorageGBSeconds,
	}
}

// IncludedStorageGiB is the ephemeral storage every Fargate task gets
// without charge.
const IncludedStorageGiB = 20

// minimumBilledSeconds is Fargate's one-minute minimum per task.
const minimumBilledSeconds = 60

// JobCost is the cost of finished job j's attempts under prices p. ok is
// false when j is not SUCCEEDED or FAILED, when it is an array parent
// (which runs no task: its children carry the cost), or when j carries no
// specification (an array child: use JobCostOf with its parent's).
func JobCost(j *Job, p PriceTable) (Cost, bool) {
	return JobCostOf(j, j.Spec, p)
}

// JobCostOf is JobCost with the job's specification given: an array
// child's is its parent's.
func JobCostOf(j *Job, spec *JobSpec, p PriceTable) (Cost, bool) {
	if j == nil || spec == nil || !j.Status.Done() || j.IsArrayParent() {
		return Cost{}, false
	}
	var c Cost
	for _, a := range j.Attempts {
		c = c.Add(AttemptCost(spec, a, p))
	}
	return c, true
}

// AttemptCost is the cost of one attempt, which is one task: billed per
// second (started seconds round up) from startedAt to stoppedAt with a
// minimum of one minute, for the vCPU, memory and ephemeral storage above
// 20 GiB that spec asks for. An attempt that never started costs nothing.
func AttemptCost(spec *JobSpec, a Attempt, p PriceTable) Cost {
	if a.StartedAt == 0 {
		return Cost{}
	}
	secs := float64(max(a.StoppedAt-a.StartedAt+999, 0) / 1000)
	secs = max(secs, minimumBilledSeconds)
	vcpu, gb, storage := taskSize(spec)
	prices := p.X86
	if spec.Container != nil && spec.Container.RuntimePlatform != nil && spec.Container.RuntimePlatform.CPUArchitecture == "ARM64" {
		prices = p.ARM64
	}
	c := Cost{VCPUSeconds: vcpu * secs, GBSeconds: gb * secs, StorageGBSeconds: storage * secs}
	storageUSD := c.StorageGBSeconds / 3600 * p.EphemeralStorageGBHour
	c.FargateUSD = (c.VCPUSeconds*prices.Fargate.VCPUHour+c.GBSeconds*prices.Fargate.GBHour)/3600 + storageUSD
	c.FargateSpotUSD = (c.VCPUSeconds*prices.FargateSpot.VCPUHour+c.GBSeconds*prices.FargateSpot.GBHour)/3600 + storageUSD
	return c
}

// taskSize is the vCPUs, memory GB (MiB/1024) and billable storage GB a
// task of spec is sized at: the job's effective resource requirements.
func taskSize(spec *JobSpec) (vcpu, gb, storage float64) {
	vcpu, gb = JobVCPU(spec), float64(JobMemoryMiB(spec))/1024
	c := spec.Container
	if c == nil {
		return vcpu, gb, 0
	}
	if es := c.EphemeralStorage; es != nil && es.SizeInGiB > IncludedStorageGiB {
		storage = float64(es.SizeInGiB - IncludedStorageGiB)
	}
	return vcpu, gb, storage
}

// JobCostEntry is a finished job's cost as the daily totals count it.
type JobCostEntry struct {
	JobID, Queue   string
	Day            string // 2006-01-02, UTC, of the job's stoppedAt
	Attempts       int    // the attempts priced
	FargateUSD     float64
	FargateSpotUSD float64
}

// DayCost is one UTC day of a queue's finished jobs: their cost priced as
// Fargate and as Fargate Spot, and how many they were.
type DayCost struct {
	Day            string // 2006-01-02
	FargateUSD     float64
	FargateSpotUSD float64
	Jobs           int
}
