package barge

import (
	"encoding/json"
	"strings"
	"testing"
)

const testRole = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

func fargateDef() *JobDefinition {
	return &JobDefinition{
		Name:                 "fg",
		Type:                 JobDefinitionContainer,
		PlatformCapabilities: []string{PlatformFargate},
		ContainerProperties: &ContainerProperties{
			Image:            "public.ecr.aws/docker/library/busybox:latest",
			Command:          []string{"echo", "Ref::msg"},
			ExecutionRoleArn: testRole,
			ResourceRequirements: []ResourceRequirement{
				{Type: ResourceVCPU, Value: "0.25"},
				{Type: ResourceMemory, Value: "512"},
			},
		},
	}
}

func ec2Def() *JobDefinition {
	return &JobDefinition{
		Name: "ec2",
		Type: JobDefinitionContainer,
		ContainerProperties: &ContainerProperties{
			Image: "busybox",
			ResourceRequirements: []ResourceRequirement{
				{Type: ResourceVCPU, Value: "2"},
				{Type: ResourceMemory, Value: "2048"},
			},
		},
	}
}

type defCase struct {
	name   string
	base   func() *JobDefinition
	mutate func(*JobDefinition)
	want   string
}

func runDefCases(t *testing.T, tests []defCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.base()
			tt.mutate(d)
			checkErr(t, ValidateJobDefinition(d), tt.want)
		})
	}
}

func TestValidateJobDefinitionShape(t *testing.T) {
	runDefCases(t, []defCase{
		{"fargate", fargateDef, func(*JobDefinition) {}, ""},
		{"ec2", ec2Def, func(*JobDefinition) {}, ""},
		{"ec2 explicit", ec2Def, func(d *JobDefinition) { d.PlatformCapabilities = []string{"EC2"} }, ""},
		{"empty platform list", ec2Def, func(d *JobDefinition) { d.PlatformCapabilities = []string{} }, ""},
		{"ecsProperties", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties, d.EcsProperties = nil, json.RawMessage(`{"taskProperties":[]}`)
		}, ""},
		{"eksProperties on EC2", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties, d.EksProperties = nil, eksJSON(`{"podProperties":{"containers":[{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"64Mi"}}}]}}`)
		}, ""},
		{"multinode", ec2Def, func(d *JobDefinition) {
			d.Type, d.ContainerProperties, d.NodeProperties = JobDefinitionMultinode, nil, json.RawMessage(`{"numNodes":2}`)
		}, ""},
		{"null raw member is absent", fargateDef, func(d *JobDefinition) { d.NodeProperties = json.RawMessage("null") }, ""},

		{"nil", func() *JobDefinition { return nil }, func(*JobDefinition) {}, "missing"},
		{"name", fargateDef, func(d *JobDefinition) { d.Name = "a:1" }, "jobDefinitionName \"a:1\" is not valid"},
		{"no type", fargateDef, func(d *JobDefinition) { d.Type = "" }, "type is required. It must be container or multinode"},
		{"bad type", fargateDef, func(d *JobDefinition) { d.Type = "Container" }, "type \"Container\" is not valid"},
		{"bad platform", fargateDef, func(d *JobDefinition) { d.PlatformCapabilities = []string{"fargate"} }, "platformCapabilities value \"fargate\" is not valid"},
		{"two platforms", fargateDef, func(d *JobDefinition) { d.PlatformCapabilities = []string{"EC2", "FARGATE"} }, "platformCapabilities has 2 entries"},
		{"eksProperties without a container", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties, d.EksProperties = nil, eksJSON(`{"podProperties":{"containers":[]}}`)
		}, "Containers must be provided for Batch on EKS jobs."},
		{"eksProperties without podProperties", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties, d.EksProperties = nil, eksJSON(`{}`)
		}, "Containers must be provided for Batch on EKS jobs."},
		{"no properties", fargateDef, func(d *JobDefinition) { d.ContainerProperties = nil }, "needs exactly one of containerProperties, ecsProperties or eksProperties; got none"},
		{"two properties", fargateDef, func(d *JobDefinition) { d.EcsProperties = json.RawMessage(`{}`) }, "got containerProperties and ecsProperties"},
		{"container with nodeProperties", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties, d.NodeProperties = nil, json.RawMessage(`{}`)
		}, "got nodeProperties"},
		{"multinode with container", ec2Def, func(d *JobDefinition) { d.Type = JobDefinitionMultinode }, "A multinode job definition needs nodeProperties"},
		{"multinode on fargate", fargateDef, func(d *JobDefinition) {
			d.Type, d.ContainerProperties, d.NodeProperties = JobDefinitionMultinode, nil, json.RawMessage(`{}`)
		}, "type multinode is not supported on Fargate"},
		{"eks on fargate", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties, d.EksProperties = nil, eksJSON(`{}`)
		}, "eksProperties is not supported with platformCapabilities FARGATE"},
		{"raw not object", fargateDef, func(d *JobDefinition) { d.ConsumableResourceProperties = json.RawMessage(`[1]`) }, "consumableResourceProperties must be a JSON object"},
	})
}

