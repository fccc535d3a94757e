package graph

import (
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/spec"
)

// BackendTLSPolicy is a Gateway API BackendTLSPolicy: how clients of the
// Services (or Istio ServiceEntries) it targets originate TLS to them.
// Istio turns it into a DestinationRule for the target's host, which the
// Gateway API Gateways and, as mesh traffic, every sidecar and waypoint
// apply (DestinationRuleCollection, backend_policies.go).
type BackendTLSPolicy struct {
	Meta
	Spec *spec.BackendTLSPolicy
	// Targets are spec.targetRefs, resolved, in spec order.
	Targets []*PolicyTarget
	// CACertificateRefs are spec.validation.caCertificateRefs, in the
	// policy's namespace. They are LocalObjectReferences: no default kind,
	// so an unset kind stays "".
	CACertificateRefs []*ObjectRef
	// Created is metadata.creationTimestamp, zero when the manifest has
	// none (the API server sets it, so only an export of a cluster's
	// objects carries it) or it does not parse.
	Created time.Time
	// Ignored is true when the istio.io/ignore-policy-attachment
	// annotation is "true": Istio then leaves the policy out entirely.
	Ignored bool
}

// PolicyTarget is a targetRefs entry of a BackendTLSPolicy.
type PolicyTarget struct {
	Spec *spec.PolicyTargetRef
	// Ref is the target, in the policy's namespace; an unset group is the
	// core group.
	Ref *ObjectRef
	// SectionName is the section targeted, "" for the whole object (an
	// empty sectionName counts as unset, as the API's CEL rules say).
	SectionName string
	// Service is the core Service targeted, nil when the target is of
	// another kind or the input does not hold it.
	Service *Service
	// ServiceEntry is the Istio ServiceEntry targeted, nil when the target
	// is of another kind or the input does not hold it.
	ServiceEntry *ServiceEntry
}

// IgnorePolicyAttachment is the annotation by which Istio leaves a
// Gateway API policy out (IgnorePolicyAttachment, backend_policies.go).
const IgnorePolicyAttachment = "istio.io/ignore-policy-attachment"

// gkServiceEntry is Istio's ServiceEntry, which a BackendTLSPolicy may
// target in Istio besides a core Service (BackendTLSPolicyCollection).
var gkServiceEntry = GroupKind{kinds.GroupIstioNetworking, kinds.ServiceEntry}

// addBackendTLSPolicies reads the BackendTLSPolicies, once the Services
// and ServiceEntries they target are in place.
func (g *Graph) addBackendTLSPolicies() {
	for _, o := range g.Objects {
		if o.Kind != kinds.BackendTLSPolicy || o.Group != kinds.GroupGatewayAPI {
			continue
		}
		p := &BackendTLSPolicy{Meta: Meta{Obj: o}}
		// The whole object: the spec and metadata.creationTimestamp.
		if !decodeInto(g, o, o.Node, &p.Spec) {
			continue
		}
		p.Ignored = strings.EqualFold(o.Annotations[IgnorePolicyAttachment], "true")
		if ts := p.Spec.Metadata.CreationTimestamp; ts.Set {
			if t, err := time.Parse(time.RFC3339, ts.V); err == nil {
				p.Created = t
			}
		}
		ns := o.Namespace
		for i := range p.Spec.Spec.TargetRefs {
			t := &p.Spec.Spec.TargetRefs[i]
			pt := &PolicyTarget{
				Spec:        t,
				Ref:         g.objectRef(ns, t.Group, t.Kind, GroupKind{}, spec.Str{}, t.Name, t.Loc),
				SectionName: t.SectionName.V,
			}
			switch pt.Ref.GroupKind {
			case gkService:
				pt.Service = g.serviceNamed(ns, pt.Ref.Name)
			case gkServiceEntry:
				pt.ServiceEntry = g.serviceEntryNamed(ns, pt.Ref.Name)
			}
			p.Targets = append(p.Targets, pt)
		}
		if v := p.Spec.Spec.Validation; v != nil {
			for i := range v.CACertificateRefs {
				c := &v.CACertificateRefs[i]
				p.CACertificateRefs = append(p.CACertificateRefs, g.objectRef(ns, c.Group, c.Kind, GroupKind{}, spec.Str{}, c.Name, c.Loc))
			}
		}
		g.BackendTLSPolicies = append(g.BackendTLSPolicies, p)
	}
}

// serviceEntryNamed returns the ServiceEntry ns/name, or nil.
func (g *Graph) serviceEntryNamed(ns, name string) *ServiceEntry {
	for _, se := range g.ServiceEntries {
		if se.Namespace() == ns && se.Name() == name {
			return se
		}
	}
	return nil
}

// Validation returns spec.validation, never nil.
func (p *BackendTLSPolicy) Validation() *spec.BackendTLSValidation {
	if v := p.Spec.Spec.Validation; v != nil {
		return v
	}
	return &spec.BackendTLSValidation{}
}

// PortNames lists the port names of the target's Service or ServiceEntry,
// and whether the target has one named name.
func (t *PolicyTarget) PortNames(name string) (names []string, found bool) {
	switch {
	case t.Service != nil:
		for _, p := range t.Service.Spec.Ports {
			names = append(names, p.Name.V)
			found = found || p.Name.V == name
		}
	case t.ServiceEntry != nil:
		for _, p := range t.ServiceEntry.Spec.Ports {
			names = append(names, p.Name.V)
			found = found || p.Name.V == name
		}
	}
	return names, found
}

// CAKey is the key Istio reads the ConfigMap's CA certificate from, "" when
// neither cacert nor ca.crt holds a value. Istio's BackendTLSPolicy status
// checks that the key is there, not that it parses.
func (c *ConfigMap) CAKey() string { return c.c.CAKey }
