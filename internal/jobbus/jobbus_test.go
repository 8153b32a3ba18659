package jobbus_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobbus"
	"github.com/bargehq/barge/internal/store"
)

// TestPublishReachesEverySubscriberInOrder: each batch reaches every
// subscriber, in the order they subscribed, before the next batch reaches
// any of them.
func TestPublishReachesEverySubscriberInOrder(t *testing.T) {
	var bus jobbus.Bus
	var got []string
	for _, name := range []string{"metrics", "feed", "costs", "webhooks"} {
		bus.Subscribe(func(cs []barge.JobChange) {
			for _, c := range cs {
				got = append(got, name+":"+c.Job.ID)
			}
		})
	}
	bus.Publish([]barge.JobChange{{Job: &barge.Job{ID: "a"}}, {Job: &barge.Job{ID: "b"}}})
	bus.Publish([]barge.JobChange{{Job: &barge.Job{ID: "c"}, From: barge.JobSubmitted}})
	want := "metrics:a metrics:b feed:a feed:b costs:a costs:b webhooks:a webhooks:b " +
		"metrics:c feed:c costs:c webhooks:c"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("delivered %q, want %q", g, want)
	}
}

// TestPublishWithoutSubscribers: a bus no one follows takes changes and
// drops them.
func TestPublishWithoutSubscribers(t *testing.T) {
	var bus jobbus.Bus
	bus.Publish([]barge.JobChange{{Job: &barge.Job{ID: "a"}}})
}

// TestSubscribeAfterPublishPanics: a subscriber added late would miss the
// changes already published, so the bus refuses it.
func TestSubscribeAfterPublishPanics(t *testing.T) {
	var bus jobbus.Bus
	bus.Subscribe(func([]barge.JobChange) {})
	bus.Publish(nil)
	defer func() {
		if recover() == nil {
			t.Error("Subscribe after Publish did not panic")
		}
	}()
	bus.Subscribe(func([]barge.JobChange) {})
}

// TestBlockedSubscriberDoesNotBlockWriter: with the bus behind the real
// store, a subscriber that has not returned yet does not hold up the
// store's writes (if it did, this test would hang until go test's
// timeout); once it returns, every subscriber gets every change, in commit
// order.
func TestBlockedSubscriberDoesNotBlockWriter(t *testing.T) {
	ctx := context.Background()
	var bus jobbus.Bus
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "barge.db"), store.Options{OnJobsWritten: bus.Publish})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var first, second []string
	bus.Subscribe(func(cs []barge.JobChange) {
		once.Do(func() { <-release })
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cs {
			first = append(first, c.Job.ID)
		}
	})
	bus.Subscribe(func(cs []barge.JobChange) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cs {
			second = append(second, c.Job.ID)
		}
	})

	// Each InsertJobs returns only once its write is durable; all of them
	// return while the first subscriber is still blocked in the first
	// batch.
	var want []string
	for i := range 20 {
		id := fmt.Sprintf("job-%02d", i)
		if err := st.InsertJobs(ctx, []*barge.Job{newJob(id)}); err != nil {
			t.Fatalf("InsertJobs(%s) = %v", id, err)
		}
		want = append(want, id)
	}
	mu.Lock()
	if len(first) != 0 || len(second) != 0 {
		t.Errorf("subscribers got %v and %v while the first was blocked, want nothing yet", first, second)
	}
	mu.Unlock()
	close(release)
	if err := st.Close(); err != nil { // hands over every change first
		t.Fatal(err)
	}
	if !slices.Equal(first, want) || !slices.Equal(second, want) {
		t.Errorf("subscribers got\n%v\n%v\nwant %v for each", first, second, want)
	}
}

func newJob(id string) *barge.Job {
	return &barge.Job{
		ID: id, Name: id, Queue: "q", Status: barge.JobSubmitted, CreatedAt: 1_700_000_000_000,
		Spec: &barge.JobSpec{
			JobDefinitionArn:  "arn:aws:batch:us-east-1:123456789012:job-definition/def:1",
			JobDefinitionName: "def",
			Container:         &barge.ContainerProperties{Image: "busybox", Command: []string{"true"}},
		},
	}
}

// BenchmarkPublish measures the bus's own cost per write: four subscribers
// that do nothing, one change each.
func BenchmarkPublish(b *testing.B) {
	var bus jobbus.Bus
	n := 0
	for range 4 {
		bus.Subscribe(func(cs []barge.JobChange) { n += len(cs) })
	}
	changes := []barge.JobChange{{Job: newJob("a")}}
	for b.Loop() {
		bus.Publish(changes)
	}
	if n != 4*b.N {
		b.Fatalf("subscribers took %d changes, want %d", n, 4*b.N)
	}
}
