package reporter

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var compiledSARIFSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	data, err := os.ReadFile(filepath.Join("testdata", "sarif-2.1.0.json"))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	// Registered under its own id, so nothing is fetched: the compiler has
	// no loader for https.
	const id = sarifSchema // the schema's own id
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		return nil, err
	}
	return c.Compile(id)
})

// validateSARIF checks a SARIF log against the official schema.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	if err := checkSARIF(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
}

func checkSARIF(data []byte) error {
	sch, err := compiledSARIFSchema()
	if err != nil {
		return fmt.Errorf("compile SARIF schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("SARIF output is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("SARIF output does not match the schema: %w", err)
	}
	return nil
}

// TestSARIFSchemaRejects makes sure the schema check can fail: a level
// SARIF does not know, a result without a message, a column of 0.
func TestSARIFSchemaRejects(t *testing.T) {
	good := write(t, "sarif", fixtureReport(t), Options{})
	for _, edit := range [][2]string{
		{`"level": "warning"`, `"level": "high"`},
		{`"message": {`, `"note": {`},
		{`"startColumn": 15`, `"startColumn": 0`},
	} {
		bad := bytes.Replace(good, []byte(edit[0]), []byte(edit[1]), 1)
		if bytes.Equal(bad, good) {
			t.Fatalf("%q not found in the output", edit[0])
		}
		if checkSARIF(bad) == nil {
			t.Errorf("schema accepted the output with %s", edit[1])
		}
	}
}
