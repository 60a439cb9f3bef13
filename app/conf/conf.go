// Package conf is the dashboard's configuration, read from configs/config.yaml, whose
// ${ENV:default} placeholders take KD_-prefixed environment variables (KD_HTTP_ADDR fills
// ${HTTP_ADDR:...}). Load reads and checks it once at start-up into typed values (durations,
// numbers, switches, lists); the layers receive those and parse nothing themselves.
package conf

import "time"

// Bootstrap is the whole configuration. The json tags are the keys of the file.
type Bootstrap struct {
	Server     *Server     `json:"server"`
	Kubernetes *Kubernetes `json:"kubernetes"`
	Tracing    *Tracing    `json:"tracing"`
	Limits     *Limits     `json:"limits"`
	Auth       *Auth       `json:"auth"`
	Audit      *Audit      `json:"audit"`
	// Metrics is the evidence beside Approve; left out (old files): off.
	Metrics *Metrics `json:"metrics"`
	// Fleet is the other clusters served beside the home one; left out: the home alone.
	Fleet *Fleet `json:"fleet"`
}

// Fleet says where the other clusters' registrations come from (data/clusters).
type Fleet struct {
	// HomeName is the home cluster's name in /clusters and URLs; empty: the kubeconfig's current
	// context, or "home" in a cluster.
	HomeName string `json:"home_name"`
	// Contexts are the kubeconfig's contexts served as clusters besides the current one (the
	// home): "*" every one; empty: none.
	Contexts []string `json:"contexts"`
	// SecretsNamespace and SecretsSelector name the cluster Secrets (empty namespace: the pod's
	// own; outside a cluster, none). Empty selector: off.
	SecretsNamespace string `json:"secrets_namespace"`
	SecretsSelector  string `json:"secrets_selector"`
	// ArgoCDNamespace is where Argo CD's cluster Secrets are read from; empty: off.
	ArgoCDNamespace string `json:"argocd_namespace"`
	// HealthInterval is how often another cluster's API server is probed (the home's is
	// kubernetes.health_interval).
	HealthInterval time.Duration `json:"health_interval"`
	// Retry is how often a cluster that could not be connected to is tried again.
	Retry time.Duration `json:"retry"`
	// PodsIdle is how long another cluster's pods stay cached after their last read (they are
	// cached while in use; the home's always are).
	PodsIdle time.Duration `json:"pods_idle"`
}

// Server configures the HTTP server.
type Server struct {
	Addr string `json:"addr"`
	// Timeout bounds each request.
	Timeout time.Duration `json:"timeout"`
	// ExternalHosts are the host names (comma separated in the file, port ignored) the dashboard
	// is reached by besides loopback; requests naming any other Host are refused (DNS rebinding).
	ExternalHosts []string `json:"external_hosts"`
	// ReadOnly refuses every mutation with 403 READ_ONLY, whatever the user may do.
	ReadOnly bool `json:"read_only"`
	// WatchHeartbeat is how often an idle live stream sends a comment line.
	WatchHeartbeat time.Duration `json:"watch_heartbeat"`
	// MetricsAddr is the listener of /metrics (and pprof), apart from the UI; empty: none.
	MetricsAddr string `json:"metrics_addr"`
	// Pprof serves /debug/pprof/ on the metrics listener.
	Pprof bool `json:"pprof"`
	// TrustedProxies are the addresses (CIDRs or single IPs, comma separated in the file) of the
	// reverse proxies in front of the dashboard: only a request from one of them has its client
	// address taken from X-Forwarded-For. Empty: the TCP peer is the client.
	TrustedProxies []string `json:"trusted_proxies"`
}

