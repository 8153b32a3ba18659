package local

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupBase is the name of the cgroup under which tasks get theirs.
const cgroupBase = "barge"

// cpuPeriod is the CFS period the CPU quota is counted in, as Docker's.
const cpuPeriod = 100000

// cgroups is where tasks' cgroups are made: one directory under cgroup v2,
// or one per hierarchy (memory, cpu) under v1.
type cgroups struct {
	v2  bool
	mem string // the base directory for the memory controller
	cpu string // the base directory for the CPU controller (== mem under v2)
}

// detectCgroups finds where barge may make cgroups that limit memory and
// CPU, or says why it may not. Under v2 that is /sys/fs/cgroup/barge, with
// the memory and cpu controllers enabled from the root down (a cgroup that
// holds processes, such as barge's own, cannot hand controllers down);
// under v1 it is "barge" under barge's own cgroup in each hierarchy.
func detectCgroups() (*cgroups, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, err
	}
	own, err := ownCgroups()
	if err != nil {
		return nil, err
	}
	if m, ok := mounts["cgroup2"]; ok && len(mounts) == 1 {
		return detectV2(m.point)
	}
	mem, okm := mounts["memory"]
	cpu, okc := mounts["cpu"]
	if !okm || !okc {
		if m, ok := mounts["cgroup2"]; ok {
			return detectV2(m.point)
		}
		return nil, errors.New("this host has no memory and cpu cgroup controllers")
	}
	cg := &cgroups{mem: mem.dir(own["memory"]), cpu: cpu.dir(own["cpu"])}
	if err := cg.probe(); err != nil {
		return nil, err
	}
	return cg, nil
}

func detectV2(mount string) (*cgroups, error) {
	if err := enableControllers(mount); err != nil {
		return nil, err
	}
	base := filepath.Join(mount, cgroupBase)
	if err := os.Mkdir(base, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cannot create cgroup %s: %w", base, cause(err))
	}
	if err := enableControllers(base); err != nil {
		return nil, err
	}
	cg := &cgroups{v2: true, mem: base, cpu: base}
	if err := cg.probe(); err != nil {
		return nil, err
	}
	return cg, nil
}

// enableControllers enables memory and cpu for dir's children.
func enableControllers(dir string) error {
	f := filepath.Join(dir, "cgroup.subtree_control")
	have, err := os.ReadFile(f)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", f, cause(err))
	}
	fields := strings.Fields(string(have))
	for _, c := range []string{"memory", "cpu"} {
		if contains(fields, c) {
			continue
		}
		if err := os.WriteFile(f, []byte("+"+c), 0); err != nil {
			return fmt.Errorf("cannot enable the %s controller in %s: %w", c, f, cause(err))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// probe makes and removes a cgroup with limits, to learn whether tasks'
// cgroups will work.
func (cg *cgroups) probe() error {
	name := fmt.Sprintf("probe-%d-%d", os.Getpid(), time.Now().UnixNano())
	dirs, err := cg.create(name, 0.25, 64)
	if err != nil {
		return err
	}
	return removeCgroups(dirs)
}

// create makes task's cgroups with its limits (0 for none) and returns
// their directories.
func (cg *cgroups) create(task string, vcpu float64, memoryMiB int) ([]string, error) {
	mem := filepath.Join(cg.mem, task)
	dirs := []string{mem}
	if cg.cpu != cg.mem {
		dirs = append(dirs, filepath.Join(cg.cpu, task))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			removeCgroups(dirs)
			return nil, fmt.Errorf("cannot create cgroups under %s: %w", filepath.Dir(d), cause(err))
		}
	}
	var writes [][2]string // file, value
	quota := ""
	if vcpu > 0 {
		quota = strconv.Itoa(max(1000, int(math.Round(vcpu*cpuPeriod))))
	}
	bytes := ""
	if memoryMiB > 0 {
		bytes = strconv.FormatInt(int64(memoryMiB)<<20, 10)
	}
	cpu := dirs[len(dirs)-1]
	if cg.v2 {
		if bytes != "" {
			writes = append(writes, [2]string{filepath.Join(mem, "memory.max"), bytes},
				[2]string{filepath.Join(mem, "memory.swap.max?"), "0"})
		}
		if quota != "" {
			writes = append(writes, [2]string{filepath.Join(cpu, "cpu.max"), quota + " " + strconv.Itoa(cpuPeriod)})
		}
	} else {
		if bytes != "" {
			// No swap: memsw (memory + swap) as large as memory, where the
			// kernel accounts swap.
			writes = append(writes, [2]string{filepath.Join(mem, "memory.limit_in_bytes"), bytes},
				[2]string{filepath.Join(mem, "memory.memsw.limit_in_bytes?"), bytes})
		}
		if quota != "" {
			writes = append(writes, [2]string{filepath.Join(cpu, "cpu.cfs_period_us"), strconv.Itoa(cpuPeriod)},
				[2]string{filepath.Join(cpu, "cpu.cfs_quota_us"), quota})
		}
	}
	for _, w := range writes {
		file, optional := strings.CutSuffix(w[0], "?")
		if err := os.WriteFile(file, []byte(w[1]), 0); err != nil {
			if optional && errors.Is(err, os.ErrNotExist) {
				continue
			}
			removeCgroups(dirs)
			return nil, fmt.Errorf("cannot set %s: %w", file, cause(err))
		}
	}
	return dirs, nil
}

// join moves process pid into the cgroups dirs.
func join(dirs []string, pid int) error {
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("cannot move the task into cgroup %s: %w", d, cause(err))
		}
	}
	return nil
}

