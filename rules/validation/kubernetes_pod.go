package validation

import (
	"strings"

	"github.com/meshlint/meshlint/internal/kinds"
	"github.com/meshlint/meshlint/internal/kubevalid"
	"github.com/meshlint/meshlint/internal/manifest"
	"github.com/meshlint/meshlint/rules"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	kvalidation "k8s.io/apimachinery/pkg/util/validation"
)

// maxHostnameOverride is validatePodHostName's limit, one more than a
// DNS label's.
const maxHostnameOverride = 64

// checkPodSpecMore mirrors the checks of ValidatePodSpec (k8s.io/kubernetes
// pkg/apis/core/validation) that checkPodFields leaves: nodeName a Node
// name (ValidateNodeName, a DNS-1123 subdomain); the deprecated
// serviceAccount a ServiceAccount name when serviceAccountName is unset,
// since SetDefaults_PodSpec copies it there before validation (set beside
// serviceAccountName, it is overwritten, not refused); hostnameOverride
// (validatePodHostName); and the pod's own resources (validatePodResources).
// The last two are dropped, not validated, on a release whose gate is off.
// Most pod specs set none of these fields: each costs a lookup.
func checkPodSpecMore(p *rules.Pass, o *manifest.Object, pod node, g kubevalid.Gates) {
	// The Reportf calls name the kind with %s: building the usual rejects
	// string here would allocate for every pod spec.
	nn := pod.get("nodeName")
	if v, ok := nn.str(); ok && v != "" && !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
		p.Reportf(o, nn.loc(), "%s %q is not a Node name, %s; the API server rejects the %s", nn.where(), v, dns1123SubdomainText, o.Kind)
	}
	if sa := pod.get("serviceAccount"); sa.ok() {
		san := pod.get("serviceAccountName")
		if name, isStr := san.str(); name == "" && (isStr || !san.ok()) {
			if v, ok := sa.str(); ok && v != "" && !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
				p.Reportf(o, sa.loc(), "%s %q is not a ServiceAccount name, %s (the API server copies the deprecated serviceAccount to serviceAccountName, which is not set, and checks it there); the API server rejects the %s", sa.where(), v, dns1123SubdomainText, o.Kind)
			}
		}
	}
	if ho := pod.get("hostnameOverride"); g.HostnameOverride && ho.ok() {
		checkHostnameOverride(p, o, pod, ho, "the API server rejects the "+string(o.Kind))
	}
	if res := pod.get("resources"); g.PodLevelResources && res.isMap() {
		checkPodResources(p, o, pod, res, "the API server rejects the "+string(o.Kind))
	}
}

// checkHostnameOverride mirrors validatePodHostName: a hostnameOverride,
// even empty, is a DNS-1123 subdomain of at most 64 characters, and
// neither setHostnameAsFQDN: true nor hostNetwork: true may be beside it.
func checkHostnameOverride(p *rules.Pass, o *manifest.Object, pod, ho node, rejects string) {
	v, ok := ho.str()
	if !ok {
		return
	}
	if fqdn, _ := pod.get("setHostnameAsFQDN").boolean(); fqdn {
		p.Reportf(o, ho.loc(), "%s is set beside setHostnameAsFQDN: true, which may not be; %s", ho.where(), rejects)
	}
	if hn, _ := pod.get("hostNetwork").boolean(); hn {
		p.Reportf(o, ho.loc(), "%s is set on a pod with hostNetwork: true, which keeps the node's hostname; %s", ho.where(), rejects)
	}
	if len(v) > maxHostnameOverride {
		p.Reportf(o, ho.loc(), "%s %q is %d characters, more than the %d a hostname override may have; %s", ho.where(), v, len(v), maxHostnameOverride, rejects)
	}
	if !kubevalid.DNS1123Subdomain(v) && len(kvalidation.IsDNS1123Subdomain(v)) > 0 {
		p.Reportf(o, ho.loc(), "%s %q is not %s; %s", ho.where(), v, dns1123SubdomainText, rejects)
	}
}

