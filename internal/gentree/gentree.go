// Package gentree writes large, realistic mesh repositories: a folder per
// namespace holding a namespace file, a frontend and one multi-document file
// per service, configured the way a careful team would configure them
// (default-deny NetworkPolicies, STRICT mTLS, canary routes, least-privilege
// AuthorizationPolicies). The trees feed meshlint's benchmarks and its
// end-to-end tests: a clean tree must stay quiet, and planted mistakes,
// turned on by Options.MistakeRate, must be found.
//
// Output depends only on the options, so a seed names a tree.
package gentree

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Defaults used when the corresponding option is empty.
const (
	DefaultIngressNamespace = "istio-ingress"
	DefaultDomain           = "example.com"
)

// Options describe the tree to write.
type Options struct {
	// Namespaces is the number of application namespaces.
	Namespaces int
	// Services is the number of backend services per namespace, besides
	// the frontend every namespace has.
	Services int
	// Seed picks names, ports, replicas and which routes get a header
	// match; the same seed writes the same tree.
	Seed int64
	// MistakeRate is the probability that a service carries one planted
	// mistake (see MistakeKinds). Zero, the default, writes a clean tree.
	// The mistakes are drawn from their own random stream, so planting them
	// changes no other byte of the tree.
	MistakeRate float64
	// IngressNamespace holds the shared ingress gateway deployment.
	IngressNamespace string
	// Domain is the public DNS domain; namespace ns is served at ns.Domain.
	Domain string
	// NoNetworkPolicies leaves every NetworkPolicy out: the tree of a
	// mesh that relies on Istio alone, where every namespace lacks a
	// default deny and the default-deny fixes have the most to write.
	NoNetworkPolicies bool
}

// Mistake is an error planted on purpose in the tree.
type Mistake struct {
	Kind      string
	Namespace string
	Service   string
	// File is relative to the tree's root, with forward slashes.
	File string
	// Detail says what is wrong, for people reading a test failure.
	Detail string
}

// Result describes what Generate wrote.
type Result struct {
	// Files and Objects count the files and YAML documents written.
	Files, Objects int
	// Namespaces are the application namespaces, in generation order.
	Namespaces []string
	// Mistakes are the planted mistakes, in file order.
	Mistakes []Mistake
}

// Generate writes a tree described by opts below dir, creating it when
// needed. Existing files of the same names are overwritten; nothing else in
// dir is touched.
func Generate(dir string, opts Options) (*Result, error) {
	if opts.Namespaces < 0 || opts.Services < 0 {
		return nil, errors.New("gentree: negative namespace or service count")
	}
	if opts.MistakeRate < 0 || opts.MistakeRate > 1 {
		return nil, fmt.Errorf("gentree: mistake rate %v is not between 0 and 1", opts.MistakeRate)
	}
	if opts.NoNetworkPolicies && opts.MistakeRate > 0 {
		return nil, errors.New("gentree: some planted mistakes are in NetworkPolicies, which the tree would not have")
	}
	if opts.IngressNamespace == "" {
		opts.IngressNamespace = DefaultIngressNamespace
	}
	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	g := &generator{
		opts:     opts,
		rng:      newRand(opts.Seed),
		mistakes: rand.New(rand.NewPCG(uint64(opts.Seed), 0x6d697374616b6573)), //nolint:gosec // G404: a reproducible stream is the point; "mistakes"
		res:      &Result{},
		dir:      dir,
	}
	if err := g.run(); err != nil {
		return nil, err
	}
	return g.res, nil
}

// newRand returns the stream that draws everything but mistakes.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x6d6573686c696e74)) //nolint:gosec // G404: a reproducible stream is the point; "meshlint"
}

type generator struct {
	opts     Options
	rng      *rand.Rand
	mistakes *rand.Rand
	res      *Result
	dir      string
}

func (g *generator) run() error {
	if err := g.write(g.opts.IngressNamespace, "gateway.yaml", ingressDocs(g.opts)); err != nil {
		return err
	}
	for _, ns := range namespaceNames(g.opts.Namespaces, g.rng) {
		g.res.Namespaces = append(g.res.Namespaces, ns)
		svcs := make([]*service, 0, g.opts.Services)
		for _, name := range serviceNames(g.opts.Services, g.rng) {
			svcs = append(svcs, g.service(ns, name))
		}
		n := &namespace{Name: ns, Ingress: g.opts.IngressNamespace, Host: ns + "." + g.opts.Domain, FrontendPort: 8080}
		for _, s := range svcs {
			n.BackendPorts = append(n.BackendPorts, s.Port)
		}
		slices.Sort(n.BackendPorts)
		n.BackendPorts = slices.Compact(n.BackendPorts)

		if err := g.write(ns, "00-namespace.yaml", namespaceDocs(n)); err != nil {
			return err
		}
		if err := g.write(ns, "frontend.yaml", frontendDocs(n)); err != nil {
			return err
		}
		for _, s := range svcs {
			file := s.Name + ".yaml"
			if s.mistake != nil {
				s.mistake.File = ns + "/" + file
				g.res.Mistakes = append(g.res.Mistakes, *s.mistake)
			}
			if err := g.write(ns, file, serviceDocs(s)); err != nil {
				return err
			}
		}
	}
	return nil
}

