package spec

import (
	"github.com/meshlint/meshlint/internal/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// BackendTLSPolicy is a gateway.networking.k8s.io BackendTLSPolicy,
// decoded from the whole object: besides its spec, it keeps
// metadata.creationTimestamp, by which the API orders policies that
// target the same backend.
type BackendTLSPolicy struct {
	Metadata BackendTLSPolicyMeta `yaml:"metadata"`
	Spec     BackendTLSPolicySpec `yaml:"spec"`
}

// BackendTLSPolicyMeta is the metadata of a BackendTLSPolicy that the
// manifest.Object leaves out.
type BackendTLSPolicyMeta struct {
	CreationTimestamp Timestamp `yaml:"creationTimestamp"`
}

// BackendTLSPolicySpec is the spec of a BackendTLSPolicy. Options, which
// are implementation-specific, are not read.
type BackendTLSPolicySpec struct {
	TargetRefs []PolicyTargetRef     `yaml:"targetRefs"`
	Validation *BackendTLSValidation `yaml:"validation"`
}

// PolicyTargetRef is a LocalPolicyTargetReferenceWithSectionName: an
// object of the policy's namespace, and optionally a section of it (a
// Service's port name).
type PolicyTargetRef struct {
	At          `yaml:"-"`
	Group       Str `yaml:"group"`
	Kind        Str `yaml:"kind"`
	Name        Str `yaml:"name"`
	SectionName Str `yaml:"sectionName"`
}

// UnmarshalYAML records the reference's location.
func (r *PolicyTargetRef) UnmarshalYAML(n *yaml.Node) error {
	type plain PolicyTargetRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// BackendTLSValidation is spec.validation of a BackendTLSPolicy: how the
// client verifies the backend's certificate.
type BackendTLSValidation struct {
	At                      `yaml:"-"`
	CACertificateRefs       []LocalObjectRef `yaml:"caCertificateRefs"`
	WellKnownCACertificates Str              `yaml:"wellKnownCACertificates"`
	Hostname                Str              `yaml:"hostname"`
	SubjectAltNames         []SubjectAltName `yaml:"subjectAltNames"`
}

// UnmarshalYAML records the validation's location.
func (v *BackendTLSValidation) UnmarshalYAML(n *yaml.Node) error {
	type plain BackendTLSValidation
	return decodeAt(n, &v.At, (*plain)(v))
}

// LocalObjectRef is a LocalObjectReference: an object of the referrer's
// namespace, with group and kind required (no default kind).
type LocalObjectRef struct {
	At    `yaml:"-"`
	Group Str `yaml:"group"`
	Kind  Str `yaml:"kind"`
	Name  Str `yaml:"name"`
}

// UnmarshalYAML records the reference's location.
func (r *LocalObjectRef) UnmarshalYAML(n *yaml.Node) error {
	type plain LocalObjectRef
	return decodeAt(n, &r.At, (*plain)(r))
}

// SubjectAltName is a subjectAltNames entry of a BackendTLSPolicy.
type SubjectAltName struct {
	At       `yaml:"-"`
	Type     Str `yaml:"type"`
	Hostname Str `yaml:"hostname"`
	URI      Str `yaml:"uri"`
}

// UnmarshalYAML records the entry's location.
func (s *SubjectAltName) UnmarshalYAML(n *yaml.Node) error {
	type plain SubjectAltName
	return decodeAt(n, &s.At, (*plain)(s))
}

// Timestamp is a metav1.Time as written: YAML resolves an unquoted RFC
// 3339 time to a !!timestamp, which a Str refuses, and the API server
// takes both forms. V is the text; Set is false for an absent or null
// value (kubectl writes creationTimestamp: null).
type Timestamp struct {
	V   string
	Loc Loc
	Set bool
}

// UnmarshalYAML keeps the scalar's text, whatever its tag.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return mismatchWant(n, "a time (RFC 3339)")
	}
	if n.ShortTag() == "!!null" {
		return nil
	}
	t.V, t.Loc, t.Set = manifest.Intern(n.Value), manifest.LocOf(n), true
	return nil
}