func TestValidateJobDefinitionContainer(t *testing.T) {
	runDefCases(t, []defCase{
		{"digest image", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Image = "public.ecr.aws/x/y@sha256:" + strings.Repeat("a", 64)
		}, ""},
		{"255-char image", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Image = strings.Repeat("a", 255) }, ""},
		{"environment", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Environment = []KeyValuePair{{Name: ptr("BATCH_X"), Value: ptr("1")}, {Name: ptr("MY_AWS_BATCH"), Value: nil}}
		}, ""},
		{"secrets and awslogs", fargateDef, func(d *JobDefinition) {
			c := d.ContainerProperties
			c.Secrets = []Secret{{Name: "S", ValueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/s"}}
			c.LogConfiguration = &LogConfiguration{LogDriver: "awslogs", Options: map[string]string{"awslogs-group": "/g"}}
		}, ""},

		{"no image", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Image = "" }, "containerProperties.image is required"},
		{"long image", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Image = strings.Repeat("a", 256) }, "containerProperties.image is 256 characters long"},
		{"image chars", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Image = "busy box" }, "containerProperties.image \"busy box\" is not valid"},
		{"empty command string", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Command = []string{"echo", ""} }, "Command field cannot have empty strings. containerProperties.command[1] is empty"},
		{"reserved env", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Environment = []KeyValuePair{{Name: ptr("AWS_BATCH_JOB_ID"), Value: ptr("x")}}
		}, "containerProperties.environment[0].name \"AWS_BATCH_JOB_ID\" is not allowed"},
		{"env without name", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Environment = []KeyValuePair{{Value: ptr("x")}} }, "containerProperties.environment[0].name is required"},
		{"unknown resource type", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = append(d.ContainerProperties.ResourceRequirements, ResourceRequirement{Type: "DISK", Value: "1"})
		}, "containerProperties.resourceRequirements[2].type \"DISK\" is not valid"},
		{"duplicate resource type", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = append(d.ContainerProperties.ResourceRequirements, ResourceRequirement{Type: ResourceVCPU, Value: "1"})
		}, "containerProperties.resourceRequirements has type VCPU twice"},
		{"empty resource value", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[0].Value = "" }, "containerProperties.resourceRequirements[0].value is required"},
		{"bad execution role", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ExecutionRoleArn = "ecsTaskExecutionRole" }, "executionRoleArn ecsTaskExecutionRole is not an iam role arn. containerProperties.executionRoleArn must look like"},
		{"user arn is not a role", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ExecutionRoleArn = "arn:aws:iam::123456789012:user/bob"
		}, "is not an iam role arn"},
		{"short account", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ExecutionRoleArn = "arn:aws:iam::1234:role/x" }, "is not an iam role arn"},
		{"secret without valueFrom", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Secrets = []Secret{{Name: "S"}} }, "containerProperties.secrets[0].valueFrom is required"},
		{"log driver missing", fargateDef, func(d *JobDefinition) { d.ContainerProperties.LogConfiguration = &LogConfiguration{} }, "containerProperties.logConfiguration.logDriver is required"},
		{"log driver unknown", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.LogConfiguration = &LogConfiguration{LogDriver: "stdout"}
		}, "containerProperties.logConfiguration.logDriver \"stdout\" is not valid"},
		{"efs without file system", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "v", EfsVolumeConfiguration: &EFSVolumeConfig{}}}
		}, "containerProperties.volumes[0].efsVolumeConfiguration.fileSystemId is required"},
		{"efs port", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "v", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1", TransitEncryptionPort: ptr(70000)}}}
		}, "transitEncryptionPort 70000"},
		{"repository credentials", fargateDef, func(d *JobDefinition) { d.ContainerProperties.RepositoryCredentials = &RepositoryCredentials{} }, "containerProperties.repositoryCredentials.credentialsParameter is required"},
		{"resource type missing", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[0].Type = "" }, "containerProperties.resourceRequirements[0].type is required"},
		{"secret without name", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Secrets = []Secret{{ValueFrom: "x"}} }, "containerProperties.secrets[0].name is required"},
		{"log secret option", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.LogConfiguration = &LogConfiguration{LogDriver: "splunk", SecretOptions: []Secret{{Name: "token"}}}
		}, "containerProperties.logConfiguration.secretOptions[0].valueFrom is required"},
		{"efs root directory", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "v", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1", RootDirectory: "/" + strings.Repeat("d", 4096)}}}
		}, "efsVolumeConfiguration.rootDirectory is 4097 characters long"},
		{"efs transit encryption", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "v", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1", TransitEncryption: "on"}}}
		}, "containerProperties.volumes[0].efsVolumeConfiguration.transitEncryption \"on\" is not valid"},
		{"efs iam", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "v", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1", AuthorizationConfig: &EFSAuthConfig{IAM: "yes"}}}}
		}, "efsVolumeConfiguration.authorizationConfig.iam \"yes\" is not valid"},
		{"device host path", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Devices: []Device{{ContainerPath: "/dev/x"}}}
		}, "containerProperties.linuxParameters.devices[0].hostPath is required"},
		{"tmpfs path", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Tmpfs: []Tmpfs{{Size: 1}}}
		}, "containerProperties.linuxParameters.tmpfs[0].containerPath is required"},
		{"ulimit name", ec2Def, func(d *JobDefinition) { d.ContainerProperties.Ulimits = []Ulimit{{Name: "files"}} }, "containerProperties.ulimits[0].name \"files\" is not valid"},
		{"swappiness", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Swappiness: ptr(101)}
		}, "containerProperties.linuxParameters.swappiness 101"},
		{"device permission", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Devices: []Device{{HostPath: "/dev/x", Permissions: []string{"read"}}}}
		}, "containerProperties.linuxParameters.devices[0].permissions value \"read\""},
	})
}