// Kubernetes configures the clients.
type Kubernetes struct {
	// TypesDir is a folder of declared workload types (YAML); its files replace shipped ones of
	// the same type. ShippedTypes loads the declarations built into the binary (configs/types).
	TypesDir     string `json:"types_dir"`
	ShippedTypes bool   `json:"shipped_types"`
	// TypesReload is how often TypesDir is read again: a changed declaration takes effect then.
	TypesReload time.Duration `json:"types_reload"`
	// TypesNamespace and TypesSelector name the ConfigMaps declarations are also read from (each
	// key ending in .yaml or .yml is one): the label selector, in the dashboard's own namespace
	// (empty: the pod's, read from its service account; outside a cluster, none: off).
	TypesNamespace string `json:"types_namespace"`
	TypesSelector  string `json:"types_selector"`
	// Kubeconfig is a path; empty uses $KUBECONFIG, ~/.kube/config, then in-cluster config.
	Kubeconfig string  `json:"kubeconfig"`
	QPS        float64 `json:"qps"`
	Burst      int     `json:"burst"`
	// ReviewQPS and ReviewBurst are the rate limit of a client of its own that makes the
	// TokenReviews, so bearer tokens and sign-ins cannot use up the budget (QPS, Burst) that
	// serves signed-in users; 0: 20 and 40.
	ReviewQPS   float64 `json:"review_qps"`
	ReviewBurst int     `json:"review_burst"`
	// HealthInterval is how often the API server's /readyz is probed.
	HealthInterval time.Duration `json:"health_interval"`
	// DiscoveryInterval is how often served APIs are re-read, so a CRD installed later is picked up.
	DiscoveryInterval time.Duration `json:"discovery_interval"`
	// CallTimeout bounds each API-server call made for a request (writes, access reviews), so an
	// unreachable API server fails a write in seconds rather than at the request timeout.
	CallTimeout time.Duration `json:"call_timeout"`
}

// Tracing configures the OpenTelemetry exporter.
type Tracing struct {
	// Exporter is "otlp" (OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT), "stdout" or "none"; empty
	// means otlp when OTEL_EXPORTER_OTLP_ENDPOINT is set, else none.
	Exporter string `json:"exporter" oneof:"|otlp|stdout|none"`
}

// Limits bound what callers may ask.
type Limits struct {
	MaxReplicas int32 `json:"max_replicas"`
}

// Auth configures sign-in.
type Auth struct {
	// Mode is "none" (the dashboard's own identity; loopback only), "token" (a pasted Kubernetes
	// bearer token, checked with a TokenReview) or "oidc".
	Mode string `json:"mode" oneof:"none|token|oidc"`
	// SessionKey (or the file SessionKeyFile, e.g. a mounted Secret) seals session cookies; every
	// replica must share it so sessions survive restarts and work behind one Service.
	SessionKey     string `json:"session_key"`
	SessionKeyFile string `json:"session_key_file"`
	// SessionTTL is how long a sign-in lasts at most.
	SessionTTL time.Duration `json:"session_ttl"`
	// Recheck is how often the credential behind a session is checked again (the token
	// reviewed, the OIDC refresh token redeemed): access ends at most this long after it does.
	Recheck time.Duration `json:"recheck"`
	// SessionsNamespace and SessionsConfigMap name the ConfigMap where sign-outs are recorded for
	// every replica (empty namespace: the pod's own; outside a cluster it must be set).
	SessionsNamespace string `json:"sessions_namespace"`
	SessionsConfigMap string `json:"sessions_configmap"`
	// DecisionTTL is how long an access review's answer is reused.
	DecisionTTL time.Duration `json:"decision_ttl"`
	OIDC        *OIDC         `json:"oidc"`
	// Limits bound what failed bearer tokens and token sign-ins may cost; left out: the defaults.
	Limits *AuthLimits `json:"limits"`
}

// AuthLimits bound the TokenReviews that unknown tokens cause. A token the API server rejects
// uses up one token of its client address's bucket and one of the global bucket; a request that
// finds either empty is answered 429 TOO_MANY_REQUESTS without a review. Accepted tokens give
// theirs back. A number left at 0 takes the default; the section left out takes them all.
type AuthLimits struct {
	// PerAddress is the rate (per second) at which a client address may fail, PerAddressBurst
	// how many failures it may have at once; default 2 and 10.
	PerAddress      float64 `json:"per_address"`
	PerAddressBurst int     `json:"per_address_burst"`
	// Global and GlobalBurst are the same over every address together; default 10 and 20.
	Global      float64 `json:"global"`
	GlobalBurst int     `json:"global_burst"`
	// RejectedTTL is how long a rejected token (by its hash) is answered 401 without a review.
	RejectedTTL time.Duration `json:"rejected_ttl"`
}

