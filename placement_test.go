package barge

import "testing"

func TestJobMemoryMiB(t *testing.T) {
	legacy := 2048
	tests := []struct {
		name string
		spec *JobSpec
		want int
	}{
		{"no spec", nil, 0},
		{"no container", &JobSpec{}, 0},
		{"requirement", &JobSpec{Container: &ContainerProperties{ResourceRequirements: []ResourceRequirement{{Type: ResourceMemory, Value: "1024"}}}}, 1024},
		{"requirement over legacy", &JobSpec{Container: &ContainerProperties{Memory: &legacy,
			ResourceRequirements: []ResourceRequirement{{Type: ResourceMemory, Value: "512"}}}}, 512},
		{"legacy", &JobSpec{Container: &ContainerProperties{Memory: &legacy}}, 2048},
	}
	for _, tt := range tests {
		if got := JobMemoryMiB(tt.spec); got != tt.want {
			t.Errorf("JobMemoryMiB(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}
