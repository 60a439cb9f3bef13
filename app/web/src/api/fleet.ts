import { get, post } from "./http";
import type { FleetApproveItem } from "./fleetTypes";

// The fleet's views: across every cluster the person may read (each cluster's RBAC decides), with
// a part per cluster saying why one contributed nothing.

/** GET /fleet/inbox: the releases waiting for a person in every cluster, with their cluster. */
export const getFleetInbox = () => get("/api/v1/fleet/inbox");

/** GET /fleet/summary: a card per cluster. */
export const getFleetSummary = () => get("/api/v1/fleet/summary");

/** GET /fleet/attention: what needs attention in every cluster. */
export const getFleetAttention = () => get("/api/v1/fleet/attention");

/** POST /fleet/approve-many {"items", "reason"}: approves each item's step in its cluster; one result per item, in order. */
export const approveManyAcrossClusters = (items: FleetApproveItem[], reason?: string) =>
  post("/api/v1/fleet/approve-many", { body: { items, reason: reason?.trim() || undefined } });