func TestValidateJobDefinitionFargate(t *testing.T) {
	runDefCases(t, []defCase{
		{"every fargate member", fargateDef, func(d *JobDefinition) {
			c := d.ContainerProperties
			c.ResourceRequirements = []ResourceRequirement{{Type: ResourceMemory, Value: "122880"}, {Type: ResourceVCPU, Value: "16"}}
			c.Privileged = ptr(false)
			c.LinuxParameters = &LinuxParameters{InitProcessEnabled: ptr(true)}
			c.LogConfiguration = &LogConfiguration{LogDriver: "splunk"}
			c.EphemeralStorage = &EphemeralStorage{SizeInGiB: 200}
			c.FargatePlatformConfiguration = &FargatePlatformConfiguration{PlatformVersion: "1.4.0"}
			c.NetworkConfiguration = &NetworkConfiguration{AssignPublicIP: "ENABLED"}
			c.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "LINUX", CPUArchitecture: "ARM64"}
			c.Volumes = []Volume{{Name: "efs", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1"}}}
			c.ReadonlyRootFilesystem = ptr(true)
		}, ""},
		{"ephemeral 21", fargateDef, func(d *JobDefinition) { d.ContainerProperties.EphemeralStorage = &EphemeralStorage{SizeInGiB: 21} }, ""},
		{"platform 1.3.0", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.FargatePlatformConfiguration = &FargatePlatformConfiguration{PlatformVersion: "1.3.0"}
		}, ""},
		{"windows", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2022_CORE", CPUArchitecture: "X86_64"}
		}, ""},
		{"vcpu spelled 1.0", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = []ResourceRequirement{{Type: ResourceVCPU, Value: "1.0"}, {Type: ResourceMemory, Value: "2048"}}
		}, ""},
		{"subnets and role path", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ExecutionRoleArn = "arn:aws-cn:iam::123456789012:role/service-role/exec"
		}, ""},

		{"no vcpu", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = d.ContainerProperties.ResourceRequirements[1:]
		}, "vCPU is not provided. Fargate jobs need a containerProperties.resourceRequirements entry of type VCPU"},
		{"no memory", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = d.ContainerProperties.ResourceRequirements[:1]
		}, "Memory is not provided. Fargate jobs need a containerProperties.resourceRequirements entry of type MEMORY"},
		{"bad combination", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[1].Value = "4096" }, "Fargate resource requirements (0.25 vCPU, 4096 MiB) not valid. For 0.25 vCPU, containerProperties.resourceRequirements MEMORY must be one of 512, 1024, 2048 (MiB)."},
		{"gpu", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = append(d.ContainerProperties.ResourceRequirements, ResourceRequirement{Type: ResourceGPU, Value: "1"})
		}, "containerProperties.resourceRequirements type GPU is not supported on Fargate"},
		{"legacy vcpus", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Vcpus = ptr(1) }, "vcpus is not applicable for Fargate. Use resource requirements instead. Remove containerProperties.vcpus"},
		{"legacy memory", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Memory = ptr(512) }, "memory is not applicable for Fargate. Use resource requirements instead. Remove containerProperties.memory"},
		{"no execution role", fargateDef, func(d *JobDefinition) { d.ContainerProperties.ExecutionRoleArn = "" }, "containerProperties.executionRoleArn is required for Fargate job definitions"},
		{"instanceType", fargateDef, func(d *JobDefinition) { d.ContainerProperties.InstanceType = "m5.large" }, "containerProperties.instanceType is not applicable to Fargate"},
		{"ulimits", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Ulimits = []Ulimit{{Name: "nofile", SoftLimit: 1, HardLimit: 1}}
		}, "containerProperties.ulimits is not applicable to Fargate"},
		{"privileged", fargateDef, func(d *JobDefinition) { d.ContainerProperties.Privileged = ptr(true) }, "containerProperties.privileged is not applicable to Fargate"},
		{"devices", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Devices: []Device{{HostPath: "/dev/x"}}}
		}, "containerProperties.linuxParameters.devices is not applicable to Fargate"},
		{"sharedMemorySize", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{SharedMemorySize: ptr(64)}
		}, "containerProperties.linuxParameters.sharedMemorySize is not applicable"},
		{"tmpfs", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.LinuxParameters = &LinuxParameters{Tmpfs: []Tmpfs{{ContainerPath: "/t", Size: 1}}}
		}, "containerProperties.linuxParameters.tmpfs is not applicable"},
		{"maxSwap", fargateDef, func(d *JobDefinition) { d.ContainerProperties.LinuxParameters = &LinuxParameters{MaxSwap: ptr(0)} }, "containerProperties.linuxParameters.maxSwap is not applicable"},
		{"swappiness", fargateDef, func(d *JobDefinition) { d.ContainerProperties.LinuxParameters = &LinuxParameters{Swappiness: ptr(10)} }, "containerProperties.linuxParameters.swappiness is not applicable"},
		{"host volume", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Volumes = []Volume{{Name: "h", Host: &Host{SourcePath: "/data"}}}
		}, "containerProperties.volumes[0].host is not applicable to Fargate"},
		{"log driver", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.LogConfiguration = &LogConfiguration{LogDriver: "json-file"}
		}, "containerProperties.logConfiguration.logDriver \"json-file\" is not supported on Fargate. It must be awslogs or splunk"},
		{"ephemeral 20", fargateDef, func(d *JobDefinition) { d.ContainerProperties.EphemeralStorage = &EphemeralStorage{SizeInGiB: 20} }, "containerProperties.ephemeralStorage.sizeInGiB 20 is not valid. It must be between 21 and 200"},
		{"ephemeral 201", fargateDef, func(d *JobDefinition) { d.ContainerProperties.EphemeralStorage = &EphemeralStorage{SizeInGiB: 201} }, "sizeInGiB 201"},
		{"platform version", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.FargatePlatformConfiguration = &FargatePlatformConfiguration{PlatformVersion: "1.5.0"}
		}, "containerProperties.fargatePlatformConfiguration.platformVersion \"1.5.0\" is not valid. It must be LATEST, 1.4.0 or 1.3.0"},
		{"efs on 1.3.0", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.FargatePlatformConfiguration = &FargatePlatformConfiguration{PlatformVersion: "1.3.0"}
			d.ContainerProperties.Volumes = []Volume{{Name: "efs", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1"}}}
		}, "platformVersion 1.3.0 does not support EFS volumes"},
		{"assignPublicIp", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.NetworkConfiguration = &NetworkConfiguration{AssignPublicIP: "YES"}
		}, "containerProperties.networkConfiguration.assignPublicIp \"YES\" is not valid"},
		{"os family", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "MACOS"}
		}, "containerProperties.runtimePlatform.operatingSystemFamily \"MACOS\" is not valid"},
		{"cpu architecture", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{CPUArchitecture: "arm64"}
		}, "containerProperties.runtimePlatform.cpuArchitecture \"arm64\" is not valid"},
		{"windows arm", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2019_FULL", CPUArchitecture: "ARM64"}
		}, "cpuArchitecture must be X86_64 for Windows containers"},
		{"windows user", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2019_CORE"}
			d.ContainerProperties.User = "nobody"
		}, "containerProperties.user cannot be set for Windows containers"},
		{"windows linuxParameters", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2019_CORE"}
			d.ContainerProperties.LinuxParameters = &LinuxParameters{InitProcessEnabled: ptr(true)}
		}, "containerProperties.linuxParameters cannot be set for Windows containers"},
		{"windows read-only root", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2019_CORE"}
			d.ContainerProperties.ReadonlyRootFilesystem = ptr(true)
		}, "containerProperties.readonlyRootFilesystem cannot be set"},
		{"windows efs", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.RuntimePlatform = &RuntimePlatform{OperatingSystemFamily: "WINDOWS_SERVER_2019_CORE"}
			d.ContainerProperties.Volumes = []Volume{{Name: "efs", EfsVolumeConfiguration: &EFSVolumeConfig{FileSystemID: "fs-1"}}}
		}, "containerProperties.volumes[].efsVolumeConfiguration cannot be set"},
	})
}

