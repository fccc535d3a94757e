package validation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/internal/suggest"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// checkMore runs MR027's checks of the fields between which
// ValidateService, ValidateIngressCreate, ValidateJobCreate and
// ValidateCronJobCreate set rules. The kind is tested first: the rule runs
// on every object of the input, and these checks concern few of them.
func checkMore(p *rules.Pass, o *manifest.Object, root, spec node) {
	switch o.Kind {
	case kinds.Service:
		if o.Group == kinds.GroupCore && spec.isMap() {
			checkServiceFields(p, o, root, spec)
		}
	case kinds.Ingress:
		// networking.k8s.io/v1beta1, no longer served, named backends
		// otherwise.
		if o.APIVersion == "networking.k8s.io/v1" {
			checkIngress(p, o, root, spec)
		}
	case kinds.Job:
		if o.Group == kinds.GroupBatch && spec.isMap() {
			checkJobSelector(p, o, spec)
			checkJobSpec(p, o, spec, false)
		}
	case kinds.CronJob:
		if o.Group == kinds.GroupBatch && spec.isMap() {
			checkCronJob(p, o, spec)
		}
	}
}

// loadBalancerSourceRangesAnnotation is core.AnnotationLoadBalancerSourceRangesKey,
// which validateService reads when spec.loadBalancerSourceRanges is empty.
const loadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges"

// maxClientIPAffinitySeconds is core.MaxClientIPServiceAffinitySeconds.
const maxClientIPAffinitySeconds = 86400

// checkServiceFields mirrors the parts of validateService (k8s.io/kubernetes
// pkg/apis/core/validation) that tie a Service's fields to its type, and
// the formats of its addresses, as the API server applies them to a new
// Service after defaulting (SetDefaults_Service drops sessionAffinityConfig
// when sessionAffinity is None, so that is no refusal). The nodePort,
// clusterIP and port checks are checkService's.
func checkServiceFields(p *rules.Pass, o *manifest.Object, root, spec node) {
	const rejects = "the API server rejects the Service"
	gates := gatesOf(p)
	typ, _ := serviceType(spec)
	switch typ {
	case "ClusterIP", "NodePort", "LoadBalancer", "ExternalName":
	default:
		// An unknown type, or one of the wrong type, is MR001's; the rules
		// between fields depend on it.
		return
	}
	lb := typ == "LoadBalancer"
	notLB := func(key string) {
		p.Reportf(o, spec.keyLoc(key), "%s is set, which only a LoadBalancer Service may have (this one is %s); %s", spec.get(key).where(), typ, rejects)
	}

	// Source ranges: the field, or the older annotation when the field is
	// empty. The API server trims spaces around each entry.
	if ranges := spec.get("loadBalancerSourceRanges"); ranges.len() > 0 {
		if !lb {
			notLB("loadBalancerSourceRanges")
		}
		for r := range ranges.strs() {
			v, _ := r.str()
			if msg := cidrProblem(strings.TrimSpace(v), gates); msg != "" {
				p.Reportf(o, r.loc(), "%s %q %s; %s", r.where(), v, msg, rejects)
			}
		}
	} else if ann := root.get("metadata").get("annotations").get(loadBalancerSourceRangesAnnotation); ann.ok() && noItems(ranges) {
		// A field of the wrong type is not an empty one: the API server
		// would read the annotation only in place of an empty field.
		v, _ := ann.scalar()
		var bad, strict []string
		if t := strings.TrimSpace(v); t != "" {
			for c := range strings.SplitSeq(t, ",") {
				c = strings.TrimSpace(c)
				switch msg := cidrProblem(c, gates); {
				case msg == "":
				case cidrProblem(c, kubevalid.Gates{}) != "":
					bad = append(bad, fmt.Sprintf("%q", c))
				default:
					strict = append(strict, fmt.Sprintf("%q %s", c, msg))
				}
			}
		}
		switch {
		case !lb:
			p.Reportf(o, ann.loc(), "annotation %s is set, which only a LoadBalancer Service may have (this one is %s); %s", loadBalancerSourceRangesAnnotation, typ, rejects)
		case len(bad) > 0:
			p.Reportf(o, ann.loc(), "annotation %s holds %s, not a comma-separated list of CIDR blocks (an address needs a prefix length, as in 203.0.113.7/32); %s", loadBalancerSourceRangesAnnotation, strings.Join(bad, ", "), rejects)
		case len(strict) > 0:
			p.Reportf(o, ann.loc(), "annotation %s: %s; %s", loadBalancerSourceRangesAnnotation, strings.Join(strict, "; "), rejects)
		}
	}

	externalIPs := spec.get("externalIPs")
	for ip := range externalIPs.strs() {
		v, _ := ip.str()
		if msg := externalIPProblem(v, gates); msg != "" {
			p.Reportf(o, ip.loc(), "%s %q %s; %s", ip.where(), v, msg, rejects)
		}
	}

	if typ == "ExternalName" {
		ext := spec.get("externalName")
		if v, isStr := ext.str(); (isStr || !ext.ok()) && strings.TrimSuffix(v, ".") == "" {
			reportAt(p, o, ext, spec.get("type"), "%s is empty: an ExternalName Service needs the DNS name it aliases; %s", ext.where(), rejects)
		}
		for _, key := range [...]string{"ipFamilies", "ipFamilyPolicy"} {
			if f := spec.get(key); f.ok() && (f.len() > 0 || !f.isSeq()) {
				p.Reportf(o, spec.keyLoc(key), "%s is set, which an ExternalName Service (a DNS alias, without cluster IP) may not have; %s", f.where(), rejects)
			}
		}
	} else {
		checkIPFamilies(p, o, spec, rejects)
	}

	// apiservice.ExternallyAccessible and NeedsHealthCheck.
	etp := spec.get("externalTrafficPolicy")
	etpv, etpStr := etp.str()
	if etpv != "" && !lb && typ != "NodePort" && (typ != "ClusterIP" || noItems(externalIPs)) {
		p.Reportf(o, etp.loc(), "%s is set, which only a NodePort or LoadBalancer Service, or a ClusterIP one with externalIPs, may have (this one is %s%s); %s", etp.where(), typ, withoutExternalIPs(typ), rejects)
	}
	if hc := spec.get("healthCheckNodePort"); hc.ok() {
		if n, ok := hc.int(); ok && n != 0 {
			switch {
			case etp.ok() && !etpStr:
				// The policy is of the wrong type: whether it is Local is
				// unknown.
			case !lb || etpv != "Local":
				p.Reportf(o, hc.loc(), "%s is set, which only a LoadBalancer Service with externalTrafficPolicy: Local may have; %s", hc.where(), rejects)
			case !validPort(n):
				p.Reportf(o, hc.loc(), "%s %d is not in 1-65535; %s", hc.where(), n, rejects)
			}
		}
	}

	if c := spec.get("loadBalancerClass"); c.ok() {
		v, isStr := c.str()
		switch {
		case !isStr:
		case !lb:
			notLB("loadBalancerClass")
		case !kubevalid.LabelKey(v) && len(content.IsLabelKey(v)) > 0:
			p.Reportf(o, c.loc(), "%s %q is not %s; %s", c.where(), v, qualifiedNameText, rejects)
		}
	}
	if a := spec.get("allocateLoadBalancerNodePorts"); !lb {
		if _, ok := a.boolean(); ok {
			notLB("allocateLoadBalancerNodePorts")
		}
	}

	if sa, _ := spec.get("sessionAffinity").str(); sa == "ClientIP" {
		t := spec.get("sessionAffinityConfig").get("clientIP").get("timeoutSeconds")
		if n, ok := t.int(); ok && (n <= 0 || n > maxClientIPAffinitySeconds) {
			p.Reportf(o, t.loc(), "%s %d is not in 1-86400 (one day); %s", t.where(), n, rejects)
		}
	}
}

