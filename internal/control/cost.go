package control

import (
	"context"

	"github.com/bargehq/barge"
)

// jobCost returns finished job j's cost, and false when it has none
// (unfinished jobs and array parents). spec is the job's own or its
// parent's.
func (s *Service) jobCost(ctx context.Context, j *barge.Job, spec *barge.JobSpec) (JobCost, bool, error) {
	c, ok := barge.JobCostOf(j, spec, s.prices)
	if !ok {
		return JobCost{}, false, nil
	}
	capacity, err := s.capacity(ctx, j)
	if err != nil {
		return JobCost{}, false, err
	}
	return JobCost{Cost: c, Capacity: capacity}, true, nil
}

// capacity names the compute resource type the started attempts of j ran
// on. An attempt recorded before attempts named their compute environment
// takes the job's last one.
func (s *Service) capacity(ctx context.Context, j *barge.Job) (string, error) {
	capacity := ""
	for i, a := range j.Attempts {
		if a.StartedAt == 0 {
			continue
		}
		ce := a.Container.ComputeEnvironment
		if ce == "" && i == len(j.Attempts)-1 && j.Runtime != nil {
			ce = j.Runtime.ComputeEnvironment
		}
		if ce == "" {
			continue
		}
		t, err := s.cache.computeType(ctx, s.store, ce) // a map lookup once cached
		if err != nil {
			return "", err
		}
		switch {
		case t == "":
			continue
		case capacity == "":
			capacity = t
		case capacity != t:
			return "MIXED", nil
		}
	}
	return capacity, nil
}

// maxCostDays bounds the days a costs request may ask for.
const maxCostDays = 366

// CostDay is one UTC day of a queue's finished jobs: their cost priced as
// Fargate and as Fargate Spot, and how many they were.
type CostDay struct {
	Day            string  `json:"day"` // 2006-01-02, UTC
	FargateUSD     float64 `json:"fargateUsd"`
	FargateSpotUSD float64 `json:"fargateSpotUsd"`
	Jobs           int     `json:"jobs"`
}

// GetCostsInput is barge's GetCosts request.
type GetCostsInput struct {
	JobQueue string `json:"jobQueue"`
	Days     *int   `json:"days"`
}

// QueueCosts is a queue's cost per day.
type QueueCosts struct {
	JobQueue string    `json:"jobQueue"`
	Days     []CostDay `json:"days"`
}

// GetCosts answers the cost of a queue's finished jobs per UTC day, for the
// last days days (7 when not given), oldest first, today included.
func (s *Service) GetCosts(ctx context.Context, in *GetCostsInput) (*QueueCosts, error) {
	if err := required("jobQueue", in.JobQueue); err != nil {
		return nil, err
	}
	name, ok := s.scope.NameFromRef(barge.KindJobQueue, in.JobQueue)
	if !ok {
		return nil, barge.Errorf(barge.EInvalid, "jobQueue %q is not a job queue name or ARN of this account and region.", in.JobQueue)
	}
	days := 7
	if in.Days != nil {
		days = *in.Days
	}
	if days < 1 || days > maxCostDays {
		return nil, barge.Errorf(barge.EInvalid, "days must be between 1 and %d; got %d.", maxCostDays, days)
	}
	if s.costDays == nil {
		return nil, barge.Errorf(barge.EUnsupported, "This server keeps no cost totals.")
	}
	out, err := s.costDays(ctx, name, days)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []CostDay{}
	}
	return &QueueCosts{JobQueue: name, Days: out}, nil
}
