package graph

import (
	"encoding/gob"

	"github.com/meshlint/meshlint/internal/spec"
)

// A cache stores what Prepare keeps on objects (Object.Prepared) with
// encoding/gob, which must know every concrete type behind an interface
// before it decodes one. These are the types Build decodes specs into;
// TestPreparedTypesRegistered checks that the list is complete.
func init() {
	gob.Register(&Prepared{})
	for _, v := range preparedTypes() {
		gob.Register(v)
	}
}

func preparedTypes() []any {
	return []any{
		&spec.AdminNetworkPolicy{}, &spec.AuthorizationPolicy{}, &spec.BaselineAdminNetworkPolicy{},
		&spec.CronJob{}, &spec.DestinationRule{}, &spec.EnvoyFilter{}, &spec.Gateway{},
		&spec.GatewayClass{}, &spec.GatewayRoute{}, &spec.Ingress{}, &spec.K8sGateway{},
		&spec.NetworkPolicy{}, &spec.PeerAuthentication{}, &spec.PodSpec{}, &spec.ReferenceGrant{},
		&spec.RequestAuthentication{}, &spec.Route{}, &spec.Secret{}, &spec.Service{},
		&spec.ServiceEntry{}, &spec.Sidecar{}, &spec.Telemetry{}, &spec.VirtualService{},
		&spec.WasmPlugin{}, &spec.Workload{}, &spec.WorkloadGroup{},
	}
}
