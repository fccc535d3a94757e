package netpol

// storefrontDeployment is Deployment shop/storefront, the workload of the
// default-deny examples (MR401, MR402).
const storefrontDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: storefront
  namespace: shop
spec:
  selector:
    matchLabels: {app: storefront}
  template:
    metadata:
      labels: {app: storefront}
    spec:
      containers:
      - name: app
        image: storefront:1
`

// apiDeployment is Deployment shop/api, which declares no ports, and the
// separator of the next document.
const apiDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
---
`
