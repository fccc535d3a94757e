package gatewayapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules/ruletest"
)

// Who checks a CEL rule: a rule ID, or why no rule does.
const (
	byMR619    = "MR619"
	byMR603    = "MR603"
	byMR606    = "MR606"
	byMR618    = "MR618"
	byMR001    = "MR001"
	skipStatus = "not checked: status is written by the controller, not in manifests"
	skipUpdate = "not checked: a transition rule (oldSelf), which only an update evaluates, and meshlint sees no previous object"
)

// celChecks maps each CEL rule (x-kubernetes-validations) of the Gateway
// API CRD schemas meshlint embeds, as "Kind path: message", to the rule
// that reports it, or to why none does. A CRD update that adds a rule
// fails TestEveryCELRuleIsMapped until it is implemented or skipped here.
var celChecks = map[string]string{
	// Checked by this rule.
	"GRPCRoute .spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent":                                              byMR619,
	"GRPCRoute .spec.parentRefs: sectionName or port must be unique when parentRefs includes 2 or more references to the same parent":                                                 byMR619,
	"GRPCRoute .spec.rules: Rule name must be unique within the route":                                                                                                                byMR619,
	"GRPCRoute .spec.rules: While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128":                        byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters: RequestHeaderModifier filter cannot be repeated":                                                                                  byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters: ResponseHeaderModifier filter cannot be repeated":                                                                                 byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.extensionRef must be nil if the filter.type is not ExtensionRef":                                                         byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.extensionRef must be specified for ExtensionRef filter.type":                                                             byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier":                                       byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type":                                           byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.requestMirror must be nil if the filter.type is not RequestMirror":                                                       byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.requestMirror must be specified for RequestMirror filter.type":                                                           byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier":                                     byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[]: filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type":                                         byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter":                                      byMR619,
	"GRPCRoute .spec.rules[].backendRefs[].filters[].requestMirror.fraction: numerator must be less than or equal to denominator":                                                     byMR619,
	"GRPCRoute .spec.rules[].filters: RequestHeaderModifier filter cannot be repeated":                                                                                                byMR619,
	"GRPCRoute .spec.rules[].filters: ResponseHeaderModifier filter cannot be repeated":                                                                                               byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.extensionRef must be nil if the filter.type is not ExtensionRef":                                                                       byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.extensionRef must be specified for ExtensionRef filter.type":                                                                           byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier":                                                     byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type":                                                         byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.requestMirror must be nil if the filter.type is not RequestMirror":                                                                     byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.requestMirror must be specified for RequestMirror filter.type":                                                                         byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier":                                                   byMR619,
	"GRPCRoute .spec.rules[].filters[]: filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type":                                                       byMR619,
	"GRPCRoute .spec.rules[].filters[].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter":                                                    byMR619,
	"GRPCRoute .spec.rules[].filters[].requestMirror.fraction: numerator must be less than or equal to denominator":                                                                   byMR619,
	"GRPCRoute .spec.rules[].matches[].method: One or both of 'service' or 'method' must be specified":                                                                                byMR619,
	"GRPCRoute .spec.rules[].matches[].method: method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)":                                                         byMR619,
	"GRPCRoute .spec.rules[].matches[].method: service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)":                                byMR619,
	"GRPCRoute .spec.rules[].sessionPersistence: AbsoluteTimeout must be specified when cookie lifetimeType is Permanent":                                                             byMR619,
	"GRPCRoute .spec.rules[].sessionPersistence: cookieConfig can only be set with type Cookie":                                                                                       byMR619,
	"Gateway .spec.addresses: Hostname values must be unique":                                                                                                                         byMR619,
	"Gateway .spec.addresses: IPAddress values must be unique":                                                                                                                        byMR619,
	"Gateway .spec.addresses[]: Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)": byMR619,
	"Gateway .spec.infrastructure.annotations: Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.":   byMR619,
	"Gateway .spec.infrastructure.annotations: If specified, the annotation key's prefix must be a DNS subdomain not longer than 253 characters in total.":                            byMR619,
	"Gateway .spec.infrastructure.labels: If specified, the label key's prefix must be a DNS subdomain not longer than 253 characters in total.":                                      byMR619,
	"Gateway .spec.infrastructure.labels: Label keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.":             byMR619,
	"Gateway .spec.listeners: hostname must not be specified for protocols ['TCP', 'UDP']":                                                                                            byMR619,
	"Gateway .spec.listeners: tls mode must be Terminate for protocol HTTPS":                                                                                                          byMR619,
	"Gateway .spec.listeners: tls mode must be set for protocol TLS":                                                                                                                  byMR619,
	"Gateway .spec.listeners: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']":                                                                                         byMR619,
	"Gateway .spec.listeners[].tls: certificateRefs or options must be specified when mode is Terminate":                                                                              byMR619,
	"Gateway .spec.tls.frontend.perPort: Port for TLS configuration must be unique within the Gateway":                                                                                byMR619,
	"HTTPRoute .spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent":                                              byMR619,
	"HTTPRoute .spec.parentRefs: sectionName or port must be unique when parentRefs includes 2 or more references to the same parent":                                                 byMR619,
	"HTTPRoute .spec.rules: Rule name must be unique within the route":                                                                                                                byMR619,
	"HTTPRoute .spec.rules: While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128":                        byMR619,
	"HTTPRoute .spec.rules[]: RequestRedirect filter must not be used together with backendRefs":                                                                                      byMR619,
	"HTTPRoute .spec.rules[]: When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified":                                         byMR619,
	"HTTPRoute .spec.rules[]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified":                                              byMR619,
	"HTTPRoute .spec.rules[]: Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified":                          byMR619,
	"HTTPRoute .spec.rules[]: Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified":                     byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: CORS filter cannot be repeated":                                                                                                   byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both":                                 byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: RequestHeaderModifier filter cannot be repeated":                                                                                  byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: RequestRedirect filter cannot be repeated":                                                                                        byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: ResponseHeaderModifier filter cannot be repeated":                                                                                 byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters: URLRewrite filter cannot be repeated":                                                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.cors must be nil if the filter.type is not CORS":                                                                         byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.cors must be specified for CORS filter.type":                                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.extensionRef must be nil if the filter.type is not ExtensionRef":                                                         byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.extensionRef must be specified for ExtensionRef filter.type":                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.externalAuth must be nil if the filter.type is not ExternalAuth":                                                         byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.externalAuth must be specified for ExternalAuth filter.type":                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier":                                       byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type":                                           byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestMirror must be nil if the filter.type is not RequestMirror":                                                       byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestMirror must be specified for RequestMirror filter.type":                                                           byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestRedirect must be nil if the filter.type is not RequestRedirect":                                                   byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.requestRedirect must be specified for RequestRedirect filter.type":                                                       byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier":                                     byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type":                                         byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.urlRewrite must be nil if the filter.type is not URLRewrite":                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[]: filter.urlRewrite must be specified for URLRewrite filter.type":                                                                 byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].cors.allowHeaders: AllowHeaders cannot contain '*' alongside other methods":                                                      byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].cors.allowMethods: AllowMethods cannot contain '*' alongside other methods":                                                      byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].cors.allowOrigins: AllowOrigins cannot contain '*' alongside other origins":                                                      byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].externalAuth: grpc must be specified when protocol is set to 'GRPC'":                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].externalAuth: http must be specified when protocol is set to 'HTTP'":                                                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].externalAuth: protocol must be 'GRPC' when grpc is set":                                                                          byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].externalAuth: protocol must be 'HTTP' when http is set":                                                                          byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].externalAuth.backendRef: Must have port for Service reference":                                                                   byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter":                                      byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestMirror.fraction: numerator must be less than or equal to denominator":                                                     byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestRedirect.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'":                                   byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestRedirect.path: replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'":                             byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestRedirect.path: type must be 'ReplaceFullPath' when replaceFullPath is set":                                                byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestRedirect.path: type must be 'ReplacePrefixMatch' when replacePrefixMatch is set":                                          byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].urlRewrite.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'":                                        byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].urlRewrite.path: replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'":                                  byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].urlRewrite.path: type must be 'ReplaceFullPath' when replaceFullPath is set":                                                     byMR619,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].urlRewrite.path: type must be 'ReplacePrefixMatch' when replacePrefixMatch is set":                                               byMR619,
	"HTTPRoute .spec.rules[].filters: CORS filter cannot be repeated":                                                                                                                 byMR619,
	"HTTPRoute .spec.rules[].filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both":                                               byMR619,
	"HTTPRoute .spec.rules[].filters: RequestHeaderModifier filter cannot be repeated":                                                                                                byMR619,
	"HTTPRoute .spec.rules[].filters: RequestRedirect filter cannot be repeated":                                                                                                      byMR619,
	"HTTPRoute .spec.rules[].filters: ResponseHeaderModifier filter cannot be repeated":                                                                                               byMR619,
	"HTTPRoute .spec.rules[].filters: URLRewrite filter cannot be repeated":                                                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.cors must be nil if the filter.type is not CORS":                                                                                       byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.cors must be specified for CORS filter.type":                                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.extensionRef must be nil if the filter.type is not ExtensionRef":                                                                       byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.extensionRef must be specified for ExtensionRef filter.type":                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.externalAuth must be nil if the filter.type is not ExternalAuth":                                                                       byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.externalAuth must be specified for ExternalAuth filter.type":                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestHeaderModifier must be nil if the filter.type is not RequestHeaderModifier":                                                     byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type":                                                         byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestMirror must be nil if the filter.type is not RequestMirror":                                                                     byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestMirror must be specified for RequestMirror filter.type":                                                                         byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestRedirect must be nil if the filter.type is not RequestRedirect":                                                                 byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.requestRedirect must be specified for RequestRedirect filter.type":                                                                     byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.responseHeaderModifier must be nil if the filter.type is not ResponseHeaderModifier":                                                   byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.responseHeaderModifier must be specified for ResponseHeaderModifier filter.type":                                                       byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.urlRewrite must be nil if the filter.type is not URLRewrite":                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[]: filter.urlRewrite must be specified for URLRewrite filter.type":                                                                               byMR619,
	"HTTPRoute .spec.rules[].filters[].cors.allowHeaders: AllowHeaders cannot contain '*' alongside other methods":                                                                    byMR619,
	"HTTPRoute .spec.rules[].filters[].cors.allowMethods: AllowMethods cannot contain '*' alongside other methods":                                                                    byMR619,
	"HTTPRoute .spec.rules[].filters[].cors.allowOrigins: AllowOrigins cannot contain '*' alongside other origins":                                                                    byMR619,
	"HTTPRoute .spec.rules[].filters[].externalAuth: grpc must be specified when protocol is set to 'GRPC'":                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[].externalAuth: http must be specified when protocol is set to 'HTTP'":                                                                           byMR619,
	"HTTPRoute .spec.rules[].filters[].externalAuth: protocol must be 'GRPC' when grpc is set":                                                                                        byMR619,
	"HTTPRoute .spec.rules[].filters[].externalAuth: protocol must be 'HTTP' when http is set":                                                                                        byMR619,
	"HTTPRoute .spec.rules[].filters[].externalAuth.backendRef: Must have port for Service reference":                                                                                 byMR619,
	"HTTPRoute .spec.rules[].filters[].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter":                                                    byMR619,
	"HTTPRoute .spec.rules[].filters[].requestMirror.fraction: numerator must be less than or equal to denominator":                                                                   byMR619,
	"HTTPRoute .spec.rules[].filters[].requestRedirect.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'":                                                 byMR619,
	"HTTPRoute .spec.rules[].filters[].requestRedirect.path: replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'":                                           byMR619,
	"HTTPRoute .spec.rules[].filters[].requestRedirect.path: type must be 'ReplaceFullPath' when replaceFullPath is set":                                                              byMR619,
	"HTTPRoute .spec.rules[].filters[].requestRedirect.path: type must be 'ReplacePrefixMatch' when replacePrefixMatch is set":                                                        byMR619,
	"HTTPRoute .spec.rules[].filters[].urlRewrite.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'":                                                      byMR619,
	"HTTPRoute .spec.rules[].filters[].urlRewrite.path: replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'":                                                byMR619,
	"HTTPRoute .spec.rules[].filters[].urlRewrite.path: type must be 'ReplaceFullPath' when replaceFullPath is set":                                                                   byMR619,
	"HTTPRoute .spec.rules[].filters[].urlRewrite.path: type must be 'ReplacePrefixMatch' when replacePrefixMatch is set":                                                             byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '#' when type one of ['Exact', 'PathPrefix']":                                                                           byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '%2F' when type one of ['Exact', 'PathPrefix']":                                                                         byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '%2f' when type one of ['Exact', 'PathPrefix']":                                                                         byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '/../' when type one of ['Exact', 'PathPrefix']":                                                                        byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '/./' when type one of ['Exact', 'PathPrefix']":                                                                         byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not contain '//' when type one of ['Exact', 'PathPrefix']":                                                                          byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not end with '/.' when type one of ['Exact', 'PathPrefix']":                                                                         byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must not end with '/..' when type one of ['Exact', 'PathPrefix']":                                                                        byMR619,
	"HTTPRoute .spec.rules[].matches[].path: must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']":  byMR619,
	"HTTPRoute .spec.rules[].matches[].path: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']":                                              byMR619,
	"HTTPRoute .spec.rules[].sessionPersistence: AbsoluteTimeout must be specified when cookie lifetimeType is Permanent":                                                             byMR619,
	"HTTPRoute .spec.rules[].sessionPersistence: cookieConfig can only be set with type Cookie":                                                                                       byMR619,
	"HTTPRoute .spec.rules[].timeouts: backendRequest timeout cannot be longer than request timeout":                                                                                  byMR619,
	"ListenerSet .spec.listeners: hostname must not be specified for protocols ['TCP', 'UDP']":                                                                                        byMR619,
	"ListenerSet .spec.listeners: tls mode must be Terminate for protocol HTTPS":                                                                                                      byMR619,
	"ListenerSet .spec.listeners: tls mode must be set for protocol TLS":                                                                                                              byMR619,
	"ListenerSet .spec.listeners: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']":                                                                                     byMR619,
	"ListenerSet .spec.listeners[].tls: certificateRefs or options must be specified when mode is Terminate":                                                                          byMR619,
	"TCPRoute .spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent":                                               byMR619,
	"TCPRoute .spec.parentRefs: sectionName or port must be unique when parentRefs includes 2 or more references to the same parent":                                                  byMR619,
	"TCPRoute .spec.rules: Rule name must be unique within the route":                                                                                                                 byMR619,
	"TLSRoute .spec.hostnames: Hostnames cannot contain an IP":                                                                                                                        byMR619,
	"TLSRoute .spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent":                                               byMR619,
	"TLSRoute .spec.parentRefs: sectionName or port must be unique when parentRefs includes 2 or more references to the same parent":                                                  byMR619,
	"TLSRoute .spec.rules: Rule name must be unique within the route":                                                                                                                 byMR619,
	"UDPRoute .spec.parentRefs: sectionName or port must be specified when parentRefs includes 2 or more references to the same parent":                                               byMR619,
	"UDPRoute .spec.parentRefs: sectionName or port must be unique when parentRefs includes 2 or more references to the same parent":                                                  byMR619,
	"UDPRoute .spec.rules: Rule name must be unique within the route":                                                                                                                 byMR619,
	// A Service backendRef or mirror without a port.
	"GRPCRoute .spec.rules[].backendRefs[]: Must have port for Service reference":                                    byMR603,
	"GRPCRoute .spec.rules[].backendRefs[].filters[].requestMirror.backendRef: Must have port for Service reference": byMR603,
	"GRPCRoute .spec.rules[].filters[].requestMirror.backendRef: Must have port for Service reference":               byMR603,
	"HTTPRoute .spec.rules[].backendRefs[]: Must have port for Service reference":                                    byMR603,
	"HTTPRoute .spec.rules[].backendRefs[].filters[].requestMirror.backendRef: Must have port for Service reference": byMR603,
	"HTTPRoute .spec.rules[].filters[].requestMirror.backendRef: Must have port for Service reference":               byMR603,
	"TCPRoute .spec.rules[].backendRefs[]: Must have port for Service reference":                                     byMR603,
	"TLSRoute .spec.rules[].backendRefs[]: Must have port for Service reference":                                     byMR603,
	"UDPRoute .spec.rules[].backendRefs[]: Must have port for Service reference":                                     byMR603,
	// Listener names, and listeners on the same port, protocol and hostname.
	"Gateway .spec.listeners: Combination of port, protocol and hostname must be unique for each listener":     byMR606,
	"Gateway .spec.listeners: Listener name must be unique within the Gateway":                                 byMR606,
	"ListenerSet .spec.listeners: Combination of port, protocol and hostname must be unique for each listener": byMR606,
	"ListenerSet .spec.listeners: Listener name must be unique within the Gateway":                             byMR606,
	// BackendTLSPolicy.
	"BackendTLSPolicy .spec.targetRefs: sectionName must be specified when targetRefs includes 2 or more references to the same target":     byMR618,
	"BackendTLSPolicy .spec.targetRefs: sectionName must be unique when targetRefs includes 2 or more references to the same target":        byMR618,
	"BackendTLSPolicy .spec.validation: must not contain both CACertificateRefs and WellKnownCACertificates":                                byMR618,
	"BackendTLSPolicy .spec.validation: must specify either CACertificateRefs or WellKnownCACertificates":                                   byMR618,
	"BackendTLSPolicy .spec.validation.subjectAltNames[]: SubjectAltName element must contain Hostname, if Type is set to Hostname":         byMR618,
	"BackendTLSPolicy .spec.validation.subjectAltNames[]: SubjectAltName element must contain URI, if Type is set to URI":                   byMR618,
	"BackendTLSPolicy .spec.validation.subjectAltNames[]: SubjectAltName element must not contain Hostname, if Type is not set to Hostname": byMR618,
	"BackendTLSPolicy .spec.validation.subjectAltNames[]: SubjectAltName element must not contain URI, if Type is not set to URI":           byMR618,
	// What an enum or a pattern of the schema says already.
	"HTTPRoute .spec.rules[].matches[].path: type must be one of ['Exact', 'PathPrefix', 'RegularExpression']":                           byMR001,
	"TLSRoute .spec.hostnames: Hostnames must be valid based on RFC-1123":                                                                byMR001,
	"TLSRoute .spec.hostnames: Wildcards on hostnames must be the first label, and the rest of hostname must be valid based on RFC-1123": byMR001,
	// Not checked.
	"Gateway .status.addresses[]: Hostname value must only contain valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)": skipStatus,
	"GatewayClass .spec.controllerName: Value is immutable": skipUpdate,
}

