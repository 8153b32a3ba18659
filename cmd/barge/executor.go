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
	"github.com/bargehq/barge/internal/logs"
)

// executor is a barge.Executor that holds resources until Close.
type executor interface {
	barge.Executor
	io.Closer
}

// openExecutor returns the executor --executor asks for. auto takes Docker
// (or Podman's Docker-compatible socket, through DOCKER_HOST) when an engine
// answers within two seconds, and the process executor otherwise, and says
// which it took and why.
func openExecutor(ctx context.Context, cfg Config, log *slog.Logger) (executor, error) {
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
	}
	if err != nil {
		return nil, fmt.Errorf("--executor %s: %w", choice, err)
	}
	if l := e.Limitation(); l != "" {
		log.Warn("executor limitation: "+l, "executor", e.Name())
	}
	return e, nil
}

// logSink adapts the CloudWatch Logs service to what the runner writes.
type logSink struct{ s *logs.Service }

func (l logSink) EnsureStream(ctx context.Context, group, stream string, createGroup bool) error {
	return l.s.EnsureStream(ctx, group, stream, createGroup)
}

func (l logSink) Append(ctx context.Context, group, stream string, lines []barge.LogLine) error {
	events := make([]logs.Event, len(lines))
	for i, line := range lines {
		events[i] = logs.Event{Timestamp: line.Time.UnixMilli(), Message: line.Message}
	}
	return l.s.Append(ctx, group, stream, events)
}

func (l logSink) LastEventTime(ctx context.Context, group, stream string) (time.Time, error) {
	return l.s.LastEventTime(ctx, group, stream)
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
