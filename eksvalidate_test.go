package barge

import (
	"encoding/json"
	"strings"
	"testing"
)

// eksJSON decodes an eksProperties object as the wire would.
func eksJSON(s string) *EksProperties {
	var p EksProperties
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		panic(err)
	}
	return &p
}

func eksDef(pod string) func() *JobDefinition {
	return func() *JobDefinition {
		return &JobDefinition{Name: "eks", Type: JobDefinitionContainer, EksProperties: eksJSON(`{"podProperties":` + pod + `}`)}
	}
}

// TestValidateEksJobDefinition covers AWS's rules for eksProperties: the
// containers, their resources, volumes and mounts, and the Pod's metadata.
func TestValidateEksJobDefinition(t *testing.T) {
	const res = `"resources":{"limits":{"cpu":"1","memory":"1024Mi"}}`
	full := `{"serviceAccountName":"runner","hostNetwork":false,"dnsPolicy":"ClusterFirst","imagePullSecrets":[{"name":"regcred"}],
		"containers":[{"name":"main","image":"busybox","command":["sh","-c"],"args":["echo hi"],"env":[{"name":"A","value":"1"}],` + res + `,
			"volumeMounts":[{"name":"scratch","mountPath":"/scratch"},{"name":"data","mountPath":"/data","readOnly":true,"subPath":"x/y"}],
			"securityContext":{"runAsUser":1000,"runAsGroup":1000,"readOnlyRootFilesystem":true,"runAsNonRoot":true}}],
		"initContainers":[{"name":"init","image":"busybox","command":["true"]}],
		"volumes":[{"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},{"name":"data","persistentVolumeClaim":{"claimName":"data","readOnly":true}},
			{"name":"host","hostPath":{"path":"/tmp"}},{"name":"creds","secret":{"secretName":"creds","optional":true}}],
		"metadata":{"labels":{"app":"x","example.com/team":"a"},"annotations":{"example.com/note":"anything at all"},"namespace":"jobs"}}`
	one := func(c string) string { return `{"containers":[` + c + `]}` }
	eleven := strings.Repeat(`{"image":"busybox",`+res+`},`, 11)
	runDefCases(t, []defCase{
		{"full", eksDef(full), func(*JobDefinition) {}, ""},
		{"requests only", eksDef(one(`{"image":"busybox","resources":{"requests":{"cpu":"0.25","memory":"4Mi"}}}`)), func(*JobDefinition) {}, ""},
		{"cpu both", eksDef(one(`{"image":"busybox","resources":{"requests":{"cpu":"1","memory":"8Mi"},"limits":{"cpu":"2.5","nvidia.com/gpu":"1"}}}`)), func(*JobDefinition) {}, ""},

		{"no containers", eksDef(`{"containers":[]}`), func(*JobDefinition) {}, "Containers must be provided for Batch on EKS jobs."},
		{"only init containers", eksDef(`{"initContainers":[{"image":"busybox"}]}`), func(*JobDefinition) {}, "Containers must be provided for Batch on EKS jobs."},
		{"eleven containers", eksDef(`{"containers":[` + strings.TrimSuffix(eleven, ",") + `]}`), func(*JobDefinition) {}, "containers has 11 entries; a Pod can have at most 10"},
		{"no image", eksDef(one(`{` + res + `}`)), func(*JobDefinition) {}, "eksProperties.podProperties.containers[0].image is required"},
		{"no cpu", eksDef(one(`{"image":"busybox","resources":{"limits":{"memory":"64Mi"}}}`)), func(*JobDefinition) {}, "containers[0].resources must give cpu"},
		{"no memory", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1"}}}`)), func(*JobDefinition) {}, "containers[0].resources must give memory"},
		{"millicores", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"500m","memory":"64Mi"}}}`)), func(*JobDefinition) {}, `limits.cpu "500m" is not valid`},
		{"cpu step", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"0.3","memory":"64Mi"}}}`)), func(*JobDefinition) {}, `limits.cpu "0.3" is not valid`},
		{"memory Gi", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}`)), func(*JobDefinition) {}, `limits.memory "1Gi" is not valid`},
		{"memory small", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"3Mi"}}}`)), func(*JobDefinition) {}, `limits.memory "3Mi" is not valid`},
		{"cpu request over limit", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"64Mi"},"requests":{"cpu":"2"}}}`)), func(*JobDefinition) {}, `requests.cpu "2" is more than limits.cpu "1"`},
		{"memory unequal", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"64Mi"},"requests":{"memory":"32Mi"}}}`)), func(*JobDefinition) {}, `requests.memory "32Mi" differs from limits.memory "64Mi"`},
		{"gpu fraction", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"64Mi","nvidia.com/gpu":"0.5"}}}`)), func(*JobDefinition) {}, `limits.nvidia.com/gpu "0.5" is not valid`},
		{"other resource", eksDef(one(`{"image":"busybox","resources":{"limits":{"cpu":"1","memory":"64Mi","ephemeral-storage":"1Gi"}}}`)), func(*JobDefinition) {}, "limits.ephemeral-storage is not supported"},
		{"reserved env", eksDef(one(`{"image":"busybox",` + res + `,"env":[{"name":"AWS_BATCH_JOB_ID","value":"x"}]}`)), func(*JobDefinition) {}, "reserved for variables that Batch sets"},
		{"bad name", eksDef(one(`{"name":"Main","image":"busybox",` + res + `}`)), func(*JobDefinition) {}, `containers[0].name "Main" is not valid`},
		{"duplicate names", eksDef(`{"containers":[{"name":"a","image":"busybox",` + res + `}],"initContainers":[{"name":"a","image":"busybox"}]}`), func(*JobDefinition) {}, `initContainers[0].name "a" is used by another container`},
		{"pull policy", eksDef(one(`{"image":"busybox","imagePullPolicy":"always",` + res + `}`)), func(*JobDefinition) {}, `imagePullPolicy "always" is not valid`},
		{"dns policy", eksDef(`{"dnsPolicy":"None","containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `dnsPolicy "None" is not valid`},
		{"unknown mount", eksDef(one(`{"image":"busybox",` + res + `,"volumeMounts":[{"name":"x","mountPath":"/x"}]}`)), func(*JobDefinition) {}, `volumeMounts[0].name "x" names no volume of the Pod`},
		{"relative mount", eksDef(`{"volumes":[{"name":"x","emptyDir":{}}],"containers":[{"image":"busybox",` + res + `,"volumeMounts":[{"name":"x","mountPath":"x"}]}]}`), func(*JobDefinition) {}, `mountPath "x" is not valid`},
		{"two sources", eksDef(`{"volumes":[{"name":"x","emptyDir":{},"hostPath":{"path":"/x"}}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, "volumes[0] must have exactly one of hostPath, emptyDir, secret or persistentVolumeClaim; it has 2"},
		{"no source", eksDef(`{"volumes":[{"name":"x"}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, "it has 0"},
		{"secret without name", eksDef(`{"volumes":[{"name":"x","secret":{}}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, "volumes[0].secret.secretName \"\" is not valid"},
		{"claim without name", eksDef(`{"volumes":[{"name":"x","persistentVolumeClaim":{}}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, "persistentVolumeClaim.claimName \"\" is not valid"},
		{"duplicate volume", eksDef(`{"volumes":[{"name":"x","emptyDir":{}},{"name":"x","emptyDir":{}}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `volumes[1].name "x" is used by another volume`},
		{"emptyDir medium", eksDef(`{"volumes":[{"name":"x","emptyDir":{"medium":"HugePages"}}],"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `emptyDir.medium "HugePages" is not valid`},
		{"namespace default", eksDef(`{"metadata":{"namespace":"default"},"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `metadata.namespace "default" is not valid`},
		{"namespace kube", eksDef(`{"metadata":{"namespace":"kube-system"},"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `metadata.namespace "kube-system" is not valid`},
		{"label value", eksDef(`{"metadata":{"labels":{"a":"b c"}},"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `metadata.labels["a"] "b c" is not valid`},
		{"annotation key", eksDef(`{"metadata":{"annotations":{"-x":"y"}},"containers":[{"image":"busybox",` + res + `}]}`), func(*JobDefinition) {}, `metadata.annotations key "-x" is not valid`},
		{"platform capabilities", eksDef(one(`{"image":"busybox",` + res + `}`)), func(d *JobDefinition) { d.PlatformCapabilities = []string{"EC2"} }, "platformCapabilities must not be set for a job definition with eksProperties"},
		{"propagate tags", eksDef(one(`{"image":"busybox",` + res + `}`)), func(d *JobDefinition) { d.PropagateTags = ptr(true) }, "propagateTags must not be set"},
		{"with containerProperties", eksDef(one(`{"image":"busybox",` + res + `}`)), func(d *JobDefinition) { d.ContainerProperties = ec2Def().ContainerProperties }, "got containerProperties and eksProperties"},
	})
}

// TestValidateEksComputeEnvironment covers eksConfiguration: the cluster's
// ARN, the namespace's rules and the capacity types EKS offers.
func TestValidateEksComputeEnvironment(t *testing.T) {
	ce := func(arn, ns string, t CRType) *ComputeEnvironment {
		return &ComputeEnvironment{Name: "eks", Type: CEManaged, State: StateEnabled,
			ComputeResources: &ComputeResource{Type: t, MaxvCpus: ptr(16), Subnets: []string{"subnet-1"}, InstanceRole: "arn:aws:iam::123456789012:instance-profile/eks", InstanceTypes: []string{"optimal"}, MinvCpus: ptr(0)},
			EksConfiguration: &EksConfiguration{EksClusterArn: arn, KubernetesNamespace: ns}}
	}
	const arn = "arn:aws:eks:us-east-1:123456789012:cluster/kind-1"
	tests := []struct {
		name string
		ce   *ComputeEnvironment
		want string
	}{
		{"ec2", ce(arn, "batch", CREC2), ""},
		{"spot", ce(arn, "batch-jobs", CRSpot), ""},
		{"unmanaged", &ComputeEnvironment{Name: "u", Type: CEUnmanaged, State: StateEnabled, EksConfiguration: &EksConfiguration{EksClusterArn: arn, KubernetesNamespace: "batch"}}, ""},
		{"fargate", ce(arn, "batch", CRFargate), "computeResources.type FARGATE is not supported with eksConfiguration"},
		{"fargate spot", ce(arn, "batch", CRFargateSpot), "computeResources.type FARGATE_SPOT is not supported with eksConfiguration"},
		{"no arn", ce("", "batch", CREC2), "eksConfiguration.eksClusterArn is required"},
		{"not eks arn", ce("arn:aws:ecs:us-east-1:123456789012:cluster/x", "batch", CREC2), "is not an EKS cluster ARN"},
		{"no namespace", ce(arn, "", CREC2), "eksConfiguration.kubernetesNamespace is required"},
		{"default namespace", ce(arn, "default", CREC2), `kubernetesNamespace "default" is not valid`},
		{"kube namespace", ce(arn, "kube-public", CREC2), `kubernetesNamespace "kube-public" is not valid`},
		{"upper namespace", ce(arn, "Batch", CREC2), `kubernetesNamespace "Batch" is not valid`},
		{"long namespace", ce(arn, strings.Repeat("a", 64), CREC2), "kubernetesNamespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateComputeEnvironment(tt.ce)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateComputeEnvironment = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateComputeEnvironment = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if name, ok := EksClusterName(arn); !ok || name != "kind-1" {
		t.Errorf("EksClusterName(%q) = %q, %v, want kind-1, true", arn, name, ok)
	}
}

// TestEksPodSize checks the vCPUs and memory the scheduler places an EKS
// job by: its containers' requests summed (limits where no request), or
// the largest init container's when more.
func TestEksPodSize(t *testing.T) {
	p := eksJSON(`{"podProperties":{"containers":[
		{"image":"a","resources":{"limits":{"cpu":"1","memory":"100Mi"}}},
		{"image":"b","resources":{"requests":{"cpu":"0.5","memory":"50Mi"},"limits":{"cpu":"2","memory":"50Mi"}}}],
		"initContainers":[{"image":"c","resources":{"limits":{"cpu":"4","memory":"10Mi"}}}]}}`).PodProperties
	if got := EksPodCPU(p); got != 4 {
		t.Errorf("EksPodCPU = %v, want 4 (the init container's)", got)
	}
	if got := EksPodMemoryMiB(p); got != 150 {
		t.Errorf("EksPodMemoryMiB = %v, want 150", got)
	}
}
