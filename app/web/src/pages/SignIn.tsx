import { useState } from "react";
import { Alert, Button, Card, Input, Space, Typography } from "antd";
import { oidcLoginUrl } from "../api/auth";
import type { AuthMode } from "../api/types";
import { ErrorAlert } from "../components/common";
import { useT } from "../i18n";

/**
 * The sign-in page for the server's mode. It replaces the page the user asked for without changing
 * the URL, so after a token sign-in the same page loads; OIDC comes back to the same path.
 */
export function SignIn(props: { mode: AuthMode; signIn: (token: string) => Promise<void>; retry: () => void; returnTo: string; reason?: string }) {
  const t = useT();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.signIn(token.trim());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ display: "flex", justifyContent: "center", paddingTop: 48 }}>
      <Card title={<h1 style={{ fontSize: 16, margin: 0, fontWeight: 600 }}>{t.signInTitle}</h1>} style={{ width: 560 }} data-testid="sign-in-page">
        {/* The server's own words on why the session ended (access ended, signed out elsewhere). */}
        {props.reason && props.mode !== "none" && <Alert type="info" showIcon message={props.reason} style={{ marginBottom: 16 }} data-testid="sign-in-reason" />}
        {props.mode === "token" && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (token.trim()) void submit();
            }}
          >
            <Space direction="vertical" style={{ width: "100%" }}>
              <Typography.Text>{t.tokenHelp}</Typography.Text>
              <Typography.Text code copyable translate="no">kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</Typography.Text>
              <Input.Password
                id="token"
                aria-label={t.token}
                placeholder={t.token}
                data-testid="token-input"
                autoComplete="off"
                value={token}
                onChange={(e) => setToken(e.target.value)}
                autoFocus
              />
              <Button type="primary" htmlType="submit" data-testid="sign-in" loading={busy} disabled={!token.trim()} title={token.trim() ? undefined : t.tokenRequired}>
                {t.signIn}
              </Button>
              <ErrorAlert error={error} />
            </Space>
          </form>
        )}
        {props.mode === "oidc" && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text>{t.oidcHelp}</Typography.Text>
            <Button type="primary" data-testid="oidc-sign-in" onClick={() => window.location.assign(oidcLoginUrl(props.returnTo))}>
              {t.signInOidc}
            </Button>
          </Space>
        )}
        {props.mode === "none" && (
          <Space direction="vertical" style={{ width: "100%" }}>
            <Alert type="warning" showIcon message={t.noSignInConfigured} />
            <Button onClick={props.retry}>{t.retry}</Button>
          </Space>
        )}
      </Card>
    </div>
  );
}
