package local_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/local"
)

// TestHostCapacity: the process executor gives its tasks at most the CPUs
// barge may use and the host's memory less a reserve, and some of both.
func TestHostCapacity(t *testing.T) {
	e, err := local.New(local.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c := e.HostCapacity()
	if c.VCPU <= 0 || c.VCPU > float64(runtime.NumCPU()) {
		t.Errorf("VCPU = %v, want above 0 and at most runtime.NumCPU() = %d", c.VCPU, runtime.NumCPU())
	}
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Skip("no /proc/meminfo:", err)
	}
	var totalMiB int
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			totalMiB = kib / 1024
		}
	}
	// barge's cgroup may give it less than the host has.
	if c.MemoryMiB <= 0 || c.MemoryMiB > totalMiB-barge.HostMemoryReserveMiB(totalMiB) {
		t.Errorf("MemoryMiB = %d, want above 0 and at most MemTotal %d MiB less its reserve", c.MemoryMiB, totalMiB)
	}
}
