package graph

import (
	"encoding/base64"
	"slices"
	"sort"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Telemetry is an Istio Telemetry (telemetry.istio.io).
type Telemetry struct {
	Meta
	Spec *spec.Telemetry
}

// EnvoyFilter is an Istio EnvoyFilter.
type EnvoyFilter struct {
	Meta
	Spec *spec.EnvoyFilter
}

// Secret is a Kubernetes Secret. Its values are only reachable through
// Value, so that no rule prints them by accident.
type Secret struct {
	Meta
	// Type is the Secret's type ("Opaque" when unset).
	Type string
	spec *spec.Secret
}

// Keys lists the Secret's data and stringData keys, sorted.
func (s *Secret) Keys() []string {
	var out []string
	for k := range s.spec.Data {
		out = append(out, k)
	}
	for k := range s.spec.StringData {
		if _, dup := s.spec.Data[k]; !dup {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether the Secret holds key.
func (s *Secret) Has(key string) bool {
	_, d := s.spec.Data[key]
	_, sd := s.spec.StringData[key]
	return d || sd
}

// Value returns the decoded value of key (stringData wins over data, as
// the API server merges them). ok is false when the key is absent or its
// data is not valid base64, and for a key that is not one of
// secretValueKeys: the values of the others are unread values
// (UnreadValues), which an edit may change without the graph rules
// running again. Never print the value.
func (s *Secret) Value(key string) (v []byte, ok bool) {
	if !slices.Contains(secretValueKeys, key) {
		return nil, false
	}
	if sd, found := s.spec.StringData[key]; found {
		return []byte(sd), true
	}
	d, found := s.spec.Data[key]
	if !found {
		return nil, false
	}
	v, err := base64.StdEncoding.DecodeString(d)
	if err != nil {
		return nil, false
	}
	return v, true
}

// secretValueKeys are the keys of a Secret whose values the graph reads:
// those of a certificate and its key (servedKeys) and of a CA certificate
// (caKeys).
var secretValueKeys = []string{"cert", "key", "tls.crt", "tls.key", "cacert", "ca.crt"}

// FindSecret returns the Secret namespace/name, the first of the input
// when there are several, or nil.
func (g *Graph) FindSecret(ns, name string) *Secret {
	return g.secretsByName[[2]string{ns, name}]
}

// addExtras decodes the kinds that only a few rules read: Telemetry,
// EnvoyFilter and Secret.
func (g *Graph) addExtras() {
	for _, o := range g.Objects {
		m := Meta{Obj: o}
		switch {
		case o.Kind == kinds.Telemetry && o.Group == kinds.GroupIstioTelemetry:
			t := &Telemetry{Meta: m}
			if decodeInto(g, o, o.Spec(), &t.Spec) {
				g.Telemetries = append(g.Telemetries, t)
			}
		case o.Kind == kinds.EnvoyFilter && o.Group == kinds.GroupIstioNetworking:
			ef := &EnvoyFilter{Meta: m}
			if decodeInto(g, o, o.Spec(), &ef.Spec) {
				g.EnvoyFilters = append(g.EnvoyFilters, ef)
			}
		case o.Kind == kinds.Secret && o.Group == kinds.GroupCore:
			s := &Secret{Meta: m}
			if decodeInto(g, o, o.Node, &s.spec) {
				s.Type = s.spec.Type.V
				if s.Type == "" {
					s.Type = "Opaque"
				}
				g.Secrets = append(g.Secrets, s)
				if k := [2]string{s.Namespace(), s.Name()}; g.secretsByName[k] == nil {
					g.secretsByName[k] = s
				}
			}
		}
	}
}

// DelayPercent is the deprecated integer fault.delay.percent of an HTTP
// route.
type DelayPercent struct {
	// Percent is the value, at the value's location.
	Percent spec.Int
	// Key is the location of the percent key, zero when the delay mapping
	// does not hold it itself (it comes through a merge key).
	Key spec.Loc
	// Percentage is true when the delay also sets percentage, itself or
	// through a merge key: Istio then reads percentage, not percent.
	Percentage bool
}

// FaultDelayPercent returns the deprecated integer fault.delay.percent of
// the VirtualService's http[i], when it is set.
func (vs *VirtualService) FaultDelayPercent(i int) (DelayPercent, bool) {
	if p := preparedOf(vs.Obj); p != nil {
		pct, ok := p.f().Faults[i]
		return pct, ok
	}
	return faultDelayPercent(vs.Obj.File, yamlpath.Field(vs.Obj.Spec(), "http"), i)
}

func faultDelayPercent(file string, http *yaml.Node, i int) (DelayPercent, bool) {
	if http == nil || http.Kind != yaml.SequenceNode || i >= len(http.Content) {
		return DelayPercent{}, false
	}
	fault := yamlpath.Field(http.Content[i], "fault")
	if fault == nil {
		return DelayPercent{}, false
	}
	var f spec.Fault
	if errs := spec.Decode(file, fault, &f); len(errs) > 0 || f.Delay == nil || !f.Delay.Percent.Set {
		return DelayPercent{}, false
	}
	d := DelayPercent{Percent: f.Delay.Percent}
	delay := yamlpath.Field(fault, "delay")
	for j := 0; delay != nil && j+1 < len(delay.Content); j += 2 {
		if k := delay.Content[j]; k.Value == "percent" {
			d.Key = manifest.LocOf(k)
		}
	}
	d.Percentage = yamlpath.Field(delay, "percentage") != nil
	return d, true
}