// checkPodResources mirrors validatePodResources for a pod spec's own
// resources (PodLevelResources): not on a Windows pod, no claims, the
// checks of a container's resources with the names cpu, memory and
// hugepages-<size> only (validatePodResourceRequirements), then
// validatePodResourceConsistency against the containers.
func checkPodResources(p *rules.Pass, o *manifest.Object, pod, res node, rejects string) {
	if osName, _ := pod.get("os").get("name").str(); osName == "windows" {
		p.Reportf(o, pod.keyLoc("resources"), "%s is set, which a Windows pod (os.name: windows) may not have; %s", res.where(), rejects)
		return
	}
	if claims := res.get("claims"); claims.ok() {
		p.Reportf(o, res.keyLoc("claims"), "%s is set: a pod's own resources may not list claims (a container's may); %s", claims.where(), rejects)
	}
	// A Pod's defaulting (DefaultPodLevelResources) adds the containers'
	// cpu and memory to the pod's requests; a pod template's does not.
	isPod := o.Kind == kinds.Pod
	checkResources(p, o, res, resourceLevel{pod: true, cpuOrMemoryDefaulted: isPod && containersAskCPUOrMemory(pod)})
	checkPodResourceConsistency(p, o, pod, res, isPod, rejects)
}

// containersAskCPUOrMemory reports whether a container or init container
// of the pod lists cpu or memory in its limits or requests.
func containersAskCPUOrMemory(pod node) bool {
	for _, list := range [...]string{"containers", "initContainers"} {
		for c := range pod.get(list).items() {
			r := c.get("resources")
			for _, set := range [...]string{"limits", "requests"} {
				if m := r.get(set); m.has("cpu") || m.has("memory") {
					return true
				}
			}
		}
	}
	return false
}

// checkPodResourceConsistency mirrors validatePodResourceConsistency: a
// pod's request is not below what its containers ask for in all, its
// hugepages limit not below the containers' limits in all, and no regular
// container's limit above the pod's. A Pod's containers without a request
// get their limit as request first (SetDefaults_Pod); a pod template's do
// not. A pod's limit left out is not compared: a Pod's defaulting fills
// it with what passes; a cpu or memory request left out is
// checkDefaultedPodRequest's. A value that is no quantity (reported
// already) leaves its resource unchecked.
func checkPodResourceConsistency(p *rules.Pass, o *manifest.Object, pod, res node, isPod bool, rejects string) {
	requests, limits := res.get("requests"), res.get("limits")
	for e := range requests.entries() {
		podReq, ok := quantityOf(e.val)
		if !ok {
			continue
		}
		total, known := aggregate(pod, func(c node) node {
			r := c.get("resources")
			if x := r.get("requests").get(e.key); x.ok() || !isPod {
				return x
			}
			return r.get("limits").get(e.key)
		})
		if known && total.Cmp(podReq) > 0 {
			p.Reportf(o, e.val.loc(), "%s %s is less than the containers ask for, %s in all (the containers' and sidecars' requests, or an init container's and the sidecars' before it if more); %s", e.val.where(), podReq.String(), total.String(), rejects)
		}
	}
	for e := range limits.entries() {
		podLim, ok := quantityOf(e.val)
		if !ok {
			continue
		}
		if (e.key == "cpu" || e.key == "memory") && !requests.get(e.key).ok() && (!requests.ok() || requests.isMap()) {
			checkDefaultedPodRequest(p, o, pod, e, podLim, isPod, rejects)
		}
		if isHugePages(e.key) {
			total, known := aggregate(pod, func(c node) node {
				return c.get("resources").get("limits").get(e.key)
			})
			if known && total.Cmp(podLim) > 0 {
				p.Reportf(o, e.val.loc(), "%s %s is less than the containers' %s limits, %s in all; %s", e.val.where(), podLim.String(), e.key, total.String(), rejects)
			}
		}
		for c := range pod.get("containers").items() {
			x := c.get("resources").get("limits").get(e.key)
			if l, ok := quantityOf(x); ok && l.Cmp(podLim) > 0 {
				p.Reportf(o, x.loc(), "%s %s is more than the pod's limit, %s %s; %s", x.where(), l.String(), e.val.where(), podLim.String(), rejects)
			}
		}
	}
}

// checkDefaultedPodRequest checks a pod's cpu or memory limit e that has
// no request beside it: a Pod's defaulting (DefaultPodLevelResources,
// defaultPodRequests before 1.37) makes the request what the containers
// ask for in all, their limits standing for requests they leave out, and
// validatePodResourceRequirements then refuses it above the limit. A pod
// template is not defaulted, and the API server accepts the workload, but
// each pod made from it is defaulted so, and refused.
func checkDefaultedPodRequest(p *rules.Pass, o *manifest.Object, pod node, e entry, podLim resource.Quantity, isPod bool, rejects string) {
	total, known := aggregate(pod, func(c node) node {
		r := c.get("resources")
		if x := r.get("requests").get(e.key); x.ok() {
			return x
		}
		return r.get("limits").get(e.key)
	})
	if !known || total.Cmp(podLim) <= 0 {
		return
	}
	if !isPod {
		rejects = "the API server accepts the " + string(o.Kind) + ", but rejects each pod made from it"
	}
	p.Reportf(o, e.val.loc(), "%s %s is less than the containers ask for, %s in all (a container's limit counting for a request it leaves out), which becomes the pod's %s request, as none is set; %s", e.val.where(), podLim.String(), total.String(), e.key, rejects)
}

