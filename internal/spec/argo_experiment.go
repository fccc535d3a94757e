package spec

import "sigs.k8s.io/kustomize/kyaml/yaml"

// Experiment is the part of an Argo Rollouts Experiment spec
// (argoproj.io/v1alpha1) that meshlint reads: the templates whose pods the
// Experiment controller runs, and what decides whether it runs them. Field
// names are those of Argo Rollouts' experiment_types.go.
type Experiment struct {
	ProgressDeadlineSeconds Int                  `yaml:"progressDeadlineSeconds"`
	Terminate               Bool                 `yaml:"terminate"`
	Templates               []ExperimentTemplate `yaml:"templates"`
}

// ExperimentTemplate is an entry of an Experiment's templates: a ReplicaSet
// of replicas pods (1 when unset) of template, and a Service for them when
// service is set.
type ExperimentTemplate struct {
	At              `yaml:"-"`
	Name            Str                `yaml:"name"`
	Replicas        Int                `yaml:"replicas"`
	MinReadySeconds Int                `yaml:"minReadySeconds"`
	Selector        *LabelSelector     `yaml:"selector"`
	Template        PodTemplate        `yaml:"template"`
	Service         *ExperimentService `yaml:"service"`
}

// UnmarshalYAML records the template's location.
func (t *ExperimentTemplate) UnmarshalYAML(n *yaml.Node) error {
	type plain ExperimentTemplate
	return decodeAt(n, &t.At, (*plain)(t))
}

// ExperimentService is the service of an Experiment template: its name, by
// default the ReplicaSet's.
type ExperimentService struct {
	At   `yaml:"-"`
	Name Str `yaml:"name"`
}

// UnmarshalYAML records the service's location.
func (s *ExperimentService) UnmarshalYAML(n *yaml.Node) error {
	type plain ExperimentService
	return decodeAt(n, &s.At, (*plain)(s))
}
