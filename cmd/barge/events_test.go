package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// eventBridgeEvent is the part of a "Batch Job State Change" event the
// tests look at.
type eventBridgeEvent struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     struct {
		JobArn    string `json:"jobArn"`
		JobID     string `json:"jobId"`
		JobName   string `json:"jobName"`
		JobQueue  string `json:"jobQueue"`
		Status    string `json:"status"`
		Container *struct {
			ExitCode *int `json:"exitCode"`
		} `json:"container"`
	} `json:"detail"`
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID, Name, Data string
}

// openEvents opens GET /events?query, signed with the SDK's SigV4 signer
// (presigned in the URL when presign is set), and returns its events. It
// returns once the stream is open, and so subscribed.
func openEvents(t *testing.T, ts *testServer, query string, presign bool) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	url := ts.URL + "/events"
	if query != "" {
		url += "?" + query
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	signer := v4.NewSigner()
	if presign {
		signed, _, err := signer.PresignHTTP(ctx, creds, req, sha256Hex(nil), "batch", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, signed, nil); err != nil {
			t.Fatal(err)
		}
	} else if err := signer.SignHTTP(ctx, creds, req, sha256Hex(nil), "batch", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("GET /events = %s %s, want 200 text/event-stream", resp.Status, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	// The stream opens with a comment, written once the server has
	// subscribed.
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), ":") {
		t.Fatalf("GET /events first line = %q, %v; want a comment", sc.Text(), sc.Err())
	}
	events := make(chan sseEvent, 100)
	go func() {
		defer resp.Body.Close()
		defer close(events)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.Data != "" {
					events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.ID = line[len("id: "):]
			case strings.HasPrefix(line, "event: "):
				e.Name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				e.Data += line[len("data: "):]
			}
		}
	}()
	return events
}

// nextEvent returns the next event of the stream, failing the test if the
// stream ends or stays silent for long.
func nextEvent(t *testing.T, events <-chan sseEvent) (sseEvent, eventBridgeEvent) {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("event stream ended")
		}
		var eb eventBridgeEvent
		if e.Name == "" {
			if err := json.Unmarshal([]byte(e.Data), &eb); err != nil {
				t.Fatalf("event data %q: %v", e.Data, err)
			}
		}
		return e, eb
	case <-time.After(30 * time.Second):
		t.Fatal("no event for 30 seconds")
	}
	panic("unreachable")
}

// TestEventsStream: a client of GET /events, signed as the SDK signs, sees
// a job go from submission to SUCCEEDED as EventBridge "Batch Job State Change"
// events, and sees only the queues it asks for.
func TestEventsStream(t *testing.T) {
	ts := startServerWith(t, "", func(c *Config) { c.Executor = "simulate" })
	c := ts.batch()
	simSetup(t, ts, "ev", 4, nil)
	simSetup(t, ts, "other", 4, nil)

	for _, presign := range []bool{false, true} {
		events := openEvents(t, ts, "jobQueue=ev-queue", presign)
		simSubmit(t, c, "other", "elsewhere")
		id := simSubmit(t, c, "ev", "watched")
		var got []string
		for len(got) == 0 || got[len(got)-1] != "SUCCEEDED" {
			e, eb := nextEvent(t, events)
			if eb.Detail.JobName != "watched" {
				t.Fatalf("event of job %q (%s) on a stream of queue ev-queue", eb.Detail.JobName, eb.Detail.JobQueue)
			}
			arn := "arn:aws:batch:us-east-1:123456789012:job/" + id
			if e.ID != eb.ID || eb.Version != "0" || eb.Source != "aws.batch" || eb.DetailType != "Batch Job State Change" ||
				eb.Account != "123456789012" || eb.Region != "us-east-1" || len(eb.Resources) != 1 || eb.Resources[0] != arn ||
				eb.Detail.JobArn != arn || eb.Detail.JobID != id {
				t.Errorf("event = %s; want an EventBridge Batch Job State Change event of %s with SSE id its id", e.Data, arn)
			}
			if _, err := time.Parse(time.RFC3339, eb.Time); err != nil {
				t.Errorf("event time %q: %v", eb.Time, err)
			}
			got = append(got, eb.Detail.Status)
		}
		// A job with nothing to wait for is stored RUNNABLE at once, so
		// its first event is RUNNABLE (from no status).
		want := "RUNNABLE STARTING RUNNING SUCCEEDED"
		if strings.Join(got, " ") != want {
			t.Errorf("presigned=%v: statuses %q, want %q", presign, strings.Join(got, " "), want)
		}
	}
}

// TestEventsNeedSignature: GET /events is an API call like any other.
func TestEventsNeedSignature(t *testing.T) {
	ts := startServer(t, "")
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned GET /events = %s, want 403", resp.Status)
	}
	resp = ts.signedRequest(http.MethodGet, "/events?status=DONE", "batch", "us-east-1", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /events?status=DONE = %s, want 400", resp.Status)
	}
}
