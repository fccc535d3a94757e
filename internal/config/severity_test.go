package config_test

import (
	"testing"

	"github.com/meshlint/meshlint/internal/config"
	"github.com/meshlint/meshlint/rules"
)

// TestSeverityNames checks that the severities a configuration file may
// name are those the rules package reads, with the same meaning.
func TestSeverityNames(t *testing.T) {
	for name, canon := range config.SeverityNames {
		s, err := rules.ParseSeverity(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.String() != canon {
			t.Errorf("%s means %s to the rules package, %s to config", name, s, canon)
		}
	}
	for _, s := range []rules.Severity{rules.Info, rules.Warning, rules.Error} {
		if config.SeverityNames[s.String()] != s.String() {
			t.Errorf("severity %s cannot be written in a configuration file", s)
		}
	}
}
