package awsproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"sync"
)

// JSONAppender is an answer that encodes itself: WriteJSON appends its JSON
// to the response buffer instead of encoding it by reflection as a whole.
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// minItemsPerEncoder is the shortest part of a list worth a goroutine of its
// own: below it, handing the part over costs more than encoding it.
const minItemsPerEncoder = 16

// AppendJSONArray appends items as a JSON array, exactly as encoding/json
// writes them, encoding parts of a long list on every CPU: DescribeJobs'
// hundred job details are ~150 KB of JSON, and one encoder left a CPU idle
// for a third of the call.
func AppendJSONArray[T any](b []byte, items []T) ([]byte, error) {
	parts := min(runtime.GOMAXPROCS(0), len(items)/minItemsPerEncoder)
	if parts <= 1 {
		out, err := json.Marshal(items)
		return append(b, out...), err
	}
	bufs := make([]*bytes.Buffer, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			buf := encodeBuffers.Get().(*bytes.Buffer)
			buf.Reset()
			bufs[p] = buf
			errs[p] = json.NewEncoder(buf).Encode(items[p*len(items)/parts : (p+1)*len(items)/parts])
		})
	}
	wg.Wait()
	defer func() {
		for _, buf := range bufs {
			if buf.Cap() <= maxPooledBuffer {
				encodeBuffers.Put(buf)
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		return b, err
	}
	b = append(b, '[')
	for p, buf := range bufs {
		// Each part is "[...]\n": keep what is between the brackets.
		part := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if p > 0 {
			b = append(b, ',')
		}
		b = append(b, part[1:len(part)-1]...)
	}
	return append(b, ']'), nil
}
