package local

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogResumes has a watcher resume a log that a crash left with a torn
// last record: it drops the torn record and logs, once each, the lines not
// yet logged.
func TestLogResumes(t *testing.T) {
	dir := t.TempDir()
	tk := &task{dir: dir, changed: make(chan struct{}), done: make(chan struct{})}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("stdout", "a\nb\nlast")
	write("stderr", "oops\n")
	t1 := time.Unix(1000, 0)
	write("log", string(appendRecord(nil, t1, 'o', []byte("a")))+"1001000000000 e oo") // torn by a crash

	w, err := openLog(tk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.pump(false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pump(true); err != nil {
		t.Fatal(err)
	}
	w.close()

	b, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	last := time.Time{}
	for _, rec := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		at, flag, text, ok := parseRecord([]byte(rec))
		if !ok {
			t.Fatalf("bad record %q", rec)
		}
		if at.Before(last) {
			t.Errorf("record %q goes back in time", rec)
		}
		last = at
		got = append(got, string(flag)+" "+string(text))
	}
	// Both files were written at about the same time: either stream may
	// come first, each in its order.
	want1 := "o a|o b|e oops|O last"
	want2 := "o a|e oops|o b|O last"
	if g := strings.Join(got, "|"); g != want1 && g != want2 {
		t.Errorf("log = %q, want %q or %q", g, want1, want2)
	}
}

func TestSplitLines(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	for _, c := range []struct {
		in    string
		final bool
		want  []string // "text" or "text$" for a piece ending a line
	}{
		{"a\nb\n", false, []string{"a$", "b$"}},
		{"a\nrest", false, []string{"a$"}},
		{"a\nrest", true, []string{"a$", "rest"}},
		{"\n\n", false, []string{"$", "$"}},
		{long + "\n", false, []string{long[:maxLine], long[maxLine:] + "$"}},
	} {
		var got []string
		for _, p := range splitLines([]byte(c.in), c.final) {
			s := string(p.text)
			if p.newline {
				s += "$"
			}
			got = append(got, s)
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("splitLines(%.20q, %v) = %.60q, want %.60q", c.in, c.final, got, c.want)
		}
	}
}