func TestValidateJobDefinitionEC2(t *testing.T) {
	runDefCases(t, []defCase{
		{"legacy vcpus and memory", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = nil
			d.ContainerProperties.Vcpus, d.ContainerProperties.Memory = ptr(1), ptr(4)
		}, ""},
		{"no resources yet", ec2Def, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements = nil }, ""},
		{"gpu", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = append(d.ContainerProperties.ResourceRequirements, ResourceRequirement{Type: ResourceGPU, Value: "1"})
		}, ""},
		{"host volume and ec2 members", ec2Def, func(d *JobDefinition) {
			c := d.ContainerProperties
			c.Volumes = []Volume{{Name: "h", Host: &Host{SourcePath: "/data"}}}
			c.Privileged = ptr(true)
			c.Ulimits = []Ulimit{{Name: "nofile", SoftLimit: 1024, HardLimit: 4096}}
			c.LinuxParameters = &LinuxParameters{SharedMemorySize: ptr(64), Swappiness: ptr(100)}
			c.LogConfiguration = &LogConfiguration{LogDriver: "json-file"}
		}, ""},

		{"fractional vcpu", ec2Def, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[0].Value = "1.0" }, "Value 1.0 for type VCPU in resourceRequirement is not valid. Please provide a numeric value."},
		{"zero vcpu", ec2Def, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[0].Value = "0" }, "containerProperties.resourceRequirements VCPU 0 is not valid"},
		{"memory 3", ec2Def, func(d *JobDefinition) { d.ContainerProperties.ResourceRequirements[1].Value = "3" }, "containerProperties.resourceRequirements MEMORY 3 is not valid. Jobs need at least 4 MiB"},
		{"gpu fraction", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.ResourceRequirements = append(d.ContainerProperties.ResourceRequirements, ResourceRequirement{Type: ResourceGPU, Value: "0.5"})
		}, "for type GPU"},
		{"legacy vcpus 0", ec2Def, func(d *JobDefinition) { d.ContainerProperties.Vcpus = ptr(0) }, "containerProperties.vcpus 0 is not valid"},
		{"legacy memory 3", ec2Def, func(d *JobDefinition) { d.ContainerProperties.Memory = ptr(3) }, "containerProperties.memory 3 is not valid"},
		{"networkConfiguration", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.NetworkConfiguration = &NetworkConfiguration{AssignPublicIP: "ENABLED"}
		}, "containerProperties.networkConfiguration applies only to Fargate job definitions"},
		{"fargatePlatformConfiguration", ec2Def, func(d *JobDefinition) {
			d.ContainerProperties.FargatePlatformConfiguration = &FargatePlatformConfiguration{}
		}, "containerProperties.fargatePlatformConfiguration applies only to Fargate"},
		{"ephemeralStorage", ec2Def, func(d *JobDefinition) { d.ContainerProperties.EphemeralStorage = &EphemeralStorage{SizeInGiB: 30} }, "containerProperties.ephemeralStorage applies only to Fargate"},
		{"runtimePlatform", ec2Def, func(d *JobDefinition) { d.ContainerProperties.RuntimePlatform = &RuntimePlatform{} }, "containerProperties.runtimePlatform applies only to Fargate"},
		{"execution role still checked", ec2Def, func(d *JobDefinition) { d.ContainerProperties.ExecutionRoleArn = "role" }, "executionRoleArn role is not an iam role arn"},
	})
}

