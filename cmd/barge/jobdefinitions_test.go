package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of job definitions through the aws-sdk-go-v2 Batch
// client: revisions, DescribeJobDefinitions, deregistration and every
// RegisterJobDefinition rule a user can break.

const jobDefARNPrefix = "arn:aws:batch:us-east-1:123456789012:job-definition/"

// fargateDefInput returns a valid Fargate job definition named name, for a
// test to change.
func fargateDefInput(name string) *batch.RegisterJobDefinitionInput {
	return &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String(name),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties:  fargateContainer("0.25", "512"),
	}
}

// ec2DefInput returns a valid EC2 job definition (platformCapabilities
// omitted) named name.
func ec2DefInput(name string) *batch.RegisterJobDefinitionInput {
	return &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String(name),
		Type:              types.JobDefinitionTypeContainer,
		ContainerProperties: &types.ContainerProperties{
			Image:   aws.String("busybox:latest"),
			Command: []string{"echo", "hello"},
			ResourceRequirements: []types.ResourceRequirement{
				{Type: types.ResourceTypeVcpu, Value: aws.String("2")},
				{Type: types.ResourceTypeMemory, Value: aws.String("2048")},
			},
		},
	}
}

func registerDef(t *testing.T, c *batch.Client, in *batch.RegisterJobDefinitionInput) *batch.RegisterJobDefinitionOutput {
	t.Helper()
	out, err := c.RegisterJobDefinition(context.Background(), in)
	if err != nil {
		t.Fatalf("RegisterJobDefinition(%s) = %v", aws.ToString(in.JobDefinitionName), err)
	}
	return out
}

func describeDefs(t *testing.T, c *batch.Client, in *batch.DescribeJobDefinitionsInput) []types.JobDefinition {
	t.Helper()
	out, err := c.DescribeJobDefinitions(context.Background(), in)
	if err != nil {
		t.Fatalf("DescribeJobDefinitions(%+v) = %v", in, err)
	}
	return out.JobDefinitions
}

// revisionsOf returns the revisions of defs in the order listed.
func revisionsOf(defs []types.JobDefinition) []int32 {
	revs := make([]int32, len(defs))
	for i, d := range defs {
		revs[i] = aws.ToInt32(d.Revision)
	}
	return revs
}