// members returns the processes in the cgroups dirs.
func members(dirs []string) []int {
	seen := map[int]bool{}
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
				seen[pid] = true
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// oomKills returns how many processes the kernel killed in the cgroups
// dirs for want of memory: memory.events under v2, memory.oom_control
// under v1.
func oomKills(dirs []string) int {
	n := 0
	for _, d := range dirs {
		for _, f := range []string{"memory.events", "memory.oom_control"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err != nil {
				continue
			}
			for line := range strings.Lines(string(b)) {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "oom_kill "); ok {
					k, _ := strconv.Atoi(v)
					n += k
				}
			}
		}
	}
	return n
}

// removeCgroups removes the cgroups dirs, waiting a little for processes
// that are still leaving them.
func removeCgroups(dirs []string) error {
	var first error
	for _, d := range dirs {
		var err error
		for range 50 {
			err = syscall.Rmdir(d)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				err = nil
				break
			}
			if !errors.Is(err, syscall.EBUSY) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil && first == nil {
			first = fmt.Errorf("cannot remove cgroup %s: %w", d, err)
		}
	}
	return first
}

// cgroupMount is a mounted cgroup hierarchy.
type cgroupMount struct {
	root  string // the cgroup the mount shows, as /proc/self/cgroup names it
	point string // where it is mounted
}

// dir returns the directory of cgroup path (as /proc/self/cgroup names it)
// under the mount, joined with cgroupBase.
func (m cgroupMount) dir(path string) string {
	rel, ok := strings.CutPrefix(path, m.root)
	if !ok {
		rel = "/"
	}
	return filepath.Join(m.point, rel, cgroupBase)
}

// cgroupMounts returns the cgroup mounts by controller ("memory", "cpu"),
// and the v2 mount as "cgroup2".
func cgroupMounts() (map[string]cgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mounts := map[string]cgroupMount{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root point options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		a, b := strings.Fields(pre), strings.Fields(post)
		if len(a) < 5 || len(b) < 3 {
			continue
		}
		m := cgroupMount{root: a[3], point: a[4]}
		switch b[0] {
		case "cgroup2":
			mounts["cgroup2"] = m
		case "cgroup":
			for _, opt := range strings.Split(b[2], ",") {
				if opt == "memory" || opt == "cpu" {
					mounts[opt] = m
				}
			}
		}
	}
	return mounts, sc.Err()
}

// ownCgroups returns barge's own cgroup in each v1 hierarchy by controller,
// and its v2 cgroup as "".
func ownCgroups() (map[string]string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	own := map[string]string{}
	for line := range strings.Lines(string(b)) {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			own[""] = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	return own, nil
}

// cause drops the path from a file error, for messages that name it already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