func TestValidateJobDefinitionOther(t *testing.T) {
	rs := func(attempts *int, rules ...EvaluateOnExit) func(d *JobDefinition) {
		return func(d *JobDefinition) { d.RetryStrategy = &RetryStrategy{Attempts: attempts, EvaluateOnExit: rules} }
	}
	long := strings.Repeat("a", 512)
	runDefCases(t, []defCase{
		{"retry", fargateDef, rs(ptr(10),
			EvaluateOnExit{OnStatusReason: "Your Spot Task was interrupted.*", Action: "RETRY"},
			EvaluateOnExit{OnReason: "CannotPullContainerError:*", Action: "exit"},
			EvaluateOnExit{OnExitCode: "13*", Action: "Retry"},
			EvaluateOnExit{OnReason: "tab\tand space", OnExitCode: "1", Action: "EXIT"},
			EvaluateOnExit{OnReason: long, Action: "EXIT"},
		), ""},
		{"attempts only", fargateDef, rs(ptr(1)), ""},
		{"timeout 60", fargateDef, func(d *JobDefinition) { d.Timeout = &JobTimeout{AttemptDurationSeconds: ptr(60)} }, ""},
		{"empty timeout", fargateDef, func(d *JobDefinition) { d.Timeout = &JobTimeout{} }, ""},
		{"priority bounds", fargateDef, func(d *JobDefinition) { d.SchedulingPriority = ptr(9999) }, ""},
		{"priority zero", fargateDef, func(d *JobDefinition) { d.SchedulingPriority = ptr(0) }, ""},
		{"parameters and tags", fargateDef, func(d *JobDefinition) {
			d.Parameters = map[string]string{"msg": "hi", "empty": ""}
			d.Tags = map[string]string{"team": "x"}
			d.PropagateTags = ptr(true)
		}, ""},

		{"attempts 0", fargateDef, rs(ptr(0)), "retryStrategy.attempts 0 is not valid. It must be between 1 and 10"},
		{"attempts 11", fargateDef, rs(ptr(11)), "retryStrategy.attempts 11 is not valid"},
		{"rules without attempts", fargateDef, rs(nil, EvaluateOnExit{OnExitCode: "1", Action: "EXIT"}), "retryStrategy.attempts is required when retryStrategy.evaluateOnExit is given"},
		{"six rules", fargateDef, rs(ptr(2), make([]EvaluateOnExit, 6)...), "retryStrategy.evaluateOnExit has 6 entries. It can have at most 5"},
		{"bad action", fargateDef, rs(ptr(2), EvaluateOnExit{OnExitCode: "1", Action: "RETRY_LATER"}), "retryStrategy.evaluateOnExit[0].action \"RETRY_LATER\" is not valid"},
		{"no action", fargateDef, rs(ptr(2), EvaluateOnExit{OnExitCode: "1"}), "retryStrategy.evaluateOnExit[0].action \"\" is not valid"},
		{"restricted chars", fargateDef, rs(ptr(2), EvaluateOnExit{OnReason: "Error (x)", Action: "EXIT"}), "Evaluate on exit condition contains restricted characters. retryStrategy.evaluateOnExit[0].onReason"},
		{"status reason hyphen", fargateDef, rs(ptr(2), EvaluateOnExit{OnStatusReason: "a-b", Action: "EXIT"}), "Evaluate on exit condition contains restricted characters"},
		{"inner star", fargateDef, rs(ptr(2), EvaluateOnExit{OnReason: "a*b", Action: "EXIT"}), "Evaluate on exit condition contains restricted characters"},
		{"exit code letters", fargateDef, rs(ptr(2), EvaluateOnExit{OnExitCode: "1a", Action: "EXIT"}), "retryStrategy.evaluateOnExit[0].onExitCode \"1a\" may contain only numbers"},
		{"negative exit code", fargateDef, rs(ptr(2), EvaluateOnExit{OnExitCode: "-1", Action: "EXIT"}), "restricted characters"},
		{"pattern too long", fargateDef, rs(ptr(2), EvaluateOnExit{OnReason: long + "a", Action: "EXIT"}), "retryStrategy.evaluateOnExit[0].onReason is 513 characters long"},
		{"timeout 59", fargateDef, func(d *JobDefinition) { d.Timeout = &JobTimeout{AttemptDurationSeconds: ptr(59)} }, "timeout.attemptDurationSeconds 59 is not valid. The minimum is 60 seconds"},
		{"priority negative", fargateDef, func(d *JobDefinition) { d.SchedulingPriority = ptr(-1) }, "schedulingPriority -1 is not valid"},
		{"priority 10000", fargateDef, func(d *JobDefinition) { d.SchedulingPriority = ptr(10000) }, "schedulingPriority 10000 is not valid. It must be between 0 and 9999"},
		{"empty parameter key", fargateDef, func(d *JobDefinition) { d.Parameters = map[string]string{"": "x"} }, "parameters has an empty key"},
		{"tags", fargateDef, func(d *JobDefinition) { d.Tags = map[string]string{"aws:x": "y"} }, "tags key \"aws:x\""},
		{"size", fargateDef, func(d *JobDefinition) {
			d.ContainerProperties.Environment = []KeyValuePair{{Name: ptr("BIG"), Value: ptr(strings.Repeat("<", 24*1024))}}
		}, "job definitions can be at most 24 KiB (24576 bytes)"},
	})
}

