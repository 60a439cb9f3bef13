import { API_BASE, request, seg } from "./http";
import type { AuthConfig, LoginResult, Me } from "./types";

/** GET /auth/config: how users sign in (answers without a session). */
export const getAuthConfig = () => request<AuthConfig>("GET", "/auth/config");

/** POST /auth/login {"token"}: checks a Kubernetes bearer token and sets the session cookie. */
export const login = (token: string) => request<LoginResult>("POST", "/auth/login", undefined, { token });

/** POST /auth/logout: clears the session cookie. */
export const logout = () => request<{ signedOut: boolean }>("POST", "/auth/logout");

/** GET /me?namespace=: who is signed in and what they may do in the namespace. */
export const getMe = (namespace: string) => request<Me>("GET", "/me", { namespace });

/** Where the browser goes for OpenID Connect sign-in; it comes back to redirect (a same-origin path). */
export const oidcLoginUrl = (redirect: string) => `${API_BASE}/auth/oidc/login?redirect=${seg(redirect)}`;
