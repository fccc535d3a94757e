package gentree

import "fmt"

// MistakeKind is a kind of mistake Generate can plant in a service. Each is
// a real, common misconfiguration that breaks or weakens traffic, so each
// should be caught by some meshlint rule.
type MistakeKind struct {
	Name string
	// plant changes the service and says what it did.
	plant func(*service) string
}

// MistakeKinds lists the mistakes Generate plants, each equally likely.
var MistakeKinds = []MistakeKind{
	{"subset-undefined", func(s *service) string {
		s.Subset2 = "v3"
		return fmt.Sprintf("VirtualService %s routes to subset v3, which DestinationRule %s does not define", s.Name, s.Name)
	}},
	{"weights-not-100", func(s *service) string {
		s.Weights[1] = 20
		return fmt.Sprintf("VirtualService %s weights are 90 and 20", s.Name)
	}},
	{"tls-disable-vs-strict", func(s *service) string {
		s.TLSMode = "DISABLE"
		return fmt.Sprintf("DestinationRule %s disables TLS towards a namespace with STRICT mTLS", s.Name)
	}},
	{"netpol-service-port", func(s *service) string {
		s.PolicyPort = 80
		return fmt.Sprintf("NetworkPolicy %s-allow-frontend allows port 80, but the pods listen on %d", s.Name, s.Port)
	}},
	{"subset-selects-nothing", func(s *service) string {
		s.V2Label = "v2.0"
		return fmt.Sprintf("Deployment %s-v2 is labelled version: v2.0, so subset v2 (version: v2) selects no pods", s.Name)
	}},
	{"principal-unknown-sa", func(s *service) string {
		s.FrontendSA = "front-end"
		return fmt.Sprintf("AuthorizationPolicy %s-allow-frontend allows service account front-end, which no workload uses", s.Name)
	}},
	{"service-selects-nothing", func(s *service) string {
		s.SelectorApp = s.Name + "-app"
		return fmt.Sprintf("Service %s selects app: %s-app, which no pod carries", s.Name, s.Name)
	}},
}
