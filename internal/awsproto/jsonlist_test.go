package awsproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
)

// AppendJSONArray writes exactly what encoding/json writes for the same list,
// whether it encodes it whole or in parts.
func TestAppendJSONArrayMatchesMarshal(t *testing.T) {
	// Several encoders, however many CPUs the host has.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	type item struct {
		Name  string            `json:"name"`
		N     int               `json:"n,omitempty"`
		Tags  map[string]string `json:"tags,omitempty"`
		Notes []string          `json:"notes"`
	}
	for _, n := range []int{0, 1, minItemsPerEncoder - 1, minItemsPerEncoder, 2*minItemsPerEncoder + 1, 100, 1001} {
		items := make([]item, n)
		for i := range items {
			items[i] = item{Name: fmt.Sprintf("job-%d <&>", i), N: i % 3, Tags: map[string]string{"k": fmt.Sprint(i)}}
			if i%2 == 0 {
				items[i].Notes = []string{"a", "b"}
			}
		}
		want, err := json.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendJSONArray([]byte("prefix:"), items)
		if err != nil {
			t.Fatalf("%d items: %v", n, err)
		}
		if !bytes.Equal(got, append([]byte("prefix:"), want...)) {
			t.Errorf("%d items:\n got %s\nwant prefix:%s", n, got, want)
		}
	}
	got, err := AppendJSONArray[int](nil, nil)
	if err != nil || string(got) != "null" {
		t.Errorf("nil list = %s, %v; want null", got, err)
	}
}

// A list that encoding/json cannot encode is an error, as with
// json.Marshal, whether it is encoded whole or in parts.
func TestAppendJSONArrayError(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, n := range []int{1, 100} {
		items := make([]any, n)
		for i := range items {
			items[i] = i
		}
		items[n-1] = func() {} // encoding/json cannot encode a func
		if _, err := AppendJSONArray(nil, items); err == nil {
			t.Errorf("AppendJSONArray(%d items, one a func) = nil error, want one", n)
		}
	}
}
