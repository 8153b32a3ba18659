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
	"github.com/bargehq/barge/internal/executor/local"
	"github.com/bargehq/barge/internal/executor/router"
	"github.com/bargehq/barge/internal/executor/simulate"
)

// executor is a barge.Executor that holds resources until Close.
type executor interface {
	barge.Executor
	io.Closer
}

// executorTag is the compute environment tag that sends its jobs to
// another executor than the server's: barge:executor=simulate simulates
// them (docs/SIMULATE.md).
const executorTag = "barge:executor"

// computeEnvironments finds a compute environment by name.
type computeEnvironments interface {
	GetComputeEnvironment(ctx context.Context, name string) (*barge.ComputeEnvironment, error)
}

// openExecutor returns the executor --executor asks for. auto takes Docker
// (or Podman's Docker-compatible socket, through DOCKER_HOST) when an engine
// answers within two seconds, and the process executor otherwise, and says
// which it took and why. simulate simulates every job. A real executor
// comes with the simulate executor behind a router, which runs the jobs of
// compute environments tagged barge:executor=simulate on it.
func openExecutor(ctx context.Context, cfg Config, log *slog.Logger, ces computeEnvironments) (executor, error) {
	choice := cfg.Executor
	if choice == "auto" {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := docker.Ping(pingCtx, "")
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
		e   executor
		err error
	)
	switch choice {
	case "docker":
		var instance string
		if instance, err = instanceID(cfg.DataDir); err != nil {
			return nil, err
		}
		e, err = docker.New(ctx, docker.Options{Log: log, Instance: instance})
	case "process":
		e, err = local.New(local.Options{Dir: filepath.Join(cfg.DataDir, "tasks"), Log: log})
	case "kubernetes":
		return nil, fmt.Errorf("--executor kubernetes: Kubernetes compute environments are not available in this version of barge; use docker or process")
	case "simulate":
		e, err = openSimulate(cfg, log)
	}
	if err != nil {
		return nil, fmt.Errorf("--executor %s: %w", choice, err)
	}
	if l := e.Limitation(); l != "" {
		log.Warn("executor limitation: "+l, "executor", e.Name())
	}
	if choice == "simulate" {
		return e, nil
	}
	sim, err := openSimulate(cfg, log)
	if err != nil {
		e.Close()
		return nil, err
	}
	r, err := router.New(router.Options{Executors: []barge.Executor{e, sim}, Choose: chooseByTag(ces, e.Name())})
	if err != nil {
		e.Close()
		sim.Close()
		return nil, err
	}
	return r, nil
}

// openSimulate opens the simulate executor, which keeps its tasks in the
// data directory's simulate/.
func openSimulate(cfg Config, log *slog.Logger) (executor, error) {
	e, err := simulate.New(simulate.Options{Dir: filepath.Join(cfg.DataDir, "simulate"), Clock: cfg.SimulateClock, Log: log})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// chooseByTag routes a task by its compute environment's barge:executor
// tag: "simulate" to the simulate executor; none, or the server's own
// executor's name, to that executor. Any other value fails the task, so
// that a misspelt tag never runs real containers where simulated ones were
// meant.
func chooseByTag(ces computeEnvironments, own string) func(ctx context.Context, spec *barge.TaskSpec) (string, error) {
	return func(ctx context.Context, spec *barge.TaskSpec) (string, error) {
		name := spec.Environment["AWS_BATCH_CE_NAME"]
		if name == "" {
			return "", nil
		}
		ce, err := ces.GetComputeEnvironment(ctx, name)
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("CannotStartContainerError: reading compute environment %s: %w", name, err)
		}
		switch v := ce.Tags[executorTag]; v {
		case "", own:
			return "", nil
		case "simulate":
			return "simulate", nil
		default:
			return "", fmt.Errorf("CannotStartContainerError: compute environment %s has the tag %s=%q, but this barge runs jobs on %s or simulate", name, executorTag, v, own)
		}
	}
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
