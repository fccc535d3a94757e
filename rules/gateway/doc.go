// Package gateway holds the rules about Gateways and how VirtualServices bind to them.
package gateway
