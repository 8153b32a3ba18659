package store

import (
	"context"
	"slices"
	"testing"

	"github.com/bargehq/barge"
)

// namedAPI is the five methods of one small resource kind, over a value
// reduced to its name and one changeable number.
type namedAPI struct {
	kind   string
	create func(s *Store, name string, n int) error
	get    func(s *Store, name string) (int, error)
	list   func(s *Store, after string, limit int) ([]string, error)
	put    func(s *Store, name string, n int) error
	delete func(s *Store, name string) error
}

var ctx0 = context.Background()

var namedAPIs = []namedAPI{
	{
		kind: "ComputeEnvironment",
		create: func(s *Store, name string, n int) error {
			return s.CreateComputeEnvironment(ctx0, &barge.ComputeEnvironment{Name: name, CreatedAt: int64(n)})
		},
		get: func(s *Store, name string) (int, error) {
			v, err := s.GetComputeEnvironment(ctx0, name)
			if err != nil {
				return 0, err
			}
			return int(v.CreatedAt), nil
		},
		list: func(s *Store, after string, limit int) ([]string, error) {
			vs, err := s.ListComputeEnvironments(ctx0, after, limit)
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			return names, err
		},
		put: func(s *Store, name string, n int) error {
			return s.PutComputeEnvironment(ctx0, &barge.ComputeEnvironment{Name: name, CreatedAt: int64(n)})
		},
		delete: func(s *Store, name string) error { return s.DeleteComputeEnvironment(ctx0, name) },
	},
	{
		kind: "JobQueue",
		create: func(s *Store, name string, n int) error {
			return s.CreateJobQueue(ctx0, &barge.JobQueue{Name: name, Priority: n})
		},
		get: func(s *Store, name string) (int, error) {
			v, err := s.GetJobQueue(ctx0, name)
			if err != nil {
				return 0, err
			}
			return v.Priority, nil
		},
		list: func(s *Store, after string, limit int) ([]string, error) {
			vs, err := s.ListJobQueues(ctx0, after, limit)
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			return names, err
		},
		put: func(s *Store, name string, n int) error {
			return s.PutJobQueue(ctx0, &barge.JobQueue{Name: name, Priority: n})
		},
		delete: func(s *Store, name string) error { return s.DeleteJobQueue(ctx0, name) },
	},
	{
		kind: "SchedulingPolicy",
		create: func(s *Store, name string, n int) error {
			return s.CreateSchedulingPolicy(ctx0, &barge.SchedulingPolicy{Name: name, CreatedAt: int64(n)})
		},
		get: func(s *Store, name string) (int, error) {
			v, err := s.GetSchedulingPolicy(ctx0, name)
			if err != nil {
				return 0, err
			}
			return int(v.CreatedAt), nil
		},
		list: func(s *Store, after string, limit int) ([]string, error) {
			vs, err := s.ListSchedulingPolicies(ctx0, after, limit)
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			return names, err
		},
		put: func(s *Store, name string, n int) error {
			return s.PutSchedulingPolicy(ctx0, &barge.SchedulingPolicy{Name: name, CreatedAt: int64(n)})
		},
		delete: func(s *Store, name string) error { return s.DeleteSchedulingPolicy(ctx0, name) },
	},
}

func TestNamedResources(t *testing.T) {
	for _, api := range namedAPIs {
		t.Run(api.kind, func(t *testing.T) {
			s := newStore(t)
			// Created out of name order, so that creation order shows.
			for i, name := range []string{"c", "a", "d", "b"} {
				if err := api.create(s, name, i+1); err != nil {
					t.Fatalf("Create%s(%s) = %v", api.kind, name, err)
				}
			}

			wantCode(t, "Create"+api.kind+"(a) again", api.create(s, "a", 9), barge.EConflict)
			if n, err := api.get(s, "a"); err != nil || n != 2 {
				t.Errorf("Get%s(a) = %d, %v; want 2", api.kind, n, err)
			}
			_, err := api.get(s, "zz")
			wantCode(t, "Get"+api.kind+"(zz)", err, barge.ENotFound)

			pages := []struct {
				after string
				limit int
				want  []string
			}{
				{"", 0, []string{"c", "a", "d", "b"}},
				{"", 2, []string{"c", "a"}},
				{"a", 2, []string{"d", "b"}},
				{"b", 2, nil},
			}
			for _, p := range pages {
				got, err := api.list(s, p.after, p.limit)
				if err != nil || !slices.Equal(got, p.want) {
					t.Errorf("List(%q, %d) = %v, %v; want %v", p.after, p.limit, got, err, p.want)
				}
			}

			if err := api.put(s, "d", 42); err != nil {
				t.Errorf("Put%s(d) = %v", api.kind, err)
			}
			if n, _ := api.get(s, "d"); n != 42 {
				t.Errorf("Get%s(d) after Put = %d, want 42", api.kind, n)
			}
			wantCode(t, "Put"+api.kind+"(zz)", api.put(s, "zz", 1), barge.ENotFound)

			if err := api.delete(s, "a"); err != nil {
				t.Errorf("Delete%s(a) = %v", api.kind, err)
			}
			wantCode(t, "Delete"+api.kind+"(a) again", api.delete(s, "a"), barge.ENotFound)
			_, err = api.get(s, "a")
			wantCode(t, "Get"+api.kind+"(a) after Delete", err, barge.ENotFound)
			_, err = api.list(s, "a", 2)
			wantCode(t, "List(after deleted a)", err, barge.EInvalid)
			if got, _ := api.list(s, "", 0); !slices.Equal(got, []string{"c", "d", "b"}) {
				t.Errorf("List after Delete(a) = %v, want [c d b]", got)
			}
			// A name freed by Delete can be taken again, and the new one is
			// the newest.
			if err := api.create(s, "a", 7); err != nil {
				t.Errorf("Create%s(a) after Delete = %v", api.kind, err)
			}
			if got, _ := api.list(s, "", 0); !slices.Equal(got, []string{"c", "d", "b", "a"}) {
				t.Errorf("List after re-Create(a) = %v, want [c d b a]", got)
			}
		})
	}
}
