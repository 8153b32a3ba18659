// Package ecs serves, read-only, the part of Amazon ECS that AWS Batch users
// read when they debug a job the AWS way: DescribeTasks on a job's taskArn,
// ListClusters and DescribeClusters for a compute environment's
// ecsClusterArn, and ListTasks for what runs on one (which `barge status`
// sums the vCPUs of), over awsJson1.1 with ECS's shapes and errors.
//
// barge runs jobs without ECS; each compute environment is shown as the ECS
// cluster AWS Batch would have made for it, and each attempt of a job as the
// task AWS Batch would have started, from what barge knows of the job.
package ecs

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// targetPrefix starts the X-Amz-Target of every ECS operation.
const targetPrefix = "AmazonEC2ContainerServiceV20141113"

// maxBody bounds a request: DescribeTasks takes at most 100 task ARNs.
const maxBody = 64 << 10

// ECS's error types; a client error ECS has no narrower type for is a
// ClientException.
const eClusterNotFound barge.ErrorCode = "ClusterNotFoundException"

var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:     {Name: "InvalidParameterException", Status: http.StatusBadRequest},
		barge.EUnsupported: {Name: "UnknownOperationException", Status: http.StatusBadRequest},
		eClusterNotFound:   {Name: "ClusterNotFoundException", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "ServerException", Status: http.StatusInternalServerError},
}

// Store is what ECS reads: compute environments (its clusters), the queues
// that lead to them, and their jobs (its tasks).
type Store interface {
	ListComputeEnvironments(ctx context.Context, after string, limit int) ([]*barge.ComputeEnvironment, error)
	ListJobQueues(ctx context.Context, after string, limit int) ([]*barge.JobQueue, error)
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
}

// Config configures the ECS API.
type Config struct {
	Store Store
	Scope barge.Scope
	Log   *slog.Logger
}

// Service implements the ECS operations.
type Service struct {
	store Store
	scope barge.Scope
	log   *slog.Logger
}

// New returns the ECS API service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, scope: cfg.Scope, log: cfg.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Handler returns the ECS API: POST / with the operation in X-Amz-Target.
func (s *Service) Handler() http.Handler {
	p := awsproto.NewAWSJSON(targetPrefix, &errorTable, s.log)
	p.Ints = intRanges
	p.Handle("ListClusters", awsproto.AWSJSONOp(p, "ListClusters", maxBody, s.ListClusters))
	p.Handle("DescribeClusters", awsproto.AWSJSONOp(p, "DescribeClusters", maxBody, s.DescribeClusters))
	p.Handle("DescribeTasks", awsproto.AWSJSONOp(p, "DescribeTasks", maxBody, s.DescribeTasks))
	p.Handle("ListTasks", awsproto.AWSJSONOp(p, "ListTasks", maxBody, s.ListTasks))
	return p
}

// Failure is a resource ECS could not describe.
type Failure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Tag is an ECS resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// computeEnvironments returns every compute environment, in name order.
func (s *Service) computeEnvironments(ctx context.Context) ([]*barge.ComputeEnvironment, error) {
	var all []*barge.ComputeEnvironment
	for after := ""; ; {
		page, err := s.store.ListComputeEnvironments(ctx, after, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 100 {
			return all, nil
		}
		after = page[len(page)-1].Name
	}
}

// clusterName returns the cluster name of an ECS cluster ARN, or ref itself
// if it is a name.
func clusterName(ref string) string {
	if i := strings.LastIndex(ref, ":cluster/"); i >= 0 {
		return ref[i+len(":cluster/"):]
	}
	return ref
}

// cluster returns the compute environment whose cluster ref names (by ARN
// or name); nil if none.
func cluster(ces []*barge.ComputeEnvironment, ref string) *barge.ComputeEnvironment {
	name := clusterName(ref)
	i := slices.IndexFunc(ces, func(ce *barge.ComputeEnvironment) bool { return clusterName(ce.EcsClusterArn) == name })
	if i < 0 {
		return nil
	}
	return ces[i]
}

// ListClustersInput is ListClusters' request.
type ListClustersInput struct {
	NextToken  string `json:"nextToken,omitempty"`
	MaxResults *int   `json:"maxResults,omitempty"`
}

// ListClustersOutput is ListClusters' response.
type ListClustersOutput struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// ListClusters lists the clusters of the compute environments, in their
// names' order.
func (s *Service) ListClusters(ctx context.Context, in *ListClustersInput) (*ListClustersOutput, error) {
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, barge.Errorf(barge.EInvalid, "maxResults must be between 1 and 100.")
		}
		limit = *in.MaxResults
	}
	ces, err := s.computeEnvironments(ctx)
	if err != nil {
		return nil, err
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(ces) {
			return nil, barge.Errorf(barge.EInvalid, "Invalid nextToken: pass the nextToken of the previous response.")
		}
		start = n
	}
	out := &ListClustersOutput{ClusterArns: []string{}}
	for i := start; i < len(ces); i++ {
		if len(out.ClusterArns) == limit {
			out.NextToken = strconv.Itoa(i)
			break
		}
		out.ClusterArns = append(out.ClusterArns, ces[i].EcsClusterArn)
	}
	return out, nil
}

// DescribeClustersInput is DescribeClusters' request.
type DescribeClustersInput struct {
	Clusters []string `json:"clusters,omitempty"`
	Include  []string `json:"include,omitempty"`
}

// DescribeClustersOutput is DescribeClusters' response.
type DescribeClustersOutput struct {
	Clusters []Cluster `json:"clusters"`
	Failures []Failure `json:"failures"`
}

