package validation

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/cel-go/common"
	"github.com/google/cel-go/parser"
)

// celSyntaxError says why Istio's CEL parser refuses src, or returns ""
// when it parses. It is cel-go's parser with the standard macros, as
// cel.NewEnv() sets it up: Istio's webhook parses a Telemetry's access log
// filter so (validateTelemetryFilter,
// pkg/config/validation/validation_istiod.go), and a parser that differed
// from it in any corner would refuse filters Istio accepts.
func celSyntaxError(src string) string {
	p, err := parser.NewParser(parser.Macros(parser.AllMacros...))
	if err != nil {
		// Only invalid options fail NewParser; say so rather than pass.
		return "meshlint could not set up a CEL parser: " + err.Error()
	}
	_, errs := p.Parse(common.NewTextSource(src))
	if len(errs.GetErrors()) == 0 {
		return ""
	}
	var msgs []string
	for _, e := range errs.GetErrors() {
		msgs = append(msgs, fmt.Sprintf("at column %d: %s", e.Location.Column()+1, e.Message))
	}
	msg := strings.Join(msgs, "; ")
	// cel-go's grammar errors do not say what was meant: name the two
	// habits of other languages that filters are most often written in.
	switch {
	case celSingleEquals.MatchString(src):
		msg += " (CEL compares with ==)"
	case celWordOperator.MatchString(src):
		msg += " (CEL writes &&, || and !, not and, or, not)"
	}
	return msg
}

var (
	celSingleEquals = regexp.MustCompile(`(^|[^=!<>])=($|[^=])`)
	celWordOperator = regexp.MustCompile(`(^|[\s)])(and|or|not)([\s(]|$)`)
)