// embeddedCELRules lists the CEL rules of the embedded Gateway API schemas
// (schema/gatewayapi), as celChecks names them. The versions of a kind
// share their rules, mostly.
func embeddedCELRules(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "schema", "gatewayapi", "gateway.networking.k8s.io", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no embedded Gateway API schema found: %v", err)
	}
	type schemaNode struct {
		Properties           map[string]*schemaNode `json:"properties"`
		Items                *schemaNode            `json:"items"`
		AdditionalProperties json.RawMessage        `json:"additionalProperties"`
		Validations          []struct {
			Message string `json:"message"`
		} `json:"x-kubernetes-validations"`
	}
	found := map[string]bool{}
	var walk func(kind, path string, n *schemaNode)
	walk = func(kind, path string, n *schemaNode) {
		if n == nil {
			return
		}
		for _, v := range n.Validations {
			found[kind+" "+path+": "+v.Message] = true
		}
		for name, p := range n.Properties {
			walk(kind, path+"."+name, p)
		}
		walk(kind, path+"[]", n.Items)
		var values schemaNode
		if json.Unmarshal(n.AdditionalProperties, &values) == nil {
			walk(kind, path+"{}", &values)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var root schemaNode
		if err := json.Unmarshal(data, &root); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(kindEnum(t, data)[0], "", &root)
	}
	return found
}

