// Package meta holds the rules about meshlint's own input rather than the
// mesh: today, the suppression directives written for other rules.
package meta
