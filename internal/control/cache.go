package control

import (
	"context"
	"sync"

	"github.com/bargehq/barge"
)

// submitCache keeps the job queues and job definitions that SubmitJob
// reads on every call, so that the hot path does not read and decode them
// from the store each time, and the compute environments' types that every
// finished job's bargeCost names. Entries are shared and must not be
// modified.
//
// Every change to queues, definitions or compute environments goes through
// cachingStore, which
// bumps the generation and empties the cache after its write. A reader
// keeps what it read only if the generation did not move while it read, so
// a value read before a change can never land in the cache after it.
type submitCache struct {
	mu     sync.Mutex
	gen    uint64
	queues map[string]*barge.JobQueue
	defs   map[defKey]*barge.JobDefinition // revision 0 = the latest ACTIVE one
	ceType map[string]ceKind               // compute environment → the kind of capacity it provides
}

// ceKind is the kind of capacity a compute environment provides.
type ceKind struct {
	crType string // its compute resources' type (FARGATE, EC2, ...); "" if none
	eks    bool   // it has an eksConfiguration
}

type defKey struct {
	name string
	rev  int
}

func newSubmitCache() *submitCache {
	return &submitCache{queues: map[string]*barge.JobQueue{}, defs: map[defKey]*barge.JobDefinition{}, ceType: map[string]ceKind{}}
}

func (c *submitCache) invalidate() {
	c.mu.Lock()
	c.gen++
	clear(c.queues)
	clear(c.defs)
	clear(c.ceType)
	c.mu.Unlock()
}

// lookup returns the cached value for key, or reads it with load and keeps
// it when nothing changed meanwhile.
func lookup[K comparable, V any](c *submitCache, m map[K]V, key K, load func() (V, error)) (V, error) {
	c.mu.Lock()
	v, ok := m[key]
	gen := c.gen
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		m[key] = v
	}
	c.mu.Unlock()
	return v, nil
}

func (c *submitCache) queue(ctx context.Context, st Store, name string) (*barge.JobQueue, error) {
	return lookup(c, c.queues, name, func() (*barge.JobQueue, error) { return st.GetJobQueue(ctx, name) })
}

func (c *submitCache) jobDefinition(ctx context.Context, st Store, name string, rev int) (*barge.JobDefinition, error) {
	return lookup(c, c.defs, defKey{name, rev}, func() (*barge.JobDefinition, error) {
		if rev == 0 {
			return st.LatestActiveJobDefinition(ctx, name)
		}
		return st.GetJobDefinition(ctx, name, rev)
	})
}

// computeType returns the type of compute environment name's compute
// resources (FARGATE, FARGATE_SPOT, ...), or "" when it has none or does not
// exist.
func (c *submitCache) computeType(ctx context.Context, st Store, name string) (string, error) {
	k, err := c.computeKind(ctx, st, name)
	return k.crType, err
}

// computeKind returns the kind of capacity compute environment name
// provides; the zero ceKind when it does not exist.
func (c *submitCache) computeKind(ctx context.Context, st Store, name string) (ceKind, error) {
	return lookup(c, c.ceType, name, func() (ceKind, error) {
		ce, err := st.GetComputeEnvironment(ctx, name)
		switch {
		case barge.ErrorCodeOf(err) == barge.ENotFound:
			return ceKind{}, nil
		case err != nil:
			return ceKind{}, err
		}
		k := ceKind{eks: ce.IsEKS()}
		if ce.ComputeResources != nil {
			k.crType = string(ce.ComputeResources.Type)
		}
		return k, nil
	})
}

// cachingStore is the store as the Batch API uses it: writes to queues and
// job definitions invalidate the submit cache once they are durable.
type cachingStore struct {
	Store
	cache *submitCache
}

func (s cachingStore) after(err error) error {
	s.cache.invalidate()
	return err
}

func (s cachingStore) CreateJobQueue(ctx context.Context, q *barge.JobQueue) error {
	return s.after(s.Store.CreateJobQueue(ctx, q))
}

func (s cachingStore) PutJobQueue(ctx context.Context, q *barge.JobQueue) error {
	return s.after(s.Store.PutJobQueue(ctx, q))
}

func (s cachingStore) DeleteJobQueue(ctx context.Context, name string) error {
	return s.after(s.Store.DeleteJobQueue(ctx, name))
}

func (s cachingStore) RegisterJobDefinition(ctx context.Context, d *barge.JobDefinition) error {
	return s.after(s.Store.RegisterJobDefinition(ctx, d))
}

func (s cachingStore) PutJobDefinition(ctx context.Context, d *barge.JobDefinition) error {
	return s.after(s.Store.PutJobDefinition(ctx, d))
}

func (s cachingStore) CreateComputeEnvironment(ctx context.Context, ce *barge.ComputeEnvironment) error {
	return s.after(s.Store.CreateComputeEnvironment(ctx, ce))
}

func (s cachingStore) PutComputeEnvironment(ctx context.Context, ce *barge.ComputeEnvironment) error {
	return s.after(s.Store.PutComputeEnvironment(ctx, ce))
}

func (s cachingStore) DeleteComputeEnvironment(ctx context.Context, name string) error {
	return s.after(s.Store.DeleteComputeEnvironment(ctx, name))
}

// ForgetCached empties the submit cache. A server that shares its database
// with others calls it periodically, since their changes to queues,
// definitions and compute environments do not pass through its
// cachingStore: so what it caches is at most that period old, as AWS
// Batch's own reads are eventually consistent.
func (s *Service) ForgetCached() { s.cache.invalidate() }
