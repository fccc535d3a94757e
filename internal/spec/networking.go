package spec

import (
	"strconv"

	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/yamlpath"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// VirtualService is networking.istio.io VirtualService spec.
type VirtualService struct {
	Hosts    []Str       `yaml:"hosts"`
	Gateways []Str       `yaml:"gateways"`
	HTTP     []HTTPRoute `yaml:"http"`
	TCP      []TCPRoute  `yaml:"tcp"`
	TLS      []TLSRoute  `yaml:"tls"`
	ExportTo []Str       `yaml:"exportTo"`
}

// HTTPRoute is one entry of VirtualService http.
type HTTPRoute struct {
	At             `yaml:"-"`
	Name           Str                `yaml:"name"`
	Match          []HTTPMatch        `yaml:"match"`
	Route          []RouteDestination `yaml:"route"`
	Redirect       *yaml.Node         `yaml:"redirect"`
	DirectResponse *yaml.Node         `yaml:"directResponse"`
	Delegate       *Delegate          `yaml:"delegate"`
	Rewrite        *HTTPRewrite       `yaml:"rewrite"`
	Timeout        Str                `yaml:"timeout"`
	Retries        *Retries           `yaml:"retries"`
	Mirror         *Destination       `yaml:"mirror"`
	Mirrors        []Mirror           `yaml:"mirrors"`
	// MirrorPercentage is read before the deprecated MirrorPercent
	// (Istio's MirrorPercent).
	MirrorPercentage *Percent     `yaml:"mirrorPercentage"`
	MirrorPercent    Number       `yaml:"mirrorPercent"`
	Headers          *HTTPHeaders `yaml:"headers"`
	// CorsPolicy holds only the names of the fields the policy sets (a
	// HeaderNames reads the keys of any mapping): Istio's merge of a
	// delegate replaces the policy whole or not at all.
	CorsPolicy *HeaderNames `yaml:"corsPolicy"`
	Fault      *HTTPFault   `yaml:"fault"`
	// Keys are where the keys of the fields whose findings point at their
	// key are: the value of a block mapping or sequence starts a line
	// below it.
	Keys KeyLocs `yaml:"-" keys:"directResponse,headers,mirror,mirrors,mirrorPercentage,mirrorPercent,corsPolicy,fault"`
}

// The types below hold what MR121 reads of a route, read as
// yamlpath reads a node: a value of the wrong type is left to schema
// validation (MR001), not made an input error, which would change the
// exit code of a run over a file that only MR001 reported before.

// HTTPRewrite is http.rewrite of a VirtualService. Only the uri rewrite
// is read, and whether a regex rewrite replaces it.
type HTTPRewrite struct {
	At `yaml:"-"`
	// URI is the text of rewrite.uri when it is a scalar other than null.
	URI Str `yaml:"-"`
	// URIRegexRewrite is whether uriRegexRewrite is written, null too.
	URIRegexRewrite bool `yaml:"-"`
}

// UnmarshalYAML reads the rewrite of the mapping n.
func (r *HTTPRewrite) UnmarshalYAML(n *yaml.Node) error {
	r.Loc = manifest.LocOf(n)
	if n.Kind != yaml.MappingNode {
		return mismatchWant(n, "a mapping")
	}
	if u := yamlpath.Field(n, "uri"); u != nil && u.Kind == yaml.ScalarNode && u.ShortTag() != nullTag {
		r.URI = Str{V: manifest.Intern(u.Value), Loc: manifest.LocOf(u), Set: true}
	}
	r.URIRegexRewrite = yamlpath.Field(n, "uriRegexRewrite") != nil
	return nil
}

// Percent is Istio's Percent, as in http.mirrorPercentage.
type Percent struct {
	At    `yaml:"-"`
	Value Number `yaml:"-"`
}

// UnmarshalYAML reads the value of the mapping n; anything else is a
// percentage without value.
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	p.Loc = manifest.LocOf(n)
	if v := yamlpath.Field(n, "value"); v != nil {
		p.Value.read(v)
	}
	return nil
}

// readPercent reads the Percent of field n, nil when it is absent or null.
func readPercent(n *yaml.Node) *Percent {
	if n == nil {
		return nil
	}
	if isNull, _ := null(n); isNull {
		return nil
	}
	p := &Percent{}
	_ = p.UnmarshalYAML(n) // never fails
	return p
}

