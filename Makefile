# Kruise Dashboard — the project's front door. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
GO ?= go
BIN := bin/kruise-dashboard
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# The image's name is the chart's default: kruise-dashboard:<appVersion of deploy/helm/kruise-dashboard>.
APP_VERSION := $(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p' deploy/helm/kruise-dashboard/Chart.yaml)
LOCALCLUSTER := $(GO) run ./third_party/cluster/cmd/localcluster

.PHONY: plugin-archives openapi manifests image plugin run build ui ui-deps browser runtime prometheus control-plane test lint unit bench generate cluster-up cluster-status cluster-down clean

## run: serve the dashboard on http://localhost:8080. With no kubeconfig ($$KUBECONFIG or
## ~/.kube/config, or KD_KUBECONFIG_PATH) it starts the live local cluster (with the controllers,
## the demo's SIMULATED traffic and a Prometheus scraping it) and demo objects, and gives the
## dashboard that Prometheus (its URL is in the cluster's folder, prometheus.url) and DEMO_EVIDENCE.
## FLEET=3 (with no kubeconfig): a local fleet — that home cluster and 2 member control planes,
## member-2 live (a release of demo/web waiting for approval there and in the home) — served
## from its fleet.kubeconfig with every context (KD_FLEET_CONTEXTS='*').
run: build
	@if [ -n "$$KD_KUBECONFIG_PATH$$KUBECONFIG" ] || [ -f "$$HOME/.kube/config" ]; then \
		$(if $(FLEET_UP),echo "FLEET=$(FLEET) starts a local fleet only when there is no kubeconfig: serving yours";) \
		echo "serving your cluster on http://localhost:8080"; \
		exec ./$(BIN) -conf configs/config.yaml; \
	else \
		kubeconfig=$$($(LOCALCLUSTER) up -full -demo $(FLEET_UP) | tail -n 1) || exit 1; \
		prometheus=$$(cat "$$(dirname "$$kubeconfig")/prometheus.url") || exit 1; \
		echo "serving the local $(if $(FLEET_UP),fleet,cluster) ($$kubeconfig) on http://localhost:8080, its evidence from the simulated traffic in $$prometheus; make cluster-status checks it, make cluster-down stops it"; \
		KD_KUBECONFIG_PATH=$$kubeconfig $(if $(FLEET_UP),KD_FLEET_CONTEXTS='*') KD_PROMETHEUS_URL=$$prometheus $(DEMO_EVIDENCE) exec ./$(BIN) -conf configs/config.yaml; \
	fi

# FLEET=N (N > 1): `localcluster up`'s flags for a fleet of N clusters; make run makes member-2 live.
FLEET_UP = $(if $(filter-out 0 1,$(FLEET)),-fleet $(FLEET) -fleet-live)

# The demo's evidence settings (make run on the local cluster), as KD_ variables: a 1-minute window,
# so a new canary's verdict comes within seconds of its pods being ready; the series are simulated;
# the reason policy is on (approving a step whose verdict is worse needs a written reason).
DEMO_EVIDENCE := KD_EVIDENCE_WINDOW=1m KD_EVIDENCE_SIMULATED=true KD_EVIDENCE_REQUIRE_REASON_WHEN_WORSE=true

## build: the single binary, with the web UI embedded
build: ui
	$(GO) build -ldflags "-X main.Version=$(VERSION)" -o $(BIN) ./app

## plugin: the same binary as the kubectl plugin, bin/kubectl-kruise_dashboard (put it on PATH)
plugin: ui
	$(GO) build -ldflags "-X main.Version=$(VERSION)" -o bin/kubectl-kruise_dashboard ./app

## openapi: write the API's OpenAPI document into the UI (app/web/src/api/openapi.json) and generate
## its TypeScript types from it (src/api/schema.ts); the types as the server describes them, for the
## UI's tests (src/api/workloadTypes.json)
openapi: ui-deps
	KD_UPDATE_OPENAPI=1 $(GO) test -count=1 -run 'TestDocumentCommitted|TestReferenceCommitted' ./app/openapi
	KD_UPDATE_OPENAPI=1 $(GO) test -count=1 -run TestWorkloadTypesFixture ./configs
	cd app/web && npm run gen:api

## manifests: render the Helm chart with its defaults into deploy/manifests (for people without Helm)
manifests:
	KD_UPDATE_MANIFESTS=1 $(GO) test -count=1 -run TestManifestsCurrent ./deploy/helm

## plugin-archives: the kubectl plugin's archives for PLATFORMS in bin/plugin-archives, with SHA256SUMS and a krew manifest
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
plugin-archives: ui
	@rm -rf bin/plugin-archives && set -e; builds=; for p in $(PLATFORMS); do os=$${p%/*}; arch=$${p#*/}; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w -X main.Version=$(VERSION)" -o bin/plugin-archives/$$os-$$arch/kubectl-kruise_dashboard ./app; \
		builds="$$builds $$os-$$arch=bin/plugin-archives/$$os-$$arch/kubectl-kruise_dashboard"; done; \
		$(GO) run ./deploy/pluginarchive -version $(APP_VERSION) -out bin/plugin-archives $$builds
	@ls bin/plugin-archives

## image: the container image, built without a Docker engine, as an OCI layout in bin/kruise-dashboard-image.tar
image: ui
	CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -ldflags "-s -w -X main.Version=$(VERSION)" -o bin/kruise-dashboard-linux ./app
	$(GO) run ./deploy/image -binary bin/kruise-dashboard-linux -out bin/kruise-dashboard-image.tar -tag kruise-dashboard:$(APP_VERSION) -version $(VERSION)

## ui: build the web UI into app/web/dist (embedded by the Go build), when its sources changed
ui: app/web/dist/index.html

UI_SOURCES := $(shell find app/web/src app/web/scripts -type f) app/web/index.html app/web/vite.config.ts app/web/tsconfig.json app/web/package-lock.json

app/web/dist/index.html: app/web/node_modules/.package-lock.json $(UI_SOURCES)
	cd app/web && npm run build

ui-deps: app/web/node_modules/.package-lock.json

app/web/node_modules/.package-lock.json: app/web/package-lock.json
	cd app/web && npm ci --no-audit --no-fund

## browser: Debian's Chromium and a CJK font (the zh-CN screenshots) for the browser tests (as root, once)
browser:
	@{ command -v chromium >/dev/null && [ -d /usr/share/fonts/truetype/wqy ]; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei; }

## runtime: Debian's podman, runc, skopeo and containerd, which deploy/image's test loads and runs the
## image in (as root, once; runc, since crun cannot start containers on these machines)
runtime:
	@{ command -v podman && command -v runc && command -v skopeo && command -v containerd && command -v ctr; } >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc skopeo containerd; }