// aggregate sums a resource over a pod's containers as
// AggregateContainerRequests and AggregateContainerLimits
// (k8s.io/component-helpers/resource) do: the regular containers and the
// sidecars (init containers with restartPolicy: Always) add up; an init
// container runs beside the sidecars listed before it, and the total is
// at least that. value returns a container's value of the resource;
// known is false when one is not a quantity.
func aggregate(pod node, value func(c node) node) (total resource.Quantity, known bool) {
	add := func(sum *resource.Quantity, c node) bool {
		x := value(c)
		if !x.ok() {
			return true
		}
		q, ok := quantityOf(x)
		if ok {
			sum.Add(q)
		}
		return ok
	}
	for c := range pod.get("containers").items() {
		if !add(&total, c) {
			return total, false
		}
	}
	var sidecars, most resource.Quantity
	for c := range pod.get("initContainers").items() {
		if rp, _ := c.get("restartPolicy").str(); rp == "Always" {
			if !add(&total, c) || !add(&sidecars, c) {
				return total, false
			}
			if sidecars.Cmp(most) > 0 {
				most = sidecars.DeepCopy()
			}
			continue
		}
		run := sidecars.DeepCopy()
		if !add(&run, c) {
			return total, false
		}
		if run.Cmp(most) > 0 {
			most = run
		}
	}
	if most.Cmp(total) > 0 {
		total = most
	}
	return total, true
}

// isHugePages is helper.IsHugePageResourceName.
func isHugePages(name string) bool { return strings.HasPrefix(name, "hugepages-") }

// hugePageSize reads the page size of a hugepages-<size> resource name
// (HugePageSizeFromResourceName); ok is false unless it is a whole,
// positive quantity, as IsHugePageResourceValueDivisible wants.
func hugePageSize(name string) (size resource.Quantity, ok bool) {
	size, err := kubevalid.ParseQuantity(strings.TrimPrefix(name, "hugepages-"))
	return size, err == nil && size.Sign() > 0 && size.MilliValue()%1000 == 0
}

// hugePagesNameProblem says why validateResourceQuantityHugePageValue
// refuses any value of a hugepages-<size> resource, or "": the size is
// not a whole, positive quantity.
func hugePagesNameProblem(name string) string {
	if _, ok := hugePageSize(name); ok {
		return ""
	}
	return "does not end in a page size (a whole number of bytes as a quantity, as in hugepages-2Mi or hugepages-1Gi), and the API server refuses every amount of it"
}

// wholePages reports whether q is a whole number of the pages of resource
// name (IsHugePageResourceValueDivisible), or name is no hugepages
// resource with a valid size: hugePagesNameProblem reports that.
func wholePages(name string, q resource.Quantity) bool {
	if !isHugePages(name) {
		return true
	}
	size, ok := hugePageSize(name)
	return !ok || q.Value()%size.Value() == 0
}

// podResources are the names of IsSupportedPodLevelResource,
// hugepages-<size> aside.
var podResources = []string{"cpu", "memory"}

// podResourceNameProblem says why validatePodResourceName refuses the
// resource name of a pod's own limits or requests, or "": cpu, memory or
// hugepages-<size>, whose size must be valid for any value
// (validateResourceQuantityHugePageValue). hint is the did-you-mean,
// "" when neither cpu nor memory is close.
func podResourceNameProblem(name string) (msg, hint string) {
	const kinds = "cpu, memory or hugepages-<size> (hugepages-2Mi); other resources are asked for per container"
	switch {
	case name == "cpu" || name == "memory":
		return "", ""
	case !kubevalid.LabelKey(name) && len(content.IsLabelKey(name)) > 0:
		return "is not " + qualifiedNameText + "; a pod's own resources may be " + kinds, ""
	case isHugePages(name):
		return hugePagesNameProblem(name), ""
	}
	return "is not a resource that a pod's own resources may hold (" + kinds + ")", didYouMeanResource(name, podResources)
}
