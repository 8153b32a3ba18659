package main

import (
	"context"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/kubernetes"
)

// kubeDefault is the default executor of --executor kubernetes while its
// cluster cannot be reached at start: barge starts anyway, as it does
// when a Docker engine does not answer. Each call goes to the cluster's
// executor once it is connected, and fails as an engine that does not
// answer fails until then. The runner runs no task on it (a compute
// environment on Kubernetes gets its executor from the clusters); it
// lists and removes the tasks of the previous run through it.
type kubeDefault struct {
	clusters *kubernetes.Clusters
}

var _ barge.Executor = (*kubeDefault)(nil)

// exec returns the default cluster's executor, or why there is none now.
func (k *kubeDefault) exec() (barge.Executor, error) { return k.clusters.Executor("", "") }

func (k *kubeDefault) Name() string       { return "kubernetes" }
func (k *kubeDefault) Limitation() string { return "" }
func (k *kubeDefault) Close() error       { return nil } // the clusters close theirs

func (k *kubeDefault) Ping(ctx context.Context) error {
	x, err := k.exec()
	if err != nil {
		return err
	}
	return x.Ping(ctx)
}

func (k *kubeDefault) Start(ctx context.Context, spec *barge.TaskSpec) error {
	x, err := k.exec()
	if err != nil {
		return barge.InfrastructureFailed(barge.CannotStartContainerError, err, "barge cannot run tasks on its Kubernetes cluster: %v", err)
	}
	return x.Start(ctx, spec)
}

func (k *kubeDefault) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	x, err := k.exec()
	if err != nil {
		return err
	}
	return x.Logs(ctx, taskID, since, out)
}

func (k *kubeDefault) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	x, err := k.exec()
	if err != nil {
		return barge.TaskResult{}, err
	}
	return x.Wait(ctx, taskID)
}

func (k *kubeDefault) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	x, err := k.exec()
	if err != nil {
		return err
	}
	return x.Stop(ctx, taskID, grace)
}

func (k *kubeDefault) Remove(ctx context.Context, taskID string) error {
	x, err := k.exec()
	if err != nil {
		return err
	}
	return x.Remove(ctx, taskID)
}

func (k *kubeDefault) List(ctx context.Context) ([]barge.TaskInfo, error) {
	x, err := k.exec()
	if err != nil {
		return nil, err
	}
	return x.List(ctx)
}