// withoutExternalIPs completes the message of an externalTrafficPolicy
// set on a type that forbids it.
func withoutExternalIPs(typ string) string {
	if typ == "ClusterIP" {
		return " without externalIPs"
	}
	return ""
}

// checkIPFamilies mirrors ValidateServiceClusterIPsRelatedFields and
// initIPFamilyFields (pkg/registry/core/service/storage): no IP family
// twice, at most one with ipFamilyPolicy: SingleStack, and a clusterIP of
// the first family listed.
func checkIPFamilies(p *rules.Pass, o *manifest.Object, spec node, rejects string) {
	fams := spec.get("ipFamilies")
	if fams.len() == 0 || fams.countStrs() != fams.len() {
		// A family of the wrong type leaves unknown which is first.
		return
	}
	var seen []string
	for f := range fams.strs() {
		v, _ := f.str()
		if slices.Contains(seen, v) {
			p.Reportf(o, f.loc(), "%s %s is listed twice; %s", f.where(), v, rejects)
			continue
		}
		seen = append(seen, v)
	}
	if pol := spec.get("ipFamilyPolicy"); len(seen) > 1 {
		if v, _ := pol.str(); v == "SingleStack" {
			p.Reportf(o, pol.loc(), "%s is SingleStack, but ipFamilies lists %d families; %s", pol.where(), len(seen), rejects)
		}
	}
	ip := spec.get("clusterIP")
	v, _ := ip.str()
	addr, ok := kubevalid.ParseIPSloppy(v)
	if !ok || len(seen) == 0 {
		return
	}
	if want := seen[0]; want == "IPv4" && !addr.Unmap().Is4() || want == "IPv6" && addr.Unmap().Is4() {
		p.Reportf(o, ip.loc(), "%s %q is not an %s address, the family that ipFamilies[0] names; %s", ip.where(), v, want, rejects)
	}
}

// cidrProblem says why IsValidCIDRForLegacyField refuses s, or "", as
// the release whose gates g are reads it: leading zeros and host bits
// allowed, unless StrictIPCIDRValidation is on (Kubernetes 1.36 and
// later).
func cidrProblem(s string, g kubevalid.Gates) string {
	if len(kvalidation.IsValidCIDRForLegacyField(nil, s, false, nil)) > 0 {
		if _, ok := kubevalid.ParseIPSloppy(s); ok {
			return "is an address, not a CIDR block: add the prefix length (/32 for one IPv4 address, /128 for IPv6)"
		}
		return "is not a CIDR block"
	}
	if !g.StrictIPCIDR {
		return ""
	}
	p, err := kubevalid.ParseCIDRSloppy(s)
	if err != nil {
		// Cannot happen: kubevalid's fork agrees with apimachinery's.
		return ""
	}
	return kubevalid.StrictCIDRProblem(s, p)
}

