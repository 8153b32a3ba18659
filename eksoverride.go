package barge

import "strconv"

// applyEksOverride returns a copy of the definition's Pod with SubmitJob's
// eksPropertiesOverride applied, checked again as a registered Pod is.
//
// Each container override names the container it changes; an unnamed one
// changes the only container of a Pod that has one. image, command and args
// replace the container's; env adds variables or replaces those of the same
// name; resources replace the container's limits and requests key by key.
// metadata's labels and annotations merge with the override winning, and
// its namespace replaces the definition's. AWS documents what each member
// does but not how they merge; these are barge's reading (reference §4).
func applyEksOverride(def *EksPodProperties, o *EksPropertiesOverride) (*EksPodProperties, error) {
	pod := deepCopy(def)
	if o == nil || o.PodProperties == nil {
		return pod, nil
	}
	po := o.PodProperties
	const field = "eksPropertiesOverride.podProperties"
	if len(po.Containers) > maxEksContainers || len(po.InitContainers) > maxEksContainers {
		return nil, invalidf("%s can override at most %d containers and %d init containers.", field, maxEksContainers, maxEksContainers)
	}
	for _, set := range []struct {
		member string
		over   []EksContainerOverride
		cs     []EksContainer
	}{{"containers", po.Containers, pod.Containers}, {"initContainers", po.InitContainers, pod.InitContainers}} {
		for i, co := range set.over {
			cf := field + "." + set.member + "[" + strconv.Itoa(i) + "]"
			c, err := overriddenContainer(cf, set.member, set.cs, co.Name)
			if err != nil {
				return nil, err
			}
			if err := validateEksEnv(cf+".env", co.Env); err != nil {
				return nil, err
			}
			if co.Image != "" {
				c.Image = co.Image
			}
			if len(co.Command) > 0 {
				c.Command = append([]string(nil), co.Command...)
			}
			if len(co.Args) > 0 {
				c.Args = append([]string(nil), co.Args...)
			}
			c.Env = mergeEksEnv(c.Env, co.Env)
			if r := co.Resources; r != nil {
				if c.Resources == nil {
					c.Resources = &EksResources{}
				}
				c.Resources.Limits = mergeMaps(c.Resources.Limits, r.Limits)
				c.Resources.Requests = mergeMaps(c.Resources.Requests, r.Requests)
			}
		}
	}
	if m := po.Metadata; m != nil {
		if pod.Metadata == nil {
			pod.Metadata = &EksMetadata{}
		}
		pod.Metadata.Labels = mergeMaps(pod.Metadata.Labels, m.Labels)
		pod.Metadata.Annotations = mergeMaps(pod.Metadata.Annotations, m.Annotations)
		if m.Namespace != "" {
			pod.Metadata.Namespace = m.Namespace
		}
	}
	if err := ValidateEksPodProperties("podProperties", pod); err != nil {
		return nil, err
	}
	return pod, nil
}

// overriddenContainer finds the container an override at field names in
// cs (the Pod's member): by name, or the only one when name is empty.
func overriddenContainer(field, member string, cs []EksContainer, name string) (*EksContainer, error) {
	if name == "" {
		if len(cs) != 1 {
			return nil, invalidf("%s.name is required: the job definition's Pod has %d %s, and an override without a name applies only to a Pod with one.", field, len(cs), member)
		}
		return &cs[0], nil
	}
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i], nil
		}
	}
	return nil, invalidf("%s.name %s matches no container in the job definition's %s. Use the name of one of them.", field, clip(name), member)
}

// mergeEksEnv returns base with each override replacing the variable of the
// same name in place, or appended when base has none.
func mergeEksEnv(base, overrides []EksEnvVar) []EksEnvVar {
	out := append([]EksEnvVar(nil), base...)
	for _, o := range overrides {
		o.Value = cloneString(o.Value)
		replaced := false
		for i := range out {
			if out[i].Name == o.Name {
				out[i], replaced = o, true
			}
		}
		if !replaced {
			out = append(out, o)
		}
	}
	return out
}

// substituteEksParameters substitutes Ref::name placeholders in the
// command and args of the Pod's containers, as in a container's command.
// AWS does not say whether it does so for EKS jobs; its console offers
// parameters for EKS job definitions, so barge does.
func substituteEksParameters(pod *EksPodProperties, params map[string]string) {
	if len(params) == 0 {
		return
	}
	for _, cs := range [][]EksContainer{pod.Containers, pod.InitContainers} {
		for i := range cs {
			cs[i].Command = SubstituteParameters(cs[i].Command, params)
			cs[i].Args = SubstituteParameters(cs[i].Args, params)
		}
	}
}