// HTTPFault is http.fault of a VirtualService: Istio's merge of a delegate
// copies it whole into a route without one, so a delegate route's fault
// of one kind drops the root's of the other. Delay or Abort is nil when
// the field is absent or null.
type HTTPFault struct {
	At    `yaml:"-"`
	Delay *HTTPFaultDelay `yaml:"-"`
	Abort *HTTPFaultAbort `yaml:"-"`
}

// HTTPFaultDelay is fault.delay: TranslateFault injects it only with a
// fixedDelay (it drops an exponentialDelay), for percentage of the
// requests, or the deprecated integer percent when percentage is unset.
type HTTPFaultDelay struct {
	At               `yaml:"-"`
	FixedDelay       Str      `yaml:"-"`
	ExponentialDelay bool     `yaml:"-"`
	Percentage       *Percent `yaml:"-"`
	Percent          Number   `yaml:"-"`
}

// HTTPFaultAbort is fault.abort: TranslateFault injects it only with an
// httpStatus or a grpcStatus (it drops an http2Error).
type HTTPFaultAbort struct {
	At         `yaml:"-"`
	HTTPStatus Number   `yaml:"-"`
	GRPCStatus Str      `yaml:"-"`
	HTTP2Error Str      `yaml:"-"`
	Percentage *Percent `yaml:"-"`
}

// UnmarshalYAML reads the delay and abort of the mapping n; anything else
// is a fault of neither, left to schema validation.
func (f *HTTPFault) UnmarshalYAML(n *yaml.Node) error {
	f.Loc = manifest.LocOf(n)
	if d := yamlpath.Field(n, "delay"); d != nil {
		if isNull, _ := null(d); !isNull {
			f.Delay = &HTTPFaultDelay{At: At{Loc: manifest.LocOf(d)}}
			f.Delay.FixedDelay = lenientStr(yamlpath.Field(d, "fixedDelay"))
			f.Delay.ExponentialDelay = yamlpath.Field(d, "exponentialDelay") != nil
			f.Delay.Percentage = readPercent(yamlpath.Field(d, "percentage"))
			if v := yamlpath.Field(d, "percent"); v != nil && v.Kind == yaml.ScalarNode {
				f.Delay.Percent.read(v)
			}
		}
	}
	if a := yamlpath.Field(n, "abort"); a != nil {
		if isNull, _ := null(a); !isNull {
			f.Abort = &HTTPFaultAbort{At: At{Loc: manifest.LocOf(a)}}
			if v := yamlpath.Field(a, "httpStatus"); v != nil && v.Kind == yaml.ScalarNode {
				f.Abort.HTTPStatus.read(v)
			}
			f.Abort.GRPCStatus = lenientStr(yamlpath.Field(a, "grpcStatus"))
			f.Abort.HTTP2Error = lenientStr(yamlpath.Field(a, "http2Error"))
			f.Abort.Percentage = readPercent(yamlpath.Field(a, "percentage"))
		}
	}
	return nil
}

// lenientStr reads n as a Str, or returns an unset one for an absent
// field or a value that is not a string.
func lenientStr(n *yaml.Node) Str {
	var s Str
	if n == nil || s.UnmarshalYAML(n) != nil {
		return Str{}
	}
	return s
}

// Number is a number as its text reads, whatever its tag.
type Number struct {
	V   float64
	Loc Loc
	// Set is false when the field is absent or null; Bad is set when its
	// text is not a number.
	Set, Bad bool
}

// UnmarshalYAML reads the number n writes.
func (x *Number) UnmarshalYAML(n *yaml.Node) error {
	x.read(n)
	return nil
}

func (x *Number) read(n *yaml.Node) {
	f, err := strconv.ParseFloat(n.Value, 64)
	*x = Number{V: f, Loc: manifest.LocOf(n), Set: true, Bad: err != nil}
}