func TestValidateJobDefinitionSizeBoundary(t *testing.T) {
	d := fargateDef()
	d.ContainerProperties.Environment = []KeyValuePair{{Name: ptr("BIG"), Value: ptr("")}}
	n := jsonLen(d)
	*d.ContainerProperties.Environment[0].Value = strings.Repeat("x", maxJobDefinitionSize-n)
	if got := jsonLen(d); got != maxJobDefinitionSize {
		t.Fatalf("jsonLen = %d, want %d", got, maxJobDefinitionSize)
	}
	checkErr(t, ValidateJobDefinition(d), "")
	*d.ContainerProperties.Environment[0].Value += "x"
	checkErr(t, ValidateJobDefinition(d), "The job definition is 24577 bytes")
}

func FuzzValidateJobDefinition(f *testing.F) {
	for _, d := range []*JobDefinition{fargateDef(), ec2Def()} {
		b, err := json.Marshal(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"jobDefinitionName":"x","type":"container","platformCapabilities":["FARGATE"],"containerProperties":{"resourceRequirements":[{"type":"VCPU","value":"0.25"},{"type":"MEMORY","value":"1536"}],"runtimePlatform":{"operatingSystemFamily":"WINDOWS_SERVER_2019_CORE"},"retryStrategy":{"evaluateOnExit":[{}]}}}`))
	f.Add([]byte(`{"type":"multinode","nodeProperties":{"numNodes":1},"ecsProperties":null,"tags":{"aws:a":""}}`))
	f.Add([]byte(`{"name":"n","type":"container","containerProperties":{"image":"i","linuxParameters":{},"volumes":[{"efsVolumeConfiguration":{}}],"logConfiguration":{"secretOptions":[{}]}},"retryStrategy":{"attempts":3,"evaluateOnExit":[{"action":"retry","onReason":"*"}]},"timeout":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d JobDefinition
		if json.Unmarshal(data, &d) != nil {
			return
		}
		err := ValidateJobDefinition(&d)
		if err != nil && ErrorCodeOf(err) != EInvalid {
			t.Fatalf("ValidateJobDefinition(%s) = %v with code %q, want EInvalid", data, err, ErrorCodeOf(err))
		}
	})
}
