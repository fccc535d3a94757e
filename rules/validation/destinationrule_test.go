package validation

import "testing"

// TestIsPrime holds isPrime to Envoy's Primes::isPrime, which Istio copies:
// 0 is not a prime and 1 is.
func TestIsPrime(t *testing.T) {
	naive := func(x uint64) bool {
		if x == 1 {
			return true
		}
		if x < 2 {
			return false
		}
		for i := uint64(2); i < x; i++ {
			if x%i == 0 {
				return false
			}
		}
		return true
	}
	for x := uint64(0); x < 3000; x++ {
		if got := isPrime(x); got != naive(x) {
			t.Errorf("isPrime(%d) = %v, want %v", x, got, naive(x))
		}
	}
	for _, x := range []uint64{65537, 5000011} {
		if !isPrime(x) {
			t.Errorf("isPrime(%d) = false, want true", x)
		}
	}
}