// HTTPHeaders are Istio's header operations: http.headers of a
// VirtualService, and spec.service.headers of a Flagger Canary, which
// Flagger copies into its VirtualService's routes and turns into an
// HTTPRoute's header modifier filters. Request or Response is nil when
// the field is absent or null.
//
// A value of the wrong type is left to schema validation, which reports
// it, rather than failing the object's decoding: one bad header field
// would otherwise drop the whole route.
type HTTPHeaders struct {
	At       `yaml:"-"`
	Request  *HeaderOps `yaml:"-"`
	Response *HeaderOps `yaml:"-"`
}

// UnmarshalYAML reads the operations of the mapping n.
func (h *HTTPHeaders) UnmarshalYAML(n *yaml.Node) error {
	h.Loc = manifest.LocOf(n)
	h.Request = readHeaderOps(yamlpath.Field(n, "request"))
	h.Response = readHeaderOps(yamlpath.Field(n, "response"))
	return nil
}

// HeaderOps are the operations on the headers of one direction, at the
// field that holds them. Only the names of the headers are read, in the
// order written.
type HeaderOps struct {
	At     `yaml:"-"`
	Set    HeaderNames `yaml:"-"`
	Add    HeaderNames `yaml:"-"`
	Remove []string    `yaml:"-"`
}

// readHeaderOps reads the operations of n, or returns nil for an absent
// or null field.
func readHeaderOps(n *yaml.Node) *HeaderOps {
	if n == nil {
		return nil
	}
	if isNull, _ := null(n); isNull {
		return nil
	}
	o := &HeaderOps{At: At{Loc: manifest.LocOf(n)}}
	o.Set.read(yamlpath.Field(n, "set"))
	o.Add.read(yamlpath.Field(n, "add"))
	if rm := yamlpath.Field(n, "remove"); rm != nil && rm.Kind == yaml.SequenceNode {
		for _, v := range rm.Content {
			o.Remove = append(o.Remove, manifest.Intern(v.Value))
		}
	}
	return o
}

// HeaderNames are the keys of a mapping of header names to values, in the
// order written: a map would lose the order that messages list them in.
type HeaderNames struct {
	Names []string
}

// UnmarshalYAML reads the keys of the mapping n; anything else has none.
// The values are left to schema validation.
func (h *HeaderNames) UnmarshalYAML(n *yaml.Node) error {
	h.read(n)
	return nil
}

func (h *HeaderNames) read(n *yaml.Node) {
	for k := range yamlpath.Entries(n) {
		h.Names = append(h.Names, manifest.Intern(k.Value))
	}
}

// UnmarshalYAML records the route's location.
func (r *HTTPRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTPRoute
	return decodeAt(n, &r.At, (*plain)(r))
}

// Delegate points an HTTP route at another VirtualService.
type Delegate struct {
	Name      Str `yaml:"name"`
	Namespace Str `yaml:"namespace"`
}

// Mirror is one entry of http.mirrors. Without Percentage it mirrors
// every request (MirrorPercentByPolicy): a route's mirrorPercentage never
// applies to it.
type Mirror struct {
	At          `yaml:"-"`
	Destination *Destination `yaml:"destination"`
	Percentage  *Percent     `yaml:"percentage"`
}

// UnmarshalYAML records the entry's location.
func (m *Mirror) UnmarshalYAML(n *yaml.Node) error {
	type plain Mirror
	return decodeAt(n, &m.At, (*plain)(m))
}

// HTTPMatch is one entry of http.match. All its conditions must hold.
type HTTPMatch struct {
	At              `yaml:"-"`
	Name            Str                    `yaml:"name"`
	URI             *StringMatch           `yaml:"uri"`
	Scheme          *StringMatch           `yaml:"scheme"`
	Method          *StringMatch           `yaml:"method"`
	Authority       *StringMatch           `yaml:"authority"`
	Headers         map[string]StringMatch `yaml:"headers"`
	QueryParams     map[string]StringMatch `yaml:"queryParams"`
	WithoutHeaders  map[string]StringMatch `yaml:"withoutHeaders"`
	Port            Int                    `yaml:"port"`
	SourceLabels    map[string]string      `yaml:"sourceLabels"`
	Gateways        []Str                  `yaml:"gateways"`
	SourceNamespace Str                    `yaml:"sourceNamespace"`
	IgnoreURICase   Bool                   `yaml:"ignoreUriCase"`
}

