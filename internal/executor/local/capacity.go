package local

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// HostCapacity returns the cores and memory this host gives its tasks: the
// CPUs barge may run on (runtime.NumCPU), or fewer when barge's own cgroup
// (v2) caps its CPU; /proc/meminfo's MemTotal, or barge's cgroup
// memory.max when lower, less barge.HostMemoryReserveMiB.
func (e *Executor) HostCapacity() barge.HostCapacity { return e.capacity }

// hostCapacity reads the host's capacity (see HostCapacity).
func hostCapacity() barge.HostCapacity {
	c := barge.HostCapacity{VCPU: float64(runtime.NumCPU())}
	memKiB := memTotalKiB()
	if own, err := ownCgroups(); err == nil && own[""] != "" {
		dir := filepath.Join("/sys/fs/cgroup", own[""])
		if quota, period, ok := cpuMax(dir); ok && quota/period < c.VCPU {
			c.VCPU = quota / period
		}
		if b, err := os.ReadFile(filepath.Join(dir, "memory.max")); err == nil {
			if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && (memKiB == 0 || v/1024 < memKiB) {
				memKiB = v / 1024
			}
		}
	}
	if memKiB > 0 {
		total := int(memKiB / 1024)
		c.MemoryMiB = total - barge.HostMemoryReserveMiB(total)
	}
	return c
}

// cpuMax reads a v2 cgroup's CPU quota and period ("max" is no quota).
func cpuMax(dir string) (quota, period float64, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, "cpu.max"))
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0, 0, false
	}
	q, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, 0, false
	}
	return q, p, true
}

// memTotalKiB returns /proc/meminfo's MemTotal, 0 when unknown.
func memTotalKiB() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}
