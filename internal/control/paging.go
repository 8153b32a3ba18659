package control

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// Pagination tokens are opaque to clients: a kind tag and a position, base64
// encoded. A token of another operation or a damaged one is a client error.

func encodeToken(kind, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + pos))
}

func decodeToken(kind, token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		if pos, ok := strings.CutPrefix(string(b), kind+":"); ok && pos != "" {
			return pos, nil
		}
	}
	return "", barge.Errorf(barge.EInvalid, "nextToken is not valid for this request. Pass the nextToken returned by the previous call with the same parameters, or omit it to start from the first page.")
}

func decodeSeqToken(kind, token string) (int64, error) {
	pos, err := decodeToken(kind, token)
	if err != nil || pos == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || n <= 0 {
		return 0, barge.Errorf(barge.EInvalid, "nextToken is not valid for this request. Pass the nextToken returned by the previous call with the same parameters, or omit it to start from the first page.")
	}
	return n, nil
}

// pageSize checks maxResults against [1, max] and returns def when absent.
func pageSize(maxResults *int, def, max int) (int, error) {
	if maxResults == nil {
		return def, nil
	}
	if *maxResults < 1 || *maxResults > max {
		return 0, barge.Errorf(barge.EInvalid, "maxResults must be between 1 and %d; got %d.", max, *maxResults)
	}
	return *maxResults, nil
}

func required(field, value string) error {
	if value == "" {
		return barge.Errorf(barge.EInvalid, "%s is required.", field)
	}
	return nil
}

// Page is one page of a listing, and the token of the next one ("" when it
// is the last).
type Page[T any] struct {
	Items     []T
	NextToken string
}
