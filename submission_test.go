package barge

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestSubmissionValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Submission)
		want   string
	}{
		{"plain", func(*Submission) {}, ""},
		{"array bounds", func(s *Submission) { s.ArraySize = ptr(2) }, ""},
		{"array max", func(s *Submission) { s.ArraySize = ptr(10000) }, ""},
		{"sequential array", func(s *Submission) {
			s.ArraySize = ptr(3)
			s.DependsOn = []JobDependency{{Type: DependencySequential}, {JobID: "j1", Type: DependencyNToN}}
		}, ""},
		{"twenty dependencies", func(s *Submission) { s.DependsOn = deps(20) }, ""},
		{"plain dependency", func(s *Submission) { s.DependsOn = []JobDependency{{JobID: "j1"}} }, ""},
		{"n_to_n on a single job", func(s *Submission) { s.DependsOn = []JobDependency{{JobID: "j1", Type: DependencyNToN}} }, ""},
		{"overrides", func(s *Submission) {
			s.ContainerOverrides = &ContainerOverrides{
				Command:              []string{"echo", "hi"},
				Environment:          []KeyValuePair{{Name: ptr("A"), Value: ptr("1")}},
				ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "1"}, {Type: ResourceMemory, Value: "2048"}},
			}
		}, ""},
		{"retry and timeout", func(s *Submission) {
			s.RetryStrategy = &RetryStrategy{Attempts: ptr(3), EvaluateOnExit: []EvaluateOnExit{{OnExitCode: "1", Action: "retry"}}}
			s.Timeout = &JobTimeout{AttemptDurationSeconds: ptr(60)}
		}, ""},
		{"priority override", func(s *Submission) { s.SchedulingPriorityOverride = ptr(9999) }, ""},
		{"share identifier", func(s *Submission) { s.ShareIdentifier = "teamA" }, ""},
		{"tags", func(s *Submission) { s.Tags = manyTags(50) }, ""},

		{"job name", func(s *Submission) { s.JobName = "bad name" }, "Job name should match valid pattern"},
		{"array 1", func(s *Submission) { s.ArraySize = ptr(1) }, "arrayProperties.size 1 is not valid: the array size must be between 2 and 10,000"},
		{"array 10001", func(s *Submission) { s.ArraySize = ptr(10001) }, "arrayProperties.size 10001 is not valid"},
		{"21 dependencies", func(s *Submission) { s.DependsOn = deps(21) }, "dependsOn has 21 entries. A job can depend on at most 20 jobs"},
		{"dependency type", func(s *Submission) { s.DependsOn = []JobDependency{{JobID: "j", Type: "ALL"}} }, "dependsOn[0].type \"ALL\" is not valid"},
		{"sequential single job", func(s *Submission) { s.DependsOn = []JobDependency{{Type: DependencySequential}} }, "dependsOn[0].type SEQUENTIAL without a jobId applies only to array jobs"},
		{"sequential single job with a jobId", func(s *Submission) { s.DependsOn = []JobDependency{{JobID: "j", Type: DependencySequential}} }, ""},
		{"missing jobId", func(s *Submission) {
			s.ArraySize = ptr(2)
			s.DependsOn = []JobDependency{{Type: DependencyNToN}}
		}, "dependsOn[0].jobId is required"},
		{"empty parameter key", func(s *Submission) { s.Parameters = map[string]string{"": "x"} }, "parameters has an empty key"},
		{"retry attempts", func(s *Submission) { s.RetryStrategy = &RetryStrategy{Attempts: ptr(11)} }, "retryStrategy.attempts 11"},
		{"retry pattern", func(s *Submission) {
			s.RetryStrategy = &RetryStrategy{Attempts: ptr(2), EvaluateOnExit: []EvaluateOnExit{{OnReason: "x|y", Action: "EXIT"}}}
		}, "Evaluate on exit condition contains restricted characters"},
		{"timeout", func(s *Submission) { s.Timeout = &JobTimeout{AttemptDurationSeconds: ptr(30)} }, "timeout.attemptDurationSeconds 30"},
		{"priority override", func(s *Submission) { s.SchedulingPriorityOverride = ptr(10000) }, "schedulingPriorityOverride 10000 is not valid"},
		{"share identifier", func(s *Submission) { s.ShareIdentifier = "team-a" }, "shareIdentifier \"team-a\" is not valid"},
		{"empty command string", func(s *Submission) { s.ContainerOverrides = &ContainerOverrides{Command: []string{""}} }, "Command field cannot have empty strings. containerOverrides.command[0] is empty"},
		{"reserved env", func(s *Submission) {
			s.ContainerOverrides = &ContainerOverrides{Environment: []KeyValuePair{{Name: ptr("AWS_BATCH_CE_NAME")}}}
		}, "containerOverrides.environment[0].name \"AWS_BATCH_CE_NAME\" is not allowed"},
		{"resource type", func(s *Submission) {
			s.ContainerOverrides = &ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: "vcpu", Value: "1"}}}
		}, "containerOverrides.resourceRequirements[0].type \"vcpu\" is not valid"},
		{"overrides size", func(s *Submission) {
			s.ContainerOverrides = &ContainerOverrides{Command: []string{strings.Repeat("x", 8192)}}
		}, "Container Overrides length must be at most 8192. containerOverrides is 8208 characters"},
		{"tags", func(s *Submission) { s.Tags = manyTags(51) }, "tags has 51 tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Submission{JobName: "job"}
			tt.mutate(s)
			checkErr(t, s.Validate(), tt.want)
		})
	}
}

