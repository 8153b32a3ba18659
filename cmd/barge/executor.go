package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/executor/local"
	"github.com/bargehq/barge/internal/executor/simulate"
)

// executor is a barge.Executor that holds resources until Close.
type executor interface {
	barge.Executor
	io.Closer
}

// barges returns xs as the runner takes them.
func barges(xs []executor) []barge.Executor {
	out := make([]barge.Executor, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// openExecutors returns the executor --executor asks for, and the others
// a compute environment's barge:executor tag may name (runner.TagExecutor),
// and the Kubernetes clusters of the kubeconfig (nil for simulate), which
// it connects to only for --executor kubernetes (a default cluster that
// does not answer then is connected later: kubeDefault).
// auto takes Docker (or Podman's Docker-compatible socket, through
// DOCKER_HOST) when an engine answers within two seconds, and the process
// executor otherwise, and says which it took and why. simulate simulates
// every job. A real executor comes with the simulate executor, which runs
// the jobs of compute environments tagged barge:executor=simulate.
func openExecutors(ctx context.Context, cfg Config, log *slog.Logger, onConnected func()) (_ executor, _ []executor, _ *kubernetes.Clusters, err error) {
	choice := cfg.Executor
	if choice == "auto" {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := docker.Ping(pingCtx, cfg.DockerHost)
		cancel()
		if err == nil {
			choice = "docker"
			log.Info("executor: a Docker engine answers; jobs run as containers", "executor", "docker")
		} else {
			choice = "process"
			log.Warn("executor: no Docker engine answers; jobs run as host processes", "executor", "process", "docker_error", err.Error())
		}
	}
	var (
		e        executor
		clusters *kubernetes.Clusters
	)
	defer func() {
		if err != nil && clusters != nil {
			clusters.Close()
		}
	}()
	if choice != "simulate" {
		var instance string
		if instance, err = instanceID(cfg.DataDir); err != nil {
			return nil, nil, nil, err
		}
		clusters = kubernetes.NewClusters(kubernetes.ClustersOptions{
			Kubeconfig: cfg.Kubeconfig, Context: cfg.KubeContext, Namespace: cfg.KubeNamespace,
			// A cluster's capacity that grows (a node joins, others' Pods
			// end) is room for the scheduler, as a connection is.
			Executor:    kubernetes.Options{Instance: instance, Log: log, CapacityGrew: onConnected},
			OnConnected: onConnected, Log: log,
		})
	}
	switch choice {
	case "docker":
		var instance string
		if instance, err = instanceID(cfg.DataDir); err != nil {
			return nil, nil, nil, err
		}
		e, err = docker.New(ctx, docker.Options{Host: cfg.DockerHost, Log: log, Instance: instance})
	case "process":
		e, err = local.New(local.Options{Dir: filepath.Join(cfg.DataDir, "tasks"), Log: log})
	case "kubernetes":
		// A cluster that cannot be reached does not keep barge from
		// starting: its compute environments say so until it can.
		if x, cerr := clusters.Connect(ctx, "", ""); cerr == nil {
			e = x.(*kubernetes.Executor)
		} else {
			log.Warn("executor: the default Kubernetes cluster cannot be reached; its compute environments wait until it can", "executor", "kubernetes", "error", cerr.Error())
			e = &kubeDefault{clusters}
		}
	case "simulate":
		e, err = openSimulate(cfg, log)
	default: // Validate refuses the others
		return nil, nil, nil, fmt.Errorf("--executor %s: not available", choice)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--executor %s: %w", choice, err)
	}
	if l := e.Limitation(); l != "" {
		log.Warn("executor limitation: "+l, "executor", e.Name())
	}
	if choice == "simulate" {
		return e, nil, nil, nil
	}
	sim, err := openSimulate(cfg, log)
	if err != nil {
		e.Close()
		return nil, nil, nil, err
	}
	return e, []executor{sim}, clusters, nil
}

// openSimulate opens the simulate executor, which keeps its tasks in the
// data directory's simulate/.
//
// On a shared database (--database-url), only the leader may run tasks, and
// the directory is one server's at a time: the executor is a termExecutor,
// opened for each term, so that the leader after a kill or a failover takes
// over the tasks its predecessor left there (the servers then share --data).
func openSimulate(cfg Config, log *slog.Logger) (executor, error) {
	open := func() (executor, error) {
		e, err := simulate.New(simulate.Options{Dir: filepath.Join(cfg.DataDir, "simulate"), Clock: cfg.SimulateClock, Log: log})
		if err != nil {
			return nil, err
		}
		return e, nil
	}
	if cfg.DatabaseURL == "" {
		return open()
	}
	named, err := simulate.New(simulate.Options{Clock: cfg.SimulateClock, Log: log})
	if err != nil {
		return nil, err
	}
	return newTermExecutor(named, open), nil
}

// instanceID names this barge installation (its data directory) on a
// container engine that other barge servers may share: each sees, adopts
// and cleans up only its own containers. It is made once and kept in the
// data directory.
func instanceID(dir string) (string, error) {
	path := filepath.Join(dir, "instance-id")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var b [8]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, nil
}
