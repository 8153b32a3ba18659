package barge

import "math"

// CloudWatch Logs: log groups, their streams and events, as the Logs API and
// the store share them.

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name          string
	CreatedAt     int64 // ms since the epoch
	RetentionDays int   // 0: events never expire
	Class         string
	KMSKeyID      string // the KMS key ARN it was created with, or ""; barge does not encrypt
	Tags          map[string]string
}

// LogStream is a stream of a log group. FirstEvent and LastEvent are the
// timestamps of its oldest and newest events, LastIngestion when its last
// events were stored; all three are 0 while the stream has no events.
type LogStream struct {
	Name          string
	CreatedAt     int64
	FirstEvent    int64
	LastEvent     int64
	LastIngestion int64
}

// LogEvent is one event of a log stream.
type LogEvent struct {
	Seq       int64 // the order of ingestion across all streams, given by the store
	Timestamp int64 // ms since the epoch, as the writer gave it
	Ingested  int64 // ms since the epoch, when the store received it
	Message   string
	Stream    string // the stream's name, in FilterLogEvents results
}

// Pos returns the event's position in the order of its stream and group.
func (e *LogEvent) Pos() LogPos { return LogPos{e.Timestamp, e.Seq} }

// LogPos is a position in the events of a stream or group, which are ordered
// by timestamp and, within a timestamp, by ingestion. Stored events have a
// Seq of 1 or more, so {t, 0} is just before the first event of time t.
type LogPos struct {
	Timestamp int64
	Seq       int64
}

// LogPosMax is after every event.
var LogPosMax = LogPos{math.MaxInt64, 0}

// Less reports whether p comes before q.
func (p LogPos) Less(q LogPos) bool {
	return p.Timestamp < q.Timestamp || p.Timestamp == q.Timestamp && p.Seq < q.Seq
}

// The errors of the Logs store, in CloudWatch Logs' own words, which the
// API passes on unchanged.
var (
	ErrNoLogGroup      = &Error{Code: ENotFound, Message: "The specified log group does not exist."}
	ErrNoLogStream     = &Error{Code: ENotFound, Message: "The specified log stream does not exist."}
	ErrLogGroupExists  = &Error{Code: EConflict, Message: "The specified log group already exists"}
	ErrLogStreamExists = &Error{Code: EConflict, Message: "The specified log stream already exists"}
)

// LogGroupQuery selects log groups for ListLogGroups.
type LogGroupQuery struct {
	Prefix   string // names that start with it
	Contains string // names that contain it
	Class    string // groups of this class; "" for all
	After    string // names after it, in byte order; "" starts at the first
	Limit    int    // at most this many; 0 or less means 100
}

// LogStreamQuery selects the streams of a group for ListLogStreams.
type LogStreamQuery struct {
	Group       string
	Prefix      string // names that start with it (not with ByLastEvent)
	ByLastEvent bool   // order by the newest event's timestamp, then name, rather than by name
	Descending  bool
	After       *LogStream // continue after this stream (its Name, and LastEvent with ByLastEvent)
	Limit       int        // at most this many; 0 or less means 100
}

// LogEventRange selects events of one stream for GetLogEvents: those after
// After and before Before (both exclusive), the ones nearest After, or with
// Backward the ones nearest Before.
type LogEventRange struct {
	Group, Stream string
	After, Before LogPos
	Backward      bool
	Limit         int // at most this many; 0 or less means 10,000
	// MaxBytes bounds the events' size, counted as CloudWatch Logs does
	// (the message's bytes plus 26): the events returned are as many as
	// fit, and at least one. 0 means no bound.
	MaxBytes int
}

// LogFilter selects events of a group for FilterLogEvents: those after
// After and before Before (both exclusive), of the streams chosen, whose
// messages Match accepts, in order.
type LogFilter struct {
	Group         string
	Streams       []string // only the streams of these names; nil for all
	StreamPrefix  string   // only the streams whose names start with it
	After, Before LogPos
	Match         func(message string) bool // nil accepts every message
	Limit         int                       // at most this many events; 0 or less means 10,000
	MaxBytes      int                       // as in LogEventRange
	// MaxScan bounds the events examined by one call, matching or not, so
	// that a search of a large group returns in bounded time, with More
	// set if it stopped early. 0 means no bound.
	MaxScan int
}

// LogFilterResult is one page of FilterLogEvents.
type LogFilterResult struct {
	Events []LogEvent
	More   bool   // there may be more events: continue after Next
	Next   LogPos // where the search stopped
}
