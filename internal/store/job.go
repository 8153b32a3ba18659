package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"runtime"
	"strings"
	"sync"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/bargehq/barge"
)

// jobColumns are the columns a job is read from, in scanJob's order.
const jobColumns = "seq, id, queue, status, name, array_parent, array_index, created_at, started_at, stopped_at, state, spec"

// jobState is the part of a job stored as the state document: what changes
// over its life and is never filtered on. TestJobFieldsStored checks that
// every field of barge.Job is either here or a column.
type jobState struct {
	StatusReason string                  `json:"statusReason,omitempty"`
	IsCancelled  bool                    `json:"isCancelled,omitempty"`
	IsTerminated bool                    `json:"isTerminated,omitempty"`
	Attempts     []barge.Attempt         `json:"attempts,omitempty"`
	Runtime      *barge.ContainerRuntime `json:"runtime,omitempty"`
}

// encodedJob is a job's JSON documents, made before the write so that the
// writer goroutine spends its time on SQL only.
type encodedJob struct {
	j     *barge.Job
	state []byte // nil when there is no state to keep
	spec  []byte // nil on array children
}

func encodeJob(j *barge.Job) (encodedJob, error) {
	e := encodedJob{j: j}
	st := jobState{
		StatusReason: j.StatusReason,
		IsCancelled:  j.IsCancelled,
		IsTerminated: j.IsTerminated,
		Attempts:     j.Attempts,
		Runtime:      j.Runtime,
	}
	if st.StatusReason != "" || st.IsCancelled || st.IsTerminated || len(st.Attempts) > 0 || st.Runtime != nil {
		b, err := json.Marshal(st)
		if err != nil {
			return e, err
		}
		e.state = b
	}
	if j.Spec != nil {
		b, err := json.Marshal(j.Spec)
		if err != nil {
			return e, err
		}
		e.spec = b
	}
	return e, nil
}

// rawJob is a job read from a row of jobColumns whose documents are not
// decoded yet.
type rawJob struct {
	j           *barge.Job
	state, spec []byte
}

// scanRawJob reads a row of jobColumns.
func scanRawJob(rows *sql.Rows) (rawJob, error) {
	var state, spec []byte
	r, err := scanJobRow(rows, &state, &spec)
	r.state, r.spec = state, spec
	return r, err
}

// scanJobRow reads a row of jobColumns, its documents into state and spec:
// a []byte each to keep a copy, or sql.RawBytes to borrow them until the
// next row.
func scanJobRow[B []byte | sql.RawBytes](rows *sql.Rows, state, spec *B) (rawJob, error) {
	r := rawJob{j: new(barge.Job)}
	j := r.j
	var parent sql.NullString
	var index sql.NullInt64
	err := rows.Scan(&j.Seq, &j.ID, &j.Queue, &j.Status, &j.Name, &parent, &index,
		&j.CreatedAt, &j.StartedAt, &j.StoppedAt, state, spec)
	j.ArrayParent, j.ArrayIndex = parent.String, int(index.Int64)
	return r, err
}

// scanJob reads and decodes a row of jobColumns. Its documents are decoded
// from the driver's bytes, not from a copy: a DescribeJobs call copied
// 100 KB for nothing.
func scanJob(rows *sql.Rows) (*barge.Job, error) {
	var state, spec sql.RawBytes
	r, err := scanJobRow(rows, &state, &spec)
	if err != nil {
		return nil, err
	}
	r.state, r.spec = state, spec
	return r.j, r.decode(false)
}

// summaryState is the part of the state document a job summary shows.
type summaryState struct {
	StatusReason string `json:"statusReason,omitempty"`
	IsCancelled  bool   `json:"isCancelled,omitempty"`
	IsTerminated bool   `json:"isTerminated,omitempty"`
	Runtime      *struct {
		ExitCode *int   `json:"exitCode,omitempty"`
		Reason   string `json:"reason,omitempty"`
	} `json:"runtime,omitempty"`
}

// summarySpec is the part of the spec document a job summary shows, with
// the job's size and platform, which say why a RUNNABLE job waits.
type summarySpec struct {
	JobDefinitionArn string `json:"jobDefinitionArn"`
	ShareIdentifier  string `json:"shareIdentifier,omitempty"`
	ArraySize        int    `json:"arraySize,omitempty"`
	Container        *struct {
		Vcpus                *int                        `json:"vcpus,omitempty"`
		ResourceRequirements []barge.ResourceRequirement `json:"resourceRequirements,omitempty"`
		RuntimePlatform      *barge.RuntimePlatform      `json:"runtimePlatform,omitempty"`
	} `json:"container,omitempty"`
	// EksProperties holds an EKS job's containers' resources only.
	EksProperties *struct {
		Containers     []summaryEksContainer `json:"containers,omitempty"`
		InitContainers []summaryEksContainer `json:"initContainers,omitempty"`
	} `json:"eksProperties,omitempty"`
}

