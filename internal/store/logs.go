package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/bargehq/barge"
)

// CloudWatch Logs: log groups, their streams, and the streams' events. The
// schema and its reasons are in migrations/0002_logs.sql.

// logEventOverhead is what CloudWatch Logs counts for an event besides its
// message's bytes, in its 1 MiB limits on requests and response pages.
const logEventOverhead = 26

const logGroupColumns = "name, created_at, retention_days, class, tags, kms_key_id"

func scanLogGroup(row interface{ Scan(...any) error }) (*barge.LogGroup, error) {
	g := new(barge.LogGroup)
	var retention sql.NullInt64
	var tags []byte
	if err := row.Scan(&g.Name, &g.CreatedAt, &retention, &g.Class, &tags, &g.KMSKeyID); err != nil {
		return nil, err
	}
	g.RetentionDays = int(retention.Int64)
	if tags != nil {
		if err := json.Unmarshal(tags, &g.Tags); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// encodeTags returns the stored form of tags: JSON, or nil for none.
func encodeTags(tags map[string]string) ([]byte, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	return json.Marshal(tags)
}

// nullDays is a retention as stored: NULL for none.
func nullDays(days int) any {
	if days <= 0 {
		return nil
	}
	return days
}

// nextLogID hands out the next group or stream number.
func nextLogID(tx *wtx) (int64, error) {
	var id int64
	err := tx.queryRow("UPDATE log_ids SET last = last + 1 WHERE name = 'log' RETURNING last").Scan(&id)
	return id, err
}

// logGroupID returns the number of the group called name.
func logGroupID(tx *wtx, name string) (int64, error) {
	var id int64
	err := tx.queryRow("SELECT id FROM log_groups WHERE name = ?", name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, barge.ErrNoLogGroup
	}
	return id, err
}

// logStreamIDs returns the numbers of a group and of its stream.
func logStreamIDs(tx *wtx, group, stream string) (groupID, streamID int64, err error) {
	if groupID, err = logGroupID(tx, group); err != nil {
		return 0, 0, err
	}
	err = tx.queryRow("SELECT id FROM log_streams WHERE group_id = ? AND name = ?", groupID, stream).Scan(&streamID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, barge.ErrNoLogStream
	}
	return groupID, streamID, err
}

func insertLogGroup(tx *wtx, g *barge.LogGroup, tags []byte) (int64, error) {
	id, err := nextLogID(tx)
	if err != nil {
		return 0, err
	}
	// ON CONFLICT DO NOTHING rather than a unique violation: on
	// PostgreSQL an error ends the transaction's use, and EnsureLogStream
	// goes on after finding the stream exists.
	n, err := affected(tx.exec("INSERT INTO log_groups (name, id, created_at, retention_days, class, tags, kms_key_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		g.Name, id, g.CreatedAt, nullDays(g.RetentionDays), g.Class, tags, g.KMSKeyID))
	if err == nil && n == 0 {
		return 0, barge.ErrLogGroupExists
	}
	return id, err
}

func insertLogStream(tx *wtx, groupID int64, name string, createdAt int64) error {
	id, err := nextLogID(tx)
	if err != nil {
		return err
	}
	n, err := affected(tx.exec("INSERT INTO log_streams (id, group_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		id, groupID, name, createdAt))
	if err == nil && n == 0 {
		return barge.ErrLogStreamExists
	}
	return err
}

// CreateLogGroup stores a new log group; barge.ErrLogGroupExists if one of its
// name exists.
func (s *Store) CreateLogGroup(ctx context.Context, g *barge.LogGroup) error {
	tags, err := encodeTags(g.Tags)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := insertLogGroup(tx, g, tags)
		return err
	})
}

// GetLogGroup returns the log group called name; barge.ErrNoLogGroup if there is
// none.
func (s *Store) GetLogGroup(ctx context.Context, name string) (*barge.LogGroup, error) {
	g, err := scanLogGroup(s.queryRow(ctx, "SELECT "+logGroupColumns+" FROM log_groups WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, barge.ErrNoLogGroup
	}
	return g, s.d.dbError(err)
}

// ListLogGroups returns the log groups q selects, in name order.
func (s *Store) ListLogGroups(ctx context.Context, q barge.LogGroupQuery) ([]*barge.LogGroup, error) {
	query := "SELECT " + logGroupColumns + " FROM log_groups WHERE name > ?"
	args := []any{q.After}
	if q.Prefix != "" {
		query += " AND name >= ?"
		args = append(args, q.Prefix)
		if end, ok := prefixEnd(q.Prefix); ok {
			query += " AND name < ?"
			args = append(args, end)
		}
	}
	query += " ORDER BY name"
	if q.Contains == "" && q.Class == "" {
		query += " LIMIT ?"
		args = append(args, pageSize(q.Limit))
	}
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.LogGroup
	for len(out) < pageSize(q.Limit) && rows.Next() {
		g, err := scanLogGroup(rows)
		if err != nil {
			return nil, s.d.dbError(err)
		}
		if strings.Contains(g.Name, q.Contains) && (q.Class == "" || g.Class == q.Class) {
			out = append(out, g)
		}
	}
	return out, s.d.dbError(rows.Err())
}

// SetLogGroupRetention sets how many days the group's events are kept, 0
// for ever; barge.ErrNoLogGroup if there is no such group.
func (s *Store) SetLogGroupRetention(ctx context.Context, name string, days int) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("UPDATE log_groups SET retention_days = ? WHERE name = ?", nullDays(days), name))
		if err == nil && n == 0 {
			return barge.ErrNoLogGroup
		}
		return err
	})
}

// UpdateLogGroupTags replaces the tags of the group called name with what
// update makes of them, atomically; barge.ErrNoLogGroup if there is no such group.
// update runs on the store's writer, so it must only compute; its error
// leaves the tags as they were and is returned.
func (s *Store) UpdateLogGroupTags(ctx context.Context, name string, update func(tags map[string]string) error) error {
	return s.write(ctx, func(tx *wtx) error {
		var data []byte
		err := tx.queryRow("SELECT tags FROM log_groups WHERE name = ?", name).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return barge.ErrNoLogGroup
		}
		if err != nil {
			return err
		}
		tags := map[string]string{}
		if data != nil {
			if err := json.Unmarshal(data, &tags); err != nil {
				return err
			}
		}
		if err := update(tags); err != nil {
			return err
		}
		if data, err = encodeTags(tags); err != nil {
			return err
		}
		_, err = tx.exec("UPDATE log_groups SET tags = ? WHERE name = ?", data, name)
		return err
	})
}

