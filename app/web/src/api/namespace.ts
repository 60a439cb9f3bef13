import { request } from "./http";

/** GET /namespaces: sorted names. */
export const listNamespaces = () => request<string[]>("GET", "/namespaces");