// kindEnum is the kind a schema validates, from properties.kind.enum.
func kindEnum(t *testing.T, data []byte) []string {
	t.Helper()
	var s struct {
		Properties struct {
			Kind struct {
				Enum []string `json:"enum"`
			} `json:"kind"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &s); err != nil || len(s.Properties.Kind.Enum) != 1 {
		t.Fatalf("schema without one kind: %v", err)
	}
	return s.Properties.Kind.Enum
}

// TestEveryCELRuleIsMapped checks that every CEL rule of the embedded
// Gateway API CRDs is checked by a rule, or skipped for a reason, and that
// celChecks names no rule the CRDs no longer have.
func TestEveryCELRuleIsMapped(t *testing.T) {
	found := embeddedCELRules(t)
	for k := range found {
		if _, ok := celChecks[k]; !ok {
			t.Errorf("CEL rule %q is neither checked nor skipped: check it in crdvalidation.go (MR619) and add it to celChecks, or add it with the reason none does", k)
		}
	}
	for k := range celChecks {
		if !found[k] {
			t.Errorf("celChecks has %q, which no embedded Gateway API CRD has", k)
		}
	}
}

// TestCELMessagesHaveFixtures checks that MR619's fixtures exercise every
// CEL rule it claims in celChecks: a finding on an object of the kind
// quotes the rule's message.
func TestCELMessagesHaveFixtures(t *testing.T) {
	findings, err := ruletest.Lint(filepath.Join("..", "..", "fixtures", "rules", CRDValidation.ID), CRDValidation, ruletest.Options{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	quoted := map[string]bool{}
	for _, f := range findings {
		// The message quotes the CEL rule's after "rejects the <Kind> (".
		_, rest, ok := strings.Cut(f.Message, " rejects the "+string(f.Object.Kind)+" (")
		if !ok {
			t.Errorf("finding without the CRD's message: %s", f.Message)
			continue
		}
		for m := range celChecks {
			kind, msg := celKindMessage(m)
			if kind == string(f.Object.Kind) && strings.HasPrefix(rest, msg+")") {
				quoted[kind+": "+msg] = true
			}
		}
	}
	var missing []string
	for k, by := range celChecks {
		kind, msg := celKindMessage(k)
		if by == byMR619 && !quoted[kind+": "+msg] {
			missing = append(missing, kind+": "+msg)
		}
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	for _, m := range missing {
		t.Errorf("no MR619 fixture finding quotes %q", m)
	}
}

// celKindMessage splits a key of celChecks into its kind and message.
func celKindMessage(key string) (kind, message string) {
	kind, rest, _ := strings.Cut(key, " ")
	_, message, _ = strings.Cut(rest, ": ")
	return kind, message
}