type summaryEksContainer struct {
	Resources *barge.EksResources `json:"resources,omitempty"`
}

// eksSized returns an EKS Pod of containers with these resources only.
func eksSized(containers, inits []summaryEksContainer) *barge.EksPodProperties {
	p := &barge.EksPodProperties{}
	for _, c := range containers {
		p.Containers = append(p.Containers, barge.EksContainer{Resources: c.Resources})
	}
	for _, c := range inits {
		p.InitContainers = append(p.InitContainers, barge.EksContainer{Resources: c.Resources})
	}
	return p
}

// decode fills r.j from its documents: all of them, or with summary only
// what barge.JobQuery.Summary promises.
//
// Documents are decoded with encoding/json's rules by json/v2's decoder
// (github.com/go-json-experiment/json mirrors the standard library's
// encoding/json/v2), twice as fast as encoding/json's own: decoding was a
// third of a DescribeJobs call. They are still encoded with encoding/json,
// which encodes faster.
func (r rawJob) decode(summary bool) error {
	j := r.j
	switch {
	case r.state == nil:
	case summary:
		var st summaryState
		if err := jsonv1.Unmarshal(r.state, &st); err != nil {
			return err
		}
		j.StatusReason, j.IsCancelled, j.IsTerminated = st.StatusReason, st.IsCancelled, st.IsTerminated
		if st.Runtime != nil {
			j.Runtime = &barge.ContainerRuntime{ExitCode: st.Runtime.ExitCode, Reason: st.Runtime.Reason}
		}
	default:
		var st jobState
		if err := jsonv1.Unmarshal(r.state, &st); err != nil {
			return err
		}
		j.StatusReason, j.IsCancelled, j.IsTerminated = st.StatusReason, st.IsCancelled, st.IsTerminated
		j.Attempts, j.Runtime = st.Attempts, st.Runtime
	}
	switch {
	case r.spec == nil:
	case summary:
		var sp summarySpec
		if err := jsonv1.Unmarshal(r.spec, &sp); err != nil {
			return err
		}
		j.Spec = &barge.JobSpec{JobDefinitionArn: sp.JobDefinitionArn, ShareIdentifier: sp.ShareIdentifier, ArraySize: sp.ArraySize}
		if c := sp.Container; c != nil {
			j.Spec.Container = &barge.ContainerProperties{Vcpus: c.Vcpus, ResourceRequirements: c.ResourceRequirements, RuntimePlatform: c.RuntimePlatform}
		}
		if p := sp.EksProperties; p != nil {
			j.Spec.EksProperties = eksSized(p.Containers, p.InitContainers)
		}
	default:
		j.Spec = new(barge.JobSpec)
		if err := jsonv1.Unmarshal(r.spec, j.Spec); err != nil {
			return err
		}
	}
	return nil
}

// minJobsPerDecoder is the fewest jobs worth a goroutine of their own to
// decode.
const minJobsPerDecoder = 32

// decodeJobs decodes raws, spread over the CPUs when they are many: decoding
// costs more than reading the rows, and one caller would otherwise leave the
// other CPUs idle.
func decodeJobs(raws []rawJob, summary bool) ([]*barge.Job, error) {
	parts := min(runtime.GOMAXPROCS(0), len(raws)/minJobsPerDecoder)
	errs := make([]error, max(parts, 1))
	decodePart := func(p int) {
		for _, r := range raws[p*len(raws)/len(errs) : (p+1)*len(raws)/len(errs)] {
			if err := r.decode(summary); err != nil {
				errs[p] = err
				return
			}
		}
	}
	if parts <= 1 {
		decodePart(0)
	} else {
		var wg sync.WaitGroup
		for p := range parts {
			wg.Go(func() { decodePart(p) })
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]*barge.Job, len(raws))
	for i, r := range raws {
		out[i] = r.j
	}
	return out, nil
}

// InsertJobs stores new jobs in one durable write, setting each job's Seq
// (in the order given) and raising its CreatedAt, if needed, to that of the
// job stored before it, so that CreatedAt never decreases with Seq. An array
// job is its parent followed by its children, in one call. EConflict if an ID
// exists, and then none of jobs is stored (and their Seq means nothing).
func (s *Store) InsertJobs(ctx context.Context, jobs []*barge.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	enc := make([]encodedJob, len(jobs))
	for i, j := range jobs {
		var err error
		if enc[i], err = encodeJob(j); err != nil {
			return err
		}
	}
	// Repeatable: a second run numbers the jobs afresh from the newest
	// stored one.
	return s.writeRepeatable(ctx, func(tx *wtx) error {
		if err := insertJobs(tx, enc); err != nil {
			return err
		}
		return insertDeps(tx, jobs)
	})
}

