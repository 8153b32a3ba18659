package store

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The stored format is pinned: each test below writes a resource through
// the store's own methods, reads its row back with SQL, column by column,
// and compares it with a golden file in testdata/ (go test -update rewrites
// them). A renamed JSON tag, a field moved between a column and a document,
// or a changed encoding fails here. Each golden file is then read back the
// other way: its row is inserted as it stands into a fresh database and the
// store's read methods must return the resource as it was written, so that
// data stored by earlier versions keeps reading.
//
// The fixtures set every field the JSON documents hold (allSet checks), so
// that a field added later is pinned as soon as a fixture sets it.

// docColumns are the columns holding JSON documents; the golden files show
// them as JSON, the other columns as their values.
var docColumns = []string{"state", "spec", "data"}

// TestStoredJob pins a job that ran twice: its spec (container, retry
// strategy, timeout, dependencies, tags, parameters, fair share), its
// attempts and its runtime.
func TestStoredJob(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	dep := newJob("dep-0000", "q", "dep")
	j := goldenJob()
	j.WaitsFor = []string{dep.ID}
	submitted := *j
	submitted.Status, submitted.StatusReason, submitted.StartedAt, submitted.StoppedAt = barge.JobSubmitted, "", 0, 0
	submitted.Attempts, submitted.Runtime, submitted.IsCancelled, submitted.IsTerminated = nil, nil, false, false
	if err := s.InsertJobs(ctx, []*barge.Job{dep, &submitted}); err != nil {
		t.Fatal(err)
	}
	j.Seq = submitted.Seq
	if err := s.UpdateJob(ctx, j, barge.JobSubmitted); err != nil {
		t.Fatal(err)
	}
	row := goldenRow(t, s, "jobs", "id", j.ID, "job.golden")

	fresh := newStore(t)
	insertRow(t, fresh, "jobs", row)
	got, err := fresh.GetJobs(ctx, []string{j.ID})
	if err != nil || len(got) != 1 {
		t.Fatalf("GetJobs(golden job) = %v, %v", got, err)
	}
	j.WaitsFor = nil // kept as dependency edges, not in the row
	wantSame(t, "the golden job", got[0], j)
}

