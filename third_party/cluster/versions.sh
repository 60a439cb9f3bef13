# Versions of every piece of the local control plane, and where their builds are cached.
# Sourced by the cluster scripts; bumping a version here rebuilds only that piece.
ETCD_VERSION=v3.6.5
KUBE_VERSION=v1.34.2
KUBE_MAJOR=1
KUBE_MINOR=34
KWOK_VERSION=v0.7.0
KRUISE_MODULE=github.com/openkruise/kruise
KRUISE_VERSION=v1.8.0
ROLLOUTS_MODULE=github.com/openkruise/rollouts
ROLLOUTS_VERSION=v0.6.1
# Gateway API: the version Kruise Rollouts v0.6.1 is built against (its HTTPRoute CRD is installed).
GATEWAY_API_MODULE=sigs.k8s.io/gateway-api
GATEWAY_API_VERSION=v0.7.1
# zitadel/oidc's version, and a suffix bumped whenever ../tools/oidc/main.go changes (the cache key).
OIDC_VERSION=v3.51.17-k3
HELM_VERSION=v3.22.0
# Built only when Debian's prometheus is not installed (the module's v0.316.0 is Prometheus 3.x).
PROMETHEUS_VERSION=v0.316.0
KD_CACHE=${KD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kruise-dashboard}
KD_BIN=$KD_CACHE/bin