func deps(n int) []JobDependency {
	d := make([]JobDependency, n)
	for i := range d {
		d[i].JobID = "job-" + string(rune('a'+i))
	}
	return d
}

func TestContainerOverridesSizeBoundary(t *testing.T) {
	o := &ContainerOverrides{Command: []string{""}}
	o.Command[0] = strings.Repeat("x", maxContainerOverrides-jsonLen(o))
	s := &Submission{JobName: "j", ContainerOverrides: o}
	checkErr(t, s.Validate(), "")
	o.Command[0] += "x"
	checkErr(t, s.Validate(), "Container Overrides length must be at most 8192")
}

func TestNewJobSpecMerge(t *testing.T) {
	def := fargateDef()
	def.Parameters = map[string]string{"msg": "hello", "who": "world"}
	def.ContainerProperties.Command = []string{"echo", "Ref::msg", "Ref::who", "Ref::unknown"}
	def.ContainerProperties.Environment = []KeyValuePair{{Name: ptr("A"), Value: ptr("1")}, {Name: ptr("B"), Value: ptr("2")}}
	def.RetryStrategy = &RetryStrategy{Attempts: ptr(2)}
	def.Timeout = &JobTimeout{AttemptDurationSeconds: ptr(100)}
	def.SchedulingPriority = ptr(5)
	def.Tags = map[string]string{"team": "def", "defonly": "x"}
	def.PropagateTags = ptr(true)
	before, _ := json.Marshal(def)

	s := &Submission{
		JobName:    "job",
		Parameters: map[string]string{"who": "barge"},
		ContainerOverrides: &ContainerOverrides{
			Environment:          []KeyValuePair{{Name: ptr("B"), Value: ptr("two")}, {Name: ptr("C"), Value: ptr("3")}},
			ResourceRequirements: []ResourceRequirement{{Type: ResourceMemory, Value: "2048"}},
		},
		Timeout:   &JobTimeout{AttemptDurationSeconds: ptr(600)},
		Tags:      map[string]string{"team": "job"},
		DependsOn: []JobDependency{{JobID: "j1"}},
		ArraySize: ptr(4),
	}
	spec, err := NewJobSpec(def, "arn:def:1", s, false)
	if err != nil {
		t.Fatal(err)
	}
	if spec.JobDefinitionArn != "arn:def:1" || spec.JobDefinitionName != "fg" {
		t.Errorf("definition = %q %q, want arn:def:1 fg", spec.JobDefinitionArn, spec.JobDefinitionName)
	}
	if want := map[string]string{"msg": "hello", "who": "barge"}; !reflect.DeepEqual(spec.Parameters, want) {
		t.Errorf("Parameters = %v, want %v", spec.Parameters, want)
	}
	if want := []string{"echo", "hello", "barge", "Ref::unknown"}; !slices.Equal(spec.Container.Command, want) {
		t.Errorf("Command = %q, want %q", spec.Container.Command, want)
	}
	var env []string
	for _, kv := range spec.Container.Environment {
		env = append(env, *kv.Name+"="+*kv.Value)
	}
	if want := []string{"A=1", "B=two", "C=3"}; !slices.Equal(env, want) {
		t.Errorf("Environment = %v, want %v", env, want)
	}
	if got := spec.Container.Requirement(ResourceVCPU) + "/" + spec.Container.Requirement(ResourceMemory); got != "0.25/2048" {
		t.Errorf("resources = %s, want 0.25/2048", got)
	}
	if *spec.RetryStrategy.Attempts != 2 || *spec.Timeout.AttemptDurationSeconds != 600 || *spec.SchedulingPriority != 5 {
		t.Errorf("retry, timeout, priority = %d, %d, %d, want 2, 600, 5", *spec.RetryStrategy.Attempts, *spec.Timeout.AttemptDurationSeconds, *spec.SchedulingPriority)
	}
	if want := map[string]string{"team": "job"}; !reflect.DeepEqual(spec.Tags, want) {
		t.Errorf("Tags = %v, want the job's own %v", spec.Tags, want)
	}
	if want := map[string]string{"team": "job", "defonly": "x"}; !reflect.DeepEqual(spec.TaskTags(), want) {
		t.Errorf("TaskTags() = %v, want %v", spec.TaskTags(), want)
	}
	if spec.ArraySize != 4 || len(spec.DependsOn) != 1 || !slices.Equal(spec.PlatformCapabilities, []string{"FARGATE"}) {
		t.Errorf("ArraySize, DependsOn, PlatformCapabilities = %d, %v, %v", spec.ArraySize, spec.DependsOn, spec.PlatformCapabilities)
	}
	if after, _ := json.Marshal(def); string(after) != string(before) {
		t.Errorf("NewJobSpec changed the definition:\n%s\nwant\n%s", after, before)
	}
	spec.Container.Environment[0].Value = ptr("changed")
	if *def.ContainerProperties.Environment[0].Value != "1" {
		t.Error("the spec's container shares memory with the definition")
	}
}