// TestStoredArrayJob pins an array job's parent and a child that finished:
// the child keeps no spec of its own.
func TestStoredArrayJob(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	parent := goldenJob()
	parent.ID, parent.Name, parent.Status = "4c1f2a3b-0000-4000-8000-00000000a11a", "golden-array", barge.JobPending
	parent.StatusReason, parent.Attempts, parent.Runtime, parent.StartedAt, parent.StoppedAt = "", nil, nil, 0, 0
	parent.IsCancelled, parent.IsTerminated = false, false
	parent.Spec.ArraySize, parent.Spec.DependsOn = 2, nil
	child := &barge.Job{ID: barge.ChildID(parent.ID, 1), Name: parent.Name, Queue: parent.Queue, Status: barge.JobRunnable,
		CreatedAt: parent.CreatedAt, ArrayParent: parent.ID, ArrayIndex: 1}
	first := &barge.Job{ID: barge.ChildID(parent.ID, 0), Name: parent.Name, Queue: parent.Queue, Status: barge.JobRunnable,
		CreatedAt: parent.CreatedAt, ArrayParent: parent.ID}
	if err := s.InsertJobs(ctx, []*barge.Job{parent, first, child}); err != nil {
		t.Fatal(err)
	}
	done := *child
	done.Status, done.StartedAt, done.StoppedAt = barge.JobSucceeded, 1_760_000_060_000, 1_760_000_090_000
	done.StatusReason = "Essential container in task exited"
	done.Attempts = []barge.Attempt{{
		Container: barge.ContainerRuntime{ComputeEnvironment: "spot-ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/barge/child1",
			ExitCode: ptr(0), LogStreamName: "golden/default/child1"},
		StartedAt: done.StartedAt, StoppedAt: done.StoppedAt, StatusReason: done.StatusReason,
	}}
	rt := done.Attempts[0].Container
	done.Runtime = &rt
	if err := s.UpdateJob(ctx, &done, barge.JobRunnable); err != nil {
		t.Fatal(err)
	}
	parentRow := goldenRow(t, s, "jobs", "id", parent.ID, "job-array-parent.golden")
	childRow := goldenRow(t, s, "jobs", "id", done.ID, "job-array-child.golden")

	fresh := newStore(t)
	insertRow(t, fresh, "jobs", parentRow)
	insertRow(t, fresh, "jobs", childRow)
	got, err := fresh.GetJobs(ctx, []string{parent.ID, done.ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("GetJobs(golden array) = %v, %v", got, err)
	}
	wantSame(t, "the golden array parent", got[0], parent)
	wantSame(t, "the golden array child", got[1], &done)
}

// TestStoredJobDefinition pins a job definition's row.
func TestStoredJobDefinition(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	d := goldenJobDefinition()
	if err := s.RegisterJobDefinition(ctx, d); err != nil {
		t.Fatal(err)
	}
	allSet(t, "JobDefinition", d, "Seq")
	row := goldenRow(t, s, "job_definitions", "name", d.Name, "jobdefinition.golden")

	fresh := newStore(t)
	insertRow(t, fresh, "job_definitions", row)
	got, err := fresh.GetJobDefinition(ctx, d.Name, d.Revision)
	if err != nil {
		t.Fatalf("GetJobDefinition(golden) = %v", err)
	}
	wantSame(t, "the golden job definition", got, d)
}

// TestStoredComputeEnvironment pins a compute environment's row.
func TestStoredComputeEnvironment(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ce := goldenComputeEnvironment()
	allSet(t, "ComputeEnvironment", ce)
	if err := s.CreateComputeEnvironment(ctx, ce); err != nil {
		t.Fatal(err)
	}
	row := goldenRow(t, s, "compute_environments", "name", ce.Name, "computeenv.golden")

	fresh := newStore(t)
	insertRow(t, fresh, "compute_environments", row)
	got, err := fresh.GetComputeEnvironment(ctx, ce.Name)
	if err != nil {
		t.Fatalf("GetComputeEnvironment(golden) = %v", err)
	}
	wantSame(t, "the golden compute environment", got, ce)
}

func ptr[T any](v T) *T { return &v }

// goldenJob is a job that failed its first attempt and then its second,
// with every field of its spec set.
func goldenJob() *barge.Job {
	exit1, exit137 := 1, 137
	a1 := barge.ContainerRuntime{
		ComputeEnvironment: "spot-ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/barge/attempt1",
		ExitCode: &exit1, Reason: "ResourceInitializationError: unable to pull secrets", LogStreamName: "golden/default/attempt1",
		NetworkInterfaces: []barge.NetworkInterface{{AttachmentID: "eni-attach-1", Ipv6Address: "fd00::1", PrivateIpv4Address: "172.17.0.2"}},
		Pod:               goldenPodRuntime("attempt1", &exit1),
	}
	a2 := barge.ContainerRuntime{
		ComputeEnvironment: "ondemand-ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/barge/attempt2",
		ExitCode: &exit137, Reason: "OutOfMemoryError: Container killed due to memory usage", LogStreamName: "golden/default/attempt2",
		NetworkInterfaces: []barge.NetworkInterface{{AttachmentID: "eni-attach-2", Ipv6Address: "fd00::2", PrivateIpv4Address: "172.17.0.3"}},
		Pod:               goldenPodRuntime("attempt2", &exit137),
	}
	j := &barge.Job{
		ID: "4c1f2a3b-0000-4000-8000-000000000001", Name: "golden-job", Queue: "golden-queue", Status: barge.JobFailed,
		StatusReason: "Essential container in task exited", CreatedAt: 1_760_000_000_000,
		StartedAt: 1_760_000_100_000, StoppedAt: 1_760_000_200_000, IsCancelled: true, IsTerminated: true,
		Attempts: []barge.Attempt{
			{Container: a1, StartedAt: 1_760_000_010_000, StoppedAt: 1_760_000_050_000, StatusReason: "Essential container in task exited"},
			{Container: a2, StartedAt: 1_760_000_100_000, StoppedAt: 1_760_000_200_000, StatusReason: "Essential container in task exited"},
		},
		Runtime: &a2,
		Spec: &barge.JobSpec{
			JobDefinitionArn: "arn:aws:batch:us-east-1:123456789012:job-definition/golden-def:3", JobDefinitionName: "golden-def",
			ShareIdentifier: "teamA", SchedulingPriority: ptr(5),
			Parameters:    map[string]string{"input": "s3://bucket/in"},
			Container:     goldenContainer(),
			EksProperties: goldenEksPod(),
			RetryStrategy: goldenRetryStrategy(),
			Timeout:       &barge.JobTimeout{AttemptDurationSeconds: ptr(600)},
			DependsOn:     []barge.JobDependency{{JobID: "dep-0000", Type: barge.DependencySequential}},
			Tags:          map[string]string{"team": "a"}, PropagateTags: ptr(true),
			PlatformCapabilities: []string{barge.PlatformFargate},
			ArraySize:            0, // TestStoredArrayJob sets it
			DefinitionTags:       map[string]string{"owner": "golden"},
		},
	}
	return j
}

func goldenRetryStrategy() *barge.RetryStrategy {
	return &barge.RetryStrategy{Attempts: ptr(3), EvaluateOnExit: []barge.EvaluateOnExit{
		{OnStatusReason: "Host EC2*", OnReason: "CannotPull*", OnExitCode: "137", Action: "RETRY"},
		{OnReason: "*", Action: "EXIT"},
	}}
}

// goldenContainer is container properties with every field set.
func goldenContainer() *barge.ContainerProperties {
	return &barge.ContainerProperties{
		Image: "public.ecr.aws/docker/library/busybox:1.36", Vcpus: ptr(1), Memory: ptr(512),
		Command: []string{"sh", "-c", "echo Ref::input"}, JobRoleArn: "arn:aws:iam::123456789012:role/job",
		ExecutionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
		Volumes: []barge.Volume{{
			Host: &barge.Host{SourcePath: "/data"}, Name: "data",
			EfsVolumeConfiguration: &barge.EFSVolumeConfig{FileSystemID: "fs-12345678", RootDirectory: "/", TransitEncryption: "ENABLED",
				TransitEncryptionPort: ptr(2049), AuthorizationConfig: &barge.EFSAuthConfig{AccessPointID: "fsap-1", IAM: "ENABLED"}},
			S3filesVolumeConfiguration: map[string]any{"bucket": "b"},
		}},
		Environment:            []barge.KeyValuePair{{Name: ptr("MODE"), Value: ptr("golden")}},
		MountPoints:            []barge.MountPoint{{ContainerPath: "/data", ReadOnly: ptr(true), SourceVolume: "data"}},
		ReadonlyRootFilesystem: ptr(true), Privileged: ptr(false),
		Ulimits:      []barge.Ulimit{{Name: "nofile", SoftLimit: 1024, HardLimit: 4096}},
		User:         "1000:1000",
		InstanceType: "m5.large",
		ResourceRequirements: []barge.ResourceRequirement{
			{Type: barge.ResourceVCPU, Value: "0.5"}, {Type: barge.ResourceMemory, Value: "1024"}, {Type: barge.ResourceGPU, Value: "1"},
		},
		LinuxParameters: &barge.LinuxParameters{
			Devices:            []barge.Device{{HostPath: "/dev/fuse", ContainerPath: "/dev/fuse", Permissions: []string{"READ", "WRITE"}}},
			InitProcessEnabled: ptr(true), SharedMemorySize: ptr(64),
			Tmpfs:   []barge.Tmpfs{{ContainerPath: "/scratch", Size: 128, MountOptions: []string{"rw"}}},
			MaxSwap: ptr(0), Swappiness: ptr(10),
		},
		LogConfiguration: &barge.LogConfiguration{LogDriver: "awslogs", Options: map[string]string{"awslogs-group": "golden"},
			SecretOptions: []barge.Secret{{Name: "token", ValueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/token"}}},
		Secrets:                      []barge.Secret{{Name: "DB_PASSWORD", ValueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}},
		NetworkConfiguration:         &barge.NetworkConfiguration{AssignPublicIP: "ENABLED"},
		FargatePlatformConfiguration: &barge.FargatePlatformConfiguration{PlatformVersion: "LATEST"},
		EnableExecuteCommand:         ptr(false),
		EphemeralStorage:             &barge.EphemeralStorage{SizeInGiB: 30},
		RuntimePlatform:              &barge.RuntimePlatform{OperatingSystemFamily: "LINUX", CPUArchitecture: "X86_64"},
		RepositoryCredentials:        &barge.RepositoryCredentials{CredentialsParameter: "arn:aws:secretsmanager:us-east-1:123456789012:secret:registry"},
	}
}

// goldenEksPod is an EKS job's Pod with every field set (its first volume
// has every source, which no valid Pod has, so that each is pinned).
func goldenEksPod() *barge.EksPodProperties {
	return &barge.EksPodProperties{
		ServiceAccountName: "runner", HostNetwork: ptr(false), DnsPolicy: "ClusterFirst",
		ImagePullSecrets: []barge.EksImagePullSecret{{Name: "regcred"}},
		Containers: []barge.EksContainer{{
			Name: "main", Image: "busybox:1.36", ImagePullPolicy: "IfNotPresent",
			Command: []string{"sh", "-c"}, Args: []string{"echo Ref::input"},
			Env:          []barge.EksEnvVar{{Name: "MODE", Value: ptr("golden")}},
			Resources:    &barge.EksResources{Limits: map[string]string{"cpu": "1", "memory": "1024Mi"}, Requests: map[string]string{"cpu": "0.5"}},
			VolumeMounts: []barge.EksVolumeMount{{Name: "scratch", MountPath: "/scratch", SubPath: "a", ReadOnly: ptr(true)}},
			SecurityContext: &barge.EksSecurityContext{RunAsUser: ptr(int64(1000)), RunAsGroup: ptr(int64(1000)), Privileged: ptr(false),
				AllowPrivilegeEscalation: ptr(false), ReadOnlyRootFilesystem: ptr(true), RunAsNonRoot: ptr(true)},
		}},
		InitContainers: []barge.EksContainer{{
			Name: "init", Image: "busybox", ImagePullPolicy: "Always", Command: []string{"true"}, Args: []string{"x"},
			Env:             []barge.EksEnvVar{{Name: "STEP", Value: ptr("init")}},
			Resources:       &barge.EksResources{Limits: map[string]string{"memory": "64Mi"}, Requests: map[string]string{"memory": "64Mi"}},
			VolumeMounts:    []barge.EksVolumeMount{{Name: "scratch", MountPath: "/s", SubPath: "b", ReadOnly: ptr(false)}},
			SecurityContext: &barge.EksSecurityContext{RunAsUser: ptr(int64(2000)), RunAsGroup: ptr(int64(2000)), Privileged: ptr(true), AllowPrivilegeEscalation: ptr(true), ReadOnlyRootFilesystem: ptr(false), RunAsNonRoot: ptr(false)},
		}},
		Volumes: []barge.EksVolume{{Name: "scratch",
			HostPath: &barge.EksHostPath{Path: "/tmp"}, EmptyDir: &barge.EksEmptyDir{Medium: "Memory", SizeLimit: "64Mi"},
			Secret:                &barge.EksSecret{SecretName: "creds", Optional: ptr(true)},
			PersistentVolumeClaim: &barge.EksPersistentVolumeClaim{ClaimName: "data", ReadOnly: ptr(true)}}},
		Metadata:              &barge.EksMetadata{Labels: map[string]string{"team": "etl"}, Annotations: map[string]string{"example.com/owner": "a"}, Namespace: "golden"},
		ShareProcessNamespace: ptr(false),
	}
}

// goldenPodRuntime is an attempt's Pod with every field set.
func goldenPodRuntime(attempt string, exit *int) *barge.PodRuntime {
	return &barge.PodRuntime{Name: "barge-" + attempt, Namespace: "golden", NodeName: "node-1",
		EksClusterArn:  "arn:aws:eks:us-east-1:123456789012:cluster/golden",
		Containers:     []barge.PodContainerOutcome{{Name: "main", ContainerID: "containerd://" + attempt, ExitCode: exit, Reason: "OOMKilled"}},
		InitContainers: []barge.PodContainerOutcome{{Name: "init", ContainerID: "containerd://init-" + attempt, ExitCode: ptr(0), Reason: "Completed"}},
	}
}

func goldenJobDefinition() *barge.JobDefinition {
	return &barge.JobDefinition{
		Name: "golden-def", Status: barge.JobDefinitionActive, Type: "container",
		Parameters: map[string]string{"input": "s3://bucket/default"}, SchedulingPriority: ptr(5),
		RetryStrategy: goldenRetryStrategy(), ContainerProperties: goldenContainer(),
		Timeout: &barge.JobTimeout{AttemptDurationSeconds: ptr(600)},
		Tags:    map[string]string{"owner": "golden"}, PropagateTags: ptr(true),
		PlatformCapabilities:         []string{barge.PlatformFargate},
		NodeProperties:               json.RawMessage(`{"numNodes":2,"mainNode":0}`),
		EcsProperties:                json.RawMessage(`{"taskProperties":[{"containers":[{"image":"busybox"}]}]}`),
		EksProperties:                &barge.EksProperties{PodProperties: goldenEksPod()},
		ConsumableResourceProperties: json.RawMessage(`{"consumableResourceList":[{"consumableResource":"licenses","quantity":1}]}`),
		CreatedAt:                    1_760_000_000_000,
	}
}

func goldenComputeEnvironment() *barge.ComputeEnvironment {
	return &barge.ComputeEnvironment{
		Name: "golden-ce", Type: barge.CEManaged, State: barge.StateEnabled, Status: barge.StatusValid,
		StatusReason: "ComputeEnvironment Healthy",
		ComputeResources: &barge.ComputeResource{
			Type: barge.CRFargateSpot, AllocationStrategy: "SPOT_CAPACITY_OPTIMIZED",
			MinvCpus: ptr(0), MaxvCpus: ptr(16), DesiredvCpus: ptr(4),
			InstanceTypes: []string{"optimal"}, ImageID: "ami-12345678",
			Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
			Ec2KeyPair: "golden-key", InstanceRole: "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole",
			Tags: map[string]string{"cost-center": "7"}, PlacementGroup: "golden-pg", BidPercentage: ptr(60),
			SpotIamFleetRole: "arn:aws:iam::123456789012:role/spotfleet",
			LaunchTemplate:   map[string]any{"launchTemplateName": "golden-lt", "version": "$Latest"},
			Ec2Configuration: []map[string]any{{"imageType": "ECS_AL2023"}},
			ScalingPolicy:    map[string]any{"minScaleDownDelayMinutes": float64(30)},
		},
		ServiceRole:      "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
		UnmanagedvCpus:   ptr(0),
		UpdatePolicy:     &barge.UpdatePolicy{TerminateJobsOnUpdate: ptr(false), JobExecutionTimeoutMinutes: ptr(int64(30))},
		Context:          "golden",
		Tags:             map[string]string{"env": "test"},
		UUID:             "0b1c2d3e-0000-4000-8000-00000000c0e1",
		EcsClusterArn:    "arn:aws:ecs:us-east-1:123456789012:cluster/golden-ce_Batch_0b1c2d3e",
		EksConfiguration: &barge.EksConfiguration{EksClusterArn: "arn:aws:eks:us-east-1:123456789012:cluster/golden", KubernetesNamespace: "golden"},
		CreatedAt:        1_760_000_000_000,
	}
}

// TestGoldenFixturesSetEveryField: the fixtures set every stored field,
// so that the golden files pin them all (a field left zero is left out of
// the JSON by omitempty, and a rename of its tag would go unseen).
func TestGoldenFixturesSetEveryField(t *testing.T) {
	j := goldenJob()
	j.Spec.ArraySize = 2 // the array test's
	allSet(t, "Job", j, "ArrayParent", "ArrayIndex", "Seq", "WaitsFor")
	allSet(t, "JobDefinition", goldenJobDefinition(), "Revision", "Seq")
	allSet(t, "ComputeEnvironment", goldenComputeEnvironment())
}

// allSet fails the test for each field of v, recursively, that is zero,
// but for the top-level fields named in skip. Fields tagged json:"-" are
// not stored and are skipped.
func allSet(t *testing.T, name string, v any, skip ...string) {
	t.Helper()
	var walk func(path string, v reflect.Value, top bool)
	walk = func(path string, v reflect.Value, top bool) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				t.Errorf("%s is nil: set it, so that the golden files pin it", path)
				return
			}
			walk(path, v.Elem(), top)
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() || f.Tag.Get("json") == "-" || (top && slices.Contains(skip, f.Name)) {
					continue
				}
				walk(path+"."+f.Name, v.Field(i), false)
			}
		case reflect.Slice, reflect.Map:
			if v.Len() == 0 {
				t.Errorf("%s is empty: set it, so that the golden files pin it", path)
				return
			}
			if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8 {
				walk(path+"[0]", v.Index(0), false) // the first element sets every field
			}
		default:
			if v.IsZero() && v.Kind() != reflect.Bool && v.Kind() != reflect.Int {
				// false and 0 are the values a *bool or *int often
				// points to; a plain field of these kinds is checked
				// by the caller's skip list and the golden files.
				t.Errorf("%s is zero: set it, so that the golden files pin it", path)
			}
		}
	}
	walk(name, reflect.ValueOf(v), true)
}

