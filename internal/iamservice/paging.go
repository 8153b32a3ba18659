package iamservice

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bargehq/barge"
)

// Markers are opaque to clients: the operation's kind and a position,
// base64 encoded. A marker of another operation, or a damaged one, is a
// client error.

func encodeMarker(kind, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + pos))
}

// decodeMarker returns the position in marker, "" for no marker.
func decodeMarker(kind, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	if utf8.RuneCountInString(marker) <= 320 {
		if b, err := base64.RawURLEncoding.DecodeString(marker); err == nil {
			if pos, ok := strings.CutPrefix(string(b), kind+":"); ok && pos != "" {
				return pos, nil
			}
		}
	}
	return "", errBadMarker()
}

func errBadMarker() error {
	return barge.Errorf(barge.EInvalid, "The Marker is not valid for this request. Pass the Marker returned by the previous call with the same parameters, or omit it to start from the first item.")
}

// maxItems returns MaxItems, 100 if absent, checked against 1 to 1000.
func maxItems(v *int) (int, error) {
	if v == nil {
		return 100, nil
	}
	switch {
	case *v < 1:
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", *v)
	case *v > 1000:
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000", *v)
	}
	return *v, nil
}

// pageOf returns the page of items that starts at the offset in the
// input's marker and holds at most its MaxItems, with the marker of the next
// page. For the short lists that are read whole (a role's policies and tags).
func pageOf[T any](kind string, items []T, in ListInput) (*Page[T], error) {
	n, err := maxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	pos, err := decodeMarker(kind, in.Marker)
	if err != nil {
		return nil, err
	}
	start := 0
	if pos != "" {
		if start, err = strconv.Atoi(pos); err != nil || start < 0 {
			return nil, errBadMarker()
		}
	}
	start = min(start, len(items))
	end := min(start+n, len(items))
	page := &Page[T]{Items: items[start:end]}
	if end < len(items) {
		page.Marker = encodeMarker(kind, strconv.Itoa(end))
	}
	return page, nil
}
