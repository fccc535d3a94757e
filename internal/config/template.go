package config

// Template is the file `meshlint config init` writes: every setting, at its
// default, with what it does. Loading it changes nothing.
const Template = `# meshlint configuration (docs/config.md describes every key).
#
# meshlint reads the first .meshlint.yaml it finds in the working directory
# or a directory above it; --config FILE names another file and --no-config
# reads none. Flags given on the command line override this file.
version: 1

# Which rules run, by ID (MR102) or name (route-subset-undefined);
# ` + "`meshlint rules`" + ` lists them.
rules:
  # Run only these rules. Empty: run every rule.
  enable: []
  # Never run these rules.
  disable: []

# Change the severity of rules: error, warning or info.
severity: {}
#  MR101: error

# Files and directories never read: glob patterns relative to this file's
# directory, with / between directories. * matches within a name, ** any
# number of directories; a pattern matching a directory skips all below it.
ignore-paths: []
#  - vendor
#  - "**/*.generated.yaml"

# Exit with status 1 when a finding is at least this severe:
# error, warning, info or none.
fail-on: error

# The namespace of objects that do not set one.
namespace: default

# Assume the input holds every object of the cluster. Rules that fire on
# something missing ("no Service for this host") then also fire when the
# namespace concerned is not in the input at all.
closed-world: false

# Read the mesh settings below from Istio's MeshConfig: the mesh key of
# the istio ConfigMap, the ConfigMap itself, or an IstioOperator. The path
# is relative to this file. Keys under mesh: override it.
# mesh-config: istio-mesh.yaml

# What meshlint assumes about the Istio installation. Uncomment what
# differs from Istio's defaults, shown here.
mesh:
  # Istio's config root namespace: PeerAuthentication, DestinationRule and
  # Sidecar objects there apply to the whole mesh.
  # root-namespace: istio-system

  # The Kubernetes cluster domain that short host names expand with.
  # cluster-domain: cluster.local

  # The SPIFFE trust domain of workload identities in principals.
  # trust-domain: cluster.local

  # The exportTo of objects that set none. "*": every namespace,
  # ".": their own namespace, "~": none. service applies to Services
  # and ServiceEntries (MeshConfig defaultServiceExportTo).
  # default-export-to:
  #   service: ["*"]
  #   virtual-service: ["*"]
  #   destination-rule: ["*"]

  # What sidecars do with traffic to hosts outside the service registry:
  # ALLOW_ANY, REGISTRY_ONLY or ALLOW_ANY_DYNAMIC_DNS.
  # outbound-traffic-policy: ALLOW_ANY

  # Whether clients without DestinationRule TLS settings use Istio mTLS
  # automatically towards servers that accept it.
  # enable-auto-mtls: true

  # Whether a Gateway configures only the gateway pods of its own namespace,
  # as with istiod's environment variable PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true.
  # Off, as in Istio: its selector picks pods in every namespace.
  # scope-gateway-to-namespace: false

# What meshlint assumes about the Flagger controller, whose flags the
# manifests do not show. mesh-provider is its -mesh-provider flag, the
# provider of the Canaries that set no spec.provider (istio, linkerd,
# appmesh, contour, gloo, nginx, kuma, gatewayapi:v1 and so on). Unset,
# meshlint derives Istio's routing for them, Flagger's default, but MR156
# does not check their fields against a router. selector-labels is its
# -selector-labels flag as a list, shown at the flag's default. When the
# input holds Flagger's Deployment, MR157 compares its flags with these.
flagger: {}
#  mesh-provider: linkerd
#  selector-labels: [app, name, app.kubernetes.io/name]

# The Kubernetes release (1.N) whose API server the manifests are applied
# to: what it refuses changed in some releases (Service names, IP addresses
# and CIDRs, since 1.36), and MR027 and the network policy rules follow it.
# Unset, the release whose API meshlint's schemas describe, shown here.
kubernetes:
  # version: "` + DefaultKubernetesVersion + `"
`
