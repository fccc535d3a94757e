package kubevalid

import "strings"

// The checks below accept exactly what apimachinery's regular
// expressions accept (TestNameChecks). They run on every name, label and annotation of the
// input, tens of thousands of them, where a regular expression costs
// several times more; the regular expressions then only word the
// message.

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

// DNS1123Label is IsDNS1123Label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at
// most 63 characters.
func DNS1123Label(s string) bool {
	if s == "" || len(s) > 63 || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// DNS1035Label is IsDNS1035Label: a DNS-1123 label that begins with a
// letter.
func DNS1035Label(s string) bool {
	return DNS1123Label(s) && s[0] >= 'a' && s[0] <= 'z'
}

// DNS1123Subdomain is IsDNS1123Subdomain: DNS-1123 labels (of any
// length) joined by dots, at most 253 characters.
func DNS1123Subdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" || !isLowerAlnum(part[0]) || !isLowerAlnum(part[len(part)-1]) {
			return false
		}
		for i := 1; i < len(part)-1; i++ {
			if c := part[i]; !isLowerAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// labelName is the name part of a label key, or a label value that
// is not empty: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63.
func labelName(s string) bool {
	if s == "" || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// LabelKey is IsLabelKey (IsQualifiedName).
func LabelKey(s string) bool {
	prefix, name, found := strings.Cut(s, "/")
	if !found {
		return labelName(s)
	}
	return DNS1123Subdomain(prefix) && !strings.Contains(name, "/") && labelName(name)
}

// LabelValue is IsLabelValue.
func LabelValue(s string) bool { return s == "" || labelName(s) }

// PortName is IsValidPortName (IANA_SVC_NAME): at most 15 lower-case
// letters, digits and '-', with a letter, neither beginning nor ending
// with '-' nor holding "--".
func PortName(s string) bool {
	if s == "" || len(s) > 15 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}