// insertColumns are the columns InsertJobs writes.
const insertColumns = "seq, id, queue, status, name, name_lc, jobdef_name, jobdef_arn, share_id, priority, " +
	"array_parent, array_index, created_at, started_at, stopped_at, state, spec"

// rowsPerInsert is how many jobs one INSERT statement writes. Many rows per
// statement spread its fixed costs; 100 rows are 1,600 parameters, well
// within SQLite's limit of 32,766.
const rowsPerInsert = 100

// insertJobsSQL returns the INSERT statement for n jobs.
func insertJobsSQL(n int) string {
	row := "(?" + strings.Repeat(", ?", strings.Count(insertColumns, ",")) + ")"
	return "INSERT INTO jobs (" + insertColumns + ") VALUES " + row + strings.Repeat(", "+row, n-1)
}

func insertJobs(tx *wtx, enc []encodedJob) error {
	// The writer is the only one to insert jobs, so it numbers them
	// itself, continuing from the last: this works alike on every
	// database and lets one statement insert many rows.
	seq, created, err := tx.lastJob()
	if err != nil {
		return err
	}
	args := make([]any, 0, min(len(enc), rowsPerInsert)*(strings.Count(insertColumns, ",")+1))
	shares := shareLines{}
	for lo := 0; lo < len(enc); lo += rowsPerInsert {
		chunk := enc[lo:min(lo+rowsPerInsert, len(enc))]
		args = args[:0]
		for _, e := range chunk {
			j := e.j
			seq++
			j.Seq = seq
			j.CreatedAt = max(j.CreatedAt, created)
			created = j.CreatedAt
			var nameLC, defName, defArn, parent, index any
			share, priority := shares.of(j)
			if j.ArrayParent != "" {
				parent, index = j.ArrayParent, j.ArrayIndex
			} else {
				nameLC = strings.ToLower(j.Name)
			}
			if j.Spec != nil {
				defName, defArn = j.Spec.JobDefinitionName, j.Spec.JobDefinitionArn
			}
			args = append(args, j.Seq, j.ID, j.Queue, j.Status, j.Name, nameLC, defName, defArn, share, priority,
				parent, index, j.CreatedAt, j.StartedAt, j.StoppedAt, e.state, e.spec)
		}
		if _, err := tx.exec(insertJobsSQL(len(chunk)), args...); err != nil {
			if tx.w.d.isUniqueViolation(err) {
				return barge.Errorf(barge.EConflict, "A job with one of the IDs given already exists.")
			}
			return err
		}
	}
	tx.jobSeq, tx.jobCreated = seq, created
	for _, e := range enc {
		tx.changed(e.j, "")
	}
	return nil
}

// lastJob returns the number and creation time of the newest job, the
// point from which InsertJobs numbers. It reads them once per transaction,
// after taking the dialect's lock on numbering (which then holds until the
// transaction ends), and then keeps them as insertJobs moves them: the
// requests of a batch each insert a job or a few, and each would otherwise
// pay for the read and, on PostgreSQL, two round trips. A request rolled back
// leaves its numbers unused, a gap, which the order of jobs allows.
func (t *wtx) lastJob() (seq, created int64, err error) {
	if t.jobRead {
		return t.jobSeq, t.jobCreated, nil
	}
	if l := t.w.d.lockJobs; l != "" {
		if _, err := t.exec(l); err != nil {
			return 0, 0, err
		}
	}
	err = t.queryRow("SELECT seq, created_at FROM jobs ORDER BY seq DESC LIMIT 1").Scan(&seq, &created)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, err
	}
	t.jobRead, t.jobSeq, t.jobCreated = true, seq, created
	return seq, created, nil
}

// getJobsPerQuery is how many IDs one query of GetJobs looks up; every
// count up to it is a statement of its own.
const getJobsPerQuery = 100

// minIDsPerReader is the fewest IDs worth a reader connection of their own:
// GetJobs splits a larger lookup across as many readers as there are CPUs,
// since decoding the rows costs more than the lookups and one caller would
// otherwise leave the other CPUs idle.
const minIDsPerReader = 25