// Cluster is an ECS cluster: a compute environment's.
type Cluster struct {
	ClusterArn                        string           `json:"clusterArn"`
	ClusterName                       string           `json:"clusterName"`
	Status                            string           `json:"status"`
	RegisteredContainerInstancesCount int              `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int              `json:"runningTasksCount"`
	PendingTasksCount                 int              `json:"pendingTasksCount"`
	ActiveServicesCount               int              `json:"activeServicesCount"`
	Statistics                        []KeyValuePair   `json:"statistics"`
	Tags                              []Tag            `json:"tags"`
	Settings                          []ClusterSetting `json:"settings"`
	CapacityProviders                 []string         `json:"capacityProviders"`
	DefaultCapacityProviderStrategy   []struct{}       `json:"defaultCapacityProviderStrategy"`
}

// KeyValuePair is a name and a value.
type KeyValuePair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ClusterSetting is a cluster's setting.
type ClusterSetting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DescribeClusters describes the clusters named (by ARN or name); an
// unknown one is a failure with reason MISSING, as in ECS. Without names,
// it describes the cluster "default", which barge does not have.
func (s *Service) DescribeClusters(ctx context.Context, in *DescribeClustersInput) (*DescribeClustersOutput, error) {
	refs := in.Clusters
	if len(refs) == 0 {
		refs = []string{"default"}
	}
	if len(refs) > 100 {
		return nil, barge.Errorf(barge.EInvalid, "clusters can have at most 100 items.")
	}
	ces, err := s.computeEnvironments(ctx)
	if err != nil {
		return nil, err
	}
	out := &DescribeClustersOutput{Clusters: []Cluster{}, Failures: []Failure{}}
	for _, ref := range refs {
		ce := cluster(ces, ref)
		if ce == nil {
			arn := ref
			if !strings.HasPrefix(ref, "arn:") {
				arn = s.scope.ARNPrefix("ecs") + "cluster/" + ref
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		tasks, err := s.clusterTasks(ctx, ce, false)
		if err != nil {
			return nil, err
		}
		c := Cluster{
			ClusterArn: ce.EcsClusterArn, ClusterName: clusterName(ce.EcsClusterArn), Status: "ACTIVE",
			Statistics: []KeyValuePair{}, Tags: []Tag{}, Settings: []ClusterSetting{{Name: "containerInsights", Value: "disabled"}},
			CapacityProviders: []string{}, DefaultCapacityProviderStrategy: []struct{}{},
		}
		if ce.Status == barge.StatusDeleted {
			c.Status = "INACTIVE"
		}
		if isFargate(ce) {
			c.CapacityProviders = []string{"FARGATE", "FARGATE_SPOT"}
		}
		for _, j := range tasks {
			if j.Status == barge.JobRunning {
				c.RunningTasksCount++
			} else {
				c.PendingTasksCount++
			}
		}
		out.Clusters = append(out.Clusters, c)
	}
	return out, nil
}

func isFargate(ce *barge.ComputeEnvironment) bool {
	return ce.ComputeResources != nil && (ce.ComputeResources.Type == barge.CRFargate || ce.ComputeResources.Type == barge.CRFargateSpot)
}

// finishedScan is how many of a queue's most recent SUCCEEDED and FAILED
// jobs DescribeTasks looks through for a stopped task (ECS shows stopped
// tasks for about an hour; barge, those of recent jobs).
const finishedScan = 1000

// clusterTasks returns the jobs with a task in ce's cluster: those started
// (STARTING or RUNNING) on it, or, with finished, the queues' recent
// finished jobs that ran on it. It reads only the queues that lead to ce,
// by status.
func (s *Service) clusterTasks(ctx context.Context, ce *barge.ComputeEnvironment, finished bool) ([]*barge.Job, error) {
	if finished {
		return s.jobsOn(ctx, ce, []barge.JobStatus{barge.JobSucceeded, barge.JobFailed})
	}
	jobs, err := s.jobsOn(ctx, ce, []barge.JobStatus{barge.JobStarting, barge.JobRunning})
	// A started job's task is its current attempt's.
	return slices.DeleteFunc(jobs, func(j *barge.Job) bool { return j.Runtime == nil || j.Runtime.ComputeEnvironment != ce.Name }), err
}

// jobsOn returns the jobs in statuses that ran on ce.
func (s *Service) jobsOn(ctx context.Context, ce *barge.ComputeEnvironment, statuses []barge.JobStatus) ([]*barge.Job, error) {
	var queues []string
	for after := ""; ; {
		page, err := s.store.ListJobQueues(ctx, after, 100)
		if err != nil {
			return nil, err
		}
		for _, q := range page {
			if slices.ContainsFunc(q.ComputeEnvironmentOrder, func(o barge.ComputeEnvironmentOrder) bool { return o.ComputeEnvironment == ce.Name }) {
				queues = append(queues, q.Name)
			}
		}
		if len(page) < 100 {
			break
		}
		after = page[len(page)-1].Name
	}
	var out []*barge.Job
	for _, q := range queues {
		for _, st := range statuses {
			var cursor int64
			for read := 0; ; {
				page, err := s.store.ListJobs(ctx, barge.JobQuery{Queue: q, IncludeChildren: true, Status: st, Cursor: cursor, Limit: 100})
				if err != nil {
					return nil, err
				}
				for _, j := range page {
					if ran(j, ce.Name) {
						out = append(out, j)
					}
				}
				read += len(page)
				if len(page) < 100 || st.Done() && read >= finishedScan {
					break
				}
				cursor = page[len(page)-1].Seq
			}
		}
	}
	return out, nil
}

// ran reports whether job j had an attempt on compute environment ce.
func ran(j *barge.Job, ce string) bool {
	if j.Runtime != nil && j.Runtime.ComputeEnvironment == ce {
		return true
	}
	return slices.ContainsFunc(j.Attempts, func(a barge.Attempt) bool { return a.Container.ComputeEnvironment == ce })
}