// externalIPProblem mirrors the checks of a Service's externalIPs:
// IsValidIPForLegacyField (stricter with StrictIPCIDRValidation), then,
// when that passes, ValidateEndpointIP, which refuses the unspecified,
// loopback and link-local addresses.
func externalIPProblem(s string, g kubevalid.Gates) string {
	addr, ok := kubevalid.ParseIPSloppy(s)
	if !ok {
		return "is not an IP address"
	}
	if g.StrictIPCIDR {
		if why := kubevalid.StrictIPProblem(s, addr); why != "" {
			return why
		}
	}
	addr = addr.Unmap()
	switch {
	case addr.IsUnspecified():
		return "is the unspecified address, which a Service may not claim"
	case addr.IsLoopback():
		return "is in the loopback range (127.0.0.0/8, ::1), which a Service may not claim"
	case addr.IsLinkLocalUnicast():
		return "is in the link-local range (169.254.0.0/16, fe80::/10), which a Service may not claim"
	case addr.IsLinkLocalMulticast():
		return "is in the link-local multicast range (224.0.0.0/24, ff02::/16), which a Service may not claim"
	}
	return ""
}

// Ingress paths: invalidPathSequences and invalidPathSuffixes of
// pkg/apis/networking/validation, refused in an Exact or Prefix path.
var (
	invalidPathSequences = [...]string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = [...]string{"/..", "/."}
)

// ingressClassAnnotation is the annotation that preceded spec.ingressClassName.
const ingressClassAnnotation = "kubernetes.io/ingress.class"

// checkIngress mirrors ValidateIngressCreate for networking.k8s.io/v1: a
// rule or a default backend; rule hosts DNS names (a leading "*." allowed);
// absolute paths; a backend that names either a Service, with a port name
// or number, or a resource; TLS hosts and secret names; the IngressClass
// name, and the class annotation agreeing with it. A missing pathType,
// service name or resource name is MR001's (the schema requires them).
func checkIngress(p *rules.Pass, o *manifest.Object, root, spec node) {
	const rejects = "the API server rejects the Ingress"
	if !spec.isMap() {
		return
	}
	rulesNode, def := spec.get("rules"), spec.get("defaultBackend")
	if noItems(rulesNode) && !def.ok() {
		p.Reportf(o, root.keyLoc("spec"), "spec has neither rules nor a defaultBackend; %s", rejects)
	}
	if def.isMap() {
		checkIngressBackend(p, o, def, spec.keyLoc("defaultBackend"), rejects)
	}
	for r := range rulesNode.items() {
		host := r.get("host")
		if v, ok := host.str(); ok && v != "" {
			if msg := ingressHostProblem(v); msg != "" {
				p.Reportf(o, host.loc(), "%s %q %s; %s", host.where(), v, msg, rejects)
			}
		}
		http := r.get("http")
		paths := http.get("paths")
		if paths.isSeq() && paths.len() == 0 {
			p.Reportf(o, paths.loc(), "%s lists no path; %s", paths.where(), rejects)
		}
		for path := range paths.items() {
			checkIngressPath(p, o, path, rejects)
		}
	}
	for t := range spec.get("tls").items() {
		for h := range t.get("hosts").strs() {
			v, _ := h.str()
			if msg := tlsHostProblem(v); msg != "" {
				p.Reportf(o, h.loc(), "%s %q %s; %s", h.where(), v, msg, rejects)
			}
		}
		sn := t.get("secretName")
		if v, ok := sn.str(); ok && v != "" && !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
			p.Reportf(o, sn.loc(), "%s %q is not a Secret name, %s; %s", sn.where(), v, dns1123SubdomainText, rejects)
		}
	}
	cn := spec.get("ingressClassName")
	cv, hasClass := cn.str()
	if hasClass && !kubevalid.DNS1123Subdomain(cv) && len(kvalidation.IsDNS1123Subdomain(cv)) > 0 {
		p.Reportf(o, cn.loc(), "%s %q is not an IngressClass name, %s; %s", cn.where(), cv, dns1123SubdomainText, rejects)
	}
	if ann := root.get("metadata").get("annotations").get(ingressClassAnnotation); hasClass && ann.ok() {
		if av, _ := ann.scalar(); av != cv {
			p.Reportf(o, ann.loc(), "annotation %s is %q, but spec.ingressClassName is %q: when both are set they must agree; %s", ingressClassAnnotation, av, cv, rejects)
		}
	}
}

// ingressHostProblem says why validateIngressRules refuses a rule's host,
// or "".
func ingressHostProblem(v string) string {
	if _, isIP := kubevalid.ParseIPSloppy(v); isIP {
		return "is an IP address; a rule's host must be a DNS name (leave it out to match every host)"
	}
	return tlsHostProblem(v)
}

// tlsHostProblem says why a host is neither a DNS-1123 subdomain nor, with
// a "*", a wildcard one ("*." and a subdomain), or "".
func tlsHostProblem(v string) string {
	hint := ""
	if strings.Contains(v, ":") || strings.Contains(v, "/") {
		hint = ": a host has no scheme, port or path"
	}
	if strings.Contains(v, "*") {
		if len(kvalidation.IsWildcardDNS1123Subdomain(v)) > 0 {
			return "is not a wildcard DNS name: \"*.\" then " + dns1123SubdomainText + hint
		}
		return ""
	}
	if !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
		return "is not " + dns1123SubdomainText + hint
	}
	return ""
}