// DeleteLogGroup deletes the group called name and its streams;
// barge.ErrNoLogGroup if there is no such group. Their events are deleted later,
// by ExpireLogEvents, and no reader sees them in the meantime.
func (s *Store) DeleteLogGroup(ctx context.Context, name string) error {
	return s.write(ctx, func(tx *wtx) error {
		id, err := logGroupID(tx, name)
		if err != nil {
			return err
		}
		if _, err := tx.exec("DELETE FROM log_groups WHERE name = ?", name); err != nil {
			return err
		}
		if _, err := tx.exec("DELETE FROM log_streams WHERE group_id = ?", id); err != nil {
			return err
		}
		_, err = tx.exec("INSERT INTO log_purges (id, is_group) VALUES (?, 1)", id)
		return err
	})
}

// CreateLogStream stores a new stream in a group; barge.ErrNoLogGroup if there is
// no such group, barge.ErrLogStreamExists if the stream exists.
func (s *Store) CreateLogStream(ctx context.Context, group, stream string, createdAt int64) error {
	return s.write(ctx, func(tx *wtx) error {
		id, err := logGroupID(tx, group)
		if err != nil {
			return err
		}
		return insertLogStream(tx, id, stream, createdAt)
	})
}

// EnsureLogStream creates the stream of a group unless it exists, and the
// group too when createGroup is set (as a STANDARD group created at
// createdAt); otherwise a missing group is barge.ErrNoLogGroup.
func (s *Store) EnsureLogStream(ctx context.Context, group, stream string, createGroup bool, createdAt int64) error {
	return s.write(ctx, func(tx *wtx) error {
		id, err := logGroupID(tx, group)
		if err == barge.ErrNoLogGroup && createGroup {
			id, err = insertLogGroup(tx, &barge.LogGroup{Name: group, CreatedAt: createdAt, Class: "STANDARD"}, nil)
		}
		if err != nil {
			return err
		}
		if err := insertLogStream(tx, id, stream, createdAt); err != barge.ErrLogStreamExists {
			return err
		}
		return nil
	})
}

// DeleteLogStream deletes a stream of a group; barge.ErrNoLogGroup or
// barge.ErrNoLogStream if either is missing. Its events are deleted later, by
// ExpireLogEvents, and no reader sees them in the meantime.
func (s *Store) DeleteLogStream(ctx context.Context, group, stream string) error {
	return s.write(ctx, func(tx *wtx) error {
		_, id, err := logStreamIDs(tx, group, stream)
		if err != nil {
			return err
		}
		if _, err := tx.exec("DELETE FROM log_streams WHERE id = ?", id); err != nil {
			return err
		}
		_, err = tx.exec("INSERT INTO log_purges (id, is_group) VALUES (?, 0)", id)
		return err
	})
}