## prometheus: Debian's Prometheus server (2.42), which biz/evidence's test starts on 127.0.0.1 with
## its own configuration and data folder (as root, once; the package's own service is not used)
prometheus:
	@command -v prometheus >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; }

## control-plane: the binaries the tests start (etcd, kube-apiserver, the controllers, the test
## OpenID provider, helm), built once from the Go module proxy into ~/.cache/kruise-dashboard
## (KD_CACHE) before any test runs, so no test's own time limit is spent on, or cuts short, a first
## build (a cold run once failed so)
control-plane:
	@bash third_party/cluster/build.sh full >/dev/null
	@bash third_party/cluster/build.sh helm >/dev/null

## test: everything CI runs — formatting, vet, the Wire graph, the UI's lint and unit tests, the Go unit
## and integration tests (each starts its own control plane on 127.0.0.1), and the end-to-end
## tests with the real controllers and headless Chromium. test/e2e is named first: go test starts
## test binaries in the order of its package list, and that one (about 14 minutes) is the long pole,
## so it starts at once and the other packages share the other core (a warm run: 972 s, was ~1,130 s).
test: lint ui browser runtime prometheus control-plane
	cd app/web && npm test
	$(GO) test -count=1 -timeout 60m ./test/e2e ./...

## unit: only the tests that need no control plane
unit:
	$(GO) test -short -count=1 ./...

## lint: gofmt, go vet, staticcheck (pinned in go.mod as a tool; a deliberate exception is a
## `//lint:ignore CHECK reason` on the line), the Wire graph, and the UI's ESLint (typescript-eslint,
## react-hooks, import/no-cycle and the UI's module boundaries: app/web/eslint.config.js)
lint: ui-deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@$(GO) tool wire check ./app
	cd app/web && npm run lint

## bench: the API benchmarks against a local control plane (2,000 workloads, 20,000 pods), and the
## load benchmarks of app/load_test.go (dashboard vs a floor server, SSE clients, bytes per refresh)
## and app/flood_test.go (a signed-in user's writes under a flood of bad tokens);
## KD_LOAD_FULL=1 adds 100,000 pods for the memory per pod (KD_LOAD_SECONDS: seconds per measurement)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 20x -timeout 60m ./app

## generate: regenerate app/wire_gen.go
generate:
	$(GO) tool wire ./app

## cluster-up: start the local control plane; prints the kubeconfig path as its last line.
## FULL=1 adds the controllers (kube-controller-manager, kube-scheduler, kwok, Kruise managers),
## the demo's simulated traffic and a Prometheus scraping it (Debian's if installed, else built
## from the module proxy in the background; its URL is in the cluster's folder, prometheus.url).
## FLEET=3: a local fleet — that home cluster and 2 member control planes (etcd, kube-apiserver,
## the CRDs) in its folder's member-<i>; the last line is then the fleet kubeconfig (a context
## per cluster) and the members' cluster Secrets are in its folder's cluster-secrets/.
## FLEET_LIVE=1: member-2 also runs kube-controller-manager, kube-scheduler, kwok and the Kruise
## Rollouts manager (a Deployment canary runs there).
cluster-up:
	@$(LOCALCLUSTER) up $(if $(FULL),-full) $(if $(DEMO),-demo) $(if $(filter-out 0 1,$(FLEET)),-fleet $(FLEET) $(if $(FLEET_LIVE),-fleet-live))

## cluster-status: each component running or not (a fleet's members too), with the log of one that exited
cluster-status:
	@$(LOCALCLUSTER) status

## cluster-down: stop it (a fleet's members too)
cluster-down:
	@$(LOCALCLUSTER) down

clean:
	rm -rf bin
