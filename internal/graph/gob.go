package graph

import (
	"fmt"
	"reflect"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/spec"
)

// PreparedRecord is a Prepared in the form the cache stores with
// encoding/gob.
type PreparedRecord struct {
	Decoded []decodedRecord
	Facts   *facts
}

type decodedRecord struct {
	Spec specs
	Errs []*manifest.Error
}

// Record returns p for the cache.
func (p *Prepared) Record() *PreparedRecord {
	r := &PreparedRecord{Decoded: make([]decodedRecord, len(p.decoded)), Facts: p.facts}
	for i, d := range p.decoded {
		r.Decoded[i].Spec.set(d.spec)
		r.Decoded[i].Errs = d.errs
	}
	return r
}

// Prepared returns what r records.
func (r *PreparedRecord) Prepared() *Prepared {
	p := &Prepared{decoded: make([]decoded, len(r.Decoded)), facts: r.Facts}
	for i := range r.Decoded {
		// By index: a copy of the record would escape, through get's
		// reflection, as an allocation of its 34 pointers.
		d := &r.Decoded[i]
		p.decoded[i] = decoded{spec: d.Spec.get(), errs: d.Errs}
	}
	return p
}

// specs holds one decoded spec, in the field of its type: the types Build
// decodes specs into. It stands in for an interface value in what the
// cache keeps, so that encoding/gob needs no type registry and decodes no
// type names (which cost more than the values). TestPreparedTypes checks
// that the fixtures need no other type.
type specs struct {
	AdminNetworkPolicy         *spec.AdminNetworkPolicy
	AuthorizationPolicy        *spec.AuthorizationPolicy
	BackendTLSPolicy           *spec.BackendTLSPolicy
	BaselineAdminNetworkPolicy *spec.BaselineAdminNetworkPolicy
	Canary                     *spec.Canary
	ClusterNetworkPolicy       *spec.ClusterNetworkPolicy
	CronJob                    *spec.CronJob
	DestinationRule            *spec.DestinationRule
	EnvoyFilter                *spec.EnvoyFilter
	Experiment                 *spec.Experiment
	Gateway                    *spec.Gateway
	GatewayClass               *spec.GatewayClass
	GatewayRoute               *spec.GatewayRoute
	Ingress                    *spec.Ingress
	K8sGateway                 *spec.K8sGateway
	ListenerSet                *spec.ListenerSet
	NetworkPolicy              *spec.NetworkPolicy
	PeerAuthentication         *spec.PeerAuthentication
	PodSpec                    *spec.PodSpec
	PodTemplate                *spec.PodTemplate
	ReferenceGrant             *spec.ReferenceGrant
	RequestAuthentication      *spec.RequestAuthentication
	Rollout                    *spec.Rollout
	Route                      *spec.Route
	Secret                     *spec.Secret
	Service                    *spec.Service
	ServiceEntry               *spec.ServiceEntry
	Sidecar                    *spec.Sidecar
	Telemetry                  *spec.Telemetry
	VirtualService             *spec.VirtualService
	WasmPlugin                 *spec.WasmPlugin
	WebhookConfiguration       *spec.WebhookConfiguration
	Workload                   *spec.Workload
	WorkloadGroup              *spec.WorkloadGroup
}

// get returns the spec held, or nil.
func (s *specs) get() any {
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); !f.IsNil() {
			return f.Interface()
		}
	}
	return nil
}

// set holds x, a pointer to a spec type. A type without a field is a
// programming error, caught by TestPreparedTypes on the fixtures.
func (s *specs) set(x any) {
	v := reflect.ValueOf(s).Elem()
	t := reflect.TypeOf(x)
	for i := range v.NumField() {
		if v.Field(i).Type() == t {
			v.Field(i).Set(reflect.ValueOf(x))
			return
		}
	}
	panic(fmt.Sprintf("graph: Prepare decoded a %s, which specs has no field for", t))
}
