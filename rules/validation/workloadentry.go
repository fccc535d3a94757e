package validation

import (
	"regexp"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
)

// WorkloadEntryInvalid reports WorkloadEntries that Istio's webhook rejects.
var WorkloadEntryInvalid = &rules.Rule{
	ID:      "MR020",
	Name:    "workloadentry-invalid",
	Summary: "a WorkloadEntry has no address, or an address, port name or label Istio rejects",
	Doc: `Istio's webhook rejects a WorkloadEntry (the same checks as a STATIC ServiceEntry's endpoints,
MR013's, except that a host name is allowed as the address) when:

- it has no ` + "`address`" + ` and no ` + "`network`" + ` (with a network alone the webhook only warns: MR016);
- its address is neither an IP address, a fully qualified domain name nor a ` + "`unix://`" + ` path to an
  absolute file (or an ` + "`@`" + `abstract socket): a ` + "`host:port`" + ` address is refused, ports go in ` + "`ports`" + `;
- a ` + "`unix://`" + ` address comes with ` + "`ports`" + `;
- a ` + "`ports`" + ` key is not a DNS-1123 label (port numbers out of range are MR003's);
- a key of ` + "`labels`" + ` is not a label name (an optional DNS prefix and ` + "`/`" + `, then letters, digits,
  ` + "`-`" + `, ` + "`_`" + ` and ` + "`.`" + `, beginning and ending with a letter or digit), or a value is neither
  empty nor made of those characters.

Fix the field as the message says; the usual cause is a port written into the address.`,
	Bad:      vmEntry("10.0.3.7:8080"),
	Good:     vmEntry("10.0.3.7"),
	Severity: rules.Error,
	Inputs:   []kinds.Kind{kinds.WorkloadEntry},
	Related:  []string{"IST0106"},
	Local:    true,
	Run:      runWorkloadEntryInvalid,
}

// vmEntry is WorkloadEntry shop/legacy-vm at address: the examples of
// MR020.
func vmEntry(address string) string {
	return `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: legacy-vm
  namespace: shop
spec:
  address: ` + address + `
  ports: {http: 8080}
  labels: {app: legacy}
`
}

func runWorkloadEntryInvalid(p *rules.Pass) error {
	for o := range objectsOf(p, kinds.GroupIstioNetworking, kinds.WorkloadEntry) {
		checkWorkloadEntrySpec(p, o, specOf(o), endpointCheck{rejects: "Istio rejects the WorkloadEntry"})
	}
	return nil
}

// endpointCheck says where validateWorkloadEntry runs: on a WorkloadEntry,
// or (inEntry) on an endpoint of a STATIC ServiceEntry, which
// ValidateServiceEntry checks against the entry's ports and with FQDN
// addresses refused (allowFQDNAddresses false).
type endpointCheck struct {
	inEntry    bool
	entryPorts node
	rejects    string
}