// ListLogStreams returns the streams q selects; barge.ErrNoLogGroup if the group
// does not exist.
func (s *Store) ListLogStreams(ctx context.Context, q barge.LogStreamQuery) ([]*barge.LogStream, error) {
	var groupID int64
	err := s.queryRow(ctx, "SELECT id FROM log_groups WHERE name = ?", q.Group).Scan(&groupID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, barge.ErrNoLogGroup
	}
	if err != nil {
		return nil, s.d.dbError(err)
	}
	query := "SELECT name, created_at, first_event, last_event, last_ingestion FROM log_streams WHERE group_id = ?"
	args := []any{groupID}
	cmp, dir := ">", ""
	if q.Descending {
		cmp, dir = "<", " DESC"
	}
	if q.Prefix != "" {
		query += " AND name >= ?"
		args = append(args, q.Prefix)
		if end, ok := prefixEnd(q.Prefix); ok {
			query += " AND name < ?"
			args = append(args, end)
		}
	}
	switch {
	case q.ByLastEvent && q.After != nil:
		query += " AND (last_event, name) " + cmp + " (?, ?)"
		args = append(args, q.After.LastEvent, q.After.Name)
	case q.After != nil:
		query += " AND name " + cmp + " ?"
		args = append(args, q.After.Name)
	}
	if q.ByLastEvent {
		query += " ORDER BY last_event" + dir + ", name" + dir
	} else {
		query += " ORDER BY name" + dir
	}
	query += " LIMIT ?"
	args = append(args, pageSize(q.Limit))
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []*barge.LogStream
	for rows.Next() {
		st := new(barge.LogStream)
		if err := rows.Scan(&st.Name, &st.CreatedAt, &st.FirstEvent, &st.LastEvent, &st.LastIngestion); err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, st)
	}
	return out, s.d.dbError(rows.Err())
}

// maxEventsPerWrite bounds the events one write request stores, so that a
// large append does not hold up other writers for long: AppendLogEvents
// splits bigger appends into several writes.
const maxEventsPerWrite = 10_000

// eventRowsPerInsert are the row counts of the INSERT statements that store
// events, largest first: an append is written with as many statements of
// the largest size as fit, then of the smaller sizes. A few fixed sizes keep
// the writer's cache of prepared statements small; 256 rows are 1,280
// parameters, well within SQLite's limit.
var eventRowsPerInsert = []int{256, 64, 16, 4, 1}

func insertEventsSQL(n int) string {
	const row = "(?, ?, ?, ?, ?)"
	return "INSERT INTO log_events (group_id, stream_id, timestamp, ingested, message) VALUES " +
		row + strings.Repeat(", "+row, n-1)
}

// AppendLogEvents stores events (their Timestamp, Ingested and Message) in
// a stream of a group, durably; barge.ErrNoLogGroup or barge.ErrNoLogStream if either is
// missing. A stream's order is by timestamp, so events may come in any
// order, though they usually come in time order. Appends of more than
// 10,000 events are stored in several writes, each atomic, so that a large
// one does not hold up other writers.
func (s *Store) AppendLogEvents(ctx context.Context, group, stream string, events []barge.LogEvent) error {
	for lo := 0; lo < len(events); lo += maxEventsPerWrite {
		chunk := events[lo:min(lo+maxEventsPerWrite, len(events))]
		if err := s.writeRepeatable(ctx, func(tx *wtx) error { return appendLogEvents(tx, group, stream, chunk) }); err != nil {
			return err
		}
	}
	return nil
}

func appendLogEvents(tx *wtx, group, stream string, events []barge.LogEvent) error {
	groupID, streamID, err := logStreamIDs(tx, group, stream)
	if err != nil {
		return err
	}
	first, last, ingested := int64(math.MaxInt64), int64(math.MinInt64), int64(0)
	args := make([]any, 0, 5*min(len(events), eventRowsPerInsert[0]))
	rest := events
	for _, n := range eventRowsPerInsert {
		for len(rest) >= n {
			args = args[:0]
			for _, e := range rest[:n] {
				first, last, ingested = min(first, e.Timestamp), max(last, e.Timestamp), max(ingested, e.Ingested)
				args = append(args, groupID, streamID, e.Timestamp, e.Ingested, e.Message)
			}
			if _, err := tx.exec(insertEventsSQL(n), args...); err != nil {
				return err
			}
			rest = rest[n:]
		}
	}
	if len(events) == 0 {
		return nil
	}
	_, err = tx.exec(`UPDATE log_streams SET
		first_event = CASE WHEN last_ingestion = 0 OR first_event > ? THEN ? ELSE first_event END,
		last_event = CASE WHEN last_ingestion = 0 OR last_event < ? THEN ? ELSE last_event END,
		last_ingestion = CASE WHEN last_ingestion < ? THEN ? ELSE last_ingestion END
		WHERE id = ?`, first, first, last, last, ingested, ingested, streamID)
	return err
}

