package kubernetes

import (
	"context"
	"fmt"
	"sync"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// The cluster's capacity for barge's tasks, from informers on its Nodes and
// its Pods that have not ended (no polling): the allocatable CPU and memory
// of the nodes that take new Pods (Ready, not cordoned, no NoSchedule or
// NoExecute taint: barge's Pods tolerate none), less the requests of the
// Pods bound to them that are not this barge's. This barge's own Pods are
// left out because the scheduler counts its jobs itself, from the moment it
// places them, before their Pods exist; counting them here as well would
// count them twice. Pods of other barge instances are others' Pods. The sum
// over the nodes bounds what the scheduler places; the most any one node
// has free bounds the biggest job. How the room is spread over the nodes
// (eight nodes with 1 vCPU free each take no 2-vCPU job) is the cluster's
// scheduler's to find out: such a Pod waits unschedulable, and its job says
// why (PendingReason).

// capacity keeps the per-node sums up to date as the informers report
// changes, so that a query costs one pass over the nodes, not the Pods.
type capacity struct {
	cluster string          // the name reasons give the cluster
	ours    labels.Selector // this barge's Pods
	changed func()          // called when room may have grown; nil for none

	mu    sync.Mutex
	nodes map[string]*nodeRoom
	pods  map[types.UID]podUse // others' Pods bound to a node
}

// nodeRoom is one node: what it gives Pods, whether it takes new ones, and
// what others' Pods request on it.
type nodeRoom struct {
	cpuMilli, memBytes int64 // allocatable
	usable             bool
	usedCPU, usedMem   int64 // by others' Pods
}

// podUse is what an other's Pod requests, and where.
type podUse struct {
	node          string
	cpuMilli, mem int64
}

// startCapacity starts the informers of the cluster's capacity and returns
// once they have synced. An error means that the client may not list Nodes
// or Pods cluster-wide: the executor then runs without a capacity.
func (e *Executor) startCapacity(ctx, infCtx context.Context, cs k8s.Interface, cluster string, changed func()) (*capacity, error) {
	ours, err := labels.Parse(e.selector())
	if err != nil {
		return nil, err
	}
	if _, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return nil, fmt.Errorf("listing Nodes: %w", err)
	}
	if _, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return nil, fmt.Errorf("listing Pods in all namespaces: %w", err)
	}
	c := &capacity{cluster: cluster, ours: ours, changed: changed, nodes: map[string]*nodeRoom{}, pods: map[types.UID]podUse{}}
	nodes := informers.NewSharedInformerFactory(cs, 0)
	pods := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		// Ended Pods hold nothing; they leave the informer as deletions.
		o.FieldSelector = "status.phase!=" + string(corev1.PodSucceeded) + ",status.phase!=" + string(corev1.PodFailed)
		// This instance's own Pods are not counted: with an instance, the
		// API server leaves them out, so that each is not decoded twice.
		if e.instance != "" {
			o.LabelSelector = LabelInstance + " notin (" + e.instance + ")"
		}
	}))
	ni := nodes.Core().V1().Nodes().Informer()
	pi := pods.Core().V1().Pods().Informer()
	// The caches keep what the sums need, not whole objects.
	if err := ni.SetTransform(stripManagedFields); err != nil {
		return nil, err
	}
	if err := pi.SetTransform(stripManagedFields); err != nil {
		return nil, err
	}
	nreg, err := ni.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.setNode(obj) },
		UpdateFunc: func(_, obj any) { c.setNode(obj) },
		DeleteFunc: func(obj any) { c.deleteNode(obj) },
	})
	if err != nil {
		return nil, err
	}
	preg, err := pi.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.setPod(obj) },
		UpdateFunc: func(_, obj any) { c.setPod(obj) },
		DeleteFunc: func(obj any) { c.deletePod(obj) },
	})
	if err != nil {
		return nil, err
	}
	nodes.Start(infCtx.Done())
	pods.Start(infCtx.Done())
	// Synced once the handlers have seen every object listed, not just
	// the caches.
	if !cache.WaitForCacheSync(ctx.Done(), nreg.HasSynced, preg.HasSynced) {
		return nil, fmt.Errorf("the Node and Pod informers did not sync: %w", ctx.Err())
	}
	return c, nil
}

// stripManagedFields drops what no sum reads and costs most memory.
func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// ClusterCapacity returns what the cluster's nodes have free for barge's
// tasks now (barge.ClusterSized); an unknown capacity (Cluster "") when the
// executor may not watch the cluster's Nodes and Pods.
func (e *Executor) ClusterCapacity() barge.HostCapacity {
	if e.capacity == nil {
		return barge.HostCapacity{}
	}
	return e.capacity.total()
}

var _ barge.ClusterSized = (*Executor)(nil)