// goldenRow reads the row of table whose column key is value, compares it
// with testdata/name (rewriting the file with -update) and returns the row
// as the golden file holds it.
func goldenRow(t *testing.T, s *Store, table, key, value, name string) map[string]json.RawMessage {
	t.Helper()
	rows, err := s.rdb.Query(s.d.rebind("SELECT * FROM "+table+" WHERE "+key+" = ?"), value)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no row in %s with %s = %q", table, key, value)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	row := map[string]json.RawMessage{}
	for i, c := range cols {
		var b []byte
		switch v := vals[i].(type) {
		case []byte:
			if !slices.Contains(docColumns, c) {
				t.Fatalf("%s.%s holds bytes but is not a document column", table, c)
			}
			if !json.Valid(v) {
				t.Fatalf("%s.%s = %q, not JSON", table, c, v)
			}
			b = slices.Clone(v)
		default:
			if b, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		row[c] = b
	}
	got, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("the stored %s row differs from %s: a change of the stored format must keep old data readable (a migration), "+
			"then go test -update rewrites the file\n got %s\nwant %s", table, path, out.Bytes(), want)
	}
	var stored map[string]json.RawMessage
	if err := json.Unmarshal(want, &stored); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return stored
}

// insertRow inserts a row as a golden file holds it into s's table, as it
// stands: documents as the bytes stored, other columns as their values.
func insertRow(t *testing.T, s *Store, table string, row map[string]json.RawMessage) {
	t.Helper()
	var cols []string
	var args []any
	for c, raw := range row {
		cols = append(cols, c)
		switch {
		case string(raw) == "null":
			args = append(args, nil)
		case slices.Contains(docColumns, c):
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				t.Fatal(err)
			}
			args = append(args, b.Bytes())
		default:
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if n, ok := v.(json.Number); ok {
				i, err := n.Int64()
				if err != nil {
					t.Fatalf("%s.%s = %s, want an integer", table, c, n)
				}
				v = i
			}
			args = append(args, v)
		}
	}
	query := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(cols)-1) + ")"
	if err := s.write(context.Background(), func(tx *wtx) error {
		_, err := tx.exec(query, args...)
		return err
	}); err != nil {
		t.Fatalf("inserting the golden row of %s: %v", table, err)
	}
}

// wantSame fails the test unless got and want are equal, showing both as
// JSON (with the fields JSON leaves out) when they are not.
func wantSame[T any](t *testing.T, what string, got, want *T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s read back = %+v\n%s\nwant %+v\n%s", what, *got, g, *want, w)
	}
}
