package biz

import "time"

// ClusterHealth is the state of the connection to one cluster of the fleet.
type ClusterHealth struct {
	Reachable bool
	// UnreachableSince is when its API server stopped answering (zero: it answers).
	UnreachableSince time.Time
	LastError        string
	// LastContact is when its API server last answered.
	LastContact time.Time
	// Synced: every cache of the cluster is filled.
	Synced bool
	// PodsCached: the cluster's pods are in the cache now (always the home's; another cluster's
	// while in use).
	PodsCached bool
	// Versions found: the API server's, and the served API versions of OpenKruise (apps.kruise.io)
	// and Kruise Rollouts (rollouts.kruise.io); "" none.
	Kubernetes, OpenKruise, Rollouts string
}

// ClusterInfo is one registered cluster as GET /clusters shows it: every signed-in user sees
// every cluster's name and state (no RBAC needed); objects stay behind each cluster's RBAC.
type ClusterInfo struct {
	Name string `json:"name"`
	Home bool   `json:"home"`
	// Origin is home, kubeconfig, secret or argocd; Source names where it was read.
	Origin string `json:"origin" enum:"home,kubeconfig,secret,argocd"`
	Source string `json:"source"`
	// Context is the kubeconfig context (kubectl --context) of a cluster read from one, else "".
	Context string `json:"context"`
	// State is ready (synced and answering), syncing, unreachable, connecting (not built yet, or
	// failed to build: lastError says why) or refused (the registration cannot be used: refused).
	State            string          `json:"state" enum:"ready,syncing,connecting,unreachable,refused"`
	Reachable        bool            `json:"reachable"`
	UnreachableSince *time.Time      `json:"unreachableSince"`
	LastError        string          `json:"lastError"`
	LastSync         *time.Time      `json:"lastSync"`
	Versions         ClusterVersions `json:"versions"`
	Refused          string          `json:"refused"`
	// PodsCached: the cluster's pods are cached now (the home's always; another cluster's while
	// in use: pod-level views of it start the cache on their first read).
	PodsCached bool `json:"podsCached"`
}

// ClusterVersions are the versions found on a cluster ("" not found): the API server's, and the
// API versions its OpenKruise and Kruise Rollouts CRDs serve.
type ClusterVersions struct {
	Kubernetes string `json:"kubernetes"`
	OpenKruise string `json:"openkruise"`
	Rollouts   string `json:"rollouts"`
}

// Cluster states.
const (
	ClusterReady       = "ready"
	ClusterSyncing     = "syncing"
	ClusterUnreachable = "unreachable"
	ClusterConnecting  = "connecting"
	ClusterRefused     = "refused"
)

// Info fills what the health says: the state and the times.
func (h ClusterHealth) Info(c ClusterInfo) ClusterInfo {
	c.Reachable, c.LastError, c.PodsCached = h.Reachable, h.LastError, h.PodsCached
	c.Versions = ClusterVersions{Kubernetes: h.Kubernetes, OpenKruise: h.OpenKruise, Rollouts: h.Rollouts}
	if !h.UnreachableSince.IsZero() {
		c.UnreachableSince = &h.UnreachableSince
	}
	if !h.LastContact.IsZero() {
		c.LastSync = &h.LastContact
	}
	switch {
	case !h.Reachable && !h.UnreachableSince.IsZero():
		c.State = ClusterUnreachable
	case h.Synced:
		c.State = ClusterReady
	default:
		c.State = ClusterSyncing
	}
	return c
}