// UnmarshalYAML records the match's location.
func (m *HTTPMatch) UnmarshalYAML(n *yaml.Node) error {
	type plain HTTPMatch
	return decodeAt(n, &m.At, (*plain)(m))
}

// StringMatch is Istio's exact/prefix/regex matcher.
type StringMatch struct {
	At     `yaml:"-"`
	Exact  Str `yaml:"exact"`
	Prefix Str `yaml:"prefix"`
	Regex  Str `yaml:"regex"`
}

// UnmarshalYAML records the matcher's location.
func (m *StringMatch) UnmarshalYAML(n *yaml.Node) error {
	type plain StringMatch
	return decodeAt(n, &m.At, (*plain)(m))
}

// RouteDestination is one weighted destination of a route.
type RouteDestination struct {
	At          `yaml:"-"`
	Destination *Destination `yaml:"destination"`
	Weight      Int          `yaml:"weight"`
}

// UnmarshalYAML records the destination's location.
func (d *RouteDestination) UnmarshalYAML(n *yaml.Node) error {
	type plain RouteDestination
	return decodeAt(n, &d.At, (*plain)(d))
}

// Destination is a host, optional subset and optional port.
type Destination struct {
	At     `yaml:"-"`
	Host   Str           `yaml:"host"`
	Subset Str           `yaml:"subset"`
	Port   *PortSelector `yaml:"port"`
}

// UnmarshalYAML records the destination's location.
func (d *Destination) UnmarshalYAML(n *yaml.Node) error {
	type plain Destination
	return decodeAt(n, &d.At, (*plain)(d))
}

// PortSelector selects a port by number.
type PortSelector struct {
	Number Int `yaml:"number"`
}

// Retries is an HTTP retry policy.
type Retries struct {
	At            `yaml:"-"`
	Attempts      Int `yaml:"attempts"`
	PerTryTimeout Str `yaml:"perTryTimeout"`
	RetryOn       Str `yaml:"retryOn"`
}

// UnmarshalYAML records the policy's location.
func (r *Retries) UnmarshalYAML(n *yaml.Node) error {
	type plain Retries
	return decodeAt(n, &r.At, (*plain)(r))
}

// TCPRoute is one entry of VirtualService tcp.
type TCPRoute struct {
	At    `yaml:"-"`
	Match []L4Match          `yaml:"match"`
	Route []RouteDestination `yaml:"route"`
}

// UnmarshalYAML records the route's location.
func (r *TCPRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain TCPRoute
	return decodeAt(n, &r.At, (*plain)(r))
}

// L4Match matches TCP traffic.
type L4Match struct {
	At                 `yaml:"-"`
	DestinationSubnets []Str             `yaml:"destinationSubnets"`
	Port               Int               `yaml:"port"`
	SourceLabels       map[string]string `yaml:"sourceLabels"`
	Gateways           []Str             `yaml:"gateways"`
	SourceNamespace    Str               `yaml:"sourceNamespace"`
}

// UnmarshalYAML records the match's location.
func (m *L4Match) UnmarshalYAML(n *yaml.Node) error {
	type plain L4Match
	return decodeAt(n, &m.At, (*plain)(m))
}

// TLSRoute is one entry of VirtualService tls.
type TLSRoute struct {
	At    `yaml:"-"`
	Match []TLSMatch         `yaml:"match"`
	Route []RouteDestination `yaml:"route"`
}

// UnmarshalYAML records the route's location.
func (r *TLSRoute) UnmarshalYAML(n *yaml.Node) error {
	type plain TLSRoute
	return decodeAt(n, &r.At, (*plain)(r))
}

// TLSMatch matches TLS traffic by SNI.
type TLSMatch struct {
	At                 `yaml:"-"`
	SniHosts           []Str             `yaml:"sniHosts"`
	DestinationSubnets []Str             `yaml:"destinationSubnets"`
	Port               Int               `yaml:"port"`
	SourceLabels       map[string]string `yaml:"sourceLabels"`
	Gateways           []Str             `yaml:"gateways"`
	SourceNamespace    Str               `yaml:"sourceNamespace"`
}

// UnmarshalYAML records the match's location.
func (m *TLSMatch) UnmarshalYAML(n *yaml.Node) error {
	type plain TLSMatch
	return decodeAt(n, &m.At, (*plain)(m))
}

