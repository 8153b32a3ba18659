package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestDockerEngineHung starts barge on a Docker engine that accepts
// connections and never answers, as a deadlocked dockerd does (Docker
// 20.10's libnetwork deadlock, moby/libnetwork#2649, did so on this
// project's test host under the Docker chaos run): barge starts all the
// same, its compute environment's statusReason says the engine does not
// answer, and a job waits in RUNNABLE saying why. Before, barge waited
// for the engine's first answer at start, for ever.
func TestDockerEngineHung(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "hung.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c) // reads every request, answers none
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})

	// Started in a goroutine: a barge that waits for the engine for ever
	// fails the test instead of hanging it.
	cfg := DefaultConfig()
	cfg.Listen, cfg.DataDir = "127.0.0.1:0", t.TempDir()
	cfg.DatabaseURL = testDatabaseURL(t, cfg.DataDir)
	cfg.AccessKeyID, cfg.SecretAccessKey = testKeyID, testSecret
	cfg.LogLevel = "error"
	cfg.Executor, cfg.DockerHost = "docker", "unix://"+sock
	m := NewMain(cfg, io.Discard, io.Discard)
	started := make(chan error, 1)
	go func() { started <- m.Run(context.Background()) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Run() = %v", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("barge did not start in 3 minutes with a Docker engine that never answers")
	}
	ts := &testServer{t: t, main: m, dir: cfg.DataDir, URL: "http://" + m.Addr}
	t.Cleanup(ts.close)

	c := ts.batch()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	ce := waitCEStatus(t, c, "ce", types.CEStatusValid)
	if r := aws.ToString(ce.StatusReason); !strings.Contains(r, "docker executor cannot start tasks") || !strings.Contains(r, "does not answer") {
		t.Errorf("compute environment's statusReason while the engine hangs = %q, want it to say the docker executor's engine does not answer", r)
	}
	createQueue(t, c, "q", "ce")
	registerScript(t, c, "d", "busybox", createExecRole(t, ts), "true", nil)
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String("q"), JobDefinition: aws.String("d")})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		j := describeJob(t, c, id)
		if j.Status != types.JobStatusRunnable && j.Status != types.JobStatusSubmitted && j.Status != types.JobStatusPending {
			t.Fatalf("job submitted while the engine hangs = %s (%q, %q), want it to wait in RUNNABLE", j.Status, aws.ToString(j.StatusReason), containerReason(j))
		}
		if r := aws.ToString(j.StatusReason); j.Status == types.JobStatusRunnable && strings.Contains(r, "Waiting for an executor that answers") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job submitted while the engine hangs = %s %q, want RUNNABLE waiting for the engine", j.Status, aws.ToString(j.StatusReason))
		}
	}
}
