package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// passAuth accepts every request: these tests are about reading bodies, and
// the real verifier's refusals are tested in cmd/barge.
type passAuth struct{}

func (passAuth) Check(*http.Request) (Identity, error) {
	return Identity{Region: "us-east-1", Service: "batch"}, nil
}

func (passAuth) Authenticate(*http.Request, []byte) (Identity, error) {
	return Identity{Region: "us-east-1", Service: "batch"}, nil
}

// echoLength answers with the length of the body it was given.
var echoLength = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%d", len(b))
})

func startTestServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Auth, cfg.Region, cfg.Batch = passAuth{}, "us-east-1", echoLength
	s := New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, strings.TrimPrefix(ts.URL, "http://")
}

// waiting returns the number of requests waiting for a share of the budget.
func (s *Server) waiting() int {
	s.unverified.mu.Lock()
	defer s.unverified.mu.Unlock()
	return len(s.unverified.waiters)
}

// freeBytes returns the unverified bytes not held.
func (s *Server) freeBytes() int64 {
	s.unverified.mu.Lock()
	defer s.unverified.mu.Unlock()
	return s.unverified.free
}

// sendHeaders opens a connection and sends a request's headers announcing
// a body of length bytes, and the first sent bytes of it.
func sendHeaders(t *testing.T, addr string, length int, sent string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute)) // only stops a broken server from hanging the test
	fmt.Fprintf(conn, "POST /v1/submitjob HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", addr, length, sent)
	return conn, bufio.NewReader(conn)
}

func readAnswer(t *testing.T, rd *bufio.Reader) (int, string, string) {
	t.Helper()
	resp, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(b)
}

// TestSlowBodyCutOff sends part of a body and stalls: the server answers
// with a timeout once BodyTimeout has passed, instead of waiting for ever.
func TestSlowBodyCutOff(t *testing.T) {
	_, addr := startTestServer(t, Config{BodyTimeout: 100 * time.Millisecond})
	_, rd := sendHeaders(t, addr, 100, "{")
	status, errType, body := readAnswer(t, rd)
	if status != http.StatusRequestTimeout || errType != "RequestTimeoutException" {
		t.Errorf("stalled body: %d %s %s, want 408 RequestTimeoutException", status, errType, body)
	}
}

// TestUnverifiedBytesBounded holds the whole budget of unverified bytes with
// a stalled body: the next request, whose body has all arrived, is not read
// while the budget is held; once the stalled client goes away, it is.
func TestUnverifiedBytesBounded(t *testing.T) {
	s, addr := startTestServer(t, Config{UnverifiedBytes: 1000, BodyTimeout: time.Minute})
	stalled, _ := sendHeaders(t, addr, 1000, "{")
	for s.freeBytes() != 0 { // until the stalled request holds the budget
		time.Sleep(time.Millisecond)
	}
	_, next := sendHeaders(t, addr, 2, "{}")
	for s.waiting() != 1 { // the next request waits for its share
		time.Sleep(time.Millisecond)
	}
	stalled.Close()
	if status, _, body := readAnswer(t, next); status != http.StatusOK || body != "2" {
		t.Errorf("request after the stalled one went away: %d %s, want 200 with its 2 bytes", status, body)
	}
	for s.freeBytes() != 1000 { // the answer is written before the share is given back
		time.Sleep(time.Millisecond)
	}
}

// TestBodyOverLimitRefusedUnread refuses a body whose announced length is
// over the limit before reading any of it.
func TestBodyOverLimitRefusedUnread(t *testing.T) {
	_, addr := startTestServer(t, Config{})
	_, rd := sendHeaders(t, addr, defaultBodyLimit+1, "")
	status, errType, body := readAnswer(t, rd)
	if status != http.StatusRequestEntityTooLarge || errType != "RequestEntityTooLargeException" {
		t.Errorf("announced body over the limit: %d %s %s, want 413", status, errType, body)
	}
}

func TestByteBudget(t *testing.T) {
	b := newByteBudget(10)
	ctx := t.Context()
	soon := func() time.Time { return time.Now().Add(50 * time.Millisecond) }
	if !b.acquire(ctx, 6, soon()) {
		t.Fatal("acquire(6) of 10 free = false")
	}
	if b.acquire(ctx, 5, soon()) {
		t.Fatal("acquire(5) with 4 free = true, want it to give up at its deadline")
	}
	if !b.acquire(ctx, 4, soon()) {
		t.Fatal("acquire(4) with 4 free = false")
	}
	done := make(chan bool)
	go func() { done <- b.acquire(ctx, 20, time.Now().Add(time.Minute)) }() // more than the budget: waits for all of it
	b.release(6)
	b.release(4)
	if !<-done {
		t.Fatal("acquire(20) once everything was released = false")
	}
	b.release(20)
	if b.free != 10 || len(b.waiters) != 0 {
		t.Errorf("after all releases: free %d, %d waiters; want 10 and 0", b.free, len(b.waiters))
	}
}
