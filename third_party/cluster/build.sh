#!/usr/bin/env bash
# Builds the local control plane's binaries once from the Go module proxy into a cache outside the
# repository, keyed by version, and prints the cache's bin directory. Later runs reuse the binaries.
#   build.sh            etcd, kube-apiserver, oidc-provider (a test OpenID Connect provider)
#   build.sh full       also kube-controller-manager, kube-scheduler, kwok, and the OpenKruise and
#                       Kruise Rollout managers (the live-cluster stack)
#   build.sh oidc       only oidc-provider, for tests that need a login but no cluster
#   build.sh helm       only helm, for the chart's tests (helm lint, helm template)
#   build.sh prometheus only Prometheus (when Debian's is not installed), for the live cluster's
#                       evidence; about 7 minutes on 2 cores: localcluster runs it in the background
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tools="$here/../tools"
# shellcheck source=versions.sh
. "$here/versions.sh"
mkdir -p "$KD_BIN"
export GOFLAGS=-buildvcs=false CGO_ENABLED=0
# Test packages start clusters in parallel: one build at a time, the others wait and reuse it.
# Prometheus, built in the background, has a lock of its own: nothing else waits for it.
lock=.build.lock
[ "${1:-}" = prometheus ] && lock=.build-prometheus.lock
exec 9>"$KD_BIN/$lock"
flock 9

k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
-X k8s.io/component-base/version.gitMajor=${KUBE_MAJOR} -X k8s.io/component-base/version.gitMinor=${KUBE_MINOR}"

# Rough build times on 2 cores, measured one at a time with a fresh build cache (printed as each starts).
declare -A about=([etcd]="about 45 s" [kube-apiserver]="about 3 minutes" [kube-controller-manager]="about 1 minute"
	[kube-scheduler]="a few seconds after kube-apiserver" [kwok]="about 70 s" [kruise-manager]="about 2 minutes"
	[kruise-rollout]="about 1 minute" [oidc-provider]="under a minute" [helm]="about 1 minute")
building() { echo "building $1 (once, ${about[${1%-v*}]:-a few minutes} on 2 cores; cached in $KD_BIN)" >&2; }

# build NAME-VERSION MODULE_DIR PACKAGE LDFLAGS: builds only when the keyed binary is missing.
build() {
	local out="$KD_BIN/$1" dir=$2 pkg=$3 ldflags=$4
	[ -x "$out" ] && return 0
	building "$1"
	local start=$SECONDS
	(cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg")
	mv "$out.tmp.$$" "$out"
	echo "built $1 in $((SECONDS - start))s" >&2
}

# build_module NAME-VERSION MODULE VERSION: builds a module's main package in a writable copy of
# its directory from the module cache, so its own go.mod (and replace directives) apply.
build_module() {
	local out="$KD_BIN/$1" module=$2 version=$3
	[ -x "$out" ] && return 0
	building "$1"
	local start=$SECONDS src work
	src=$(cd "$tools/kube" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$src" ] || { echo "cannot locate $module@$version in the module cache" >&2; return 1; }
	work=$(mktemp -d)
	cp -r "$src/." "$work/" && chmod -R u+w "$work"
	(cd "$work" && go build -trimpath -ldflags "-s -w" -o "$out.tmp.$$" .)
	rm -rf "$work"
	mv "$out.tmp.$$" "$out"
	echo "built $1 in $((SECONDS - start))s" >&2
}

if [ "${1:-}" = prometheus ]; then
	# A main package of a module without replace directives: go install at the version.
	out="$KD_BIN/prometheus-$PROMETHEUS_VERSION"
	if [ ! -x "$out" ]; then
		echo "building prometheus-$PROMETHEUS_VERSION (once; cached in $KD_BIN; about 7 minutes on 2 cores)" >&2
		start=$SECONDS tmp=$(mktemp -d)
		GOBIN=$tmp go install -trimpath -ldflags "-s -w" "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION"
		mv "$tmp/prometheus" "$out.tmp.$$" && mv "$out.tmp.$$" "$out" && rm -rf "$tmp"
		echo "built prometheus-$PROMETHEUS_VERSION in $((SECONDS - start))s" >&2
	fi
	echo "$KD_BIN"
	exit 0
fi
if [ "${1:-}" = helm ]; then
	build "helm-$HELM_VERSION" "$tools/helm" helm.sh/helm/v3/cmd/helm "-s -w"
	echo "$KD_BIN"
	exit 0
fi
# Small and quick to build, so every mode has it; `oidc` alone skips the control plane.
build "oidc-provider-$OIDC_VERSION" "$tools/oidc" . "-s -w"
if [ "${1:-}" = oidc ]; then
	echo "$KD_BIN"
	exit 0
fi
build "etcd-$ETCD_VERSION" "$tools/etcd" go.etcd.io/etcd/server/v3 "-s -w"
build "kube-apiserver-$KUBE_VERSION" "$tools/kube" k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
if [ "${1:-}" = full ]; then
	build "kube-controller-manager-$KUBE_VERSION" "$tools/kube" k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_ldflags"
	build "kube-scheduler-$KUBE_VERSION" "$tools/kube" k8s.io/kubernetes/cmd/kube-scheduler "$k8s_ldflags"
	build "kwok-$KWOK_VERSION" "$tools/kwok" sigs.k8s.io/kwok/cmd/kwok "-s -w"
	build_module "kruise-manager-$KRUISE_VERSION" "$KRUISE_MODULE" "$KRUISE_VERSION"
	build_module "kruise-rollout-$ROLLOUTS_VERSION" "$ROLLOUTS_MODULE" "$ROLLOUTS_VERSION"
fi
echo "$KD_BIN"