// total sums the usable nodes' room.
func (c *capacity) total() barge.HostCapacity {
	c.mu.Lock()
	defer c.mu.Unlock()
	var cpu, mem, nodeCPU, nodeMem int64
	for _, n := range c.nodes {
		if !n.usable {
			continue
		}
		fc, fm := max(0, n.cpuMilli-n.usedCPU), max(0, n.memBytes-n.usedMem)
		cpu += fc
		mem += fm
		nodeCPU, nodeMem = max(nodeCPU, fc), max(nodeMem, fm)
	}
	return barge.HostCapacity{
		Cluster:       c.cluster,
		VCPU:          float64(cpu) / 1000,
		MemoryMiB:     int(mem >> 20),
		NodeVCPU:      float64(nodeCPU) / 1000,
		NodeMemoryMiB: int(nodeMem >> 20),
	}
}

func (c *capacity) setNode(obj any) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return
	}
	c.mu.Lock()
	r := c.nodes[n.Name]
	if r == nil {
		r = &nodeRoom{}
		c.nodes[n.Name] = r
	}
	grew := usable(n) && (!r.usable || n.Status.Allocatable.Cpu().MilliValue() > r.cpuMilli || n.Status.Allocatable.Memory().Value() > r.memBytes)
	r.cpuMilli = n.Status.Allocatable.Cpu().MilliValue()
	r.memBytes = n.Status.Allocatable.Memory().Value()
	r.usable = usable(n)
	c.mu.Unlock()
	if grew {
		c.notify()
	}
}

func (c *capacity) deleteNode(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	n, ok := obj.(*corev1.Node)
	if !ok {
		return
	}
	c.mu.Lock()
	delete(c.nodes, n.Name)
	c.mu.Unlock()
}

// usable reports whether node n takes new Pods that tolerate no taint.
func usable(n *corev1.Node) bool {
	if n.Spec.Unschedulable {
		return false
	}
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			return false
		}
	}
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (c *capacity) setPod(obj any) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	if p.Spec.NodeName == "" || c.ours.Matches(labels.Set(p.Labels)) {
		return // not holding a node yet, or counted by the scheduler
	}
	cpu, mem := podRequests(p)
	c.mu.Lock()
	old, had := c.pods[p.UID]
	c.unuse(old, had)
	u := podUse{node: p.Spec.NodeName, cpuMilli: cpu, mem: mem}
	c.pods[p.UID] = u
	if r := c.nodes[u.node]; r != nil {
		r.usedCPU += u.cpuMilli
		r.usedMem += u.mem
	} else {
		c.nodes[u.node] = &nodeRoom{usedCPU: u.cpuMilli, usedMem: u.mem}
	}
	c.mu.Unlock()
}

func (c *capacity) deletePod(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	c.mu.Lock()
	old, had := c.pods[p.UID]
	c.unuse(old, had)
	delete(c.pods, p.UID)
	c.mu.Unlock()
	if had && (old.cpuMilli > 0 || old.mem > 0) {
		c.notify()
	}
}

// unuse takes what u requested off its node. The caller holds c.mu.
func (c *capacity) unuse(u podUse, had bool) {
	if !had {
		return
	}
	if r := c.nodes[u.node]; r != nil {
		r.usedCPU -= u.cpuMilli
		r.usedMem -= u.mem
	}
}

func (c *capacity) notify() {
	if c.changed != nil {
		c.changed()
	}
}

// podRequests returns the CPU (millicores) and memory (bytes) Pod p
// requests, as the Kubernetes scheduler counts them: its containers' (and
// sidecars', restartable init containers) summed, or its biggest init
// container's when that is more, plus its overhead. A container without a
// request but with a limit requests its limit.
func podRequests(p *corev1.Pod) (cpuMilli, mem int64) {
	request := func(c *corev1.Container) (int64, int64) {
		cpu, m := c.Resources.Requests.Cpu(), c.Resources.Requests.Memory()
		if cpu.IsZero() {
			cpu = c.Resources.Limits.Cpu()
		}
		if m.IsZero() {
			m = c.Resources.Limits.Memory()
		}
		return cpu.MilliValue(), m.Value()
	}
	var sideCPU, sideMem, initCPU, initMem int64
	for i := range p.Spec.InitContainers {
		c, m := request(&p.Spec.InitContainers[i])
		if rp := p.Spec.InitContainers[i].RestartPolicy; rp != nil && *rp == corev1.ContainerRestartPolicyAlways {
			sideCPU += c
			sideMem += m
			continue
		}
		// An init container runs beside the sidecars started before it.
		initCPU, initMem = max(initCPU, sideCPU+c), max(initMem, sideMem+m)
	}
	cpuMilli, mem = sideCPU, sideMem
	for i := range p.Spec.Containers {
		c, m := request(&p.Spec.Containers[i])
		cpuMilli += c
		mem += m
	}
	cpuMilli, mem = max(cpuMilli, initCPU), max(mem, initMem)
	if p.Spec.Overhead != nil {
		cpuMilli += p.Spec.Overhead.Cpu().MilliValue()
		mem += p.Spec.Overhead.Memory().Value()
	}
	return cpuMilli, mem
}