// DestinationRule is networking.istio.io DestinationRule spec.
type DestinationRule struct {
	Host             Str                  `yaml:"host"`
	TrafficPolicy    *TrafficPolicy       `yaml:"trafficPolicy"`
	Subsets          []Subset             `yaml:"subsets"`
	ExportTo         []Str                `yaml:"exportTo"`
	WorkloadSelector *MatchLabelsSelector `yaml:"workloadSelector"`
}

// Subset is a named group of a host's endpoints.
type Subset struct {
	At            `yaml:"-"`
	Name          Str               `yaml:"name"`
	Labels        map[string]string `yaml:"labels"`
	TrafficPolicy *TrafficPolicy    `yaml:"trafficPolicy"`
}

// UnmarshalYAML records the subset's location.
func (s *Subset) UnmarshalYAML(n *yaml.Node) error {
	type plain Subset
	return decodeAt(n, &s.At, (*plain)(s))
}

// TrafficPolicy is a DestinationRule traffic policy.
type TrafficPolicy struct {
	At                `yaml:"-"`
	TLS               *ClientTLS          `yaml:"tls"`
	PortLevelSettings []PortTrafficPolicy `yaml:"portLevelSettings"`
	LoadBalancer      *yaml.Node          `yaml:"loadBalancer"`
	ConnectionPool    *yaml.Node          `yaml:"connectionPool"`
	OutlierDetection  *yaml.Node          `yaml:"outlierDetection"`
}

// UnmarshalYAML records the policy's location.
func (p *TrafficPolicy) UnmarshalYAML(n *yaml.Node) error {
	type plain TrafficPolicy
	return decodeAt(n, &p.At, (*plain)(p))
}

// PortTrafficPolicy is a traffic policy for one port.
type PortTrafficPolicy struct {
	At   `yaml:"-"`
	Port *PortSelector `yaml:"port"`
	TLS  *ClientTLS    `yaml:"tls"`
}

// UnmarshalYAML records the policy's location.
func (p *PortTrafficPolicy) UnmarshalYAML(n *yaml.Node) error {
	type plain PortTrafficPolicy
	return decodeAt(n, &p.At, (*plain)(p))
}

// ClientTLS is the TLS a client uses towards a destination.
type ClientTLS struct {
	At              `yaml:"-"`
	Mode            Str  `yaml:"mode"`
	CredentialName  Str  `yaml:"credentialName"`
	CaCertificates  Str  `yaml:"caCertificates"`
	SNI             Str  `yaml:"sni"`
	ClientCert      Str  `yaml:"clientCertificate"`
	PrivateKey      Str  `yaml:"privateKey"`
	InsecureSkipVer Bool `yaml:"insecureSkipVerify"`
}

// UnmarshalYAML records the setting's location.
func (t *ClientTLS) UnmarshalYAML(n *yaml.Node) error {
	type plain ClientTLS
	return decodeAt(n, &t.At, (*plain)(t))
}

// WorkloadSelector selects workloads by labels (Istio's labels form).
type WorkloadSelector struct {
	At     `yaml:"-"`
	Labels map[string]string `yaml:"labels"`
}

// UnmarshalYAML records the selector's location.
func (s *WorkloadSelector) UnmarshalYAML(n *yaml.Node) error {
	type plain WorkloadSelector
	return decodeAt(n, &s.At, (*plain)(s))
}

// Gateway is networking.istio.io Gateway spec.
type Gateway struct {
	Selector map[string]string `yaml:"selector"`
	Servers  []Server          `yaml:"servers"`
}

// Server is one listener of a Gateway.
type Server struct {
	At    `yaml:"-"`
	Name  Str        `yaml:"name"`
	Port  *Port      `yaml:"port"`
	Hosts []Str      `yaml:"hosts"`
	TLS   *ServerTLS `yaml:"tls"`
	Bind  Str        `yaml:"bind"`
}

// UnmarshalYAML records the server's location.
func (s *Server) UnmarshalYAML(n *yaml.Node) error {
	type plain Server
	return decodeAt(n, &s.At, (*plain)(s))
}

// Port is a Gateway or ServiceEntry port.
type Port struct {
	At         `yaml:"-"`
	Number     Int `yaml:"number"`
	Name       Str `yaml:"name"`
	Protocol   Str `yaml:"protocol"`
	TargetPort Int `yaml:"targetPort"`
}

