package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestPreAuthHold measures what callers who cannot sign can make a real
// barge process hold: N connections (BARGE_PREAUTH_CONNS; the test is
// skipped without it) each announce a 2 MiB PutLogEvents body, send all but
// its last byte, and stall. It runs twice: unsigned, and with a well-formed
// Authorization header naming the server's real access key with a forged
// signature (the access key ID is not a secret). The process's resident
// memory may not grow by more than 100 MiB. Then one connection sends its
// body at 1 byte a second, and the server must cut it off.
//
// BARGE_BIN names the binary (default: built from this package);
// BARGE_PREAUTH_HOLD how long the connections stall (default 10s). The
// figures go to the test log; scripts/reliability.sh runs it.
func TestPreAuthHold(t *testing.T) {
	conns, _ := strconv.Atoi(os.Getenv("BARGE_PREAUTH_CONNS"))
	if conns <= 0 {
		t.Skip("set BARGE_PREAUTH_CONNS (e.g. 1000) to measure pre-authentication holds; scripts/reliability.sh does")
	}
	hold := 10 * time.Second
	if d, err := time.ParseDuration(os.Getenv("BARGE_PREAUTH_HOLD")); err == nil {
		hold = d
	}
	addr, cmd := startSimulateProcess(t)

	const body = 2 << 20
	now := time.Now().UTC()
	forged := fmt.Sprintf("Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%s\r\nX-Amz-Date: %s\r\n",
		testKeyID, now.Format("20060102"), strings.Repeat("0", 64), now.Format("20060102T150405Z"))
	start := rss(t, cmd.Process.Pid, "VmRSS") // the idle server
	for _, mode := range []struct{ name, header string }{{"unsigned", ""}, {"forged signature, real access key", forged}} {
		base := rss(t, cmd.Process.Pid, "VmRSS")
		peak := base
		var wg sync.WaitGroup
		var mu sync.Mutex
		var opened []net.Conn
		dialErrs := 0
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.DialTimeout("tcp", addr, 10*time.Second)
				mu.Lock()
				if err != nil {
					dialErrs++
					mu.Unlock()
					return
				}
				opened = append(opened, c)
				mu.Unlock()
				// Writes block once the server stops reading; the deadline
				// ends them with the hold.
				c.SetWriteDeadline(time.Now().Add(hold))
				fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n%sContent-Length: %d\r\n\r\n",
					addr, mode.header, body)
				chunk := bytes.Repeat([]byte("x"), 64<<10)
				for sent := 0; sent < body-1; sent += len(chunk) {
					if _, err := c.Write(chunk[:min(len(chunk), body-1-sent)]); err != nil {
						return
					}
				}
			}()
		}
		for end := time.Now().Add(hold); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			peak = max(peak, rss(t, cmd.Process.Pid, "VmRSS"))
		}
		wg.Wait()
		mu.Lock()
		held := len(opened)
		for _, c := range opened {
			c.Close()
		}
		mu.Unlock()
		grew := peak - start
		t.Logf("FIGURE pre-auth hold (%s): %d connections stalled with 2 MiB - 1 byte sent (%d refused to connect) for %s: RSS %d MiB idle, %d MiB before this round, peak %d MiB: %d MiB above idle",
			mode.name, held, dialErrs, hold, start>>20, base>>20, peak>>20, grew>>20)
		if grew > 100<<20 {
			t.Errorf("%s: RSS grew by %d MiB holding %d stalled uploads, want at most 100 MiB", mode.name, grew>>20, held)
		}
	}

	// A body sent at 1 byte a second is cut off.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	began := time.Now()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n%sContent-Length: 1000\r\n\r\n", addr, forged)
	answered := make(chan *http.Response, 1)
	go func() {
		resp, _ := http.ReadResponse(bufio.NewReader(c), nil)
		answered <- resp
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	giveUp := time.After(2 * time.Minute) // only stops a broken server from hanging the test
	for {
		select {
		case resp := <-answered:
			if resp == nil || resp.StatusCode != http.StatusRequestTimeout {
				t.Fatalf("slow body: answer %v, want 408", resp)
			}
			t.Logf("FIGURE slow body: a body sent at 1 byte/s was cut off after %s (408 RequestTimeoutException)", time.Since(began).Round(time.Second))
			return
		case <-tick.C:
			c.Write([]byte("x"))
		case <-giveUp:
			t.Fatalf("a body sent at 1 byte/s was not cut off in 2 minutes")
		}
	}
}

// waitHealthy waits for a barge process to answer /healthz.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("barge did not answer /healthz")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rss returns a memory figure of process pid from /proc, in bytes.
func rss(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("reading the memory of barge: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// startSimulateProcess starts a real `barge server --executor simulate`
// process (BARGE_BIN, or one built from this package) with the test
// credentials on a free port, ends it by its PID when the test does, and
// returns once it answers /healthz. Its log is server.log in its data
// directory.
func startSimulateProcess(t *testing.T) (addr string, cmd *exec.Cmd) {
	t.Helper()
	bin := os.Getenv("BARGE_BIN")
	if bin == "" {
		bin = buildBarge(t)
	}
	dir := t.TempDir()
	addr = freePort(t)
	cmd = exec.Command(bin, "server", "--listen", addr, "--data", dir, "--executor", "simulate")
	cmd.Env = append(os.Environ(), "BARGE_ACCESS_KEY_ID="+testKeyID, "BARGE_SECRET_ACCESS_KEY="+testSecret)
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logf.Close() })
	waitHealthy(t, "http://"+addr)
	return addr, cmd
}
