package scheduler

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/bargehq/barge"
)

// The reasons why jobs wait on servers that do not lead. Several barge
// servers may share one database; only the leader schedules, so only its
// passes see what the reasons rest on. The leader publishes it
// (PublishedView): what its last pass saw of the queues and compute
// environments and the capacity jobs hold, which is bounded by the number
// of queues, compute environments and active shares, never by the number
// of jobs. Another server loads it (LoadView) and gives the same reasons
// from it, with the same code (reasons.why).

// viewFormat is the version of PublishedView's encoding. A server that
// reads another format (a newer barge's, during an upgrade) gives no
// reason rather than a wrong one.
const viewFormat = 1

// wireView is the encoding of a view and the capacity in use. Its members
// are what why reads, and no more: a compute environment's name, state,
// status, maxvCpus and type, not its whole description. Slices are sorted
// and maps encode sorted by key, so that an unchanged view encodes to the
// same bytes and the leader can tell when to publish.
type wireView struct {
	Format     int                 `json:"format"`
	Queues     []wireQueue         `json:"queues,omitempty"`
	CEs        []wireCE            `json:"computeEnvironments,omitempty"`
	Down       map[string]string   `json:"down,omitempty"`
	Connecting []string            `json:"connecting,omitempty"`
	CEHost     map[string]string   `json:"ceHost,omitempty"`
	Hosts      map[string]wireHost `json:"hosts,omitempty"`
	GoneHost   string              `json:"goneHost,omitempty"`
	Used       map[string]float64  `json:"usedVCPU,omitempty"`
	Memory     map[string]int      `json:"usedMemoryMiB,omitempty"`
	// Starting says why the tasks of STARTING jobs wait to run, by job ID
	// (Config.StartingReasons). An older barge ignores it.
	Starting map[string]string `json:"starting,omitempty"`
}

// maxStartingReasons bounds the STARTING jobs a published view says why
// their tasks wait: the view stays small whatever the number of jobs. A job
// beyond it shows no such reason on the servers that do not lead.
const maxStartingReasons = 1000

// wireQueue is a job queue as a pass saw it.
type wireQueue struct {
	Name  string `json:"name"`
	State string `json:"state"`
	// CEs are the names of its compute environments, in its order.
	CEs      []string `json:"computeEnvironments,omitempty"`
	Reserved float64  `json:"reservedVCPU,omitempty"`
	Active   []string `json:"activeShares,omitempty"`
}

// wireCE is a compute environment as a pass saw it.
type wireCE struct {
	Name     string `json:"name"`
	State    string `json:"state"`
	Status   string `json:"status"`
	MaxvCpus int    `json:"maxvCpus"`
	Type     string `json:"type,omitempty"`
}

// wireHost is a bounded host's capacity (barge.HostCapacity).
type wireHost struct {
	VCPU             float64 `json:"vcpu,omitempty"`
	MemoryMiB        int     `json:"memoryMiB,omitempty"`
	CPUOvercommit    float64 `json:"cpuOvercommit,omitempty"`
	MemoryOvercommit float64 `json:"memoryOvercommit,omitempty"`
	Cluster          string  `json:"cluster,omitempty"`
	NodeVCPU         float64 `json:"nodeVCPU,omitempty"`
	NodeMemoryMiB    int     `json:"nodeMemoryMiB,omitempty"`
}

// PublishedView returns the encoding of what the last pass saw and of the
// capacity jobs hold now, for the servers that do not lead (LoadView); nil
// before the first pass. It is the same bytes for the same state.
func (s *Scheduler) PublishedView() []byte {
	v := s.view.Load()
	if v == nil {
		return nil
	}
	s.mu.Lock()
	w := encodeView(reasons{v: v, used: s.used, mem: s.mem})
	s.mu.Unlock()
	if f := s.cfg.StartingReasons; f != nil {
		w.Starting = f(maxStartingReasons)
	}
	b, err := json.Marshal(w)
	if err != nil {
		panic(err) // strings and numbers only: cannot fail
	}
	return b
}