// checkIngressPath mirrors validateHTTPIngressPath: an Exact or Prefix
// path is absolute and free of "//", "/./", "/../" and an encoded "/", and
// does not end in "/." or "/.."; an ImplementationSpecific one, when set,
// is absolute. Without a pathType (MR001's) the API server checks neither
// the path nor the backend.
func checkIngressPath(p *rules.Pass, o *manifest.Object, path node, rejects string) {
	pt := path.get("pathType")
	ptv, ok := pt.str()
	if !ok {
		return
	}
	pv := path.get("path")
	v, isStr := pv.str()
	if pv.ok() && !isStr {
		// Of the wrong type, it is no empty path.
		ptv = ""
	}
	var msgs []string
	switch ptv {
	case "Exact", "Prefix":
		if !strings.HasPrefix(v, "/") {
			msgs = append(msgs, "does not begin with /")
		}
		for _, seq := range invalidPathSequences {
			if strings.Contains(v, seq) {
				msgs = append(msgs, fmt.Sprintf("contains %q", seq))
			}
		}
		for _, suf := range invalidPathSuffixes {
			if strings.HasSuffix(v, suf) {
				msgs = append(msgs, fmt.Sprintf("ends with %q", suf))
			}
		}
	case "ImplementationSpecific":
		if v != "" && !strings.HasPrefix(v, "/") {
			msgs = append(msgs, "does not begin with /")
		}
	}
	if len(msgs) > 0 {
		if v == "" {
			reportAt(p, o, pv, pt, "%s is empty, which a path of type %s may not be (write /); %s", pv.where(), ptv, rejects)
		} else {
			p.Reportf(o, pv.loc(), "%s %q %s, which a path of type %s may not; %s", pv.where(), v, strings.Join(msgs, " and "), ptv, rejects)
		}
	}
	if b := path.get("backend"); b.isMap() {
		checkIngressBackend(p, o, b, path.keyLoc("backend"), rejects)
	}
}

// checkIngressBackend mirrors validateIngressBackend: a Service or a
// resource, not both; a Service's name a DNS-1123 label (the
// RelaxedServiceNameValidation rule, locked on since Kubernetes 1.37, and
// on by default since 1.36; a DNS-1035 label before, as nameProblem says)
// and exactly one of a port name (an IANA service name) and a port number;
// a resource's kind and name path segments. at is the backend's key, where
// a fault of the whole backend is reported.
func checkIngressBackend(p *rules.Pass, o *manifest.Object, b node, at manifest.Loc, rejects string) {
	svc, res := b.get("service"), b.get("resource")
	switch {
	case svc.ok() && res.ok():
		p.Reportf(o, at, "%s names both a service and a resource; %s", b.where(), rejects)
	case res.ok():
		g := res.get("apiGroup")
		if v, ok := g.str(); ok && v != "" && !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
			p.Reportf(o, g.loc(), "%s %q is not an API group, %s; %s", g.where(), v, dns1123SubdomainText, rejects)
		}
		for _, key := range [...]string{"kind", "name"} {
			f := res.get(key)
			if v, ok := f.str(); ok && v != "" {
				if msgs := content.IsPathSegmentName(v); len(msgs) > 0 {
					p.Reportf(o, f.loc(), "%s %q %s; %s", f.where(), v, joinMsgs(msgs), rejects)
				}
			}
		}
	case svc.isMap():
		name := svc.get("name")
		if v, ok := name.str(); ok && v != "" {
			if format := serviceNameFault(v, gatesOf(p)); format != "" {
				p.Reportf(o, name.loc(), "%s %q is not a Service name, %s; %s", name.where(), v, format, rejects)
			}
		}
		port := svc.get("port")
		if port.ok() && !port.isMap() {
			// port: 80, for port: {number: 80}: the loader or MR001 says so.
			return
		}
		pn, pnum := port.get("name"), port.get("number")
		nv, nameStr := pn.str()
		n, numInt := pnum.int()
		switch {
		case nv != "" && n != 0:
			p.Reportf(o, port.loc(), "%s has both a name and a number; it must name the Service port one way; %s", port.where(), rejects)
		case nv != "":
			if msgs := kvalidation.IsValidPortName(nv); len(msgs) > 0 {
				p.Reportf(o, pn.loc(), "%s %q is not an IANA service name: it %s; %s", pn.where(), nv, joinMsgs(msgs), rejects)
			}
		case n != 0:
			if !validPort(n) {
				p.Reportf(o, pnum.loc(), "%s %d is not in 1-65535; %s", pnum.where(), n, rejects)
			}
		case (!pn.ok() || nameStr) && (!pnum.ok() || numInt):
			// A name or number of the wrong type is MR001's.
			reportAt(p, o, port, svc, "%s has neither a port name nor a port number; %s", svc.where(), rejects)
		}
	case !svc.ok():
		p.Reportf(o, at, "%s names neither a service nor a resource; %s", b.where(), rejects)
	}
}

