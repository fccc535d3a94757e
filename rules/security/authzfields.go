package security

import (
	"fmt"
	"iter"

	"github.com/meshlint/meshlint/internal/graph"
	"github.com/meshlint/meshlint/internal/spec"
)

// valueField is a list field of a rule's source or operation, with its name
// in the policy: principals, notHosts...
type valueField struct {
	name   string
	values []spec.Str
}

// fieldPath locates a field of a policy's rules:
// rules[rule].from[entry].source.field, or rules[rule].to[entry].operation.field.
type fieldPath struct {
	rule, entry int
	operation   bool
	field       string
}

// String is built for findings only, which are few.
func (f fieldPath) String() string {
	if f.operation {
		return fmt.Sprintf("rules[%d].to[%d].operation.%s", f.rule, f.entry, f.field)
	}
	return fmt.Sprintf("rules[%d].from[%d].source.%s", f.rule, f.entry, f.field)
}

// sourceValues yields every value of the fields that fields picks from the
// source of each from entry of ap's rules, in spec order.
func sourceValues(ap *graph.AuthorizationPolicy, fields func(*spec.AuthzSource) []valueField) iter.Seq2[fieldPath, spec.Str] {
	return func(yield func(fieldPath, spec.Str) bool) {
		for i, r := range ap.Spec.Rules {
			for j, f := range r.From {
				if f.Source != nil && !yieldValues(fieldPath{rule: i, entry: j}, fields(f.Source), yield) {
					return
				}
			}
		}
	}
}

// operationValues yields every value of the fields that fields picks from
// the operation of each to entry of ap's rules, in spec order.
func operationValues(ap *graph.AuthorizationPolicy, fields func(*spec.AuthzOperation) []valueField) iter.Seq2[fieldPath, spec.Str] {
	return func(yield func(fieldPath, spec.Str) bool) {
		for i, r := range ap.Spec.Rules {
			for j, t := range r.To {
				if t.Operation != nil && !yieldValues(fieldPath{rule: i, entry: j, operation: true}, fields(t.Operation), yield) {
					return
				}
			}
		}
	}
}

// yieldValues yields the values of fs at path at, and reports whether the
// loop goes on.
func yieldValues(at fieldPath, fs []valueField, yield func(fieldPath, spec.Str) bool) bool {
	for _, f := range fs {
		at.field = f.name
		for _, v := range f.values {
			if !yield(at, v) {
				return false
			}
		}
	}
	return true
}
