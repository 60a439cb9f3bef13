import { Link, useLocation } from "react-router-dom";
import { Result } from "antd";
import { Title } from "../components/common";
import { useT } from "../i18n";
import { rawFmt } from "../components/raw";
import { clusterPath } from "../components/paths";

/** Any route the dashboard does not have. */
export function NotFound({ ns }: { ns: string }) {
  const t = useT();
  const location = useLocation();
  return (
    <div data-testid="not-found">
      <Title>{t.notFoundTitle}</Title>
      <Result
        status="404"
        subTitle={rawFmt(t.notFoundText, { path: location.pathname })}
        extra={
          <Link to={clusterPath(ns ? `/?ns=${encodeURIComponent(ns)}` : "/")} data-testid="back-to-overview">
            {t.backToOverview}
          </Link>
        }
      />
    </div>
  );
}
