package barge

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// checkErr fails t unless err matches want: nil when want is "", otherwise
// an EInvalid error whose message contains want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("err = nil, want EInvalid containing %q", want)
	}
	if code := ErrorCodeOf(err); code != EInvalid {
		t.Fatalf("ErrorCodeOf(%v) = %q, want %q", err, code, EInvalid)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to contain %q", err.Error(), want)
	}
}

// fargateTable is the model's table (ResourceRequirement value
// documentation, type="VCPU"): the MEMORY values each VCPU value allows.
func fargateTable() map[string][]int {
	return map[string][]int{
		"0.25": {512, 1024, 2048},
		"0.5":  {1024, 2048, 3072, 4096},
		"1":    {2048, 3072, 4096, 5120, 6144, 7168, 8192},
		"2":    {4096, 5120, 6144, 7168, 8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384},
		"4": {8192, 9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384, 17408, 18432, 19456, 20480,
			21504, 22528, 23552, 24576, 25600, 26624, 27648, 28672, 29696, 30720},
		"8":  {16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440},
		"16": {32768, 40960, 49152, 57344, 65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880},
	}
}

// TestFargateInverseTable checks FargateMemoryOptions against the model's
// other table (type="MEMORY"): the VCPU values each MEMORY value allows.
func TestFargateInverseTable(t *testing.T) {
	inverse := []struct {
		memory []int
		vcpus  []string
	}{
		{[]int{512}, []string{"0.25"}},
		{[]int{1024}, []string{"0.25", "0.5"}},
		{[]int{2048}, []string{"0.25", "0.5", "1"}},
		{[]int{3072}, []string{"0.5", "1"}},
		{[]int{4096}, []string{"0.5", "1", "2"}},
		{[]int{5120, 6144, 7168}, []string{"1", "2"}},
		{[]int{8192}, []string{"1", "2", "4"}},
		{[]int{9216, 10240, 11264, 12288, 13312, 14336, 15360}, []string{"2", "4"}},
		{[]int{16384}, []string{"2", "4", "8"}},
		{[]int{17408, 18432, 19456, 21504, 22528, 23552, 25600, 26624, 27648, 29696, 30720}, []string{"4"}},
		{[]int{20480, 24576, 28672}, []string{"4", "8"}},
		{[]int{36864, 45056, 53248, 61440}, []string{"8"}},
		{[]int{32768, 40960, 49152, 57344}, []string{"8", "16"}},
		{[]int{65536, 73728, 81920, 90112, 98304, 106496, 114688, 122880}, []string{"16"}},
	}
	total := 0
	for _, row := range inverse {
		for _, m := range row.memory {
			var got []string
			for _, v := range FargateVCPUs() {
				if opts, _ := FargateMemoryOptions(v); slices.Contains(opts, m) {
					got = append(got, v)
				}
			}
			total += len(got)
			if !slices.Equal(got, row.vcpus) {
				t.Errorf("vCPU values allowing %d MiB = %v, want %v", m, got, row.vcpus)
			}
		}
	}
	if total != 74 {
		t.Errorf("the inverse table has %d pairs, want 74", total)
	}
}