// checkWorkloadEntrySpec applies validateWorkloadEntry
// (pkg/config/validation/validation.go) to we: an address is required
// unless a network is set (then the webhook only warns, MR016's); a
// unix:// address is a socket at an absolute path and takes no ports; any
// other address is an IP address or, outside a ServiceEntry, an FQDN; port
// names are DNS-1123 labels and labels are valid. An endpoint's port names
// that the entry does not declare are reported by MR013 itself.
func checkWorkloadEntrySpec(p *rules.Pass, o *manifest.Object, we node, c endpointCheck) {
	x := we.get("address")
	a, isStr := x.str()
	if x.ok() && !isStr {
		return // a wrong type is MR001's
	}
	switch sock, unix := strings.CutPrefix(a, "unix://"); {
	case a == "":
		switch {
		case nonEmpty(we, "network"):
		case c.inEntry:
			reportAt(p, o, x, we, "%s has no address (and no network): a STATIC endpoint needs one; %s", we.where(), c.rejects)
		default:
			reportAt(p, o, x, we, "address is required unless a network is set; %s", c.rejects)
		}
	case unix:
		if err := validateUnixAddress(sock); err != nil {
			p.Reportf(o, x.loc(), "%s: %v; %s", x.where(), err, c.rejects)
		}
		switch {
		case !we.get("ports").hasEntries():
		case c.inEntry:
			p.Reportf(o, we.keyLoc("ports"), "%s: a unix socket endpoint must not include ports; %s", we.where(), c.rejects)
		default:
			p.Reportf(o, we.keyLoc("ports"), "ports: a WorkloadEntry with a unix socket address must not include ports; %s", c.rejects)
		}
		if c.inEntry {
			// Istio counts the entry's distinct port names, an unnamed
			// port's being "".
			names := map[string]bool{}
			for port := range c.entryPorts.items() {
				name, _ := port.get("name").str()
				names[name] = true
			}
			if len(names) != 1 {
				p.Reportf(o, x.loc(), "%s is a unix socket endpoint, which needs a ServiceEntry with exactly 1 port, not %d; %s", x.where(), len(names), c.rejects)
			}
		}
	case isIP(a):
	case c.inEntry:
		p.Reportf(o, x.loc(), "%s %q: a STATIC endpoint address must be an IP address or a unix:// path; %s", x.where(), a, c.rejects)
	case validateFQDN(a) != nil:
		p.Reportf(o, x.loc(), "%s %q is neither an IP address, a fully qualified domain name nor a unix:// path (ports go in ports); %s", x.where(), a, c.rejects)
	}
	if !c.inEntry {
		// An endpoint's port names must be the entry's, whose names
		// MR013 checks already.
		for e := range we.get("ports").entries() {
			if !isDNS1123Label(e.key) {
				p.Reportf(o, e.keyLoc, "%s: port name %q is not a DNS-1123 label (letters, digits and dashes, at most 63); %s", we.get("ports").where(), e.key, c.rejects)
			}
		}
	}
	checkWorkloadLabels(p, o, we, c.rejects)
}

// Istio's label formats (pkg/config/labels, labels.Instance.Validate): a
// key is an optional DNS prefix and "/" then a qualified name; a value is
// empty or a qualified name, of any length.
var (
	labelKey   = regexp.MustCompile(`^([a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*/)?((?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$`)
	labelValue = regexp.MustCompile(`^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
)

// checkWorkloadLabels reports the labels of a WorkloadEntry spec that
// labels.Instance.Validate refuses.
func checkWorkloadLabels(p *rules.Pass, o *manifest.Object, we node, rejects string) {
	checkLabelsAt(p, o, we, "", rejects)
}

// checkLabelsAt is checkWorkloadLabels with prefix before the paths of
// the messages: "spec." where the spec-relative path would read as the
// object's own metadata (a WorkloadGroup's spec.metadata.labels).
func checkLabelsAt(p *rules.Pass, o *manifest.Object, we node, prefix, rejects string) {
	ls := we.get("labels")
	for e := range ls.entries() {
		m := labelKey.FindStringSubmatch(e.key)
		switch {
		case m == nil:
			p.Reportf(o, e.keyLoc, "%s%s: label key %q is not a label name (an optional DNS prefix and /, then letters, digits, '-', '_' and '.', beginning and ending with a letter or digit); %s", prefix, ls.where(), e.key, rejects)
		case len(m[1]) > 254:
			p.Reportf(o, e.keyLoc, "%s%s: label key %q has a DNS prefix longer than 253 characters; %s", prefix, ls.where(), e.key, rejects)
		case len(m[2]) > 63:
			p.Reportf(o, e.keyLoc, "%s%s: label key %q has a name longer than 63 characters; %s", prefix, ls.where(), e.key, rejects)
		}
		if v, ok := e.val.str(); ok && !labelValue.MatchString(v) {
			p.Reportf(o, e.val.loc(), "%s%s: label value %q is neither empty nor made of letters, digits, '-', '_' and '.' beginning and ending with a letter or digit; %s", prefix, e.val.where(), v, rejects)
		}
	}
}
