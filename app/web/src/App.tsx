import { createContext, useContext, useEffect, useMemo, useState } from "react";
import { Link, Route, Routes, useLocation, useSearchParams } from "react-router-dom";
import { App as AntApp, ConfigProvider, Layout, Menu, Select, Space, Switch, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { listNamespaces } from "./api/namespace";
import { listWorkloadTypes } from "./api/workload";
import type { WorkloadType } from "./api/types";
import { ErrorAlert } from "./components/common";
import { I18n, initialLocale, messages, type Locale } from "./i18n";
import { Overview } from "./pages/Overview";
import { Workloads } from "./pages/Workloads";
import { WorkloadDetail } from "./pages/WorkloadDetail";
import { Rollouts } from "./pages/Rollouts";
import { RolloutDetail } from "./pages/RolloutDetail";

/** The registry's workload types, loaded once from the backend. */
const TypesContext = createContext<WorkloadType[]>([]);
export const useWorkloadTypes = () => useContext(TypesContext);

/** The namespace lives in the URL (?ns=), so links and reloads keep it. */
export function useNamespace(): [string, (ns: string) => void] {
  const [params, setParams] = useSearchParams();
  const ns = params.get("ns") ?? "default";
  return [ns, (next) => setParams((p) => { p.set("ns", next); return p; })];
}

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [dark, setDark] = useState(() => localStorage.getItem("kd.dark") === "1");
  const [types, setTypes] = useState<WorkloadType[]>([]);
  const [typesError, setTypesError] = useState<unknown>();
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [ns, setNs] = useNamespace();
  const location = useLocation();
  const t = messages[locale];

  useEffect(() => {
    listWorkloadTypes().then(setTypes, setTypesError);
    listNamespaces().then(setNamespaces, () => setNamespaces([]));
  }, []);
  useEffect(() => localStorage.setItem("kd.locale", locale), [locale]);
  useEffect(() => localStorage.setItem("kd.dark", dark ? "1" : "0"), [dark]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const section = "/" + (location.pathname.split("/")[1] ?? "");
  const withNs = (path: string) => `${path}?ns=${encodeURIComponent(ns)}`;
  const menu = useMemo(
    () => [
      { key: "/", label: <Link to={withNs("/")}>{t.overview}</Link> },
      { key: "/workloads", label: <Link to={withNs("/workloads")}>{t.workloads}</Link> },
      { key: "/rollouts", label: <Link to={withNs("/rollouts")}>{t.rollouts}</Link> },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, ns],
  );

  return (
    <ConfigProvider locale={locale === "zh-CN" ? zhCN : enUS} theme={{ algorithm: dark ? theme.darkAlgorithm : theme.defaultAlgorithm }}>
      <AntApp>
        <I18n.Provider value={t}>
          <TypesContext.Provider value={types}>
            <Layout style={{ minHeight: "100vh" }}>
              <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16 }}>
                <Link to={withNs("/")} style={{ color: "#fff", fontWeight: 600, whiteSpace: "nowrap" }}>{t.title}</Link>
                <Menu theme="dark" mode="horizontal" selectedKeys={[section]} items={menu} style={{ flex: 1, minWidth: 0 }} />
                <Space>
                  <Select
                    aria-label={t.namespace}
                    data-testid="namespace-select"
                    value={ns}
                    onChange={setNs}
                    showSearch
                    style={{ width: 180 }}
                    options={(namespaces.includes(ns) ? namespaces : [ns, ...namespaces]).map((n) => ({ value: n, label: n }))}
                  />
                  <Select
                    aria-label={t.language}
                    data-testid="language-select"
                    value={locale}
                    onChange={(l: Locale) => setLocale(l)}
                    style={{ width: 110 }}
                    options={[{ value: "en-US", label: "English" }, { value: "zh-CN", label: "中文" }]}
                  />
                  <Switch aria-label={t.theme} checked={dark} onChange={setDark} checkedChildren="☾" unCheckedChildren="☀" />
                </Space>
              </Layout.Header>
              <Layout.Content style={{ padding: 24 }}>
                <ErrorAlert error={typesError} />
                <Routes>
                  <Route path="/" element={<Overview ns={ns} />} />
                  <Route path="/workloads" element={<Workloads ns={ns} />} />
                  <Route path="/workloads/:type/:name" element={<WorkloadDetail ns={ns} />} />
                  <Route path="/rollouts" element={<Rollouts ns={ns} />} />
                  <Route path="/rollouts/:name" element={<RolloutDetail ns={ns} />} />
                </Routes>
              </Layout.Content>
            </Layout>
          </TypesContext.Provider>
        </I18n.Provider>
      </AntApp>
    </ConfigProvider>
  );
}
