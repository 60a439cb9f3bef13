import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, Route, Routes, useLocation } from "react-router-dom";
import { App as AntApp, Button, ConfigProvider, Layout, Select, Space, Spin, Switch, Tag, Tooltip } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { listNamespaces } from "./api/namespace";
import { listWorkloadTypes } from "./api/workload";
import { getSummary } from "./api/summary";
import type { WorkloadType } from "./api/types";
import { ErrorAlert } from "./components/common";
import { AuthProvider, useAuthState, type Auth } from "./auth";
import { fmt, I18n, initialLocale, messages, useT, type Locale } from "./i18n";
import { SignIn } from "./pages/SignIn";
import { NotFound } from "./pages/NotFound";
import { chooseNamespace, LAST_NAMESPACE_KEY } from "./namespaceChoice";
import { themeConfig } from "./theme";
import { LiveIndicator } from "./live";
import { useNamespace, WorkloadTypesContext } from "./contexts";
import { focusContent, useFocusRescue } from "./focus";
import { clusterFromPath, pathInCluster } from "./api/clusterScope";
import { clusterPath } from "./components/paths";
import { ClusterSwitcher, FleetProvider, FleetMenu, InboxLabel } from "./fleet";
import { Shortcuts } from "./components/Shortcuts";

// The route pages load on first visit, each its own chunk, so the first route's script carries only
// its own page (the build prints its size: scripts/size.mjs). SignIn and NotFound are small and stay.
const Overview = lazy(() => import("./pages/Overview").then((m) => ({ default: m.Overview })));
const Workloads = lazy(() => import("./pages/Workloads").then((m) => ({ default: m.Workloads })));
const WorkloadDetail = lazy(() => import("./pages/WorkloadDetail").then((m) => ({ default: m.WorkloadDetail })));
const Rollouts = lazy(() => import("./pages/Rollouts").then((m) => ({ default: m.Rollouts })));
const RolloutDetail = lazy(() => import("./pages/RolloutDetail").then((m) => ({ default: m.RolloutDetail })));
const Inbox = lazy(() => import("./pages/Inbox").then((m) => ({ default: m.Inbox })));
const Fleet = lazy(() => import("./pages/Fleet").then((m) => ({ default: m.Fleet })));
const Attention = lazy(() => import("./pages/Attention").then((m) => ({ default: m.Attention })));

/** Pages that show no namespace's objects (they need not wait for one to be chosen). */
const NAMESPACELESS = ["/inbox", "/fleet", "/attention"];

