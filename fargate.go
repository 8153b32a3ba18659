package barge

import (
	"fmt"
	"strconv"
	"strings"
)

// The Fargate vCPU/memory table (AWS Batch API reference, ResourceRequirement
// value). It lives here once; definitions, SubmitJob overrides and the
// scheduler all ask FargateMemoryOptions.

// FargateVCPUs lists the VCPU values Fargate accepts, in ascending order, as
// AWS writes them.
func FargateVCPUs() []string {
	return []string{"0.25", "0.5", "1", "2", "4", "8", "16"}
}

// FargateMemoryOptions returns the MEMORY values (MiB) Fargate allows for the
// VCPU value vcpu, ascending, in a slice the caller owns. ok is false when vcpu
// is not a Fargate vCPU value.
//
// vcpu is read as a plain decimal, so "1", "1.0" and "01" all mean one vCPU:
// AWS parses the value as a number (its error message prints it as "1.00
// vCPU") and documents no spelling rule, so barge accepts every spelling of
// a table value rather than reject a request AWS may take. Exponents, signs
// and surrounding spaces are not decimals and are rejected.
func FargateMemoryOptions(vcpu string) ([]int, bool) {
	c, ok := canonicalDecimal(vcpu)
	if !ok {
		return nil, false
	}
	switch c {
	case "0.25":
		return []int{512, 1024, 2048}, true
	case "0.5":
		return memorySteps(1024, 4096, 1024), true
	case "1":
		return memorySteps(2048, 8192, 1024), true
	case "2":
		return memorySteps(4096, 16384, 1024), true
	case "4":
		return memorySteps(8192, 30720, 1024), true
	case "8":
		return memorySteps(16384, 61440, 4096), true
	case "16":
		return memorySteps(32768, 122880, 8192), true
	}
	return nil, false
}

func memorySteps(from, to, step int) []int {
	s := make([]int, 0, (to-from)/step+1)
	for m := from; m <= to; m += step {
		s = append(s, m)
	}
	return s
}

// ValidateFargateResources checks a Fargate container's VCPU and MEMORY
// resource requirement values, both as on the wire ("0.25", "512"), against
// the Fargate table. Missing values are reported as AWS does ("vCPU is not
// provided."). See FargateMemoryOptions for the spellings accepted.
func ValidateFargateResources(vcpu, memory string) error {
	return validateFargateResources("resourceRequirements", vcpu, memory)
}

// validateFargateResources is ValidateFargateResources naming the member path
// field (such as containerProperties.resourceRequirements) in its messages.
func validateFargateResources(field, vcpu, memory string) error {
	all := strings.Join(FargateVCPUs(), ", ")
	if vcpu == "" {
		return invalidf("vCPU is not provided. Fargate jobs need a %s entry of type VCPU with one of %s.", field, all)
	}
	if memory == "" {
		return invalidf("Memory is not provided. Fargate jobs need a %s entry of type MEMORY in MiB, e.g. 2048 for 1 vCPU.", field)
	}
	if _, ok := canonicalDecimal(vcpu); !ok {
		return invalidf("Value %s for type VCPU in resourceRequirement is not valid. Please provide a numeric value. On Fargate %s VCPU must be one of %s.", shorten(vcpu), field, all)
	}
	mem, ok := parseWholeNumber(memory)
	if !ok {
		return invalidf("Value %s for type MEMORY in resourceRequirement is not valid. Please provide a numeric value. %s MEMORY is a whole number of MiB, e.g. 2048.", shorten(memory), field)
	}
	f, _ := strconv.ParseFloat(vcpu, 64)
	prefix := fmt.Sprintf("Fargate resource requirements (%.2f vCPU, %d MiB) not valid.", f, mem)
	options, ok := FargateMemoryOptions(vcpu)
	if !ok {
		return invalidf("%s On Fargate %s VCPU must be one of %s.", prefix, field, all)
	}
	for _, m := range options {
		if m == mem {
			return nil
		}
	}
	c, _ := canonicalDecimal(vcpu)
	return invalidf("%s For %s vCPU, %s MEMORY must be one of %s (MiB).", prefix, c, field, joinInts(options))
}

// ParseVCPU returns the number of vCPUs a VCPU resource requirement value
// asks for. It accepts positive plain decimals ("0.25", "1", "1.0", "16");
// anything else is an EInvalid error.
func ParseVCPU(s string) (float64, error) {
	if _, ok := canonicalDecimal(s); !ok {
		return 0, invalidf("Value %s for type VCPU in resourceRequirement is not valid. Please provide a numeric value, such as 0.25, 1 or 4.", shorten(s))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, invalidf("Value %s for type VCPU in resourceRequirement is not valid. The number of vCPUs must be greater than 0.", shorten(s))
	}
	return f, nil
}

// canonicalDecimal reports whether s is a plain decimal (digits, optionally
// a point and more digits) and returns it without leading zeros in the
// integer part or trailing zeros in the fraction: "01.50" becomes "1.5".
func canonicalDecimal(s string) (string, bool) {
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return "", false
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return whole, true
	}
	return whole + "." + frac, true
}

// parseWholeNumber parses a string of decimal digits that fits in an int32,
// the model's Integer.
func parseWholeNumber(s string) (int, bool) {
	if s == "" || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