func TestFargateMemoryOptions(t *testing.T) {
	for _, v := range FargateVCPUs() {
		got, ok := FargateMemoryOptions(v)
		if !ok || !slices.Equal(got, fargateTable()[v]) {
			t.Errorf("FargateMemoryOptions(%q) = %v, %v, want %v, true", v, got, ok, fargateTable()[v])
		}
	}
	if len(fargateTable()) != len(FargateVCPUs()) {
		t.Errorf("FargateVCPUs() = %v, want the %d keys of the model table", FargateVCPUs(), len(fargateTable()))
	}
	spellings := map[string]string{"1.0": "1", "01": "1", "1.00": "1", "0.50": "0.5", "0.250": "0.25", "16.0": "16", "000.5": "0.5"}
	for in, canon := range spellings {
		got, ok := FargateMemoryOptions(in)
		if want := fargateTable()[canon]; !ok || !slices.Equal(got, want) {
			t.Errorf("FargateMemoryOptions(%q) = %v, %v, want %v, true", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "0", "0.75", "3", "32", "1e0", " 1", "1 ", "+1", "-1", ".5", "1.", "0x1", "Inf", "NaN", "1,0", "0.2500001"} {
		if got, ok := FargateMemoryOptions(bad); ok {
			t.Errorf("FargateMemoryOptions(%q) = %v, true, want false", bad, got)
		}
	}
	// The caller owns the slice.
	a, _ := FargateMemoryOptions("1")
	a[0] = 1
	if b, _ := FargateMemoryOptions("1"); b[0] != 2048 {
		t.Errorf("FargateMemoryOptions(\"1\")[0] = %d after a caller changed its copy, want 2048", b[0])
	}
}

func TestValidateFargateResourcesAllowed(t *testing.T) {
	n := 0
	for v, mems := range fargateTable() {
		for _, m := range mems {
			n++
			if err := ValidateFargateResources(v, strconv.Itoa(m)); err != nil {
				t.Errorf("ValidateFargateResources(%q, %d) = %v, want nil", v, m, err)
			}
		}
	}
	if n != 3+4+7+13+23+12+12 {
		t.Errorf("checked %d pairs, want 74", n)
	}
}

func TestValidateFargateResourcesRejected(t *testing.T) {
	tests := []struct {
		vcpu, memory, want string
	}{
		{"0.25", "1536", "Fargate resource requirements (0.25 vCPU, 1536 MiB) not valid. For 0.25 vCPU, resourceRequirements MEMORY must be one of 512, 1024, 2048 (MiB)."},
		{"0.25", "256", "(0.25 vCPU, 256 MiB) not valid"},
		{"0.25", "3072", "(0.25 vCPU, 3072 MiB) not valid"},
		{"0.5", "512", "(0.50 vCPU, 512 MiB) not valid"},
		{"0.5", "5120", "must be one of 1024, 2048, 3072, 4096 (MiB)"},
		{"1", "1024", "(1.00 vCPU, 1024 MiB) not valid"},
		{"1", "4000", "Fargate resource requirements (1.00 vCPU, 4000 MiB) not valid. For 1 vCPU, resourceRequirements MEMORY must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 (MiB)."},
		{"1", "9216", "(1.00 vCPU, 9216 MiB) not valid"},
		{"1.0", "9216", "For 1 vCPU"},
		{"2", "3072", "(2.00 vCPU, 3072 MiB) not valid"},
		{"2", "17408", "(2.00 vCPU, 17408 MiB) not valid"},
		{"4", "7168", "(4.00 vCPU, 7168 MiB) not valid"},
		{"4", "31744", "(4.00 vCPU, 31744 MiB) not valid"},
		{"8", "12288", "(8.00 vCPU, 12288 MiB) not valid"},
		{"8", "18432", "(8.00 vCPU, 18432 MiB) not valid"},
		{"8", "65536", "(8.00 vCPU, 65536 MiB) not valid"},
		{"16", "28672", "(16.00 vCPU, 28672 MiB) not valid"},
		{"16", "36864", "(16.00 vCPU, 36864 MiB) not valid"},
		{"16", "131072", "(16.00 vCPU, 131072 MiB) not valid"},
		{"3", "6144", "Fargate resource requirements (3.00 vCPU, 6144 MiB) not valid. On Fargate resourceRequirements VCPU must be one of 0.25, 0.5, 1, 2, 4, 8, 16."},
		{"0.75", "2048", "(0.75 vCPU, 2048 MiB) not valid"},
		{"32", "65536", "VCPU must be one of"},
		{"", "2048", "vCPU is not provided."},
		{"1", "", "Memory is not provided."},
		{"", "", "vCPU is not provided."},
		{"one", "2048", "Value one for type VCPU in resourceRequirement is not valid. Please provide a numeric value."},
		{"1e0", "2048", "for type VCPU"},
		{"-1", "2048", "for type VCPU"},
		{"1", "2048.0", "Value 2048.0 for type MEMORY in resourceRequirement is not valid"},
		{"1", "99999999999", "for type MEMORY"},
		{"1", "-2048", "for type MEMORY"},
	}
	for _, tt := range tests {
		t.Run(tt.vcpu+"/"+tt.memory, func(t *testing.T) {
			checkErr(t, ValidateFargateResources(tt.vcpu, tt.memory), tt.want)
		})
	}
}

func TestParseVCPU(t *testing.T) {
	good := map[string]float64{"0.25": 0.25, "1": 1, "1.0": 1, "16": 16, "2.5": 2.5, "0.125": 0.125}
	for in, want := range good {
		if got, err := ParseVCPU(in); err != nil || got != want {
			t.Errorf("ParseVCPU(%q) = %v, %v, want %v, nil", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.0", "-1", "1e3", "abc", " 1", "1.", ".5", "NaN", "Inf", strings.Repeat("9", 400)} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseVCPU(in)
			checkErr(t, err, "for type VCPU")
		})
	}
}
