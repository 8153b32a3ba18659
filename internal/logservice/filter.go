package logservice

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bargehq/barge"
)

// FilterLogEventsInput selects the events of a group (named by Group or
// GroupIdentifier, exactly one of them) that match a filter pattern: of
// the streams named in Streams (nil for all) or whose names start with
// StreamPrefix, from StartTime (inclusive) to EndTime (exclusive).
type FilterLogEventsInput struct {
	Group           string
	GroupIdentifier string
	Streams         []string
	StreamPrefix    string
	StartTime       *int64
	EndTime         *int64
	Pattern         string
	NextToken       string
	Limit           *int // 1 to 10,000; 10,000 when nil
}

// FilterPage is a page of matching events, each with its stream's name,
// and the token of the next page ("" if the search is complete).
type FilterPage struct {
	Events    []barge.LogEvent
	NextToken string
}

// FilterLogEvents returns the events of a group's streams that match a
// filter pattern, in time order across the streams, a page at a time.
func (s *Service) FilterLogEvents(ctx context.Context, in FilterLogEventsInput) (*FilterPage, error) {
	group, err := s.groupName(in.Group, in.GroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.Streams != nil && in.StreamPrefix != "" {
		return nil, barge.Errorf(barge.EInvalid, "logStreamNames and logStreamNamePrefix are mutually exclusive parameters. Specify only one.")
	}
	if in.Streams != nil {
		if err := checkCount("logStreamNames", len(in.Streams), 1, 100, "[]"); err != nil {
			return nil, err
		}
	}
	for _, name := range in.Streams {
		if err := validStreamName("logStreamNames", name); err != nil {
			return nil, err
		}
	}
	if in.StreamPrefix != "" {
		if err := validStreamName("logStreamNamePrefix", in.StreamPrefix); err != nil {
			return nil, err
		}
	}
	n, err := limit("limit", in.Limit, maxPageEvents, maxPageEvents)
	if err != nil {
		return nil, err
	}
	match, err := parsePattern(in.Pattern)
	if err != nil {
		return nil, err
	}
	lo, hi, err := timeRange(in.StartTime, in.EndTime)
	if err != nil {
		return nil, err
	}
	f := barge.LogFilter{
		Group:        group,
		Streams:      in.Streams,
		StreamPrefix: in.StreamPrefix,
		After:        lo,
		Before:       hi,
		Match:        match,
		Limit:        n,
		MaxBytes:     maxPageBytes,
		MaxScan:      s.filterScan,
	}
	if pos, err := decodeToken("filter", in.NextToken); err != nil {
		return nil, err
	} else if pos != "" {
		ts, seq, ok := strings.Cut(pos, "/")
		p := barge.LogPos{}
		var err1, err2 error
		p.Timestamp, err1 = strconv.ParseInt(ts, 10, 64)
		p.Seq, err2 = strconv.ParseInt(seq, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, errBadToken
		}
		f.After = maxPos(lo, p)
	}
	res, err := s.store.FilterLogEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &FilterPage{Events: res.Events}
	if res.More {
		out.NextToken = encodeToken("filter", strconv.FormatInt(res.Next.Timestamp, 10)+"/"+strconv.FormatInt(res.Next.Seq, 10))
	}
	return out, nil
}

// parsePattern compiles a filter pattern for unstructured log events:
//
//   - "" matches every event;
//   - terms separated by spaces must all appear: ERROR Exception;
//   - a term in double quotes may hold spaces and punctuation: "Exception in";
//   - a term led by - must not appear: ERROR -Retrying;
//   - terms led by ? are alternatives, at least one of which must appear:
//     ?ERROR ?WARN.
//
// Matching is case-sensitive, as on AWS. JSON ({ $.x = 1 }), space-delimited
// ([a, b]) and regular-expression (%re%) patterns are refused as not
// supported, rather than matched wrongly.
func parsePattern(pattern string) (func(string) bool, error) {
	p := strings.TrimSpace(pattern)
	if p == "" {
		return nil, nil
	}
	if utf8.RuneCountInString(pattern) > 1024 {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'filterPattern' failed to satisfy constraint: Member must have length less than or equal to 1024", pattern)
	}
	switch p[0] {
	case '{', '[', '%':
		return nil, barge.Errorf(barge.EInvalid, "barge supports term filter patterns only (terms, \"quoted phrases\", -excluded and ?alternative terms); JSON, space-delimited and regular-expression patterns such as %q are not supported.", pattern)
	}
	var all, none, anyOf []string
	for p != "" {
		var prefix byte
		if p[0] == '?' || p[0] == '-' {
			prefix, p = p[0], p[1:]
		}
		var term string
		if strings.HasPrefix(p, `"`) {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, barge.Errorf(barge.EInvalid, "Invalid filter pattern %q: a quoted term has no closing double quote.", pattern)
			}
			term, p = p[1:end+1], p[end+2:]
		} else {
			end := strings.IndexAny(p, " \t")
			if end < 0 {
				end = len(p)
			}
			term, p = p[:end], p[end:]
		}
		p = strings.TrimLeft(p, " \t")
		if term == "" {
			continue
		}
		switch prefix {
		case '?':
			anyOf = append(anyOf, term)
		case '-':
			none = append(none, term)
		default:
			all = append(all, term)
		}
	}
	return func(msg string) bool {
		for _, t := range all {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(msg, t) {
				return false
			}
		}
		if len(anyOf) == 0 {
			return true
		}
		for _, t := range anyOf {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}, nil
}
