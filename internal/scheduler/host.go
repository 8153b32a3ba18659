package scheduler

import (
	"math"
	"strconv"

	"github.com/bargehq/barge"
)

// Host capacity. The local executors (Docker, host processes) run every
// task on one host, whose cores and memory are finite where Fargate's are
// not: a job is placed only where its vCPUs fit its compute environment's
// maxvCpus (AWS's limit) and its vCPUs and memory fit what is free on the
// host (Config.Host). Compute environments served by the same executor
// share its host. Usage is counted by compute environment (used, mem), so
// a host's is the sum over the compute environments on it.

// hostRoom is one bounded host during a pass.
type hostRoom struct {
	name string
	cap  barge.HostCapacity
	vcpu float64 // vCPUs free
	mem  int     // MiB free
}

// fits reports whether the host has vcpu and mem free (on a cluster, in
// total and on its biggest node: how the room is spread over the nodes is
// the cluster's scheduler's to find out).
func (h *hostRoom) fits(vcpu float64, mem int) bool {
	if h.cap.Cluster != "" && !holds(h.cap, vcpu, mem) {
		return false
	}
	return (!limitsCPU(h.cap) || h.vcpu+1e-9 >= vcpu) && (!limitsMemory(h.cap) || h.mem >= mem)
}

// holds reports whether a job of vcpu and mem fits a host of capacity c
// at all, when nothing else of barge's runs there: on a cluster, whether
// its biggest node has room for it.
func holds(c barge.HostCapacity, vcpu float64, mem int) bool {
	if c.Cluster != "" {
		return c.NodeVCPU+1e-9 >= vcpu && c.NodeMemoryMiB >= mem
	}
	return (c.VCPU <= 0 || c.VCPU+1e-9 >= vcpu) && (c.MemoryMiB <= 0 || c.MemoryMiB >= mem)
}

// limitsCPU and limitsMemory report whether c bounds vCPUs and memory: a
// host's zero is unbounded, a cluster's is none free.
func limitsCPU(c barge.HostCapacity) bool    { return c.VCPU > 0 || c.Cluster != "" }
func limitsMemory(c barge.HostCapacity) bool { return c.MemoryMiB > 0 || c.Cluster != "" }

// hostRooms finds the bounded hosts of the usable compute environments
// of a pass and what is free on each now, into p, and records in v which
// host each compute environment is on, for the reasons of waiting jobs.
func (s *Scheduler) hostRooms(ces map[string]*barge.ComputeEnvironment, v *view, p *passState) {
	for name, ce := range ces {
		h, c := s.cfg.Host(ce)
		if !c.Bounded() {
			continue
		}
		if v.ceHost == nil { // only when some host is bounded: passes without cost nothing
			v.ceHost, v.hostCap = map[string]string{}, map[string]barge.HostCapacity{}
		}
		v.ceHost[name], v.hostCap[h] = h, c
	}
	if len(v.hostCap) == 0 {
		return
	}
	if h, _ := s.cfg.Host(nil); v.hostCap[h].Bounded() {
		v.goneHost = h
	}
	index := map[string]int{}
	s.mu.Lock()
	for h, c := range v.hostCap {
		vcpu, mem := reasons{v: v, used: s.used, mem: s.mem}.hostUse(h)
		index[h] = len(p.hosts)
		p.hosts = append(p.hosts, hostRoom{name: h, cap: c, vcpu: c.VCPU - vcpu, mem: c.MemoryMiB - mem})
	}
	s.mu.Unlock()
	p.hostOf = make(map[string]int, len(p.free))
	for name := range p.free {
		if h, ok := v.ceHost[name]; ok {
			p.hostOf[name] = index[h]
		}
	}
}

// hostUse returns the vCPUs and MiB of memory the jobs on host h hold: those
// of the compute environments on it, and of the compute environments that
// are gone when h is where their tasks ran.
func (r reasons) hostUse(h string) (vcpu float64, mem int) {
	for ce, u := range r.used {
		if r.v.onHost(ce) == h {
			vcpu += u
		}
	}
	for ce, m := range r.mem {
		if r.v.onHost(ce) == h {
			mem += m
		}
	}
	return vcpu, mem
}

// onHost returns the bounded host compute environment ce is on, "" for
// none.
func (v *view) onHost(ce string) string {
	if h, ok := v.ceHost[ce]; ok {
		return h
	}
	if _, known := v.known[ce]; known {
		return ""
	}
	return v.goneHost
}

