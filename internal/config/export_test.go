package config

// SeverityNames exposes severityNames to the external test that checks
// them against the rules package, which imports this one.
var SeverityNames = severityNames