func TestJobDefinitionRevisions(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, _ := seed(t, c)

	for want := int32(1); want <= 3; want++ {
		out := registerDef(t, c, fargateDefInput("rev"))
		if got := aws.ToInt32(out.Revision); got != want {
			t.Errorf("RegisterJobDefinition(rev) #%d: revision = %d, want %d", want, got, want)
		}
		if got, wantARN := aws.ToString(out.JobDefinitionArn), fmt.Sprintf("%srev:%d", jobDefARNPrefix, want); got != wantARN {
			t.Errorf("jobDefinitionArn = %s, want %s", got, wantARN)
		}
		if got := aws.ToString(out.JobDefinitionName); got != "rev" {
			t.Errorf("jobDefinitionName = %s, want rev", got)
		}
	}
	registerDef(t, c, fargateDefInput("other"))

	t.Run("describe", func(t *testing.T) {
		tests := []struct {
			name     string
			in       *batch.DescribeJobDefinitionsInput
			want     []int32 // revisions of "rev"
			anyOrder bool
		}{
			{"name:revision", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:2"}}, []int32{2}, false},
			{"ARN", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{jobDefARNPrefix + "rev:3"}}, []int32{3}, false},
			{"bare name lists every revision", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev"}}, []int32{1, 2, 3}, true},
			{"several", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:1", jobDefARNPrefix + "rev:3"}}, []int32{1, 3}, false},
			{"unknown entries are absent", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:9", "nosuch:1", "nosuch", "rev:2"}}, []int32{2}, false},
			{"jobDefinitionName, newest first", &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("rev")}, []int32{3, 2, 1}, false},
			{"unknown jobDefinitionName", &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("nosuch")}, []int32{}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				defs := describeDefs(t, c, tt.in)
				for _, d := range defs {
					if aws.ToString(d.JobDefinitionName) != "rev" {
						t.Errorf("DescribeJobDefinitions returned %s, want only revisions of rev", aws.ToString(d.JobDefinitionArn))
					}
					if got, want := aws.ToString(d.JobDefinitionArn), fmt.Sprintf("%srev:%d", jobDefARNPrefix, aws.ToInt32(d.Revision)); got != want {
						t.Errorf("jobDefinitionArn = %s, want %s", got, want)
					}
				}
				got := revisionsOf(defs)
				if tt.anyOrder {
					slices.Sort(got)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("DescribeJobDefinitions(%+v) revisions = %v, want %v", tt.in, got, tt.want)
				}
			})
		}
	})

	t.Run("jobDefinitions with other parameters", func(t *testing.T) {
		tests := []struct {
			name string
			in   *batch.DescribeJobDefinitionsInput
		}{
			{"maxResults", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:1"}, MaxResults: aws.Int32(10)}},
			{"jobDefinitionName", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:1"}, JobDefinitionName: aws.String("rev")}},
			{"status", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:1"}, Status: aws.String("ACTIVE")}},
			{"nextToken", &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:1"}, NextToken: aws.String("x")}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.DescribeJobDefinitions(ctx, tt.in)
				wantClientError(t, err, "jobDefinitions can't be used with other parameters")
			})
		}
	})

	t.Run("more than 100 jobDefinitions", func(t *testing.T) {
		refs := make([]string, 101)
		for i := range refs {
			refs[i] = fmt.Sprintf("rev:%d", i+1)
		}
		_, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitions: refs})
		wantClientError(t, err, "at most 100 entries", "101")
	})

	t.Run("bad status", func(t *testing.T) {
		_, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{Status: aws.String("DELETED")})
		wantClientError(t, err, "status", "ACTIVE or INACTIVE")
	})

	// Deregistering the latest revision makes it INACTIVE; its number is
	// never handed out again.
	if _, err := c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: aws.String("rev:3")}); err != nil {
		t.Fatalf("DeregisterJobDefinition(rev:3) = %v", err)
	}
	if defs := describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"rev:3"}}); len(defs) != 1 || aws.ToString(defs[0].Status) != "INACTIVE" {
		t.Fatalf("rev:3 after deregistering = %+v, want one INACTIVE revision", defs)
	}
	if got := revisionsOf(describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("rev"), Status: aws.String("ACTIVE")})); !slices.Equal(got, []int32{2, 1}) {
		t.Errorf("ACTIVE revisions of rev = %v, want [2 1]", got)
	}
	if got := revisionsOf(describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("rev"), Status: aws.String("INACTIVE")})); !slices.Equal(got, []int32{3}) {
		t.Errorf("INACTIVE revisions of rev = %v, want [3]", got)
	}
	for _, d := range describeDefs(t, c, &batch.DescribeJobDefinitionsInput{Status: aws.String("ACTIVE")}) {
		if aws.ToString(d.Status) != "ACTIVE" {
			t.Errorf("status=ACTIVE listed %s, which is %s", aws.ToString(d.JobDefinitionArn), aws.ToString(d.Status))
		}
	}
	if got := aws.ToInt32(registerDef(t, c, fargateDefInput("rev")).Revision); got != 4 {
		t.Errorf("revision after deregistering revision 3 = %d, want 4 (revisions are never reused)", got)
	}
	// Deregistering again is harmless, whether by name:revision or ARN.
	for _, ref := range []string{"rev:3", jobDefARNPrefix + "rev:4"} {
		if _, err := c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: aws.String(ref)}); err != nil {
			t.Errorf("DeregisterJobDefinition(%s) = %v", ref, err)
		}
	}

	t.Run("deregister errors", func(t *testing.T) {
		tests := []struct{ ref, want string }{
			{"rev", "names no revision"},
			{"rev:99", "does not exist"},
			{"nosuch:1", "does not exist"},
			{"rev:zero", "invalid revision"},
		}
		for _, tt := range tests {
			t.Run(tt.ref, func(t *testing.T) {
				_, err := c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: aws.String(tt.ref)})
				wantClientError(t, err, tt.want)
			})
		}
	})

	// Revisions 3 and 4 are INACTIVE, so a bare name means revision 2.
	t.Run("submit uses the latest ACTIVE revision", func(t *testing.T) {
		for _, ref := range []string{"rev", jobDefARNPrefix + "rev", "rev:2"} {
			id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("latest"), JobQueue: aws.String(queue), JobDefinition: aws.String(ref)})
			if got, want := aws.ToString(describeJob(t, c, id).JobDefinition), jobDefARNPrefix+"rev:2"; got != want {
				t.Errorf("SubmitJob(jobDefinition=%s): jobDefinition = %s, want %s", ref, got, want)
			}
		}
	})

	t.Run("submit with an inactive or unknown definition", func(t *testing.T) {
		for _, ref := range []string{"rev:3", "rev:4", jobDefARNPrefix + "rev:3", "rev:99", "nosuch", "nosuch:1"} {
			t.Run(ref, func(t *testing.T) {
				_, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String(queue), JobDefinition: aws.String(ref)})
				wantClientError(t, err, "JobDefinition name "+ref+" does not exist or is not in ACTIVE status")
			})
		}
	})

	t.Run("submit once every revision is inactive", func(t *testing.T) {
		for _, ref := range []string{"rev:1", "rev:2"} {
			if _, err := c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: aws.String(ref)}); err != nil {
				t.Fatalf("DeregisterJobDefinition(%s) = %v", ref, err)
			}
		}
		_, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String(queue), JobDefinition: aws.String("rev")})
		wantClientError(t, err, "JobDefinition name rev does not exist or is not in ACTIVE status")
	})
}

func TestDescribeJobDefinitionsPagination(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	for range 7 {
		registerDef(t, c, fargateDefInput("paged"))
	}
	registerDef(t, c, fargateDefInput("unrelated"))

	var pages [][]int32
	in := &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("paged"), MaxResults: aws.Int32(3)}
	for {
		out, err := c.DescribeJobDefinitions(ctx, in)
		if err != nil {
			t.Fatalf("DescribeJobDefinitions page %d = %v", len(pages)+1, err)
		}
		pages = append(pages, revisionsOf(out.JobDefinitions))
		if out.NextToken == nil {
			break
		}
		if len(pages) > 10 {
			t.Fatal("DescribeJobDefinitions keeps returning a nextToken")
		}
		in.NextToken = out.NextToken
	}
	if want := [][]int32{{7, 6, 5}, {4, 3, 2}, {1}}; fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}

	// The SDK's paginator walks the same pages.
	var all []int32
	p := batch.NewDescribeJobDefinitionsPaginator(c, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("paged"), MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("paginator: %v", err)
		}
		all = append(all, revisionsOf(out.JobDefinitions)...)
	}
	if want := []int32{7, 6, 5, 4, 3, 2, 1}; !slices.Equal(all, want) {
		t.Errorf("paginator revisions = %v, want %v", all, want)
	}

	// Without a name, every definition is listed.
	if defs := describeDefs(t, c, &batch.DescribeJobDefinitionsInput{}); len(defs) != 8 {
		t.Errorf("DescribeJobDefinitions() listed %d definitions, want 8", len(defs))
	}

	t.Run("bad nextToken", func(t *testing.T) {
		_, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{NextToken: aws.String("not-a-token")})
		wantClientError(t, err, "nextToken is not valid")
	})
	t.Run("maxResults out of range", func(t *testing.T) {
		for _, n := range []int32{0, 101} {
			_, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{MaxResults: aws.Int32(n)})
			wantClientError(t, err, "maxResults must be between 1 and 100")
		}
	})
}