// hostWait says why a job of vcpu and mem that compute environment ce has
// room for waits for its host, "" when the host has room (or is not
// bounded).
func (r reasons) hostWait(ce string, vcpu float64, mem int) string {
	h, ok := r.v.ceHost[ce]
	if !ok {
		return ""
	}
	c := r.v.hostCap[h]
	usedVCPU, usedMem := r.hostUse(h)
	if c.Cluster != "" {
		return clusterWait(c, usedVCPU, usedMem, vcpu, mem)
	}
	if c.MemoryMiB > 0 && c.MemoryMiB-usedMem < mem {
		return barge.FitReason("Waiting for host capacity: the job needs %s of memory; the host has %s of %s free (barge --memory-overcommit %s).",
			gib(mem), gib(max(0, c.MemoryMiB-usedMem)), gib(c.MemoryMiB), factor(c.MemoryOvercommit))
	}
	if c.VCPU > 0 && c.VCPU-usedVCPU+1e-9 < vcpu {
		return barge.FitReason("Waiting for host capacity: the job needs %s vCPU; the host has %s of %s vCPUs free (barge --cpu-overcommit %s).",
			vcpus(vcpu), vcpus(max(0, c.VCPU-usedVCPU)), vcpus(c.VCPU), factor(c.CPUOvercommit))
	}
	return ""
}

// neverFits says why a job of vcpu and mem can never run on the host of
// compute environment ce, "" when it can once the host has room.
func neverFits(v *view, ce string, vcpu float64, mem int) string {
	h, ok := v.ceHost[ce]
	if !ok || holds(v.hostCap[h], vcpu, mem) {
		return ""
	}
	c := v.hostCap[h]
	if c.Cluster != "" {
		return clusterNeverFits(c, vcpu, mem)
	}
	if c.MemoryMiB > 0 && mem > c.MemoryMiB {
		return barge.FitReason("Waiting for a bigger host: the job needs %s of memory, more than this host gives all its jobs (%s, barge --memory-overcommit %s), so it waits here until cancelled; AWS would run it.",
			gib(mem), gib(c.MemoryMiB), factor(c.MemoryOvercommit))
	}
	return barge.FitReason("Waiting for a bigger host: the job needs %s vCPU, more than this host gives all its jobs (%s vCPUs, barge --cpu-overcommit %s), so it waits here until cancelled; AWS would run it.",
		vcpus(vcpu), vcpus(c.VCPU), factor(c.CPUOvercommit))
}

// gib formats MiB as GiB to a tenth: 4 GiB, 3.2 GiB, 0.5 GiB.
func gib(mib int) string {
	return strconv.FormatFloat(math.Round(float64(mib)/1024*10)/10, 'f', -1, 64) + " GiB"
}

// factor formats an overcommit factor (1 when 0).
func factor(f float64) string {
	if f == 0 {
		f = 1
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// clusterWait says why a job of vcpu and mem waits for room on the cluster
// of capacity c, of which barge's jobs hold usedVCPU and usedMem, "" when it
// has room.
func clusterWait(c barge.HostCapacity, usedVCPU float64, usedMem int, vcpu float64, mem int) string {
	if c.MemoryMiB-usedMem < mem {
		return barge.FitReason("Waiting for cluster capacity: the job needs %s of memory; Kubernetes cluster %s has %s of %s free (the allocatable memory of its Ready, schedulable nodes, less what Pods other than barge's request).",
			gib(mem), c.Cluster, gib(max(0, c.MemoryMiB-usedMem)), gib(max(0, c.MemoryMiB)))
	}
	if c.VCPU-usedVCPU+1e-9 < vcpu {
		return barge.FitReason("Waiting for cluster capacity: the job needs %s vCPU; Kubernetes cluster %s has %s of %s vCPUs free (the allocatable CPU of its Ready, schedulable nodes, less what Pods other than barge's request).",
			vcpus(vcpu), c.Cluster, vcpus(max(0, c.VCPU-usedVCPU)), vcpus(max(0, c.VCPU)))
	}
	return ""
}

// clusterNeverFits says why a job of vcpu and mem fits no node of the
// cluster of capacity c, even with none of barge's jobs running.
func clusterNeverFits(c barge.HostCapacity, vcpu float64, mem int) string {
	if c.NodeVCPU <= 0 && c.NodeMemoryMiB <= 0 {
		// Not a size: no node takes Pods at all now.
		return barge.FitReason("Waiting for a node: no node of Kubernetes cluster %s takes the job's Pod now (each is cordoned, tainted, not Ready or full), so it waits until one does or it is cancelled.",
			c.Cluster)
	}
	if mem > c.NodeMemoryMiB {
		return barge.FitReason("Waiting for a bigger node: the job needs %s of memory, more than any node of Kubernetes cluster %s has allocatable for it (at most %s), so it waits until such a node joins or it is cancelled; AWS would run it.",
			gib(mem), c.Cluster, gib(max(0, c.NodeMemoryMiB)))
	}
	return barge.FitReason("Waiting for a bigger node: the job needs %s vCPU, more than any node of Kubernetes cluster %s has allocatable for it (at most %s vCPUs), so it waits until such a node joins or it is cancelled; AWS would run it.",
		vcpus(vcpu), c.Cluster, vcpus(max(0, c.NodeVCPU)))
}