// UnmarshalYAML records the port's location.
func (p *Port) UnmarshalYAML(n *yaml.Node) error {
	type plain Port
	return decodeAt(n, &p.At, (*plain)(p))
}

// ServerTLS is a Gateway server's TLS settings.
type ServerTLS struct {
	At             `yaml:"-"`
	Mode           Str `yaml:"mode"`
	CredentialName Str `yaml:"credentialName"`
	// CredentialNames replaces CredentialName with one or two Secrets,
	// an RSA and an ECDSA certificate for the same hosts.
	CredentialNames []Str `yaml:"credentialNames"`
	// CaCertCredentialName names the Secret or ConfigMap of the CA
	// certificates for MUTUAL modes, instead of the server Secret's.
	CaCertCredentialName Str  `yaml:"caCertCredentialName"`
	HTTPSRedirect        Bool `yaml:"httpsRedirect"`
	ServerCert           Str  `yaml:"serverCertificate"`
	PrivateKey           Str  `yaml:"privateKey"`
}

// Credentials lists the Secrets the server serves certificates from:
// credentialNames when set, else credentialName (ApplyCredentialSDSTo
// ServerCommonTLSContext, pilot/pkg/security/model).
func (t *ServerTLS) Credentials() []Str {
	if len(t.CredentialNames) > 0 {
		return t.CredentialNames
	}
	if t.CredentialName.V != "" {
		return []Str{t.CredentialName}
	}
	return nil
}

// UnmarshalYAML records the settings' location.
func (t *ServerTLS) UnmarshalYAML(n *yaml.Node) error {
	type plain ServerTLS
	return decodeAt(n, &t.At, (*plain)(t))
}

// ServiceEntry is networking.istio.io ServiceEntry spec.
type ServiceEntry struct {
	Hosts            []Str             `yaml:"hosts"`
	Addresses        []Str             `yaml:"addresses"`
	Ports            []Port            `yaml:"ports"`
	Location         Str               `yaml:"location"`
	Resolution       Str               `yaml:"resolution"`
	Endpoints        []WorkloadEntry   `yaml:"endpoints"`
	WorkloadSelector *WorkloadSelector `yaml:"workloadSelector"`
	ExportTo         []Str             `yaml:"exportTo"`
}

// WorkloadEntry is an endpoint of a ServiceEntry.
type WorkloadEntry struct {
	At      `yaml:"-"`
	Address Str               `yaml:"address"`
	Labels  map[string]string `yaml:"labels"`
}

// UnmarshalYAML records the entry's location.
func (e *WorkloadEntry) UnmarshalYAML(n *yaml.Node) error {
	type plain WorkloadEntry
	return decodeAt(n, &e.At, (*plain)(e))
}

// Sidecar is networking.istio.io Sidecar spec.
type Sidecar struct {
	WorkloadSelector      *WorkloadSelector `yaml:"workloadSelector"`
	Ingress               []IngressListener `yaml:"ingress"`
	Egress                []EgressListener  `yaml:"egress"`
	OutboundTrafficPolicy *struct {
		Mode Str `yaml:"mode"`
		// EgressProxy takes the traffic ALLOW_ANY lets out: Pilot builds
		// its cluster (the field is undocumented, and not deprecated).
		EgressProxy *SidecarEgressProxy `yaml:"egressProxy"`
	} `yaml:"outboundTrafficPolicy"`
}

// IngressListener is one entry of Sidecar ingress: a port on which the
// sidecar builds an inbound listener, of the protocol its port says, in
// place of those the Services of the workload would give it.
type IngressListener struct {
	Port *Port `yaml:"port"`
}

// EgressListener is one entry of Sidecar egress.
type EgressListener struct {
	At    `yaml:"-"`
	Hosts []Str `yaml:"hosts"`
	Bind  Str   `yaml:"bind"`
	Port  *Port `yaml:"port"`
}

// UnmarshalYAML records the listener's location.
func (e *EgressListener) UnmarshalYAML(n *yaml.Node) error {
	type plain EgressListener
	return decodeAt(n, &e.At, (*plain)(e))
}