// OIDC configures the OpenID Connect sign-in; the claim and prefix settings mean what the API
// server's --oidc-* flags of the same names mean.
type OIDC struct {
	IssuerURL        string `json:"issuer_url"`
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret"`
	ClientSecretFile string `json:"client_secret_file"`
	// RedirectURL is this dashboard's callback, e.g. https://dash.example.com/api/v1/auth/oidc/callback.
	RedirectURL string `json:"redirect_url"`
	// Scopes are requested at sign-in (comma separated in the file); openid is always added.
	Scopes         []string `json:"scopes"`
	UsernameClaim  string   `json:"username_claim"`
	UsernamePrefix string   `json:"username_prefix"`
	GroupsClaim    string   `json:"groups_claim"`
	GroupsPrefix   string   `json:"groups_prefix"`
	// PostLogoutRedirectURL is where the provider sends the browser after signing out there
	// (registered with the provider); empty: the provider's own page.
	PostLogoutRedirectURL string `json:"post_logout_redirect_url"`
}

// Audit configures the audit trail.
type Audit struct {
	// Path is a file the audit lines are appended to; empty writes them to standard output.
	Path string `json:"path"`
}

// Metrics configures the evidence shown beside Approve: canary against stable pods, from a
// Prometheus server's series of the pods (selected by their namespace and pod labels only).
type Metrics struct {
	Prometheus *Prometheus `json:"prometheus"`
	Evidence   *Evidence   `json:"evidence"`
}

// Prometheus is the server the evidence is queried from.
type Prometheus struct {
	// URL is the server's base URL (http or https, e.g. http://prometheus.monitoring:9090);
	// empty: no evidence (it says "unavailable", never green).
	URL string `json:"url"`
	// BearerTokenFile holds the token sent as Authorization: Bearer (read again when it changes);
	// empty: none.
	BearerTokenFile string `json:"bearer_token_file"`
	// CAFile is a PEM bundle the server's certificate is checked against; empty: the system's.
	CAFile string `json:"ca_file"`
	// Timeout bounds each query.
	Timeout time.Duration `json:"timeout"`
}

// Evidence configures the queries and the verdict.
type Evidence struct {
	// Window is the range the rates and quantiles are taken over (e.g. 5m).
	Window time.Duration `json:"window"`
	// MinRequests is how many requests each side (canary, stable) must have had in the window;
	// fewer: "not enough data", never green.
	MinRequests int `json:"min_requests"`
	// The canary is worse when its error ratio exceeds stable's by more than ErrorRatioPoints
	// percentage points and ErrorRatioFactor times, or its p95 latency is LatencyFactor times
	// stable's or more.
	ErrorRatioPoints float64 `json:"error_ratio_points"`
	ErrorRatioFactor float64 `json:"error_ratio_factor"`
	LatencyFactor    float64 `json:"latency_factor"`
	// Template names the query template used unless a Rollout's annotation chooses another
	// among Templates.
	Template string `json:"template"`
	// Templates are the named sets of PromQL an administrator allows (see EvidenceTemplate).
	Templates map[string]*EvidenceTemplate `json:"templates"`
	// RequireReasonWhenWorse: approving a step whose verdict is worse needs a written reason
	// (enforced by the server for single and bulk approvals); default off.
	RequireReasonWhenWorse bool `json:"require_reason_when_worse"`
	// Simulated says the series are made up (the local cluster's traffic simulator): the evidence
	// carries it, for the UI to label the numbers simulated.
	Simulated bool `json:"simulated"`
}

// EvidenceTemplate is one convention's PromQL. Each query selects pods with the placeholder
// $selector inside its label matchers (the dashboard puts the namespace and the pods there) and
// takes ranges of $window; Latency gives seconds at the quantile $quantile.
type EvidenceTemplate struct {
	// Requests is the pods' request rate (per second), Errors their failed requests' rate.
	Requests string `json:"requests"`
	Errors   string `json:"errors"`
	Latency  string `json:"latency"`
}
