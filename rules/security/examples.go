package security

// reviewsWithSidecar is Deployment shop/reviews, injected with a sidecar,
// which the authorization examples protect, and the separator of the next
// document.
const reviewsWithSidecar = `apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  template:
    metadata:
      labels: {app: reviews, sidecar.istio.io/inject: "true"}
    spec:
      containers: [{name: app, image: reviews}]
---
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

// mysqlShopWorkload is Service and Deployment shop/db, MySQL with a sidecar
// on a port named tcp-mysql: the workload of the examples of MR355 and
// MR357.
//
//nolint:gosec // G101: a manifest example; it holds no credential
const mysqlShopWorkload = `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: tcp-mysql, port: 3306}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db, sidecar.istio.io/inject: "true"}
    spec:
      containers: [{name: mysql, image: mysql, ports: [{containerPort: 3306}]}]
---
`
