package webhooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":"e1"}`)
	sig := Sign("secret", 1700000000, body)
	// Computed independently: printf '1700000000.{"id":"e1"}' | openssl dgst -sha256 -hmac secret
	if want := "sha256=46fc0b60e09563a94dea2fa3b7b63d83458dd87b30fac860dcbabac0df9bdbde"; sig != want {
		t.Fatalf("Sign = %q, want %q", sig, want)
	}
	for _, c := range []struct {
		secret, ts string
		body       string
		want       bool
	}{
		{"secret", "1700000000", `{"id":"e1"}`, true},
		{"other", "1700000000", `{"id":"e1"}`, false},
		{"secret", "1700000001", `{"id":"e1"}`, false},
		{"secret", "1700000000", `{"id":"e2"}`, false},
		{"secret", "x", `{"id":"e1"}`, false},
	} {
		if got := Verify(c.secret, c.ts, sig, []byte(c.body)); got != c.want {
			t.Errorf("Verify(%q, %q, sig, %s) = %v, want %v", c.secret, c.ts, c.body, got, c.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	d := New(Config{RetryBase: time.Second, RetryMax: time.Minute})
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 7: time.Minute, 100: time.Minute} {
		for range 20 {
			if got := d.backoff(n); got < want/2 || got > want {
				t.Errorf("backoff(%d) = %v, want within [%v, %v]", n, got, want/2, want)
			}
		}
	}
}

func TestLoad(t *testing.T) {
	scope := barge.Scope{Region: "us-east-1", Account: "123456789012"}
	dir := t.TempDir()
	for _, c := range []struct{ file, err string }{
		{`[{"url":"https://x.example/h","secret":"s","jobQueues":["arn:aws:batch:us-east-1:123456789012:job-queue/q"],"statuses":["FAILED"]}]`, ""},
		{`[{"url":"ftp://x","secret":"s"}]`, "http or https"},
		{`[{"url":"http://x"}]`, "secret is required"},
		{`[{"url":"http://x","secret":"s","statuses":["DONE"]}]`, "not a job status"},
		{`[{"url":"http://x","secret":"s","queues":["q"]}]`, "unknown field"},
	} {
		path := filepath.Join(dir, "hooks.json")
		os.WriteFile(path, []byte(c.file), 0o600)
		hooks, err := Load(path, scope)
		switch {
		case c.err == "" && (err != nil || hooks[0].JobQueues[0] != "q"):
			t.Errorf("Load(%s) = %+v, %v; want queue q", c.file, hooks, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("Load(%s) = %v, want an error saying %q", c.file, err, c.err)
		}
	}
}
