package kubevalid

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// quantitySuffixes are the suffixes ParseQuantity reads itself: a decimal
// SI scale, or a binary one as a power of 1024.
var quantitySuffixes = map[string]struct {
	scale  resource.Scale
	binary uint
}{
	"": {0, 0}, "m": {resource.Milli, 0}, "k": {resource.Kilo, 0}, "M": {resource.Mega, 0},
	"G": {resource.Giga, 0}, "T": {resource.Tera, 0}, "P": {resource.Peta, 0}, "E": {resource.Exa, 0},
	"Ki": {0, 1}, "Mi": {0, 2}, "Gi": {0, 3}, "Ti": {0, 4}, "Pi": {0, 5}, "Ei": {0, 6},
}

// ParseQuantity is resource.ParseQuantity, with the form almost every
// manifest writes (digits and a suffix: 500m, 128Mi, 2) read without it:
// MR027 parses every request and limit of every container, and
// ParseQuantity's general parse was the rule's largest cost.
func ParseQuantity(s string) (resource.Quantity, error) {
	i := 0
	for i < len(s) && i < 15 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if suf, ok := quantitySuffixes[s[i:]]; ok && i > 0 && i < 15 && (s[0] != '0' || i == 1) {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		switch {
		case err != nil:
		case suf.binary == 0:
			return *resource.NewScaledQuantity(n, suf.scale), nil
		case n < 1<<(62-10*suf.binary):
			return *resource.NewQuantity(n<<(10*suf.binary), resource.BinarySI), nil
		}
	}
	s, err := boundExponent(s)
	if err != nil {
		return resource.Quantity{}, err
	}
	return resource.ParseQuantity(s)
}

// ErrQuantityTooLarge refuses a quantity of more than 1000 digits, on
// which ParseQuantity or the Quantity's methods do not end (see
// boundExponent).
var ErrQuantityTooLarge = fmt.Errorf("the exponent is too large: ParseQuantity does not end on it")

// boundExponent rewrites the exponent of a quantity on which
// ParseQuantity, Cmp or MilliValue would take seconds or forever
// (FuzzParseQuantity found them): each raises ten to the power of the
// exponent, to round to nine decimals or to bring two scales together,
// and 1e-999999999 does not end, nor does Cmp on 1e999999999. So that
// each reads the same in microseconds:
//
//   - a 0 gets an exponent that keeps it on the same path (the int64
//     fast path, or inf.Dec), whose errors differ;
//   - a value below 1e-1000, which ParseQuantity rounds up to 1n (-1n),
//     gets an exponent of -(len(s)+1000), rounded up alike;
//   - a value of more than 1000 digits is refused: no one means one.
//
// Only the digits after the last e change, so that what ParseQuantity
// refuses is still refused. The sums are ParseQuantity's, in int32 (it
// reads the exponent as an int64 cut to 32 bits), wrapping as they do.
func boundExponent(s string) (string, error) {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 {
		return s, nil
	}
	e64, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return s, nil
	}
	e := int32(e64) //nolint:gosec // G115: ParseQuantity's own truncation, mirrored
	// The mantissa as ParseQuantityString splits it; another one is
	// refused before any arithmetic.
	m := strings.TrimLeft(s[:i], "+-")
	if len(s[:i])-len(m) > 1 {
		return s, nil
	}
	num, denom, _ := strings.Cut(strings.TrimLeft(m, "0"), ".")
	if strings.Trim(num, "0123456789") != "" || strings.Trim(denom, "0123456789") != "" {
		return s, nil
	}
	if num == "" {
		num = "0"
	}
	const limit = 1000
	d := int32(len(denom))        //nolint:gosec // G115: a manifest's scalar is far shorter than 2^31
	digits := int32(len(num)) + d //nolint:gosec // G115: as d
	// The fast path's value is its digits times ten to the power of
	// scale; inf.Dec's, to the power of minus decScale.
	scale, decScale := e-d, d-e
	fast := 18-digits >= 0 && scale >= -9
	switch zero := strings.Trim(num+denom, "0") == ""; {
	case zero && (e < -limit || e > limit) && fast:
		return s[:i+1] + strconv.Itoa(len(denom)), nil
	case zero && (e < -limit || e > limit):
		return s[:i+1] + strconv.Itoa(-limit), nil
	case zero:
	case fast && scale > limit, !fast && decScale < -limit:
		return s, ErrQuantityTooLarge
	case !fast && decScale > limit+digits:
		return s[:i+1] + strconv.Itoa(-len(s)-limit), nil
	}
	return s, nil
}