func TestNewJobSpecOverrides(t *testing.T) {
	def := fargateDef()
	def.Tags = map[string]string{"d": "1"}
	s := &Submission{
		JobName:                    "job",
		ShareIdentifier:            "teamA",
		SchedulingPriorityOverride: ptr(7),
		RetryStrategy:              &RetryStrategy{Attempts: ptr(5)},
		PropagateTags:              ptr(false),
		ContainerOverrides:         &ContainerOverrides{Command: []string{"true"}},
	}
	spec, err := NewJobSpec(def, "arn", s, true)
	if err != nil {
		t.Fatal(err)
	}
	if spec.ShareIdentifier != "teamA" || *spec.SchedulingPriority != 7 || *spec.RetryStrategy.Attempts != 5 || *spec.PropagateTags {
		t.Errorf("spec = %+v", spec)
	}
	if !slices.Equal(spec.Container.Command, []string{"true"}) {
		t.Errorf("Command = %q, want [true]", spec.Container.Command)
	}
	if spec.Tags != nil || spec.DefinitionTags != nil || spec.TaskTags() != nil {
		t.Errorf("Tags, DefinitionTags, TaskTags() = %v, %v, %v, want none (propagateTags off, no job tags)", spec.Tags, spec.DefinitionTags, spec.TaskTags())
	}
	// Propagation from the definition alone: the tasks get the definition's
	// tags, the job has none of its own.
	def.PropagateTags = ptr(true)
	spec, err = NewJobSpec(def, "arn", &Submission{JobName: "j"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Tags != nil {
		t.Errorf("Tags = %v, want none: the definition's tags are not the job's", spec.Tags)
	}
	if !reflect.DeepEqual(spec.TaskTags(), map[string]string{"d": "1"}) {
		t.Errorf("TaskTags() = %v, want the definition's", spec.TaskTags())
	}
	// Tags added to the job later (TagResource) reach its tasks too.
	spec.Tags = map[string]string{"d": "job", "j": "2"}
	if want := map[string]string{"d": "job", "j": "2"}; !reflect.DeepEqual(spec.TaskTags(), want) {
		t.Errorf("TaskTags() after tagging the job = %v, want %v", spec.TaskTags(), want)
	}
}

func TestNewJobSpecRejects(t *testing.T) {
	multinode := func() *JobDefinition {
		d := ec2Def()
		d.Type, d.ContainerProperties, d.NodeProperties = JobDefinitionMultinode, nil, json.RawMessage(`{}`)
		return d
	}
	eks := func() *JobDefinition {
		d := ec2Def()
		d.ContainerProperties, d.EksProperties = nil, &EksProperties{PodProperties: &EksPodProperties{
			Containers: []EksContainer{{Name: "main", Image: "busybox", Resources: &EksResources{Limits: map[string]string{"cpu": "1", "memory": "1024Mi"}}}},
		}}
		return d
	}
	ecs := func() *JobDefinition {
		d := fargateDef()
		d.ContainerProperties, d.EcsProperties = nil, json.RawMessage(`{}`)
		return d
	}
	ov := func(o ContainerOverrides) func(*Submission) {
		return func(s *Submission) { s.ContainerOverrides = &o }
	}
	eksOv := func(o EksContainerOverride) func(*Submission) {
		return func(s *Submission) {
			s.EksPropertiesOverride = &EksPropertiesOverride{PodProperties: &EksPodPropertiesOverride{Containers: []EksContainerOverride{o}}}
		}
	}
	tests := []struct {
		name      string
		def       func() *JobDefinition
		mutate    func(*Submission)
		fairShare bool
		want      string
	}{
		{"fargate valid override", fargateDef, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "1"}, {Type: ResourceMemory, Value: "8192"}}}), false, ""},
		{"ec2 legacy override", ec2Def, ov(ContainerOverrides{Vcpus: ptr(4), Memory: ptr(8)}), false, ""},
		{"ec2 override", ec2Def, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "8"}}, InstanceType: "m5.large"}), false, ""},

		{"invalid submission", fargateDef, func(s *Submission) { s.JobName = "" }, false, "Job name should match valid pattern"},
		{"fargate vcpu override", fargateDef, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "1"}}}), false,
			"Fargate resource requirements (1.00 vCPU, 512 MiB) not valid. For 1 vCPU, containerOverrides.resourceRequirements MEMORY must be one of 2048"},
		{"fargate memory override", fargateDef, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceMemory, Value: "4000"}}}), false,
			"Fargate resource requirements (0.25 vCPU, 4000 MiB) not valid."},
		{"fargate unparsable override", fargateDef, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "lots"}}}), false,
			"Value lots for type VCPU in resourceRequirement is not valid"},
		{"fargate legacy vcpus", fargateDef, ov(ContainerOverrides{Vcpus: ptr(1)}), false, "vcpus is not applicable for Fargate. Use resource requirements instead."},
		{"fargate legacy memory", fargateDef, ov(ContainerOverrides{Memory: ptr(2048)}), false, "memory is not applicable for Fargate. Use resource requirements instead."},
		{"fargate instance type", fargateDef, ov(ContainerOverrides{InstanceType: "m5.large"}), false, "containerOverrides.instanceType is not applicable for Fargate"},
		{"fargate gpu", fargateDef, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceGPU, Value: "1"}}}), false, "containerOverrides.resourceRequirements type GPU is not supported on Fargate"},
		{"fargate node overrides", fargateDef, func(s *Submission) { s.HasNodeOverrides = true }, false, "nodeOverrides is not applicable for Fargate"},
		{"fargate eks overrides", fargateDef, func(s *Submission) { s.EksPropertiesOverride = &EksPropertiesOverride{} }, false, "eksPropertiesOverride is not applicable for Fargate"},
		{"ecs override on container def", fargateDef, func(s *Submission) { s.HasEcsPropertiesOverride = true }, false, "ecsPropertiesOverride applies only to job definitions with ecsProperties"},
		{"node overrides on container def", ec2Def, func(s *Submission) { s.HasNodeOverrides = true }, false, "nodeOverrides applies only to multi-node parallel"},
		{"eks override on container def", ec2Def, func(s *Submission) { s.EksPropertiesOverride = &EksPropertiesOverride{} }, false, "eksPropertiesOverride applies only to job definitions with eksProperties"},
		{"container overrides on ecs def", ecs, ov(ContainerOverrides{Command: []string{"x"}}), false, "containerOverrides applies only to job definitions with containerProperties"},
		{"multinode def", multinode, func(*Submission) {}, false, "has no containerProperties: barge runs only container job definitions"},
		{"eks def", eks, func(s *Submission) { s.EksPropertiesOverride = &EksPropertiesOverride{} }, false, ""},
		{"eks override", eks, eksOv(EksContainerOverride{Args: []string{"x"}, Resources: &EksResources{Requests: map[string]string{"memory": "1024Mi"}}}), false, ""},
		{"eks container overrides", eks, ov(ContainerOverrides{Command: []string{"x"}}), false, "Container overrides or node overrides should not be set for Batch on EKS jobs."},
		{"eks node overrides", eks, func(s *Submission) { s.HasNodeOverrides = true }, false, "Container overrides or node overrides should not be set for Batch on EKS jobs."},
		{"eks override unknown name", eks, eksOv(EksContainerOverride{Name: "other"}), false, `eksPropertiesOverride.podProperties.containers[0].name "other" matches no container`},
		{"eks override reserved env", eks, eksOv(EksContainerOverride{Env: []EksEnvVar{{Name: "AWS_BATCH_X"}}}), false, "names starting with AWS_BATCH are reserved"},
		{"eks override memory mismatch", eks, eksOv(EksContainerOverride{Resources: &EksResources{Requests: map[string]string{"memory": "512Mi"}}}), false, "podProperties.containers[0].resources.requests.memory \"512Mi\" differs from limits.memory \"1024Mi\""},
		{"ecs def", ecs, func(s *Submission) { s.HasEcsPropertiesOverride = true }, false, "barge runs only container job definitions"},
		{"share identifier required", fargateDef, func(*Submission) {}, true, "shareIdentifier must be specified. The job queue has a fair-share scheduling policy"},
		{"share identifier forbidden", fargateDef, func(s *Submission) { s.ShareIdentifier = "a" }, false, "shareIdentifier must not be set"},
		{"ec2 fractional override", ec2Def, ov(ContainerOverrides{ResourceRequirements: []ResourceRequirement{{Type: ResourceVCPU, Value: "0.5"}}}), false,
			"Value 0.5 for type VCPU in resourceRequirement is not valid"},
		{"ec2 legacy vcpus 0", ec2Def, ov(ContainerOverrides{Vcpus: ptr(0)}), false, "containerOverrides.vcpus 0 is not valid"},
		{"ec2 legacy memory 2", ec2Def, ov(ContainerOverrides{Memory: ptr(2)}), false, "containerOverrides.memory 2 is not valid"},
		{"ec2 no vcpu anywhere", func() *JobDefinition {
			d := ec2Def()
			d.ContainerProperties.ResourceRequirements = d.ContainerProperties.ResourceRequirements[1:]
			return d
		}, func(*Submission) {}, false, "vCPU is not provided."},
		{"ec2 no memory anywhere", func() *JobDefinition {
			d := ec2Def()
			d.ContainerProperties.ResourceRequirements = d.ContainerProperties.ResourceRequirements[:1]
			return d
		}, func(*Submission) {}, false, "Memory is not provided."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Submission{JobName: "job"}
			tt.mutate(s)
			spec, err := NewJobSpec(tt.def(), "arn", s, tt.fairShare)
			checkErr(t, err, tt.want)
			if err == nil && spec == nil {
				t.Fatal("NewJobSpec returned nil spec and nil error")
			}
		})
	}
}