// fargateMemoryTable is the Fargate vCPU/memory table as AWS documents it
// (reference §5.1), written out independently of barge's own copy.
var fargateMemoryTable = []struct {
	vcpu           string
	from, to, step int
	explicit       []int
}{
	{vcpu: "0.25", explicit: []int{512, 1024, 2048}},
	{vcpu: "0.5", from: 1024, to: 4096, step: 1024},
	{vcpu: "1", from: 2048, to: 8192, step: 1024},
	{vcpu: "2", from: 4096, to: 16384, step: 1024},
	{vcpu: "4", from: 8192, to: 30720, step: 1024},
	{vcpu: "8", from: 16384, to: 61440, step: 4096},
	{vcpu: "16", from: 32768, to: 122880, step: 8192},
}

func TestFargateResourceTable(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()

	counts := map[string]int{}
	for _, row := range fargateMemoryTable {
		mems := row.explicit
		for m := row.from; row.step > 0 && m <= row.to; m += row.step {
			mems = append(mems, m)
		}
		counts[row.vcpu] = len(mems)
		for _, mem := range mems {
			in := fargateDefInput("fargate-" + strings.ReplaceAll(row.vcpu, ".", "_") + "-" + fmt.Sprint(mem))
			in.ContainerProperties = fargateContainer(row.vcpu, fmt.Sprint(mem))
			if _, err := c.RegisterJobDefinition(ctx, in); err != nil {
				t.Errorf("RegisterJobDefinition(%s vCPU, %d MiB) = %v, want it accepted", row.vcpu, mem, err)
			}
		}
	}
	// The documented row lengths, as a check on the table above.
	if want := map[string]int{"0.25": 3, "0.5": 4, "1": 7, "2": 13, "4": 23, "8": 12, "16": 12}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("table row lengths = %v, want %v", counts, want)
	}

	rejects := []struct {
		vcpu, memory string
		want         []string
	}{
		{"0.25", "4096", []string{"Fargate resource requirements (0.25 vCPU, 4096 MiB) not valid", "512, 1024, 2048"}},
		{"0.25", "256", []string{"(0.25 vCPU, 256 MiB) not valid"}},
		{"0.5", "512", []string{"(0.50 vCPU, 512 MiB) not valid", "1024, 2048, 3072, 4096"}},
		{"1", "1024", []string{"(1.00 vCPU, 1024 MiB) not valid", "2048"}},
		{"1", "9216", []string{"(1.00 vCPU, 9216 MiB) not valid", "8192"}},
		{"2", "3072", []string{"(2.00 vCPU, 3072 MiB) not valid"}},
		{"4", "7168", []string{"(4.00 vCPU, 7168 MiB) not valid", "8192"}},
		{"4", "31744", []string{"(4.00 vCPU, 31744 MiB) not valid", "30720"}},
		{"8", "18432", []string{"(8.00 vCPU, 18432 MiB) not valid", "16384, 20480"}},
		{"16", "36864", []string{"(16.00 vCPU, 36864 MiB) not valid", "32768, 40960"}},
		{"16", "131072", []string{"(16.00 vCPU, 131072 MiB) not valid"}},
		{"3", "6144", []string{"(3.00 vCPU, 6144 MiB) not valid", "0.25, 0.5, 1, 2, 4, 8, 16"}},
		{"0.75", "2048", []string{"(0.75 vCPU, 2048 MiB) not valid", "0.25, 0.5, 1, 2, 4, 8, 16"}},
		{"32", "65536", []string{"(32.00 vCPU, 65536 MiB) not valid"}},
		{"one", "2048", []string{"Value one for type VCPU", "numeric"}},
		{"-1", "2048", []string{"for type VCPU", "numeric"}},
		{"1", "2GB", []string{"Value 2GB for type MEMORY", "numeric"}},
	}
	for _, tt := range rejects {
		t.Run(tt.vcpu+"/"+tt.memory, func(t *testing.T) {
			in := fargateDefInput("bad-size")
			in.ContainerProperties = fargateContainer(tt.vcpu, tt.memory)
			_, err := c.RegisterJobDefinition(ctx, in)
			wantClientError(t, err, tt.want...)
		})
	}
}

// manyTags returns n distinct tags.
func manyTags(n int) map[string]string {
	tags := make(map[string]string, n)
	for i := range n {
		tags[fmt.Sprintf("key%02d", i)] = "value"
	}
	return tags
}

// longEnvironment returns environment variables whose values add up to
// about size bytes.
func longEnvironment(size int) []types.KeyValuePair {
	var env []types.KeyValuePair
	for i := 0; size > 0; i++ {
		n := min(size, 1000)
		env = append(env, types.KeyValuePair{Name: aws.String(fmt.Sprintf("VAR%03d", i)), Value: aws.String(strings.Repeat("x", n))})
		size -= n
	}
	return env
}

