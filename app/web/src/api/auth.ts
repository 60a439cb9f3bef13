import { get, post, seg } from "./http";
import type { operations, paths } from "./schema";

/** GET /auth/config: how users sign in (answers without a session). */
export const getAuthConfig = () => get("/api/v1/auth/config");

/** POST /auth/login {"token"}: checks a Kubernetes bearer token and sets the session cookie. */
export const login = (token: string) => post("/api/v1/auth/login", { body: { token } });

/** POST /auth/logout: ends the session on every replica; in oidc mode names the issuer's end-session address. */
export const logout = () => post("/api/v1/auth/logout");

/** GET /me?namespace=: who is signed in and what they may do in the namespace. */
export const getMe = (namespace: string) => get("/api/v1/me", { query: { namespace } });

const oidcLogin: keyof paths = "/api/v1/auth/oidc/login";
type OIDCLoginQuery = Required<NonNullable<operations["oidcLogin"]["parameters"]["query"]>>;

/** Where the browser goes for OpenID Connect sign-in; it comes back to redirect (a same-origin path). */
export const oidcLoginUrl = (redirect: OIDCLoginQuery["redirect"]) => `${oidcLogin}?redirect=${seg(redirect)}`;
