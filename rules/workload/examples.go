package workload

// reviewsDeployment is Deployment shop/reviews, whose pods carry the
// labels (a flow mapping's entries), and the separator of the next
// document.
func reviewsDeployment(labels string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata: {labels: {` + labels + `}}
    spec:
      containers: [{name: app, image: reviews}]
---
`
}

// webWithPodAnnotations is Deployment shop/web, whose pod template carries
// the annotations (a flow mapping's entries).
func webWithPodAnnotations(annotations string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {` + annotations + `}
    spec:
      containers: [{name: web, image: web}]
`
}

// ambientShop is Namespace shop in ambient mode, not enrolled for a
// waypoint, and the separator of the next document.
const ambientShop = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
---
`

// waypointShop is Namespace shop in ambient mode, enrolled for the
// waypoint named waypoint, and the separator of the next document.
const waypointShop = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
`

// plainShop is Namespace shop, without labels.
const plainShop = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
`

// injectedShop is Namespace shop, labelled for sidecar injection.
const injectedShop = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
`