// checkJobSelector mirrors validateGeneratedSelector on create: unless
// manualSelector is true, the API server adds the controller-uid term to
// the Job's selector and labels the pod template with job-name,
// batch.kubernetes.io/job-name (the Job's name), controller-uid and
// batch.kubernetes.io/controller-uid (its uid), and refuses a selector that
// does not select these labels ("`selector` not auto-generated") or a
// template whose job-name labels name another Job. With manualSelector:
// true a selector is required. The uid is unknown before creation: terms
// on the controller-uid labels are left alone.
func checkJobSelector(p *rules.Pass, o *manifest.Object, spec node) {
	const rejects = "the API server rejects the Job"
	sel := spec.get("selector")
	manual, typed := manualSelector(spec)
	if !typed {
		// Whose selector it is, the user's or the API server's, is unknown.
		return
	}
	if manual {
		if !sel.ok() {
			p.Reportf(o, spec.keyLoc("manualSelector"), "%s is true, but spec.selector is not set: with a manual selector the Job must select its pods itself; %s", spec.get("manualSelector").where(), rejects)
		}
		return
	}
	name := o.Name
	tl := spec.get("template").get("metadata").get("labels")
	for _, key := range [...]string{"job-name", "batch.kubernetes.io/job-name"} {
		l := tl.get(key)
		if v, ok := l.scalar(); ok && name != "" && v != name {
			p.Reportf(o, l.loc(), "%s is %q, not the Job's name %q: the API server sets it to the name, and refuses another value unless manualSelector is true; %s", l.where(), v, name, rejects)
		}
	}
	if !sel.isMap() || !wellFormedSelector(sel) {
		return
	}
	generated := map[string]string{}
	if name != "" {
		generated["job-name"], generated["batch.kubernetes.io/job-name"] = name, name
	}
	known := func(key string) bool {
		switch key {
		case "controller-uid", "batch.kubernetes.io/controller-uid":
			return false
		case "job-name", "batch.kubernetes.io/job-name":
			return name != ""
		}
		return true
	}
	var missing []string
	for e := range sel.get("matchLabels").entries() {
		v, _ := e.val.scalar()
		if known(e.key) && generated[e.key] != v {
			missing = append(missing, e.key+"="+v)
		}
	}
	slices.Sort(missing)
	for req := range sel.get("matchExpressions").items() {
		r := requirementOf(req)
		key, op := r.Key, string(r.Op)
		if known(key) && !r.Matches(generated) {
			term := key + " " + op
			if len(r.Values) > 0 {
				term += " (" + strings.Join(r.Values, ", ") + ")"
			}
			missing = append(missing, term)
		}
	}
	if len(missing) > 0 {
		p.Reportf(o, spec.keyLoc("selector"), "%s is set without manualSelector: true, and does not select the labels that the API server gives the Job's pods (job-name, controller-uid and their batch.kubernetes.io/ forms): %s; %s (`selector` not auto-generated): leave the selector out, or set manualSelector: true", sel.where(), strings.Join(missing, ", "), rejects)
	}
}

// manualSelector reads a Job spec's manualSelector, false when left out;
// known is false when it is of the wrong type, which the loader or MR001
// reports.
func manualSelector(js node) (manual, known bool) {
	x := js.get("manualSelector")
	if !x.ok() {
		return false, true
	}
	return x.boolean()
}

// wellFormedSelector reports whether checkLabelSelector finds nothing
// wrong with a selector, without reporting: a malformed one is reported
// for its format only.
func wellFormedSelector(sel node) bool { return walkLabelSelector(sel, nil) }

// maxParallelismForIndexedJob is the batch validation's constant.
const maxParallelismForIndexedJob = 100000

// checkJobSpec mirrors validateJobSpec for a Job's spec or a CronJob's
// job template (cron): counts and durations not negative; an Indexed Job
// with completions (SetDefaults_Job sets completions to 1 when neither it
// nor parallelism is given, but does not run on a job template), the
// per-index fields only with Indexed, maxFailedIndexes only beside
// backoffLimitPerIndex; the pod template's restartPolicy OnFailure or
// Never (defaulting makes a missing one Always), Never with a
// podFailurePolicy.
func checkJobSpec(p *rules.Pass, o *manifest.Object, js node, cron bool) {
	rejects := "the API server rejects the " + string(o.Kind)
	for _, key := range [...]string{"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"} {
		f := js.get(key)
		if n, ok := f.int(); ok && n < 0 {
			p.Reportf(o, f.loc(), "%s %d is negative; %s", f.where(), n, rejects)
		}
	}
	mode := js.get("completionMode")
	mv, isStr := mode.str()
	if mode.ok() && !isStr {
		// Of the wrong type, the mode is unknown: neither case below.
		mv = "?"
	}
	completions, parallelism := js.get("completions"), js.get("parallelism")
	perIndex, maxFailed := js.get("backoffLimitPerIndex"), js.get("maxFailedIndexes")
	switch mv {
	case "Indexed":
		if maxFailed.ok() && !perIndex.ok() {
			p.Reportf(o, maxFailed.loc(), "%s is set without backoffLimitPerIndex; %s", maxFailed.where(), rejects)
		}
		c, hasC := completions.int()
		if !completions.ok() && (cron || parallelism.ok()) {
			p.Reportf(o, mode.loc(), "%s is Indexed, but completions is not set: an Indexed Job needs the number of indexes; %s", mode.where(), rejects)
		}
		if n, ok := parallelism.int(); ok && n > maxParallelismForIndexedJob {
			p.Reportf(o, parallelism.loc(), "%s %d is more than the 100000 an Indexed Job may have; %s", parallelism.where(), n, rejects)
		}
		if n, ok := maxFailed.int(); ok && hasC && n > c {
			p.Reportf(o, maxFailed.loc(), "%s %d is more than completions (%d); %s", maxFailed.where(), n, c, rejects)
		}
		if name := o.Name; !cron && hasC && c > 0 && name != "" && nameProblem(o, name, gatesOf(p)) == "" {
			// validateNameAllowsCompletions: the pods' hostnames are the
			// name, "-" and the index. A name over 63 characters without
			// manualSelector is checkBatchName's.
			manual, _ := js.get("manualSelector").boolean()
			if host := fmt.Sprintf("%s-%d", name, c-1); !kubevalid.DNS1123Label(host) && (len(name) <= 63 || manual) {
				p.Reportf(o, o.NameLoc, "metadata.name %q cannot name the pods of an Indexed Job of %d completions: the last one's hostname %q is not %s; %s", name, c, host, dns1123LabelText, rejects)
			}
		}
	case "", "NonIndexed":
		if perIndex.ok() {
			p.Reportf(o, perIndex.loc(), "%s is set, which needs completionMode: Indexed; %s", perIndex.where(), rejects)
		}
		if maxFailed.ok() {
			also := ""
			if !perIndex.ok() {
				also = " and backoffLimitPerIndex"
			}
			p.Reportf(o, maxFailed.loc(), "%s is set, which needs completionMode: Indexed%s; %s", maxFailed.where(), also, rejects)
		}
		if sp := js.get("successPolicy"); sp.ok() {
			p.Reportf(o, js.keyLoc("successPolicy"), "%s is set, which needs completionMode: Indexed; %s", sp.where(), rejects)
		}
	}
	ps := js.get("template").get("spec")
	if !ps.isMap() {
		return
	}
	rp := ps.get("restartPolicy")
	rv, isStr := rp.str()
	switch {
	case rp.ok() && !isStr:
	case rv == "" || rv == "Always":
		what := "restartPolicy is not set, and defaults to Always"
		if rv == "Always" {
			what = "restartPolicy is Always"
		}
		loc := rp.loc()
		if loc.IsZero() {
			loc = js.get("template").keyLoc("spec")
		}
		p.Reportf(o, loc, "%s: %s, which a Job's pods may not have (use OnFailure or Never); %s", ps.where(), what, rejects)
	case rv == "OnFailure" && js.get("podFailurePolicy").ok():
		p.Reportf(o, rp.loc(), "%s is OnFailure, but a Job with a podFailurePolicy needs Never; %s", rp.where(), rejects)
	}
}