// TestStartFailure: more than 50 tags to propagate do not reject the
// submission (AWS accepts it) but fail the job.
func TestStartFailure(t *testing.T) {
	def := fargateDef()
	def.Tags, def.PropagateTags = manyTags(30), ptr(true) // k0 ... k29
	jobTags := func(n int) map[string]string {
		tags := map[string]string{}
		for i := range n {
			tags["job"+strconv.Itoa(i)] = "v"
		}
		return tags
	}
	tests := []struct {
		name      string
		tags      map[string]string
		propagate *bool
		want      string
	}{
		{"51 tags together", jobTags(21), nil, "the job's tags and its job definition's tags come to 51, and at most 50"},
		{"50 tags together", jobTags(20), nil, ""},
		{"equal keys count once", manyTags(25), nil, ""},
		{"no propagation", jobTags(40), ptr(false), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := NewJobSpec(def, "arn", &Submission{JobName: "job", PropagateTags: tt.propagate, Tags: tt.tags}, false)
			if err != nil {
				t.Fatalf("NewJobSpec() = %v, want it accepted", err)
			}
			got := spec.StartFailure()
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("StartFailure() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewJobSpecEC2Resources(t *testing.T) {
	def := ec2Def()
	def.ContainerProperties.ResourceRequirements = nil
	def.ContainerProperties.Vcpus, def.ContainerProperties.Memory = ptr(1), ptr(512)
	s := &Submission{JobName: "j", ContainerOverrides: &ContainerOverrides{Vcpus: ptr(4), ResourceRequirements: []ResourceRequirement{{Type: ResourceMemory, Value: "1024"}}}}
	spec, err := NewJobSpec(def, "arn", s, false)
	if err != nil {
		t.Fatal(err)
	}
	c := spec.Container
	if *c.Vcpus != 4 || *c.Memory != 512 || c.Requirement(ResourceMemory) != "1024" {
		t.Errorf("vcpus, memory, MEMORY = %d, %d, %q, want 4, 512, 1024", *c.Vcpus, *c.Memory, c.Requirement(ResourceMemory))
	}
	if *def.ContainerProperties.Vcpus != 1 || def.ContainerProperties.ResourceRequirements != nil {
		t.Error("NewJobSpec changed the definition")
	}
}

func TestSubstituteParameters(t *testing.T) {
	params := map[string]string{
		"in":       "s3://b/in.txt",
		"out":      "OUT",
		"out-dir":  "/data",
		"a.b":      "dotted",
		"loop":     "Ref::in",
		"empty":    "",
		"with_und": "U",
	}
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{}, []string{}},
		{[]string{"Ref::in"}, []string{"s3://b/in.txt"}},
		{[]string{"Ref::a.b"}, []string{"dotted"}},
		{[]string{"--input=Ref::in"}, []string{"--input=s3://b/in.txt"}},
		{[]string{"Ref::in,Ref::out"}, []string{"s3://b/in.txt,OUT"}},
		{[]string{"Ref::out-dir/x"}, []string{"/data/x"}},
		{[]string{"Ref::out-file"}, []string{"OUT-file"}},
		{[]string{"Ref::with_und.txt"}, []string{"U.txt"}},
		{[]string{"Ref::missing", "x-Ref::missing-y"}, []string{"Ref::missing", "x-Ref::missing-y"}},
		{[]string{"Ref::"}, []string{"Ref::"}},
		{[]string{"Ref::loop"}, []string{"Ref::in"}},
		{[]string{"Ref::empty"}, []string{""}},
		{[]string{"ref::in", "Ref:in"}, []string{"ref::in", "Ref:in"}},
		{[]string{"Ref::Ref::in"}, []string{"Ref::s3://b/in.txt"}},
		{[]string{"plain", "Ref::in"}, []string{"plain", "s3://b/in.txt"}},
	}
	for _, tt := range tests {
		got := SubstituteParameters(tt.in, params)
		if !slices.Equal(got, tt.want) || (tt.in == nil) != (got == nil) {
			t.Errorf("SubstituteParameters(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	in := []string{"Ref::in"}
	SubstituteParameters(in, params)
	if in[0] != "Ref::in" {
		t.Error("SubstituteParameters changed its input")
	}
	if got := SubstituteParameters([]string{"Ref::in"}, nil); got[0] != "Ref::in" {
		t.Errorf("SubstituteParameters with nil params = %q, want unchanged", got)
	}
}
