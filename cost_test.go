package barge

import (
	"math"
	"strings"
	"testing"
)

func costSpec(vcpu, mem string) *JobSpec {
	return &JobSpec{Container: &ContainerProperties{ResourceRequirements: []ResourceRequirement{
		{Type: ResourceVCPU, Value: vcpu}, {Type: ResourceMemory, Value: mem},
	}}}
}

// ran is an attempt that ran for ms milliseconds from a fixed start.
func ran(ms int64) Attempt {
	const start = 1_700_000_000_000
	return Attempt{StartedAt: start, StoppedAt: start + ms}
}

func finished(attempts ...Attempt) *Job {
	return &Job{Status: JobSucceeded, Attempts: attempts}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

func TestJobCost(t *testing.T) {
	p := DefaultPrices()
	x86, arm := p.X86, p.ARM64
	// usd prices vcpuSec vCPU-seconds and gbSec GB-seconds at r.
	usd := func(r Rate, vcpuSec, gbSec float64) float64 {
		return (vcpuSec*r.VCPUHour + gbSec*r.GBHour) / 3600
	}
	arm64 := func(s *JobSpec) *JobSpec {
		s.Container.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "LINUX", CPUArchitecture: "ARM64"}
		return s
	}
	storage := func(gib int, s *JobSpec) *JobSpec {
		s.Container.EphemeralStorage = &EphemeralStorage{SizeInGiB: gib}
		return s
	}
	tests := []struct {
		name                  string
		spec                  *JobSpec
		job                   *Job
		vcpuSec, gbSec, stSec float64
		fargate, spot         float64
	}{
		{"90 s, 1 vCPU, 2 GB", costSpec("1", "2048"), finished(ran(90_000)),
			90, 180, 0, usd(x86.Fargate, 90, 180), usd(x86.FargateSpot, 90, 180)},
		{"minimum minute", costSpec("1", "2048"), finished(ran(5_000)),
			60, 120, 0, usd(x86.Fargate, 60, 120), usd(x86.FargateSpot, 60, 120)},
		{"started second rounds up", costSpec("0.25", "512"), finished(ran(61_001)),
			0.25 * 62, 0.5 * 62, 0, usd(x86.Fargate, 0.25*62, 0.5*62), usd(x86.FargateSpot, 0.25*62, 0.5*62)},
		{"several attempts, one never started", costSpec("2", "4096"),
			finished(ran(30_000), Attempt{StoppedAt: 5}, ran(120_000)),
			2 * (60 + 120), 4 * (60 + 120), 0, usd(x86.Fargate, 360, 720), usd(x86.FargateSpot, 360, 720)},
		{"ARM64", arm64(costSpec("1", "2048")), finished(ran(3_600_000)),
			3600, 7200, 0, usd(arm.Fargate, 3600, 7200), usd(arm.FargateSpot, 3600, 7200)},
		{"storage above 20 GiB", storage(50, costSpec("1", "2048")), finished(ran(3_600_000)),
			3600, 7200, 30 * 3600, usd(x86.Fargate, 3600, 7200) + 30*p.EphemeralStorageGBHour,
			usd(x86.FargateSpot, 3600, 7200) + 30*p.EphemeralStorageGBHour},
		{"no attempt", costSpec("1", "2048"), finished(), 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := JobCostOf(tt.job, tt.spec, p)
			if !ok {
				t.Fatalf("JobCostOf ok = false, want true")
			}
			if !near(c.VCPUSeconds, tt.vcpuSec) || !near(c.GBSeconds, tt.gbSec) || !near(c.StorageGBSeconds, tt.stSec) {
				t.Errorf("seconds = %v vCPU, %v GB, %v storage GB; want %v, %v, %v", c.VCPUSeconds, c.GBSeconds, c.StorageGBSeconds, tt.vcpuSec, tt.gbSec, tt.stSec)
			}
			if !near(c.FargateUSD, tt.fargate) || !near(c.FargateSpotUSD, tt.spot) {
				t.Errorf("USD = %v Fargate, %v Spot; want %v, %v", c.FargateUSD, c.FargateSpotUSD, tt.fargate, tt.spot)
			}
		})
	}
}

// The example in docs/COST.md, in figures.
func TestJobCostDocumentedExample(t *testing.T) {
	c, _ := JobCostOf(finished(ran(90_000)), costSpec("1", "2048"), DefaultPrices())
	if !near(c.FargateUSD, 0.00123425) || !near(c.FargateSpotUSD, 0.000370275) {
		t.Errorf("90 s at 1 vCPU / 2 GB = %v Fargate, %v Spot; want 0.00123425, 0.000370275", c.FargateUSD, c.FargateSpotUSD)
	}
}

func TestJobCostOnlyFinishedJobs(t *testing.T) {
	p := DefaultPrices()
	spec := costSpec("1", "2048")
	running := &Job{Status: JobRunning, Spec: spec, Attempts: []Attempt{ran(90_000)}}
	if _, ok := JobCost(running, p); ok {
		t.Errorf("JobCost(RUNNING) ok = true, want false")
	}
	parent := &Job{Status: JobSucceeded, Spec: &JobSpec{ArraySize: 2, Container: spec.Container}}
	if _, ok := JobCost(parent, p); ok {
		t.Errorf("JobCost(array parent) ok = true, want false")
	}
	child := &Job{Status: JobFailed, ArrayParent: "p", Attempts: []Attempt{ran(90_000)}}
	if _, ok := JobCost(child, p); ok {
		t.Errorf("JobCost(child without spec) ok = true, want false")
	}
	if c, ok := JobCostOf(child, spec, p); !ok || c.VCPUSeconds != 90 {
		t.Errorf("JobCostOf(child, parent spec) = %v, %v; want 90 vCPU-seconds, true", c.VCPUSeconds, ok)
	}
}

func TestParsePriceTable(t *testing.T) {
	p, err := ParsePriceTable(strings.NewReader(string(DefaultPrices().MarshalIndented())))
	if err != nil || p != DefaultPrices() {
		t.Fatalf("ParsePriceTable(defaults) = %+v, %v; want the defaults", p, err)
	}
	tests := []struct{ name, in, want string }{
		{"missing price", `{"x86_64":{"fargate":{"vcpuHour":1,"gbHour":1}}}`, "x86_64.fargateSpot.vcpuHour must be a positive price"},
		{"negative", strings.Replace(string(DefaultPrices().MarshalIndented()), `"ephemeralStorageGbHour": 0.000111`, `"ephemeralStorageGbHour": -1`, 1), "ephemeralStorageGbHour must be a positive price"},
		{"unknown field", `{"x86":{}}`, `unknown field "x86"`},
		{"not JSON", `prices`, "price table: invalid character"},
		{"two objects", string(DefaultPrices().MarshalIndented()) + "{}", "one JSON object expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePriceTable(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePriceTable = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
