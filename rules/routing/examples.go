package routing

import "fmt"

// webRollout is Rollout shop/web up to its canary strategy, which the Argo
// Rollouts examples complete.
const webRollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:2
  strategy:
    canary:
`

// reviewsService is Service shop/reviews on port 9080, and the separator
// of the next document.
const reviewsService = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
`

// reviewsRouteExample is VirtualService shop/reviews, whose one route sends
// weight w1 to subset v1 of reviews and weight w2 to destination second:
// the examples of MR101, MR102, MR103 and MR130.
func reviewsRouteExample(w1 int, second string, w2 int) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: %d
    - destination: %s
      weight: %d
`, w1, second, w2)
}

// reviewsSplitExample splits reviews between its subsets v1 and v2.
func reviewsSplitExample(w1, w2 int) string {
	return reviewsRouteExample(w1, "{host: reviews, subset: v2}", w2)
}