// encodeView returns r's encoding. The caller holds what guards r.used and
// r.mem.
func encodeView(r reasons) *wireView {
	v := r.v
	w := &wireView{Format: viewFormat, Down: v.down, CEHost: v.ceHost, GoneHost: v.goneHost,
		Used: maps.Clone(r.used), Memory: maps.Clone(r.mem)}
	for _, name := range slices.Sorted(maps.Keys(v.queues)) {
		qv := v.queues[name]
		wq := wireQueue{Name: name, State: string(qv.queue.State), Reserved: qv.reserved}
		for _, ce := range qv.ces {
			wq.CEs = append(wq.CEs, ce.Name)
		}
		if qv.reserved > 0 {
			wq.Active = slices.Sorted(maps.Keys(qv.active))
		}
		w.Queues = append(w.Queues, wq)
	}
	for _, name := range slices.Sorted(maps.Keys(v.known)) {
		ce := v.known[name]
		wc := wireCE{Name: name, State: string(ce.State), Status: string(ce.Status), MaxvCpus: ce.MaxvCpus()}
		if ce.ComputeResources != nil {
			wc.Type = string(ce.ComputeResources.Type)
		}
		w.CEs = append(w.CEs, wc)
	}
	w.Connecting = slices.Sorted(maps.Keys(v.connecting))
	if len(v.hostCap) > 0 {
		w.Hosts = make(map[string]wireHost, len(v.hostCap))
		for h, c := range v.hostCap {
			w.Hosts[h] = wireHost(c)
		}
	}
	return w
}

// View is what the leader's last pass saw and the capacity jobs held, as
// another server loaded it: the ground of the same reasons why jobs wait as
// the leader gives.
type View struct {
	r        reasons
	starting map[string]string // wireView.Starting
}

// LoadView decodes what a leader's PublishedView returned.
func LoadView(b []byte) (*View, error) {
	var w wireView
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("scheduler view: %w", err)
	}
	if w.Format != viewFormat {
		return nil, fmt.Errorf("scheduler view: format %d, want %d", w.Format, viewFormat)
	}
	v := &view{queues: make(map[string]*queueView, len(w.Queues)), down: w.Down, ceHost: w.CEHost, goneHost: w.GoneHost,
		known: make(map[string]*barge.ComputeEnvironment, len(w.CEs))}
	if v.down == nil {
		v.down = map[string]string{}
	}
	for _, c := range w.CEs {
		maxv := c.MaxvCpus
		v.known[c.Name] = &barge.ComputeEnvironment{Name: c.Name, State: barge.State(c.State), Status: barge.ResourceStatus(c.Status),
			ComputeResources: &barge.ComputeResource{Type: barge.CRType(c.Type), MaxvCpus: &maxv}}
	}
	for _, q := range w.Queues {
		qv := &queueView{queue: &barge.JobQueue{Name: q.Name, State: barge.State(q.State)}, reserved: q.Reserved}
		for _, name := range q.CEs {
			if ce := v.known[name]; ce != nil {
				qv.ces = append(qv.ces, ce)
			}
		}
		if len(q.Active) > 0 {
			qv.active = make(map[string]bool, len(q.Active))
			for _, share := range q.Active {
				qv.active[share] = true
			}
		}
		v.queues[q.Name] = qv
	}
	if len(w.Connecting) > 0 {
		v.connecting = make(map[string]bool, len(w.Connecting))
		for _, name := range w.Connecting {
			v.connecting[name] = true
		}
	}
	if len(w.Hosts) > 0 {
		v.hostCap = make(map[string]barge.HostCapacity, len(w.Hosts))
		for h, c := range w.Hosts {
			v.hostCap[h] = barge.HostCapacity(c)
		}
	}
	return &View{r: reasons{v: v, used: w.Used, mem: w.Memory}, starting: w.Starting}, nil
}

// StartingReason returns why the task of STARTING job jobID waited to run
// when the leader published the view, "" when it did not or is not known.
func (v *View) StartingReason(jobID string) string { return v.starting[jobID] }

// Used returns the vCPUs in use on compute environment ce, as the leader's
// Scheduler.Used did when it published the view.
func (v *View) Used(ce string) float64 { return v.r.used[ce] }

// WaitReason returns why a RUNNABLE job of spec in queue waits, as the
// leader's Scheduler.WaitReason did when it published the view.
func (v *View) WaitReason(queue string, spec *barge.JobSpec) string {
	return v.r.waitReason(queue, spec)
}
