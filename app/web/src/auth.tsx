import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { getAuthConfig, getMe, login, logout } from "./api/auth";
import { isUnauthorized, onUnauthorized } from "./api/http";
import type { ActionVerb, AuthConfig, AuthMode, Me, Permission, RolloutVerb, WorkloadVerb } from "./api/types";
import { useT } from "./i18n";

// Sign-in state and the signed-in user's permissions (GET /me) for the namespace in the URL.

export interface Auth {
  /** GET /auth/config; undefined until it answers. */
  config?: AuthConfig;
  configError?: unknown;
  /** The sign-in mode (from /me, else /auth/config). */
  mode: AuthMode;
  /** The namespace the permissions are wanted for. */
  ns: string;
  /** The last /me answer, possibly for another namespace while the current one loads. */
  me?: Me;
  /** The last /me failure other than 401 (permissions unknown: the server decides). */
  meError?: unknown;
  /** The namespace of me / meError. */
  meNs?: string;
  /** Some call answered 401: the sign-in page is shown instead of the pages. */
  signedOut: boolean;
  /** Why, as the server said it (e.g. "your access ended: sign in again"), after a session ended. */
  signedOutReason?: string;
  signIn: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Asks /me again (after an OIDC return, a retry). */
  refresh: () => void;
}

const AuthContext = createContext<Auth | undefined>(undefined);
export const AuthProvider = AuthContext.Provider;

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}

/** Holds the sign-in state; App calls it once and provides it to the pages. */
export function useAuthState(ns: string): Auth {
  const [config, setConfig] = useState<AuthConfig>();
  const [configError, setConfigError] = useState<unknown>();
  const [result, setResult] = useState<{ ns: string; me?: Me; error?: unknown }>();
  const [signedOut, setSignedOut] = useState(false);
  const [signedOutReason, setSignedOutReason] = useState<string>();
  const [session, setSession] = useState(0);

  useEffect(() => {
    getAuthConfig().then(setConfig, setConfigError);
    return onUnauthorized((e) => {
      setSignedOut(true);
      setSignedOutReason(e.message);
    });
  }, []);

  useEffect(() => {
    // No namespace yet (the app is choosing one): nothing to ask.
    if (!ns) return;
    let live = true;
    getMe(ns).then(
      (me) => {
        if (!live) return;
        setResult({ ns, me });
        setSignedOut(false);
      },
      (error) => {
        if (!live) return;
        if (isUnauthorized(error)) {
          setSignedOut(true);
          setSignedOutReason(error instanceof Error ? error.message : undefined);
        }
        else setResult((r) => ({ ns, me: r?.me, error }));
      },
    );
    return () => {
      live = false;
    };
  }, [ns, session]);

  const refresh = useCallback(() => setSession((s) => s + 1), []);
  const signIn = useCallback(
    async (token: string) => {
      await login(token);
      if (ns) {
        const me = await getMe(ns);
        setResult({ ns, me });
      }
      setSignedOut(false);
      setSignedOutReason(undefined);
    },
    [ns],
  );
  const signOut = useCallback(async () => {
    const out = await logout();
    setResult(undefined);
    setSignedOut(true);
    setSignedOutReason(undefined);
    // OIDC: end the session at the issuer too, when it offers RP-initiated logout.
    if (out.endSession) window.location.assign(out.endSession);
  }, []);

  return {
    config,
    configError,
    mode: result?.me?.mode ?? config?.mode ?? "none",
    ns,
    me: result?.me,
    meError: result?.error,
    meNs: result?.ns,
    signedOut,
    signedOutReason,
    signIn,
    signOut,
    refresh,
  };
}

const ALLOWED: Permission = { allowed: true };

/**
 * One permission from /me for the current namespace. Until /me answers for it, nothing is allowed
 * (pending); if /me failed (not 401), everything is: the server still checks every action.
 */
export function permissionOf(auth: Pick<Auth, "me" | "meError" | "meNs" | "ns">, pick: (me: Me) => Permission | undefined, pending: Permission): Permission {
  if (auth.meNs !== auth.ns) return pending;
  if (auth.meError !== undefined || !auth.me) return ALLOWED;
  return pick(auth.me) ?? ALLOWED;
}

/** What the signed-in user may do in the current namespace (see permissionOf). */
export function useCan() {
  const auth = useAuth();
  const t = useT();
  const pending: Permission = { allowed: false, reason: t.checkingPermissions };
  return {
    workload: (type: string, verb: WorkloadVerb | ActionVerb) => permissionOf(auth, (me) => me.workloads?.[type]?.[verb], pending),
    rollout: (verb: RolloutVerb) => permissionOf(auth, (me) => me.rollouts?.[verb], pending),
  };
}
