package awsproto

import (
	"net/http"

	"github.com/bargehq/barge"
)

// opHandler is one operation's handler, which also knows the largest
// request body the operation takes, so that the server can refuse a larger
// one before reading it.
type opHandler struct {
	maxBody  int
	serve    http.HandlerFunc
	tooLarge func(w http.ResponseWriter, r *http.Request, err error)
	name     string
}

func (h *opHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve(w, r) }

// BodyLimit returns the operation's body limit and a handler that answers a
// request over it with the API's own error.
func (h *opHandler) BodyLimit(*http.Request) (int64, http.Handler) {
	return int64(h.maxBody), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		callOf(r.Context()).Operation = h.name
		h.tooLarge(w, r, errBodyTooLarge(h.name, -1, h.maxBody))
	})
}

// errBodyTooLarge is the error of a request over its operation's limit;
// size is -1 when the body was refused before it was read.
func errBodyTooLarge(name string, size, maxBody int) error {
	if size < 0 {
		return barge.Errorf(barge.EInvalid, "The %s request is larger than the limit of %d bytes (%d KiB). Make the request smaller.", name, maxBody, maxBody/1024)
	}
	return barge.Errorf(barge.EInvalid, "The %s request is %d bytes; the limit is %d bytes (%d KiB). Make the request smaller.", name, size, maxBody, maxBody/1024)
}