func TestRegisterJobDefinitionValidation(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()

	type change func(in *batch.RegisterJobDefinitionInput)
	cp := func(f func(c *types.ContainerProperties)) change {
		return func(in *batch.RegisterJobDefinitionInput) { f(in.ContainerProperties) }
	}
	lp := func(f func(lp *types.LinuxParameters)) change {
		return cp(func(c *types.ContainerProperties) { c.LinuxParameters = &types.LinuxParameters{}; f(c.LinuxParameters) })
	}
	retry := func(attempts *int32, n int, e types.EvaluateOnExit) change {
		return func(in *batch.RegisterJobDefinitionInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: attempts}
			for range n {
				in.RetryStrategy.EvaluateOnExit = append(in.RetryStrategy.EvaluateOnExit, e)
			}
		}
	}
	onStatus := func(s string) types.EvaluateOnExit {
		return types.EvaluateOnExit{OnStatusReason: aws.String(s), Action: types.RetryActionRetry}
	}
	requirements := func(rrs ...string) change {
		return cp(func(c *types.ContainerProperties) {
			c.ResourceRequirements = nil
			for i := 0; i < len(rrs); i += 2 {
				c.ResourceRequirements = append(c.ResourceRequirements, types.ResourceRequirement{Type: types.ResourceType(rrs[i]), Value: aws.String(rrs[i+1])})
			}
		})
	}
	ec2 := func(f change) change {
		return func(in *batch.RegisterJobDefinitionInput) {
			*in = *ec2DefInput(aws.ToString(in.JobDefinitionName))
			if f != nil {
				f(in)
			}
		}
	}
	windows := func(arch string) change {
		return cp(func(c *types.ContainerProperties) {
			c.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: aws.String("WINDOWS_SERVER_2019_CORE"), CpuArchitecture: aws.String(arch)}
		})
	}

	tests := []struct {
		name   string
		change change
		want   []string // fragments of the ClientException; nil = accepted
	}{
		{"valid Fargate definition", nil, nil},

		// Resources.
		{"VCPU missing", requirements("MEMORY", "512"), []string{"vCPU is not provided", "VCPU"}},
		{"MEMORY missing", requirements("VCPU", "0.25"), []string{"Memory is not provided", "MEMORY"}},
		{"no resource requirements", requirements(), []string{"vCPU is not provided"}},
		{"GPU on Fargate", requirements("VCPU", "1", "MEMORY", "2048", "GPU", "1"), []string{"GPU", "not supported on Fargate"}},
		{"resource type twice", requirements("VCPU", "1", "VCPU", "2", "MEMORY", "2048"), []string{"type VCPU twice"}},
		{"unknown resource type", requirements("VCPU", "1", "MEMORY", "2048", "DISK", "1"), []string{"DISK", "VCPU, MEMORY or GPU"}},
		{"legacy vcpus on Fargate", cp(func(c *types.ContainerProperties) { c.Vcpus = aws.Int32(1) }),
			[]string{"vcpus is not applicable for Fargate. Use resource requirements instead."}},
		{"legacy memory on Fargate", cp(func(c *types.ContainerProperties) { c.Memory = aws.Int32(2048) }),
			[]string{"memory is not applicable for Fargate. Use resource requirements instead."}},

		// Roles.
		{"executionRoleArn missing", cp(func(c *types.ContainerProperties) { c.ExecutionRoleArn = nil }),
			[]string{"containerProperties.executionRoleArn is required", "Fargate"}},
		{"executionRoleArn not a role ARN", cp(func(c *types.ContainerProperties) { c.ExecutionRoleArn = aws.String("ecsTaskExecutionRole") }),
			[]string{"executionRoleArn ecsTaskExecutionRole is not an iam role arn"}},
		{"executionRoleArn of a user", cp(func(c *types.ContainerProperties) {
			c.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:user/bob")
		}),
			[]string{"is not an iam role arn"}},
		{"executionRoleArn with a path", cp(func(c *types.ContainerProperties) {
			c.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/service-role/ecsTaskExecutionRole")
		}), nil},

		// Members Fargate forbids.
		{"ulimits", cp(func(c *types.ContainerProperties) {
			c.Ulimits = []types.Ulimit{{Name: aws.String("nofile"), SoftLimit: aws.Int32(1024), HardLimit: aws.Int32(4096)}}
		}), []string{"containerProperties.ulimits is not applicable to Fargate"}},
		{"privileged true", cp(func(c *types.ContainerProperties) { c.Privileged = aws.Bool(true) }), []string{"containerProperties.privileged is not applicable to Fargate"}},
		{"privileged false", cp(func(c *types.ContainerProperties) { c.Privileged = aws.Bool(false) }), nil},
		{"linuxParameters.devices", lp(func(lp *types.LinuxParameters) { lp.Devices = []types.Device{{HostPath: aws.String("/dev/fuse")}} }),
			[]string{"linuxParameters.devices is not applicable to Fargate"}},
		{"linuxParameters.sharedMemorySize", lp(func(lp *types.LinuxParameters) { lp.SharedMemorySize = aws.Int32(64) }),
			[]string{"linuxParameters.sharedMemorySize is not applicable to Fargate"}},
		{"linuxParameters.tmpfs", lp(func(lp *types.LinuxParameters) {
			lp.Tmpfs = []types.Tmpfs{{ContainerPath: aws.String("/scratch"), Size: aws.Int32(64)}}
		}), []string{"linuxParameters.tmpfs is not applicable to Fargate"}},
		{"linuxParameters.maxSwap", lp(func(lp *types.LinuxParameters) { lp.MaxSwap = aws.Int32(0) }),
			[]string{"linuxParameters.maxSwap is not applicable to Fargate"}},
		{"linuxParameters.swappiness", lp(func(lp *types.LinuxParameters) { lp.Swappiness = aws.Int32(60) }),
			[]string{"linuxParameters.swappiness is not applicable to Fargate"}},
		{"linuxParameters.initProcessEnabled", lp(func(lp *types.LinuxParameters) { lp.InitProcessEnabled = aws.Bool(true) }), nil},
		{"instanceType", cp(func(c *types.ContainerProperties) { c.InstanceType = aws.String("m5.large") }),
			[]string{"containerProperties.instanceType is not applicable to Fargate"}},
		{"host volume", cp(func(c *types.ContainerProperties) {
			c.Volumes = []types.Volume{{Name: aws.String("data"), Host: &types.Host{SourcePath: aws.String("/data")}}}
		}), []string{"containerProperties.volumes[0].host is not applicable to Fargate"}},
		{"EFS volume", cp(func(c *types.ContainerProperties) {
			c.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-12345678")}}}
		}), nil},
		{"readonlyRootFilesystem", cp(func(c *types.ContainerProperties) { c.ReadonlyRootFilesystem = aws.Bool(true) }), nil},

		// Log drivers.
		{"logDriver json-file", cp(func(c *types.ContainerProperties) {
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverJsonFile}
		}), []string{"logDriver \"json-file\" is not supported on Fargate", "awslogs or splunk"}},
		{"logDriver fluentd", cp(func(c *types.ContainerProperties) {
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverFluentd}
		}), []string{"not supported on Fargate", "awslogs or splunk"}},
		{"logDriver unknown", cp(func(c *types.ContainerProperties) {
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriver("stdout")}
		}), []string{"logDriver \"stdout\" is not valid"}},
		{"logDriver awslogs", cp(func(c *types.ContainerProperties) {
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/my/jobs"}}
		}), nil},
		{"logDriver splunk", cp(func(c *types.ContainerProperties) {
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverSplunk}
		}), nil},

		// Fargate-only members and their values.
		{"ephemeralStorage 20", cp(func(c *types.ContainerProperties) {
			c.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(20)}
		}),
			[]string{"ephemeralStorage.sizeInGiB 20 is not valid", "between 21 and 200"}},
		{"ephemeralStorage 201", cp(func(c *types.ContainerProperties) {
			c.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(201)}
		}),
			[]string{"ephemeralStorage.sizeInGiB 201 is not valid", "between 21 and 200"}},
		{"ephemeralStorage 21", cp(func(c *types.ContainerProperties) {
			c.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(21)}
		}), nil},
		{"ephemeralStorage 200", cp(func(c *types.ContainerProperties) {
			c.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(200)}
		}), nil},
		{"platformVersion 1.2.0", cp(func(c *types.ContainerProperties) {
			c.FargatePlatformConfiguration = &types.FargatePlatformConfiguration{PlatformVersion: aws.String("1.2.0")}
		}), []string{"platformVersion \"1.2.0\" is not valid", "LATEST, 1.4.0 or 1.3.0"}},
		{"platformVersion LATEST", cp(func(c *types.ContainerProperties) {
			c.FargatePlatformConfiguration = &types.FargatePlatformConfiguration{PlatformVersion: aws.String("LATEST")}
		}), nil},
		{"platformVersion 1.4.0", cp(func(c *types.ContainerProperties) {
			c.FargatePlatformConfiguration = &types.FargatePlatformConfiguration{PlatformVersion: aws.String("1.4.0")}
		}), nil},
		{"platformVersion 1.3.0 with EFS", cp(func(c *types.ContainerProperties) {
			c.FargatePlatformConfiguration = &types.FargatePlatformConfiguration{PlatformVersion: aws.String("1.3.0")}
			c.Volumes = []types.Volume{{Name: aws.String("data"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{FileSystemId: aws.String("fs-12345678")}}}
		}), []string{"1.3.0 does not support EFS"}},
		{"assignPublicIp bad", cp(func(c *types.ContainerProperties) {
			c.NetworkConfiguration = &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIp("YES")}
		}), []string{"assignPublicIp \"YES\" is not valid", "ENABLED or DISABLED"}},
		{"assignPublicIp DISABLED", cp(func(c *types.ContainerProperties) {
			c.NetworkConfiguration = &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIpDisabled}
		}), nil},
		{"networkConfiguration omitted", cp(func(c *types.ContainerProperties) { c.NetworkConfiguration = nil }), nil},
		{"runtimePlatform ARM64 Linux", cp(func(c *types.ContainerProperties) {
			c.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: aws.String("LINUX"), CpuArchitecture: aws.String("ARM64")}
		}), nil},
		{"runtimePlatform Windows", windows("X86_64"), nil},
		{"runtimePlatform Windows on ARM64", windows("ARM64"), []string{"cpuArchitecture must be X86_64 for Windows"}},
		{"runtimePlatform unknown architecture", cp(func(c *types.ContainerProperties) {
			c.RuntimePlatform = &types.RuntimePlatform{CpuArchitecture: aws.String("RISCV")}
		}), []string{"cpuArchitecture \"RISCV\" is not valid", "X86_64 or ARM64"}},
		{"runtimePlatform unknown operating system", cp(func(c *types.ContainerProperties) {
			c.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: aws.String("MACOS")}
		}), []string{"operatingSystemFamily \"MACOS\" is not valid", "LINUX"}},
		{"Windows with a user", func(in *batch.RegisterJobDefinitionInput) {
			windows("X86_64")(in)
			in.ContainerProperties.User = aws.String("nobody")
		}, []string{"user cannot be set for Windows containers"}},

		// Image, command, environment.
		{"image missing", cp(func(c *types.ContainerProperties) { c.Image = nil }), []string{"containerProperties.image is required"}},
		{"image with a space", cp(func(c *types.ContainerProperties) { c.Image = aws.String("busy box") }), []string{"containerProperties.image \"busy box\" is not valid"}},
		{"image too long", cp(func(c *types.ContainerProperties) { c.Image = aws.String(strings.Repeat("a", 256)) }), []string{"256 characters long", "255"}},
		{"image by digest", cp(func(c *types.ContainerProperties) {
			c.Image = aws.String("public.ecr.aws/docker/library/busybox@sha256:" + strings.Repeat("ab", 32))
		}), nil},
		{"command with an empty string", cp(func(c *types.ContainerProperties) { c.Command = []string{"echo", ""} }),
			[]string{"Command field cannot have empty strings", "containerProperties.command[1]"}},
		{"no command", cp(func(c *types.ContainerProperties) { c.Command = nil }), nil},
		{"environment AWS_BATCH name", cp(func(c *types.ContainerProperties) {
			c.Environment = []types.KeyValuePair{{Name: aws.String("AWS_BATCH_JOB_ID"), Value: aws.String("x")}}
		}), []string{"containerProperties.environment[0].name \"AWS_BATCH_JOB_ID\" is not allowed", "reserved"}},
		{"environment name missing", cp(func(c *types.ContainerProperties) {
			c.Environment = []types.KeyValuePair{{Value: aws.String("x")}}
		}), []string{"environment[0].name is required"}},
		{"environment AWS_ name", cp(func(c *types.ContainerProperties) {
			c.Environment = []types.KeyValuePair{{Name: aws.String("AWS_REGION_HINT"), Value: aws.String("x")}}
		}), nil},

		// Retry strategy.
		{"attempts 0", retry(aws.Int32(0), 0, types.EvaluateOnExit{}), []string{"retryStrategy.attempts 0 is not valid", "between 1 and 10"}},
		{"attempts 11", retry(aws.Int32(11), 0, types.EvaluateOnExit{}), []string{"retryStrategy.attempts 11 is not valid", "between 1 and 10"}},
		{"attempts 1", retry(aws.Int32(1), 0, types.EvaluateOnExit{}), nil},
		{"attempts 10", retry(aws.Int32(10), 0, types.EvaluateOnExit{}), nil},
		{"evaluateOnExit 6 entries", retry(aws.Int32(3), 6, onStatus("Host*")), []string{"evaluateOnExit has 6 entries", "at most 5"}},
		{"evaluateOnExit 5 entries", retry(aws.Int32(3), 5, onStatus("Host*")), nil},
		{"evaluateOnExit without attempts", retry(nil, 1, onStatus("Host*")), []string{"retryStrategy.attempts is required when retryStrategy.evaluateOnExit is given"}},
		{"evaluateOnExit restricted characters", retry(aws.Int32(2), 1, onStatus("Task failed (OOM)")),
			[]string{"Evaluate on exit condition contains restricted characters", "onStatusReason"}},
		{"evaluateOnExit star inside", retry(aws.Int32(2), 1, onStatus("Task*failed")),
			[]string{"Evaluate on exit condition contains restricted characters"}},
		{"evaluateOnExit exit code not a number", retry(aws.Int32(2), 1, types.EvaluateOnExit{OnExitCode: aws.String("1-2"), Action: types.RetryActionExit}),
			[]string{"Evaluate on exit condition contains restricted characters", "onExitCode"}},
		{"evaluateOnExit pattern too long", retry(aws.Int32(2), 1, onStatus(strings.Repeat("a", 513))), []string{"513 characters long", "512"}},
		{"evaluateOnExit bad action", retry(aws.Int32(2), 1, types.EvaluateOnExit{OnExitCode: aws.String("1"), Action: types.RetryAction("RESTART")}),
			[]string{"action \"RESTART\" is not valid", "RETRY or EXIT"}},
		{"evaluateOnExit lower-case action", retry(aws.Int32(2), 1, types.EvaluateOnExit{OnExitCode: aws.String("137"), Action: types.RetryAction("retry")}), nil},
		{"evaluateOnExit spot interruption", retry(aws.Int32(3), 1, onStatus("Your Spot Task was interrupted.*")), nil},

		// Timeout, scheduling priority, parameters.
		{"timeout 59", func(in *batch.RegisterJobDefinitionInput) {
			in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(59)}
		},
			[]string{"timeout.attemptDurationSeconds 59 is not valid", "minimum is 60"}},
		{"timeout 60", func(in *batch.RegisterJobDefinitionInput) {
			in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(60)}
		}, nil},
		{"schedulingPriority -1", func(in *batch.RegisterJobDefinitionInput) { in.SchedulingPriority = aws.Int32(-1) },
			[]string{"schedulingPriority -1 is not valid", "between 0 and 9999"}},
		{"schedulingPriority 10000", func(in *batch.RegisterJobDefinitionInput) { in.SchedulingPriority = aws.Int32(10000) },
			[]string{"schedulingPriority 10000 is not valid", "between 0 and 9999"}},
		{"schedulingPriority 9999", func(in *batch.RegisterJobDefinitionInput) { in.SchedulingPriority = aws.Int32(9999) }, nil},
		{"parameter with an empty name", func(in *batch.RegisterJobDefinitionInput) { in.Parameters = map[string]string{"": "x"} },
			[]string{"parameters has an empty key"}},

		// Name and type.
		{"name with a space", func(in *batch.RegisterJobDefinitionInput) { in.JobDefinitionName = aws.String("my job") },
			[]string{"jobDefinitionName \"my job\" is not valid", "letters, numbers, hyphens (-) and underscores (_)"}},
		{"name with a colon", func(in *batch.RegisterJobDefinitionInput) { in.JobDefinitionName = aws.String("job:1") },
			[]string{"jobDefinitionName \"job:1\" is not valid"}},
		{"name empty", func(in *batch.RegisterJobDefinitionInput) { in.JobDefinitionName = aws.String("") },
			[]string{"jobDefinitionName is required"}},
		{"name of 129 characters", func(in *batch.RegisterJobDefinitionInput) {
			in.JobDefinitionName = aws.String(strings.Repeat("n", 129))
		},
			[]string{"jobDefinitionName is 129 characters long", "1 to 128 characters"}},
		{"name of 128 characters", func(in *batch.RegisterJobDefinitionInput) {
			in.JobDefinitionName = aws.String(strings.Repeat("n", 128))
		}, nil},
		{"name starting with a hyphen", func(in *batch.RegisterJobDefinitionInput) { in.JobDefinitionName = aws.String("-_-") }, nil},
		{"type unknown", func(in *batch.RegisterJobDefinitionInput) { in.Type = types.JobDefinitionType("batch") },
			[]string{"type \"batch\" is not valid", "container or multinode"}},
		{"multinode on Fargate", func(in *batch.RegisterJobDefinitionInput) { in.Type = types.JobDefinitionTypeMultinode },
			[]string{"multinode is not supported on Fargate"}},
		{"containerProperties missing", func(in *batch.RegisterJobDefinitionInput) { in.ContainerProperties = nil },
			[]string{"exactly one of containerProperties, ecsProperties or eksProperties"}},
		{"two platform capabilities", func(in *batch.RegisterJobDefinitionInput) {
			in.PlatformCapabilities = []types.PlatformCapability{types.PlatformCapabilityFargate, types.PlatformCapabilityEc2}
		}, []string{"platformCapabilities has 2 entries"}},
		{"unknown platform capability", func(in *batch.RegisterJobDefinitionInput) {
			in.PlatformCapabilities = []types.PlatformCapability{"LAMBDA"}
		}, []string{"platformCapabilities value \"LAMBDA\" is not valid", "EC2 or FARGATE"}},

		// Tags.
		{"51 tags", func(in *batch.RegisterJobDefinitionInput) { in.Tags = manyTags(51) }, []string{"tags has 51 tags", "at most 50"}},
		{"50 tags", func(in *batch.RegisterJobDefinitionInput) { in.Tags = manyTags(50) }, nil},
		{"tag key aws:", func(in *batch.RegisterJobDefinitionInput) { in.Tags = map[string]string{"aws:owner": "me"} },
			[]string{"tags key \"aws:owner\" is not allowed", "reserved"}},
		{"tag key of 129 characters", func(in *batch.RegisterJobDefinitionInput) { in.Tags = map[string]string{strings.Repeat("k", 129): "v"} },
			[]string{"129 characters long", "at most 128"}},
		{"tag value of 257 characters", func(in *batch.RegisterJobDefinitionInput) { in.Tags = map[string]string{"k": strings.Repeat("v", 257)} },
			[]string{"257 characters long", "at most 256"}},
		{"tag value of 256 characters", func(in *batch.RegisterJobDefinitionInput) { in.Tags = map[string]string{"k": strings.Repeat("v", 256)} }, nil},

		// Size.
		{"definition over 24 KiB", cp(func(c *types.ContainerProperties) { c.Environment = longEnvironment(25 * 1024) }), []string{"24 KiB"}},
		{"definition of 20 KiB", cp(func(c *types.ContainerProperties) { c.Environment = longEnvironment(20 * 1024) }), nil},

		// EC2 definitions: platformCapabilities omitted.
		{"EC2 with integer vCPUs", ec2(nil), nil},
		{"EC2 with legacy vcpus and memory", ec2(cp(func(c *types.ContainerProperties) {
			c.ResourceRequirements = nil
			c.Vcpus, c.Memory = aws.Int32(2), aws.Int32(2048)
		})), nil},
		{"EC2 with EC2-only members and no execution role", ec2(cp(func(c *types.ContainerProperties) {
			c.Ulimits = []types.Ulimit{{Name: aws.String("nofile"), SoftLimit: aws.Int32(1024), HardLimit: aws.Int32(4096)}}
			c.Privileged = aws.Bool(true)
			c.ResourceRequirements = append(c.ResourceRequirements, types.ResourceRequirement{Type: types.ResourceTypeGpu, Value: aws.String("1")})
			c.Volumes = []types.Volume{{Name: aws.String("data"), Host: &types.Host{SourcePath: aws.String("/data")}}}
			c.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverJsonFile}
		})), nil},
		{"EC2 explicitly", ec2(func(in *batch.RegisterJobDefinitionInput) {
			in.PlatformCapabilities = []types.PlatformCapability{types.PlatformCapabilityEc2}
		}), nil},
		{"EC2 with fractional vCPUs", ec2(requirements("VCPU", "0.5", "MEMORY", "2048")),
			[]string{"Value 0.5 for type VCPU in resourceRequirement is not valid. Please provide a numeric value."}},
		{"EC2 with vCPU 1.0", ec2(requirements("VCPU", "1.0", "MEMORY", "2048")),
			[]string{"Value 1.0 for type VCPU in resourceRequirement is not valid. Please provide a numeric value."}},
		{"EC2 with 0 vCPUs", ec2(requirements("VCPU", "0", "MEMORY", "2048")), []string{"VCPU 0 is not valid", "at least 1 vCPU"}},
		{"EC2 with 3 MiB", ec2(requirements("VCPU", "1", "MEMORY", "3")), []string{"MEMORY 3 is not valid", "at least 4 MiB"}},
		{"EC2 with networkConfiguration", ec2(cp(func(c *types.ContainerProperties) {
			c.NetworkConfiguration = &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIpEnabled}
		})), []string{"containerProperties.networkConfiguration applies only to Fargate"}},
		{"EC2 with fargatePlatformConfiguration", ec2(cp(func(c *types.ContainerProperties) {
			c.FargatePlatformConfiguration = &types.FargatePlatformConfiguration{PlatformVersion: aws.String("LATEST")}
		})), []string{"containerProperties.fargatePlatformConfiguration applies only to Fargate"}},
		{"EC2 with ephemeralStorage", ec2(cp(func(c *types.ContainerProperties) {
			c.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(50)}
		})), []string{"containerProperties.ephemeralStorage applies only to Fargate"}},
		{"EC2 with runtimePlatform", ec2(cp(func(c *types.ContainerProperties) {
			c.RuntimePlatform = &types.RuntimePlatform{CpuArchitecture: aws.String("ARM64")}
		})), []string{"containerProperties.runtimePlatform applies only to Fargate"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fargateDefInput(fmt.Sprintf("case-%03d", i))
			if tt.change != nil {
				tt.change(in)
			}
			out, err := c.RegisterJobDefinition(ctx, in)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("RegisterJobDefinition() = %v, want it accepted", err)
				}
				if aws.ToInt32(out.Revision) != 1 {
					t.Errorf("revision = %d, want 1", aws.ToInt32(out.Revision))
				}
				return
			}
			wantClientError(t, err, tt.want...)
		})
	}
}