// checkCronJob mirrors validateCronJobSpec: no TZ in the schedule (the
// timeZone field replaces it), a timeZone that names a zone, history
// limits and startingDeadlineSeconds not negative; and
// ValidateJobTemplateSpec: the controller generates each Job's selector,
// so the template may set neither selector nor manualSelector: true.
func checkCronJob(p *rules.Pass, o *manifest.Object, spec node) {
	const rejects = "the API server rejects the CronJob"
	sch := spec.get("schedule")
	if v, _ := sch.str(); strings.Contains(v, "TZ") {
		p.Reportf(o, sch.loc(), "%s %q sets a time zone with TZ or CRON_TZ, which the API server no longer accepts: use spec.timeZone; %s", sch.where(), v, rejects)
	}
	tz := spec.get("timeZone")
	if v, ok := tz.str(); ok && (v == "" || strings.EqualFold(v, "Local")) {
		p.Reportf(o, tz.loc(), "%s %q is not an explicit IANA time zone (as Europe/Paris; leave it out for the controller's zone); %s", tz.where(), v, rejects)
	}
	for _, key := range [...]string{"startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"} {
		f := spec.get(key)
		if n, ok := f.int(); ok && n < 0 {
			p.Reportf(o, f.loc(), "%s %d is negative; %s", f.where(), n, rejects)
		}
	}
	js := spec.get("jobTemplate").get("spec")
	if !js.isMap() {
		return
	}
	if sel := js.get("selector"); sel.ok() {
		p.Reportf(o, js.keyLoc("selector"), "%s is set: the CronJob controller generates each Job's selector; %s (`selector` will be auto-generated): leave it out", sel.where(), rejects)
	}
	if manual, _ := js.get("manualSelector").boolean(); manual {
		p.Reportf(o, js.keyLoc("manualSelector"), "%s is true, which a CronJob's job template may not be; %s", js.get("manualSelector").where(), rejects)
	}
	checkJobSpec(p, o, js, true)
}

// quantityText words the format of resource.ParseQuantity for messages:
// its own error quotes a regular expression.
const quantityText = "a quantity such as 500m, 2 or 128Mi (a number, then optionally an SI suffix n, u, m, k, M, G, T, P or E, a binary one Ki, Mi, Gi, Ti, Pi or Ei, or an exponent as in 1e3)"