// GetJobs returns the jobs with the given IDs, in the order of ids. Unknown
// IDs are left out, and an ID given twice yields its job once.
func (s *Store) GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error) {
	parts := min(runtime.GOMAXPROCS(0), (len(ids)+minIDsPerReader-1)/minIDsPerReader)
	if parts > 1 && len(ids) <= getJobsPerQuery*parts {
		return s.getJobsParallel(ctx, ids, parts)
	}
	byID := make(map[string]*barge.Job, len(ids))
	args := make([]any, 0, min(len(ids), getJobsPerQuery))
	for lo := 0; lo < len(ids); lo += getJobsPerQuery {
		args = args[:0]
		for _, id := range ids[lo:min(lo+getJobsPerQuery, len(ids))] {
			args = append(args, id)
		}
		if err := s.getJobs(ctx, args, byID); err != nil {
			return nil, s.d.dbError(err)
		}
	}
	return inOrder(ids, byID), nil
}

// getJobsParallel looks ids up in parts queries of about equal size, each on
// a reader of its own, at once.
func (s *Store) getJobsParallel(ctx context.Context, ids []string, parts int) ([]*barge.Job, error) {
	found := make([]map[string]*barge.Job, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*len(ids)/parts, (p+1)*len(ids)/parts
		args := make([]any, hi-lo)
		for i, id := range ids[lo:hi] {
			args[i] = id
		}
		found[p] = make(map[string]*barge.Job, hi-lo)
		wg.Go(func() { errs[p] = s.getJobs(ctx, args, found[p]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, s.d.dbError(err)
	}
	for _, m := range found[1:] {
		maps.Copy(found[0], m)
	}
	return inOrder(ids, found[0]), nil
}

// inOrder returns the jobs of byID in the order of ids, each once; byID is
// emptied of them.
func inOrder(ids []string, byID map[string]*barge.Job) []*barge.Job {
	out := make([]*barge.Job, 0, len(byID))
	for _, id := range ids {
		if j, ok := byID[id]; ok {
			out = append(out, j)
			delete(byID, id)
		}
	}
	return out
}

// getJobs adds the jobs whose IDs are args to byID.
func (s *Store) getJobs(ctx context.Context, args []any, byID map[string]*barge.Job) error {
	query := "SELECT " + jobColumns + " FROM jobs WHERE id IN (?" + strings.Repeat(", ?", len(args)-1) + ")"
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return err
		}
		byID[j.ID] = j
	}
	return rows.Err()
}

// updateJobSQL writes what may change in a job. The spec changes only with
// its tags; a nil spec leaves it as it is.
const updateJobSQL = `UPDATE jobs SET status = ?, started_at = ?, stopped_at = ?, state = ?, spec = COALESCE(?, spec)
	WHERE id = ? AND status = ?`

// UpdateJob writes j's status, timestamps, state and spec if its stored
// status is still from. EConflict if it is not (or the job does not exist):
// someone else changed it first; read it again and decide anew.
func (s *Store) UpdateJob(ctx context.Context, j *barge.Job, from barge.JobStatus) error {
	conflicts, err := s.UpdateJobs(ctx, []barge.JobUpdate{{Job: j, From: from}})
	if err == nil && len(conflicts) > 0 {
		err = barge.Errorf(barge.EConflict, "job %q is no longer %s", j.ID, from)
	}
	return err
}

// UpdateJobs applies many conditional updates, as UpdateJob does, in one
// durable write, and returns the IDs of the jobs whose status no longer
// matched; those are left unchanged and the others are written.
func (s *Store) UpdateJobs(ctx context.Context, updates []barge.JobUpdate) (conflicts []string, err error) {
	if len(updates) == 0 {
		return nil, nil
	}
	enc := make([]encodedJob, len(updates))
	for i, u := range updates {
		if enc[i], err = encodeJob(u.Job); err != nil {
			return nil, err
		}
	}
	err = s.writeRepeatable(ctx, func(tx *wtx) error {
		conflicts = conflicts[:0] // afresh on each run
		for i, e := range enc {
			j := e.j
			n, err := affected(tx.exec(updateJobSQL, j.Status, j.StartedAt, j.StoppedAt, e.state, e.spec,
				j.ID, updates[i].From))
			if err != nil {
				return err
			}
			if n == 0 {
				conflicts = append(conflicts, j.ID)
			} else {
				tx.changed(j, updates[i].From)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return conflicts, nil
}

// CountChildren returns how many children of the array job parent are in
// each status; statuses with none are absent.
func (s *Store) CountChildren(ctx context.Context, parent string) (map[barge.JobStatus]int, error) {
	rows, err := s.query(ctx, "SELECT status, COUNT(*) FROM jobs WHERE array_parent = ? GROUP BY status", parent)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	counts := map[barge.JobStatus]int{}
	for rows.Next() {
		var st barge.JobStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, s.d.dbError(err)
		}
		counts[st] = n
	}
	return counts, s.d.dbError(rows.Err())
}
