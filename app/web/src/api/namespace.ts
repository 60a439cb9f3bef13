import { get } from "./http";

/** GET /namespaces: sorted names. */
export const listNamespaces = () => get("/api/v1/namespaces");