// checkResources mirrors how the API server reads the resources.limits
// and resources.requests of a container, or of a pod (lv.pod: a pod spec's
// own resources, which validatePodResourceRequirements checks): each value
// a resource.Quantity, whose JSON decoding (UnmarshalJSON, ParseQuantity)
// fails on another string, so that the whole object is refused before
// validation; then validateResourceRequirements: the resource names
// (ValidateContainerResourceName, validatePodResourceName), no negative
// quantity, a whole number for an extended resource (a device count), a
// whole number of pages for hugepages; a request not above the limit of
// the same resource, and, for a resource that cannot be overcommitted (an
// extended resource, hugepages), a request equal to a limit that is set;
// hugepages beside cpu or memory. Values of the wrong type are the
// loader's or MR001's, and a value already reported is compared no further.
func checkResources(p *rules.Pass, o *manifest.Object, res node, lv resourceLevel) {
	limits, requests := res.get("limits"), res.get("requests")
	if !limits.isMap() && !requests.isMap() {
		return
	}
	rejects := "the API server rejects the " + string(o.Kind)
	check := func(x node, name string) (resource.Quantity, bool) {
		if v, ok := x.str(); ok {
			q, err := kubevalid.ParseQuantity(strings.TrimSpace(v))
			if errors.Is(err, kubevalid.ErrQuantityTooLarge) {
				return q, false // a quantity, too large to compare
			}
			if err != nil {
				p.Reportf(o, x.loc(), "%s %q is not %s; the API server cannot decode the %s, and rejects it", x.where(), v, quantityText, o.Kind)
				return q, false
			}
			return checkQuantityValue(p, o, x, name, q, rejects)
		}
		// A number reaches the API server as JSON, which ParseQuantity
		// reads.
		if f, ok := x.num(); ok {
			if q, err := resource.ParseQuantity(strconv.FormatFloat(f, 'f', -1, 64)); err == nil {
				return checkQuantityValue(p, o, x, name, q, rejects)
			}
		}
		return resource.Quantity{}, false
	}
	nameProblem := containerResourceNameProblem
	if lv.pod {
		nameProblem = podResourceNameProblem
	}
	// validateResourceRequirements: hugepages need cpu or memory beside
	// them, in limits or requests. The first hugepages entry is where.
	var huge entry
	var hugeIn node
	cpuOrMemory := false
	scan := func(m node, e entry) {
		if msg, hint := nameProblem(e.key); msg != "" {
			p.Reportf(o, e.keyLoc, "%s: resource name %q%s %s; %s", m.where(), e.key, hint, msg, rejects)
		}
		switch {
		case e.key == "cpu" || e.key == "memory":
			cpuOrMemory = true
		case isHugePages(e.key) && huge.key == "":
			huge, hugeIn = e, m
		}
	}
	for e := range limits.entries() {
		scan(limits, e)
		check(e.val, e.key)
	}
	for e := range requests.entries() {
		scan(requests, e)
		req, ok := check(e.val, e.key)
		if !ok || limits.ok() && !limits.isMap() {
			// Limits of the wrong type are unknown, not absent.
			continue
		}
		lim := limits.get(e.key)
		switch {
		case !lim.ok() && !overcommitAllowed(e.key):
			p.Reportf(o, e.val.loc(), "%s is set without a limit: %s cannot be overcommitted, and needs limits.%s, equal to the request; %s", e.val.where(), e.key, e.key, rejects)
		case !lim.ok():
		default:
			l, ok := quantityOf(lim)
			switch {
			case !ok:
			case !overcommitAllowed(e.key) && req.Cmp(l) != 0:
				p.Reportf(o, e.val.loc(), "%s %s is not its limit, %s: %s cannot be overcommitted, and its request must equal its limit; %s", e.val.where(), req.String(), l.String(), e.key, rejects)
			case req.Cmp(l) > 0:
				p.Reportf(o, e.val.loc(), "%s %s is more than its limit, %s; %s", e.val.where(), req.String(), l.String(), rejects)
			}
		}
	}
	if huge.key != "" && !cpuOrMemory && !lv.cpuOrMemoryDefaulted && (!limits.ok() || limits.isMap()) && (!requests.ok() || requests.isMap()) {
		p.Reportf(o, huge.keyLoc, "%s: %s is asked for without cpu or memory, which hugepages need beside them (in limits or requests); %s", hugeIn.where(), huge.key, rejects)
	}
}

// resourceLevel says whose resources checkResources reads.
type resourceLevel struct {
	// pod is set for a pod spec's own resources (PodLevelResources), not
	// a container's.
	pod bool
	// cpuOrMemoryDefaulted is set when the API server adds cpu or memory
	// requests to the resources before it validates them: a Pod's own
	// resources get the containers' (DefaultPodLevelResources).
	cpuOrMemoryDefaulted bool
}

// checkQuantityValue mirrors ValidateResourceQuantityValue for the
// quantity q of resource name, which x holds.
func checkQuantityValue(p *rules.Pass, o *manifest.Object, x node, name string, q resource.Quantity, rejects string) (resource.Quantity, bool) {
	s, _ := x.scalar()
	switch {
	case q.Sign() < 0:
		p.Reportf(o, x.loc(), "%s %s is negative; %s", x.where(), s, rejects)
	case isExtendedResource(name) && q.MilliValue()%1000 != 0:
		p.Reportf(o, x.loc(), "%s %s is not a whole number, which an extended resource (a count of devices) must be; %s", x.where(), s, rejects)
	case !wholePages(name, q):
		size, _ := hugePageSize(name)
		p.Reportf(o, x.loc(), "%s %s is not a whole number of %s pages; %s", x.where(), s, size.String(), rejects)
	default:
		return q, true
	}
	return q, false
}

// quantityOf reads a well-formed quantity, as checkResources has checked
// it.
func quantityOf(x node) (resource.Quantity, bool) {
	if v, ok := x.str(); ok {
		q, err := kubevalid.ParseQuantity(strings.TrimSpace(v))
		return q, err == nil && q.Sign() >= 0
	}
	if f, ok := x.num(); ok && f >= 0 {
		q, err := resource.ParseQuantity(strconv.FormatFloat(f, 'f', -1, 64))
		return q, err == nil
	}
	return resource.Quantity{}, false
}

// isNativeResource is helper.IsNativeResource: a resource without a domain,
// or of kubernetes.io.
func isNativeResource(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, "kubernetes.io/")
}

// overcommitAllowed is helper.IsOvercommitAllowed: native resources other
// than hugepages may have a request below their limit.
func overcommitAllowed(name string) bool {
	return isNativeResource(name) && !strings.HasPrefix(name, "hugepages-")
}