func TestDescribeJobDefinitionOutput(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()

	registerDef(t, c, fargateDefInput("plain"))
	full := fargateDefInput("full")
	full.Parameters = map[string]string{"input": "s3://bucket/in"}
	full.Tags = map[string]string{"team": "data"}
	full.PropagateTags = aws.Bool(true)
	full.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(3), EvaluateOnExit: []types.EvaluateOnExit{
		{OnStatusReason: aws.String("Your Spot Task was interrupted*"), Action: types.RetryActionRetry},
	}}
	full.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(600)}
	full.SchedulingPriority = aws.Int32(5)
	full.ContainerProperties.Environment = []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("fast")}}
	full.ContainerProperties.JobRoleArn = aws.String("arn:aws:iam::123456789012:role/jobRole")
	full.ContainerProperties.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(30)}
	full.ContainerProperties.RuntimePlatform = &types.RuntimePlatform{OperatingSystemFamily: aws.String("LINUX"), CpuArchitecture: aws.String("ARM64")}
	full.ContainerProperties.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-stream-prefix": "full"}}
	registerDef(t, c, full)

	plain := describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"plain:1"}})[0]
	if plain.Parameters == nil || len(plain.Parameters) != 0 {
		t.Errorf("parameters = %#v, want {}", plain.Parameters)
	}
	if plain.Tags == nil || len(plain.Tags) != 0 {
		t.Errorf("tags = %#v, want {}", plain.Tags)
	}
	if got := string(plain.ContainerOrchestrationType); got != "ECS" {
		t.Errorf("containerOrchestrationType = %q, want ECS", got)
	}
	if got := aws.ToString(plain.Status); got != "ACTIVE" {
		t.Errorf("status = %q, want ACTIVE", got)
	}
	if got := aws.ToString(plain.Type); got != "container" {
		t.Errorf("type = %q, want container", got)
	}
	if !slices.Equal(plain.PlatformCapabilities, []types.PlatformCapability{types.PlatformCapabilityFargate}) {
		t.Errorf("platformCapabilities = %v, want [FARGATE]", plain.PlatformCapabilities)
	}
	cp := plain.ContainerProperties
	if cp == nil {
		t.Fatal("containerProperties missing")
	}
	if aws.ToString(cp.Image) != "busybox:latest" || !slices.Equal(cp.Command, []string{"echo", "hello"}) || aws.ToString(cp.ExecutionRoleArn) != executionRole {
		t.Errorf("containerProperties = image %q command %q executionRoleArn %q, want the registered ones", aws.ToString(cp.Image), cp.Command, aws.ToString(cp.ExecutionRoleArn))
	}
	if got := resourcesOf(cp.ResourceRequirements); got != "VCPU=0.25 MEMORY=512" {
		t.Errorf("resourceRequirements = %s, want VCPU=0.25 MEMORY=512", got)
	}
	if cp.NetworkConfiguration == nil || cp.NetworkConfiguration.AssignPublicIp != types.AssignPublicIpEnabled {
		t.Errorf("networkConfiguration = %+v, want assignPublicIp ENABLED", cp.NetworkConfiguration)
	}
	if plain.RetryStrategy != nil || plain.Timeout != nil || plain.PropagateTags != nil || plain.SchedulingPriority != nil {
		t.Errorf("unset members echoed: retryStrategy %+v timeout %+v propagateTags %v schedulingPriority %v",
			plain.RetryStrategy, plain.Timeout, plain.PropagateTags, plain.SchedulingPriority)
	}

	f := describeDefs(t, c, &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{"full:1"}})[0]
	if f.Parameters["input"] != "s3://bucket/in" || f.Tags["team"] != "data" || !aws.ToBool(f.PropagateTags) {
		t.Errorf("parameters %v tags %v propagateTags %v, want the registered ones", f.Parameters, f.Tags, f.PropagateTags)
	}
	if f.RetryStrategy == nil || aws.ToInt32(f.RetryStrategy.Attempts) != 3 || len(f.RetryStrategy.EvaluateOnExit) != 1 ||
		aws.ToString(f.RetryStrategy.EvaluateOnExit[0].OnStatusReason) != "Your Spot Task was interrupted*" {
		t.Errorf("retryStrategy = %+v, want the registered one", f.RetryStrategy)
	}
	if f.Timeout == nil || aws.ToInt32(f.Timeout.AttemptDurationSeconds) != 600 || aws.ToInt32(f.SchedulingPriority) != 5 {
		t.Errorf("timeout %+v schedulingPriority %v, want 600 and 5", f.Timeout, f.SchedulingPriority)
	}
	fc := f.ContainerProperties
	if len(fc.Environment) != 1 || aws.ToString(fc.Environment[0].Name) != "MODE" || aws.ToString(fc.JobRoleArn) == "" ||
		fc.EphemeralStorage == nil || aws.ToInt32(fc.EphemeralStorage.SizeInGiB) != 30 ||
		fc.RuntimePlatform == nil || aws.ToString(fc.RuntimePlatform.CpuArchitecture) != "ARM64" ||
		fc.LogConfiguration == nil || fc.LogConfiguration.Options["awslogs-stream-prefix"] != "full" {
		t.Errorf("containerProperties = %+v, want every registered member echoed", fc)
	}
}

// resourcesOf renders resource requirements as "TYPE=value ...".
func resourcesOf(rrs []types.ResourceRequirement) string {
	parts := make([]string, len(rrs))
	for i, r := range rrs {
		parts[i] = string(r.Type) + "=" + aws.ToString(r.Value)
	}
	return strings.Join(parts, " ")
}
