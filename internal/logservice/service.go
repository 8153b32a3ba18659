// Package logservice is CloudWatch Logs without the wire: log groups, log
// streams, their events, retention and tags, with AWS's validation, limits
// and error messages, taking and returning typed values. The Logs API
// (internal/logs) decodes requests into calls of this package and encodes
// what it returns; barge's job runner writes jobs' output through it
// (EnsureStream, Append, LastEvents).
package logservice

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// Store is what the Logs service needs from the durable store.
type Store interface {
	CreateLogGroup(ctx context.Context, g *barge.LogGroup) error
	GetLogGroup(ctx context.Context, name string) (*barge.LogGroup, error)
	ListLogGroups(ctx context.Context, q barge.LogGroupQuery) ([]*barge.LogGroup, error)
	SetLogGroupRetention(ctx context.Context, name string, days int) error
	UpdateLogGroupTags(ctx context.Context, name string, update func(tags map[string]string) error) error
	DeleteLogGroup(ctx context.Context, name string) error

	CreateLogStream(ctx context.Context, group, stream string, createdAt int64) error
	EnsureLogStream(ctx context.Context, group, stream string, createGroup bool, createdAt int64) error
	ListLogStreams(ctx context.Context, q barge.LogStreamQuery) ([]*barge.LogStream, error)
	DeleteLogStream(ctx context.Context, group, stream string) error

	AppendLogEvents(ctx context.Context, group, stream string, events []barge.LogEvent) error
	GetLogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error)
	FilterLogEvents(ctx context.Context, f barge.LogFilter) (*barge.LogFilterResult, error)
	ExpireLogEvents(ctx context.Context, now int64, batch int) (int64, error)
}

// Config configures the Logs service.
type Config struct {
	Store Store
	Scope barge.Scope
	Log   *slog.Logger
	Now   func() time.Time

	// ExpireEvery is how often Run deletes the events that retention
	// policies expire; 0 means every minute.
	ExpireEvery time.Duration

	// FilterScan bounds the events one FilterLogEvents call examines, so
	// that a search of a large group answers in bounded time, with a
	// nextToken to go on (as AWS does); 0 means 200,000.
	FilterScan int
}

// Service implements the CloudWatch Logs operations on typed values.
type Service struct {
	store       Store
	scope       barge.Scope
	log         *slog.Logger
	now         func() time.Time
	expireEvery time.Duration
	filterScan  int
}

// New returns the Logs service.
func New(cfg Config) *Service {
	s := &Service{
		store:       cfg.Store,
		scope:       cfg.Scope,
		log:         cfg.Log,
		now:         cfg.Now,
		expireEvery: cfg.ExpireEvery,
		filterScan:  cfg.FilterScan,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.expireEvery <= 0 {
		s.expireEvery = time.Minute
	}
	if s.filterScan <= 0 {
		s.filterScan = 200_000
	}
	return s
}

func (s *Service) nowMillis() int64 { return s.now().UnixMilli() }

// Run deletes, every ExpireEvery until ctx ends, the events older than
// their group's retention and the events of deleted groups and streams.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.expireEvery)
	defer t.Stop()
	for {
		s.Expire(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Expire runs one pass of expiry now, as Run does every ExpireEvery.
func (s *Service) Expire(ctx context.Context) {
	n, err := s.store.ExpireLogEvents(ctx, s.nowMillis(), 0)
	if err != nil && ctx.Err() == nil {
		s.log.Error("expiring log events failed", "error", err)
	}
	if n > 0 {
		s.log.Debug("expired log events", "count", n)
	}
}

// GroupARN returns the ARN of a log group as DescribeLogGroups' arn member
// gives it, with the trailing ":*"; logGroupArn is the same without it.
func (s *Service) GroupARN(name string) string {
	return s.scope.ARNPrefix("logs") + "log-group:" + name + ":*"
}

// StreamARN returns the ARN of a log stream.
func (s *Service) StreamARN(group, stream string) string {
	return s.scope.ARNPrefix("logs") + "log-group:" + group + ":log-stream:" + stream
}

// groupFromARN returns the log group an ARN names, with or without the
// trailing ":*"; ok is false for any other string.
func (s *Service) groupFromARN(arn string) (name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, s.scope.ARNPrefix("logs")+"log-group:")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ":*")
	return rest, rest != "" && !strings.Contains(rest, ":")
}

// groupName returns the log group an operation is about: logGroupName, or
// logGroupIdentifier (a name or an ARN), exactly one of them.
func (s *Service) groupName(name, identifier string) (string, error) {
	switch {
	case name != "" && identifier != "":
		return "", barge.Errorf(barge.EInvalid, "LogGroupName and LogGroupIdentifier are mutually exclusive parameters. Specify only one.")
	case name != "":
		return name, validGroupName("logGroupName", name)
	case identifier == "":
		return "", barge.Errorf(barge.EInvalid, "Either logGroupName or logGroupIdentifier is required.")
	case strings.HasPrefix(identifier, "arn:"):
		g, ok := s.groupFromARN(identifier)
		if !ok {
			return "", barge.Errorf(barge.EInvalid, "logGroupIdentifier %s is not the ARN of a log group of this region and account (%slog-group:NAME).", identifier, s.scope.ARNPrefix("logs"))
		}
		return g, validGroupName("logGroupIdentifier", g)
	}
	return identifier, validGroupName("logGroupIdentifier", identifier)
}
