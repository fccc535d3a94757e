// Package security holds the rules about mTLS, authentication and authorization policies.
package security