// service draws a backend service's settings, then maybe a mistake.
func (g *generator) service(ns, name string) *service {
	p := ports[g.rng.IntN(len(ports))]
	s := &service{
		NS:           ns,
		Name:         name,
		PortName:     p.name,
		Port:         p.container,
		ServicePort:  p.service,
		GRPC:         p.name == "grpc",
		Replicas:     [2]int{2 + g.rng.IntN(3), 1},
		Tags:         [2]string{version(g.rng), ""},
		HeaderCanary: g.rng.IntN(4) == 0,
		// The settings below are what the mistakes change.
		Subset2:     "v2",
		Weights:     [2]int{90, 10},
		TLSMode:     "ISTIO_MUTUAL",
		PolicyPort:  p.container,
		V2Label:     "v2",
		FrontendSA:  "frontend",
		SelectorApp: name,
	}
	s.Tags[1] = bump(s.Tags[0])
	if g.opts.MistakeRate > 0 && g.mistakes.Float64() < g.opts.MistakeRate {
		k := MistakeKinds[g.mistakes.IntN(len(MistakeKinds))]
		s.mistake = &Mistake{Kind: k.Name, Namespace: ns, Service: name, Detail: k.plant(s)}
	}
	return s
}

func (g *generator) write(ns, file string, docs []string) error {
	if g.opts.NoNetworkPolicies {
		docs = slices.DeleteFunc(slices.Clone(docs), func(d string) bool { return strings.Contains("\n"+d, "\nkind: NetworkPolicy\n") })
		if len(docs) == 0 {
			return nil
		}
	}
	dir := filepath.Join(g.dir, ns)
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: a manifest tree is shared like any source tree
		return fmt.Errorf("gentree: %w", err)
	}
	var b bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(d)
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("gentree: %w", err)
	}
	g.res.Files++
	g.res.Objects += len(docs)
	return nil
}

// port is a way services listen: the container port and its name, and the
// Service port in front of it.
type port struct {
	name               string
	container, service int
}

var ports = []port{
	{"http", 8080, 80},
	{"http", 8080, 80},
	{"http", 9080, 80},
	{"http", 3000, 80},
	{"http-api", 5000, 8080},
	{"grpc", 50051, 50051},
}

func version(r *rand.Rand) string {
	return fmt.Sprintf("1.%d.%d", r.IntN(20), r.IntN(10))
}

// bump returns the next patch version: v2 is the release being canaried.
func bump(v string) string {
	i := strings.LastIndexByte(v, '.')
	n, _ := strconv.Atoi(v[i+1:])
	return v[:i+1] + strconv.Itoa(n+1)
}

var namespaceWords = []string{
	"payments", "catalog", "checkout", "identity", "shipping", "search", "billing",
	"inventory", "notifications", "analytics", "accounts", "orders", "pricing", "media",
	"reviews", "support", "loyalty", "fraud", "ledger", "recommendations", "messaging",
	"onboarding", "partners", "reporting", "scheduling", "storefront", "warehouse", "tax",
	"compliance", "marketing",
}

// namespaceNames returns n distinct names, shuffled by the seed; past the
// word list they get a numeric suffix.
func namespaceNames(n int, r *rand.Rand) []string {
	words := slices.Clone(namespaceWords)
	r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	out := make([]string, n)
	for i := range out {
		out[i] = words[i%len(words)]
		if k := i / len(words); k > 0 {
			out[i] += "-" + strconv.Itoa(k+1)
		}
	}
	return out
}

var (
	serviceNouns = []string{
		"cart", "order", "invoice", "ledger", "profile", "session", "token", "price", "quote",
		"stock", "parcel", "label", "route", "rating", "review", "comment", "image",
		"thumbnail", "video", "search", "index", "feed", "email", "sms", "push", "audit",
		"report", "metric", "event", "user", "account", "wallet", "coupon", "offer", "product",
		"tax", "refund", "currency", "address", "consent",
	}
	serviceRoles = []string{"api", "service", "worker", "store", "sync", "cache", "query", "engine", "adapter", "scheduler"}
)

// serviceNames returns n distinct noun-role names, shuffled by the seed.
func serviceNames(n int, r *rand.Rand) []string {
	all := make([]string, 0, len(serviceNouns)*len(serviceRoles))
	for _, noun := range serviceNouns {
		for _, role := range serviceRoles {
			all = append(all, noun+"-"+role)
		}
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	out := make([]string, n)
	for i := range out {
		out[i] = all[i%len(all)]
		if k := i / len(all); k > 0 {
			out[i] += "-" + strconv.Itoa(k+1)
		}
	}
	return out
}
