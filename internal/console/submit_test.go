package console

import (
	"reflect"
	"testing"

	"github.com/bargehq/barge"
)

func TestDependencies(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []barge.JobDependency
		ok   bool
	}{
		{"", nil, true},
		{"a1\r\n\n  b2 N_TO_N \n", []barge.JobDependency{{JobID: "a1"}, {JobID: "b2", Type: "N_TO_N"}}, true},
		{"SEQUENTIAL", []barge.JobDependency{{Type: "SEQUENTIAL"}}, true},
		{"p:3 SEQUENTIAL", []barge.JobDependency{{JobID: "p:3", Type: "SEQUENTIAL"}}, true},
		{"a b c", nil, false},
	} {
		got, err := dependencies(tt.in)
		if (err == nil) != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("dependencies(%q) = %+v, %v; want %+v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestStopPending(t *testing.T) {
	for _, tt := range []struct {
		job  barge.Job
		want string
	}{
		{barge.Job{Status: barge.JobPending}, ""},
		{barge.Job{Status: barge.JobPending, IsCancelled: true}, "CANCEL PENDING"},
		{barge.Job{Status: barge.JobRunning, IsTerminated: true}, "TERMINATE PENDING"},
		{barge.Job{Status: barge.JobFailed, IsCancelled: true}, ""},
		{barge.Job{Status: barge.JobFailed, IsTerminated: true}, ""},
	} {
		if got := stopPending(&tt.job); got != tt.want {
			t.Errorf("stopPending(%s, cancelled %v, terminated %v) = %q, want %q", tt.job.Status, tt.job.IsCancelled, tt.job.IsTerminated, got, tt.want)
		}
	}
}