// isExtendedResource is helper.IsExtendedResourceName: a resource of
// another domain than kubernetes.io, whose quota name ("requests." and the
// name) is a qualified name.
func isExtendedResource(name string) bool {
	if isNativeResource(name) || strings.HasPrefix(name, "requests.") {
		return false
	}
	return len(content.IsLabelKey("requests."+name)) == 0
}

// containerResources are the names without a domain that
// IsStandardContainerResourceName accepts, hugepages-<size> aside.
var containerResources = []string{"cpu", "memory", "ephemeral-storage"}

// containerResourceNameProblem says why ValidateContainerResourceName
// refuses the resource name of a container's limits or requests, or "": a
// qualified name; without a domain, cpu, memory, ephemeral-storage or
// hugepages-<size>; with one, kubernetes.io's or an extended resource.
// hint is the did-you-mean, "" when no standard name is close.
func containerResourceNameProblem(name string) (msg, hint string) {
	const kinds = "cpu, memory, ephemeral-storage, hugepages-<size> (hugepages-2Mi) or an extended resource named with its domain (nvidia.com/gpu)"
	if slices.Contains(containerResources, name) {
		return "", ""
	}
	if !kubevalid.LabelKey(name) && len(content.IsLabelKey(name)) > 0 {
		return "is not " + qualifiedNameText + "; a container may ask for " + kinds, ""
	}
	if !strings.Contains(name, "/") {
		if isHugePages(name) {
			return hugePagesNameProblem(name), ""
		}
		return "is not a resource that a container may ask for (" + kinds + ")", didYouMeanResource(name, containerResources)
	}
	if isNativeResource(name) || isExtendedResource(name) {
		return "", ""
	}
	return "is neither a kubernetes.io resource nor an extended resource name (a domain other than kubernetes.io, '/', then a name; requests. may not begin it)", ""
}

// didYouMeanResource names the resource of names that name most likely
// misspells, as " (did you mean cpu?)", or "". A plural (cpus) is read
// as its singular: suggest.Closest corrects no name as short as cpus by
// edits, where any other short name is as close to cpu.
func didYouMeanResource(name string, names []string) string {
	m, ok := suggest.Closest(name, names)
	if !ok {
		if s := strings.TrimSuffix(strings.ToLower(name), "s"); slices.Contains(names, s) {
			m, ok = s, true
		}
	}
	if !ok {
		return ""
	}
	return " (did you mean " + m + "?)"
}

// checkPodFields mirrors the checks of ValidatePodSpec on single fields of
// a pod spec: hostname and subdomain DNS-1123 labels, nodeSelector as
// labels (ValidateLabels), serviceAccountName a DNS-1123 subdomain
// (ValidateServiceAccountName), activeDeadlineSeconds at least 1, each
// readinessGates[].conditionType a qualified name (validateReadinessGates),
// each schedulingGates[].name a qualified name listed once
// (validateSchedulingGates). An empty hostname, subdomain or
// serviceAccountName is unset to the API server; an empty condition type
// or gate name is not a qualified name.
func checkPodFields(p *rules.Pass, o *manifest.Object, pod node) {
	rejects := "the API server rejects the " + string(o.Kind)
	for _, key := range [...]string{"hostname", "subdomain"} {
		f := pod.get(key)
		if v, ok := f.str(); ok && v != "" && !kubevalid.DNS1123Label(v) && len(kvalidation.IsDNS1123Label(v)) > 0 {
			p.Reportf(o, f.loc(), "%s %q is not %s; %s", f.where(), v, dns1123LabelText, rejects)
		}
	}
	ns := pod.get("nodeSelector")
	for e := range ns.entries() {
		if !kubevalid.LabelKey(e.key) && len(content.IsLabelKey(e.key)) > 0 {
			p.Reportf(o, e.keyLoc, "%s: key %q is not %s; %s", ns.where(), e.key, qualifiedNameText, rejects)
		}
		if v, ok := e.val.str(); ok && !kubevalid.LabelValue(v) && len(content.IsLabelValue(v)) > 0 {
			p.Reportf(o, e.val.loc(), "%s: value %q of %q is not %s; %s", ns.where(), v, e.key, labelValueText, rejects)
		}
	}
	sa := pod.get("serviceAccountName")
	if v, ok := sa.str(); ok && v != "" && !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
		p.Reportf(o, sa.loc(), "%s %q is not a ServiceAccount name, %s; %s", sa.where(), v, dns1123SubdomainText, rejects)
	}
	ads := pod.get("activeDeadlineSeconds")
	if n, ok := ads.int(); ok && n < 1 {
		p.Reportf(o, ads.loc(), "%s %d is not at least 1 (leave it out for no deadline); %s", ads.where(), n, rejects)
	}
	for g := range pod.get("readinessGates").items() {
		ct := g.get("conditionType")
		if v, ok := ct.str(); ok && !kubevalid.LabelKey(v) && len(content.IsLabelKey(v)) > 0 {
			p.Reportf(o, ct.loc(), "%s %q is not %s; %s", ct.where(), v, qualifiedNameText, rejects)
		}
	}
	var gates []string
	for g := range pod.get("schedulingGates").items() {
		name := g.get("name")
		v, ok := name.str()
		switch {
		case !ok:
		case !kubevalid.LabelKey(v) && len(content.IsLabelKey(v)) > 0:
			p.Reportf(o, name.loc(), "%s %q is not %s; %s", name.where(), v, qualifiedNameText, rejects)
		case slices.Contains(gates, v):
			p.Reportf(o, name.loc(), "%s %q is listed twice; %s", name.where(), v, rejects)
		}
		gates = append(gates, v)
	}
}
