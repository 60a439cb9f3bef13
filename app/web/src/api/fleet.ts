import { request } from "./http";
import type { FleetApproveItem, FleetApproveResult, FleetAttention, FleetInbox, FleetSummary } from "./fleetTypes";

// The fleet's views: across every cluster the person may read (each cluster's RBAC decides), with
// a part per cluster saying why one contributed nothing.

/** GET /fleet/inbox: the releases waiting for a person in every cluster, with their cluster. */
export const getFleetInbox = () => request<FleetInbox>("GET", "/fleet/inbox");

/** GET /fleet/summary: a card per cluster. */
export const getFleetSummary = () => request<FleetSummary>("GET", "/fleet/summary");

/** GET /fleet/attention: what needs attention in every cluster. */
export const getFleetAttention = () => request<FleetAttention>("GET", "/fleet/attention");

/** POST /fleet/approve-many {"items", "reason"}: approves each item's step in its cluster; one result per item, in order. */
export const approveManyAcrossClusters = (items: FleetApproveItem[], reason?: string) =>
  request<FleetApproveResult[]>("POST", "/fleet/approve-many", undefined, { items, reason: reason?.trim() || undefined });
