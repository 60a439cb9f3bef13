//go:build tools

// Package tools pins Helm, which the chart's test runs (helm lint, helm template); build.sh helm
// builds it once from the Go module proxy into the cache.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
