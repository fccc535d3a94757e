package yamlfast

// The tag resolution below is ported from resolve.go of go.yaml.in/yaml/v3
// v3.0.5 (func resolve and parseTimestamp), which carries this notice:
//
//	Copyright (c) 2011-2019 Canonical Ltd
//
//	Licensed under the Apache License, Version 2.0 (the "License");
//	you may not use this file except in compliance with the License.
//	You may obtain a copy of the License at
//
//	    http://www.apache.org/licenses/LICENSE-2.0
//
//	Unless required by applicable law or agreed to in writing, software
//	distributed under the License is distributed on an "AS IS" BASIS,
//	WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
//	See the License for the specific language governing permissions and
//	limitations under the License.
//
// Only the tag is needed here, not the value. The shortcuts in resolveTag
// give the same answer as the port in resolveNumber, which follows the
// original step by step, without its allocations (strconv's errors) on the
// plain scalars manifests are full of ("100m", "30s", "5xx").

import (
	"strconv"
	"strings"
	"time"
)

const (
	nullTag      = "!!null"
	boolTag      = "!!bool"
	strTag       = "!!str"
	intTag       = "!!int"
	floatTag     = "!!float"
	timestampTag = "!!timestamp"
	seqTag       = "!!seq"
	mapTag       = "!!map"
)

// resolveTag returns the tag yaml.v3 gives the plain scalar s.
func resolveTag(s string) string {
	if s == "" {
		return nullTag
	}
	// yaml.v3's resolveTable: the first byte hints at what s may be.
	var hint byte
	switch c := s[0]; {
	case c == '+' || c == '-':
		hint = 'S'
	case c >= '0' && c <= '9':
		hint = 'D'
	case c == '.':
		hint = '.'
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		hint = 'M'
	default:
		return strTag
	}
	// yaml.v3's resolveMap, less "<<", whose hint is 0 (and which the
	// parser tags !!merge; Parse refuses it).
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return boolTag
	case "~", "null", "Null", "NULL":
		return nullTag
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return floatTag
	}
	switch hint {
	case '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return floatTag
		}
		return strTag
	case 'D', 'S':
		return resolveNumber(s)
	}
	return strTag
}

// resolveNumber resolves a plain scalar that starts with a digit or a sign.
func resolveNumber(s string) string {
	if mayBeTimestamp(s) {
		if _, ok := parseTimestamp(s); ok {
			return timestampTag
		}
	}
	if !strings.Contains(s, "_") {
		if !numeric(s) {
			// No step below accepts a byte outside numeric's set.
			return strTag
		}
		if decimal(s) {
			return intTag
		}
		if yamlStyleFloat(s) && strings.ContainsAny(s, ".eE") {
			// Base 0 ParseInt and ParseUint reject '.', and 'e' in
			// decimal or octal; hex needs an 'x' the float has not; the
			// 0b and 0o steps need a 'b' or 'o'.
			if _, err := strconv.ParseFloat(s, 64); err == nil {
				return floatTag
			}
			return strTag
		}
	}

	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return intTag
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return intTag
	}
	if yamlStyleFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return floatTag
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if _, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return intTag
		}
		if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return intTag
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return intTag
		}
	}
	if strings.HasPrefix(plain, "0o") {
		if _, err := strconv.ParseInt(plain[2:], 8, 64); err == nil {
			return intTag
		}
		if _, err := strconv.ParseUint(plain[2:], 8, 64); err == nil {
			return intTag
		}
	} else if strings.HasPrefix(plain, "-0o") {
		if _, err := strconv.ParseInt("-"+plain[3:], 8, 64); err == nil {
			return intTag
		}
	}
	return strTag
}

// numeric reports whether every byte of s may occur in a string that
// ParseInt or ParseUint with base 0 accept (signs, digits, base prefixes,
// hex digits), that yamlStyleFloat matches, or that the 0b and 0o steps
// accept.
func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == 'x', c == 'X', c == 'o', c == 'O', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}

// decimal reports whether s is an optionally signed decimal integer that
// base 0 ParseInt surely accepts: no leading zero (which would make it
// octal) and at most 18 digits.
func decimal(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if s == "0" {
		return true
	}
	if len(s) == 0 || len(s) > 18 || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// yamlStyleFloat matches s against yaml.v3's
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
func yamlStyleFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		d := digits(s[i+1:])
		if d == 0 {
			return false
		}
		i += 1 + d
	} else {
		d := digits(s[i:])
		if d == 0 {
			return false
		}
		i += d
		if i < len(s) && s[i] == '.' {
			i += 1 + digits(s[i+1:])
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		d := digits(s[i:])
		if d == 0 {
			return false
		}
		i += d
	}
	return i == len(s)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// mayBeTimestamp is parseTimestamp's quick check: all formats start with
// four digits and a '-'.
func mayBeTimestamp(s string) bool {
	return len(s) > 4 && digits(s[:4]) == 4 && s[4] == '-'
}

// parseTimestamp is yaml.v3's, with its allowedTimestampFormats.
func parseTimestamp(s string) (time.Time, bool) {
	if !mayBeTimestamp(s) {
		return time.Time{}, false
	}
	for _, format := range [...]string{
		"2006-1-2T15:4:5.999999999Z07:00", // RCF3339Nano with short date fields.
		"2006-1-2t15:4:5.999999999Z07:00", // RFC3339Nano with short date fields and lower-case "t".
		"2006-1-2 15:4:5.999999999",       // space separated with no time zone
		"2006-1-2",                        // date only
	} {
		if t, err := time.Parse(format, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