/** How often the registry is read again (declarations may change without a restart). */
const TYPES_REFRESH_MS = 30000;

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [dark, setDark] = useState(() => localStorage.getItem("kd.dark") === "1");
  const [types, setTypes] = useState<WorkloadType[]>([]);
  const [typesError, setTypesError] = useState<unknown>();
  const [namespaces, setNamespaces] = useState<string[] | undefined>();
  const [ns, setNs] = useNamespace();
  const location = useLocation();
  // The cluster the page is for (/c/{cluster}/…; "" for home): its types, namespaces and pages.
  const cluster = clusterFromPath(location.pathname);
  const page = pathInCluster(location.pathname);
  const auth = useAuthState(ns);
  const t = messages[locale];
  useFocusRescue();

  // The registry and the namespaces load at start and again after signing in anew.
  useEffect(() => {
    if (auth.signedOut) return;
    setTypesError(undefined);
    setNamespaces(undefined);
    listWorkloadTypes().then(setTypes, setTypesError);
    listNamespaces().then(setNamespaces, () => setNamespaces([]));
    // Declared types change while the dashboard runs: look again now and then (an unchanged
    // answer is a 304).
    const id = setInterval(
      () => listWorkloadTypes().then((next) => setTypes((cur) => (JSON.stringify(cur) === JSON.stringify(next) ? cur : next)), () => undefined),
      TYPES_REFRESH_MS,
    );
    return () => clearInterval(id);
  }, [auth.signedOut, cluster]);

  // Without ?ns=: the last namespace used, else the first that has workloads (not an empty default).
  useEffect(() => {
    if (ns || auth.signedOut || namespaces === undefined) return;
    let live = true;
    void chooseNamespace(localStorage.getItem(LAST_NAMESPACE_KEY), namespaces.length ? namespaces : undefined, async (n) => {
      const summary = await getSummary(n);
      return (summary?.workloads ?? []).some((w) => w.total > 0);
    }).then((chosen) => live && setNs(chosen, true));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ns, auth.signedOut, namespaces]);
  useEffect(() => {
    if (ns) localStorage.setItem(LAST_NAMESPACE_KEY, ns);
  }, [ns]);
  useEffect(() => localStorage.setItem("kd.locale", locale), [locale]);
  useEffect(() => localStorage.setItem("kd.dark", dark ? "1" : "0"), [dark]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const loading = (
    <Spin tip={t.loading}>
      <div style={{ minHeight: 80 }} />
    </Spin>
  );
  const section = "/" + (page.split("/")[1] ?? "");
  const withNs = (path: string) => clusterPath(ns ? `${path}?ns=${encodeURIComponent(ns)}` : path);
  const menu = useMemo(
    () => [
      { key: "/", label: <Link to={withNs("/")}>{t.overview}</Link> },
      { key: "/workloads", label: <Link to={withNs("/workloads")}>{t.workloads}</Link> },
      { key: "/rollouts", label: <Link to={withNs("/rollouts")}>{t.rollouts}</Link> },
      { key: "/inbox", label: <Link to={withNs("/inbox")} data-testid="inbox-link"><InboxLabel t={t} /></Link> },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, ns, cluster],
  );

  return (
    <ConfigProvider
      locale={locale === "zh-CN" ? zhCN : enUS}
      theme={themeConfig(dark)}
      // antd would write a two-character Chinese label as "删 除": then the button's accessible
      // name is not its visible text (WCAG 2.5.3), and it reads oddly.
      button={{ autoInsertSpace: false }}
      // rc-dialog names its close button "Close" whatever the language.
      modal={{ closable: { "aria-label": t.close } }}
    >
      <AntApp>
        <I18n.Provider value={t}>
          <AuthProvider value={auth}>
            <WorkloadTypesContext.Provider value={types}>
              <FleetProvider enabled={!auth.signedOut}>
              <Layout style={{ minHeight: "100vh" }} className={dark ? "kd-dark" : "kd-light"}>
                {/* The first thing the keyboard reaches: past the header to the page. */}
                <a
                  href="#main"
                  className="kd-skip"
                  data-testid="skip-link"
                  onClick={(e) => {
                    e.preventDefault();
                    focusContent();
                  }}
                >
                  {t.skipToContent}
                </a>
                <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16, flexWrap: "wrap", height: "auto", minHeight: 64 }}>
                  <Link to={withNs("/")} style={{ color: "#fff", fontWeight: 600, whiteSpace: "nowrap" }}>{t.title}</Link>
                  <FleetMenu selected={section} items={menu} />
                  <Space>
                    {!auth.signedOut && <ClusterSwitcher />}
                    <Select
                      aria-label={t.namespace}
                      data-testid="namespace-select"
                      value={ns || undefined}
                      onChange={(n: string) => setNs(n)}
                      showSearch
                      optionFilterProp="value"
                      style={{ width: 180 }}
                      options={(!ns || (namespaces ?? []).includes(ns) ? (namespaces ?? []) : [ns, ...(namespaces ?? [])]).map((n) => ({ value: n, label: <span translate="no">{n}</span> }))}
                    />
                    <Select
                      aria-label={t.language}
                      data-testid="language-select"
                      value={locale}
                      onChange={(l: Locale) => setLocale(l)}
                      style={{ width: 110 }}
                      // Each language by its own name, in its own language.
                      options={[
                        { value: "en-US", label: <span lang="en" translate="no">English</span> },
                        { value: "zh-CN", label: <span lang="zh-CN" translate="no">中文</span> },
                      ]}
                    />
                    {!auth.signedOut && <LiveIndicator />}
                    <Shortcuts />
                    <Switch aria-label={t.theme} checked={dark} onChange={setDark} checkedChildren="☾" unCheckedChildren="☀" />
                    <UserInfo auth={auth} />
                  </Space>
                </Layout.Header>
                <Layout.Content id="main" style={{ padding: 24 }}>
                  {auth.signedOut ? (
                    auth.config || auth.me ? (
                      <SignIn mode={auth.mode} signIn={auth.signIn} retry={auth.refresh} returnTo={location.pathname + location.search} reason={auth.me ? auth.signedOutReason : undefined} />
                    ) : auth.configError ? (
                      <ErrorAlert error={auth.configError} />
                    ) : (
                      <Spin />
                    )
                  ) : (
                    <>
                      <ErrorAlert error={typesError} />
                      {!ns && !NAMESPACELESS.includes(page) ? (
                        loading
                      ) : (
                        <Suspense fallback={loading}>
                          {/* A page of another cluster is a new page (keyed by the cluster): nothing of the last one's stays. */}
                          <Routes key={cluster}>
                            {pageRoutes("", ns)}
                            {pageRoutes("/c/:cluster", ns)}
                            <Route path="*" element={<NotFound ns={ns} />} />
                          </Routes>
                        </Suspense>
                      )}
                    </>
                  )}
                </Layout.Content>
              </Layout>
              </FleetProvider>
            </WorkloadTypesContext.Provider>
          </AuthProvider>
        </I18n.Provider>
      </AntApp>
    </ConfigProvider>
  );
}