// resolveLogStream returns the number of a stream of a group.
func (s *Store) resolveLogStream(ctx context.Context, group, stream string) (int64, error) {
	var streamID sql.NullInt64
	err := s.queryRow(ctx, `SELECT st.id FROM log_groups g
		LEFT JOIN log_streams st ON st.group_id = g.id AND st.name = ?
		WHERE g.name = ?`, stream, group).Scan(&streamID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, barge.ErrNoLogGroup
	case err != nil:
		return 0, s.d.dbError(err)
	case !streamID.Valid:
		return 0, barge.ErrNoLogStream
	}
	return streamID.Int64, nil
}

// GetLogEvents returns the events of one stream that r selects, in order;
// barge.ErrNoLogGroup or barge.ErrNoLogStream if either is missing.
func (s *Store) GetLogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error) {
	streamID, err := s.resolveLogStream(ctx, r.Group, r.Stream)
	if err != nil {
		return nil, err
	}
	limit := r.Limit
	if limit <= 0 {
		limit = 10_000
	}
	order := " ORDER BY timestamp, seq LIMIT ?"
	if r.Backward {
		order = " ORDER BY timestamp DESC, seq DESC LIMIT ?"
	}
	rows, err := s.query(ctx, `SELECT seq, timestamp, ingested, message FROM log_events
		WHERE stream_id = ? AND (timestamp, seq) > (?, ?) AND (timestamp, seq) < (?, ?)`+order,
		streamID, r.After.Timestamp, r.After.Seq, r.Before.Timestamp, r.Before.Seq, limit)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []barge.LogEvent
	size := 0
	for rows.Next() {
		var e barge.LogEvent
		if err := rows.Scan(&e.Seq, &e.Timestamp, &e.Ingested, &e.Message); err != nil {
			return nil, s.d.dbError(err)
		}
		size += len(e.Message) + logEventOverhead
		if r.MaxBytes > 0 && size > r.MaxBytes && len(out) > 0 {
			break
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.d.dbError(err)
	}
	if r.Backward {
		slices.Reverse(out)
	}
	return out, nil
}

// FilterLogEvents returns the events f selects; barge.ErrNoLogGroup if the group
// is missing. Names of missing streams select no events.
//
// Events of one stream are read by the stream's index; events of several
// streams are read in the group's time order, each one examined (and
// counted against MaxScan) whatever its stream.
func (s *Store) FilterLogEvents(ctx context.Context, f barge.LogFilter) (*barge.LogFilterResult, error) {
	var rows *sql.Rows
	var stream string
	limit := f.Limit
	if limit <= 0 {
		limit = 10_000
	}
	scan := math.MaxInt64
	if f.MaxScan > 0 {
		scan = f.MaxScan
	}
	const cols = "SELECT e.seq, e.timestamp, e.ingested, e.message"
	const where = " AND (e.timestamp, e.seq) > (?, ?) AND (e.timestamp, e.seq) < (?, ?) ORDER BY e.timestamp, e.seq LIMIT ?"
	if len(f.Streams) == 1 {
		stream = f.Streams[0]
		if !strings.HasPrefix(stream, f.StreamPrefix) {
			return &barge.LogFilterResult{}, nil
		}
		streamID, err := s.resolveLogStream(ctx, f.Group, stream)
		if err == barge.ErrNoLogStream {
			return &barge.LogFilterResult{}, nil
		}
		if err != nil {
			return nil, err
		}
		rows, err = s.query(ctx, cols+", '' FROM log_events e WHERE e.stream_id = ?"+where,
			streamID, f.After.Timestamp, f.After.Seq, f.Before.Timestamp, f.Before.Seq, scan)
		if err != nil {
			return nil, s.d.dbError(err)
		}
	} else {
		var groupID int64
		err := s.queryRow(ctx, "SELECT id FROM log_groups WHERE name = ?", f.Group).Scan(&groupID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, barge.ErrNoLogGroup
		}
		if err != nil {
			return nil, s.d.dbError(err)
		}
		// The streams' names come by a join, which also tells apart the
		// events of deleted streams (no name) from the rest.
		rows, err = s.query(ctx, cols+", st.name FROM log_events e LEFT JOIN log_streams st ON st.id = e.stream_id WHERE e.group_id = ?"+where,
			groupID, f.After.Timestamp, f.After.Seq, f.Before.Timestamp, f.Before.Seq, scan)
		if err != nil {
			return nil, s.d.dbError(err)
		}
	}
	defer rows.Close()

	var streams map[string]bool
	if f.Streams != nil {
		streams = map[string]bool{}
		for _, name := range f.Streams {
			streams[name] = true
		}
	}
	res := &barge.LogFilterResult{Next: f.After}
	size, scanned := 0, 0
	full := false // limit reached: look for one more match to set More
	for rows.Next() {
		var e barge.LogEvent
		var name sql.NullString
		if err := rows.Scan(&e.Seq, &e.Timestamp, &e.Ingested, &e.Message, &name); err != nil {
			return nil, s.d.dbError(err)
		}
		scanned++
		e.Stream = name.String
		if stream != "" {
			e.Stream = stream
		}
		ok := e.Stream != "" && strings.HasPrefix(e.Stream, f.StreamPrefix) &&
			(streams == nil || streams[e.Stream]) &&
			(f.Match == nil || f.Match(e.Message))
		if !ok {
			if !full {
				res.Next = e.Pos()
			}
			continue
		}
		size += len(e.Message) + logEventOverhead
		if full || len(res.Events) == limit || f.MaxBytes > 0 && size > f.MaxBytes && len(res.Events) > 0 {
			res.More = true
			return res, s.d.dbError(rows.Close())
		}
		res.Events = append(res.Events, e)
		res.Next = e.Pos()
		full = len(res.Events) == limit
	}
	if err := rows.Err(); err != nil {
		return nil, s.d.dbError(err)
	}
	// Stopping at MaxScan rows may leave more to examine.
	res.More = scanned == scan
	return res, nil
}

// ExpireLogEvents deletes events older than their group's retention at now
// (ms since the epoch), and the events of deleted groups and streams, in
// writes of at most batch events each (0 or less means 5,000), so that it
// never holds up other writers for long. It returns how many it deleted.
func (s *Store) ExpireLogEvents(ctx context.Context, now int64, batch int) (int64, error) {
	if batch <= 0 {
		batch = 5000
	}
	type expiry struct {
		groupID int64
		before  int64
	}
	var expiries []expiry
	rows, err := s.query(ctx, "SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL")
	if err != nil {
		return 0, s.d.dbError(err)
	}
	for rows.Next() {
		var e expiry
		var days int64
		if err := rows.Scan(&e.groupID, &days); err != nil {
			rows.Close()
			return 0, s.d.dbError(err)
		}
		e.before = now - days*24*60*60*1000
		expiries = append(expiries, e)
	}
	if err := rows.Close(); err != nil {
		return 0, s.d.dbError(err)
	}
	type purge struct {
		id      int64
		isGroup bool
	}
	var purges []purge
	rows, err = s.query(ctx, "SELECT id, is_group FROM log_purges")
	if err != nil {
		return 0, s.d.dbError(err)
	}
	for rows.Next() {
		var p purge
		if err := rows.Scan(&p.id, &p.isGroup); err != nil {
			rows.Close()
			return 0, s.d.dbError(err)
		}
		purges = append(purges, p)
	}
	if err := rows.Close(); err != nil {
		return 0, s.d.dbError(err)
	}

	var total int64
	// deleteAll runs the chunked DELETE until a chunk comes back short,
	// then done (in the same write as the last chunk).
	deleteAll := func(query string, args []any, done func(tx *wtx) error) error {
		for {
			var n int64
			err := s.write(ctx, func(tx *wtx) error {
				var err error
				if n, err = affected(tx.exec(query, append(args, batch)...)); err != nil {
					return err
				}
				if n < int64(batch) && done != nil {
					return done(tx)
				}
				return nil
			})
			total += n
			if err != nil || n < int64(batch) {
				return err
			}
		}
	}
	for _, e := range expiries {
		err := deleteAll(`DELETE FROM log_events WHERE seq IN
			(SELECT seq FROM log_events WHERE group_id = ? AND timestamp < ? LIMIT ?)`,
			[]any{e.groupID, e.before}, nil)
		if err != nil {
			return total, err
		}
	}
	for _, p := range purges {
		column := "stream_id"
		if p.isGroup {
			column = "group_id"
		}
		err := deleteAll(`DELETE FROM log_events WHERE seq IN
			(SELECT seq FROM log_events WHERE `+column+` = ? LIMIT ?)`,
			[]any{p.id}, func(tx *wtx) error {
				_, err := tx.exec("DELETE FROM log_purges WHERE id = ?", p.id)
				return err
			})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
