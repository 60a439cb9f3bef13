// Package localcluster starts a real Kubernetes control plane on 127.0.0.1 for tests and for
// `make run`: etcd and kube-apiserver built from the Go module proxy by ../build.sh, generated
// certificates, a token file for test users, and the upstream OpenKruise and Kruise Rollout CRDs
// rendered from the Go module cache. Nothing here is copied into the repository.
package localcluster