/** The pages, at prefix: "" for the home cluster, "/c/:cluster" for any cluster by name. */
function pageRoutes(prefix: string, ns: string) {
  return [
    <Route key={prefix + "/"} path={prefix + "/"} element={<Overview ns={ns} />} />,
    <Route key={prefix + "/workloads"} path={prefix + "/workloads"} element={<Workloads ns={ns} />} />,
    <Route key={prefix + "/workloads/:type/:name"} path={prefix + "/workloads/:type/:name"} element={<WorkloadDetail ns={ns} />} />,
    <Route key={prefix + "/rollouts"} path={prefix + "/rollouts"} element={<Rollouts ns={ns} />} />,
    <Route key={prefix + "/rollouts/:name"} path={prefix + "/rollouts/:name"} element={<RolloutDetail ns={ns} />} />,
    <Route key={prefix + "/inbox"} path={prefix + "/inbox"} element={<Inbox />} />,
    <Route key={prefix + "/fleet"} path={prefix + "/fleet"} element={<Fleet />} />,
    <Route key={prefix + "/attention"} path={prefix + "/attention"} element={<Attention />} />,
  ];
}

/** Who is signed in (groups in the tooltip), the mode, read-only, and Sign out. */
function UserInfo({ auth }: { auth: Auth }) {
  const t = useT();
  const { message } = AntApp.useApp();
  const me = auth.signedOut ? undefined : auth.me;
  const readOnly = me?.readOnly ?? auth.config?.readOnly ?? false;
  const light = { color: "rgba(255, 255, 255, 0.85)", whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis", maxWidth: 240, display: "inline-block", verticalAlign: "middle" } as const;
  const signOut = () =>
    auth.signOut().then(
      () => message.success(t.signedOut),
      (e: unknown) => message.error(e instanceof Error ? e.message : String(e)),
    );
  return (
    <>
      {readOnly && (
        <Tooltip title={fmt(t.readOnlyHelp, { setting: "KD_READ_ONLY" })}>
          <Tag color="orange" data-testid="read-only">{t.readOnly}</Tag>
        </Tooltip>
      )}
      {auth.meError !== undefined && (
        <Tooltip title={auth.meError instanceof Error ? auth.meError.message : String(auth.meError)}>
          <Tag color="warning">{t.permissionsUnknown}</Tag>
        </Tooltip>
      )}
      {me && (
        <Tooltip title={me.groups?.length ? `${t.groups}: ${me.groups.join(", ")}` : undefined}>
          <span style={light} data-testid="current-user" translate={me.user ? "no" : undefined}>{me.user || t.noSignIn}</span>
        </Tooltip>
      )}
      {me && me.mode !== "none" && (
        <Tooltip title={t.authMode}>
          <Tag data-testid="auth-mode" translate="no">{me.mode}</Tag>
        </Tooltip>
      )}
      {auth.mode !== "none" && me && (
        <Button size="small" data-testid="sign-out" onClick={() => void signOut()}>
          {t.signOut}
        </Button>
      )}
    </>
  );
}
