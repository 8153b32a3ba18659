package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/bargehq/barge"
)

func newDef(name string) *barge.JobDefinition {
	return &barge.JobDefinition{
		Name:                name,
		Status:              barge.JobDefinitionActive,
		Type:                "container",
		ContainerProperties: &barge.ContainerProperties{Image: "busybox"},
	}
}

// register registers a revision of name and returns it.
func register(t *testing.T, s *Store, name string) *barge.JobDefinition {
	t.Helper()
	d := newDef(name)
	if err := s.RegisterJobDefinition(context.Background(), d); err != nil {
		t.Fatalf("RegisterJobDefinition(%s) = %v", name, err)
	}
	return d
}

func deregister(t *testing.T, s *Store, d *barge.JobDefinition) {
	t.Helper()
	d.Status = barge.JobDefinitionInactive
	if err := s.PutJobDefinition(context.Background(), d); err != nil {
		t.Fatalf("PutJobDefinition(%s:%d INACTIVE) = %v", d.Name, d.Revision, err)
	}
}

func TestJobDefinitionRevisions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a1, a2 := register(t, s, "a"), register(t, s, "a")
	b1 := register(t, s, "b")
	if a1.Revision != 1 || a2.Revision != 2 || b1.Revision != 1 {
		t.Fatalf("revisions a, a, b = %d, %d, %d; want 1, 2, 1", a1.Revision, a2.Revision, b1.Revision)
	}
	if a1.Seq <= 0 || a2.Seq <= a1.Seq || b1.Seq <= a2.Seq {
		t.Errorf("Seq of a:1, a:2, b:1 = %d, %d, %d; want increasing from 1", a1.Seq, a2.Seq, b1.Seq)
	}

	// Deregistering the latest revision does not free its number.
	deregister(t, s, a2)
	if a3 := register(t, s, "a"); a3.Revision != 3 {
		t.Errorf("RegisterJobDefinition(a) after deregistering a:2: revision %d, want 3", a3.Revision)
	}
	deregister(t, s, b1)
	if b2 := register(t, s, "b"); b2.Revision != 2 {
		t.Errorf("RegisterJobDefinition(b) after deregistering all of b: revision %d, want 2", b2.Revision)
	}

	got, err := s.GetJobDefinition(ctx, "a", 2)
	if err != nil || got.Revision != 2 || got.Seq != a2.Seq || got.Status != barge.JobDefinitionInactive ||
		got.ContainerProperties.Image != "busybox" {
		t.Errorf("GetJobDefinition(a, 2) = %+v, %v; want revision 2, Seq %d, INACTIVE", got, err, a2.Seq)
	}
	_, err = s.GetJobDefinition(ctx, "a", 9)
	wantCode(t, "GetJobDefinition(a, 9)", err, barge.ENotFound)
	wantCode(t, "PutJobDefinition(a:9)", s.PutJobDefinition(ctx, &barge.JobDefinition{Name: "a", Revision: 9}), barge.ENotFound)
}

func TestLatestActiveJobDefinition(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	register(t, s, "a")
	a2, a3 := register(t, s, "a"), register(t, s, "a")
	deregister(t, s, a3)
	c1 := register(t, s, "c")
	deregister(t, s, c1)

	tests := []struct {
		name string
		want int // 0: ENotFound
	}{
		{"a", a2.Revision},
		{"c", 0},
		{"none", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LatestActiveJobDefinition(ctx, tt.name)
			if tt.want == 0 {
				wantCode(t, "LatestActiveJobDefinition("+tt.name+")", err, barge.ENotFound)
				return
			}
			if err != nil || got.Revision != tt.want {
				t.Errorf("LatestActiveJobDefinition(%s) = %+v, %v; want revision %d", tt.name, got, err, tt.want)
			}
		})
	}
}

func TestListJobDefinitions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	// Registration order: a:1 b:1 a:2 c:1 a:3, with a:2 deregistered.
	register(t, s, "a")
	register(t, s, "b")
	a2 := register(t, s, "a")
	register(t, s, "c")
	register(t, s, "a")
	deregister(t, s, a2)

	tests := []struct {
		name string
		q    barge.JobDefinitionQuery
		want []string
	}{
		{"all", barge.JobDefinitionQuery{}, []string{"a:3", "c:1", "a:2", "b:1", "a:1"}},
		{"name", barge.JobDefinitionQuery{Name: "a"}, []string{"a:3", "a:2", "a:1"}},
		{"active", barge.JobDefinitionQuery{Status: barge.JobDefinitionActive}, []string{"a:3", "c:1", "b:1", "a:1"}},
		{"inactive of a", barge.JobDefinitionQuery{Name: "a", Status: barge.JobDefinitionInactive}, []string{"a:2"}},
		{"limit", barge.JobDefinitionQuery{Limit: 2}, []string{"a:3", "c:1"}},
		{"unknown name", barge.JobDefinitionQuery{Name: "x"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defs, err := s.ListJobDefinitions(ctx, tt.q)
			if err != nil {
				t.Fatalf("ListJobDefinitions(%+v) = %v", tt.q, err)
			}
			if got := defNames(defs); !slices.Equal(got, tt.want) {
				t.Errorf("ListJobDefinitions(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var all []string
		q := barge.JobDefinitionQuery{Limit: 2}
		for {
			defs, err := s.ListJobDefinitions(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, defNames(defs)...)
			if len(defs) < q.Limit {
				break
			}
			q.BeforeSeq = defs[len(defs)-1].Seq
		}
		if want := []string{"a:3", "c:1", "a:2", "b:1", "a:1"}; !slices.Equal(all, want) {
			t.Errorf("ListJobDefinitions pages of 2 = %v, want %v", all, want)
		}
	})
}

func defNames(defs []*barge.JobDefinition) []string {
	var out []string
	for _, d := range defs {
		out = append(out, fmt.Sprintf("%s:%d", d.Name, d.Revision))
	}
	return out
}
