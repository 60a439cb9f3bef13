import { useSyncExternalStore } from "react";
import { Link } from "react-router-dom";
import { Button, Card, Tooltip, Typography } from "antd";
import { StarFilled, StarOutlined } from "@ant-design/icons";
import { currentCluster, homeCluster } from "../api/clusterScope";
import { useFleet } from "../contexts";
import { favouriteKey, favourites, type Favourite } from "../favourites";
import { fmt, useT } from "../i18n";
import { rolloutPath, workloadPath } from "./paths";
import { Raw } from "./raw";
import { TypeOfId } from "./values";

/** The favourites, re-rendering on a change. */
export const useFavourites = () => useSyncExternalStore(favourites.subscribe, favourites.list, favourites.list);

/** The star that pins or unpins a workload or a Rollout of the page's cluster (default). */
export function FavouriteStar({ kind, type = "", namespace, name, cluster = currentCluster() }: { kind: Favourite["kind"]; type?: string; namespace: string; name: string; cluster?: string }) {
  const t = useT();
  const all = useFavourites();
  const f: Favourite = { cluster, kind, type: kind === "rollout" ? "" : type, namespace, name };
  const pinned = all.some((x) => favouriteKey(x) === favouriteKey(f));
  const label = fmt(pinned ? t.unpin : t.pin, { name });
  return (
    <Tooltip title={label}>
      <Button
        type="text"
        size="small"
        aria-label={label}
        aria-pressed={pinned}
        data-testid="favourite-star"
        data-pinned={String(pinned)}
        icon={pinned ? <StarFilled style={{ color: "#faad14" }} /> : <StarOutlined />}
        onClick={() => favourites.toggle(f)}
      />
    </Tooltip>
  );
}

/** A page's h1 with the star after it. */
export function TitleRow({ children, star }: { children: React.ReactNode; star: React.ReactNode }) {
  return (
    <div style={{ display: "flex", alignItems: "flex-start", gap: 8 }}>
      {children}
      <span style={{ marginTop: 4 }}>{star}</span>
    </div>
  );
}

/** Where a favourite's page is. */
export const favouritePath = (f: Favourite) => (f.kind === "rollout" ? rolloutPath(f.namespace, f.name, f.cluster) : workloadPath(f.namespace, f.type, f.name, f.cluster));

/** The favourites card: each pinned object with its cluster, linking to its page (none: hidden when hideEmpty). */
export function Favourites({ hideEmpty }: { hideEmpty?: boolean }) {
  const t = useT();
  const all = useFavourites();
  const { multi } = useFleet();
  if (hideEmpty && all.length === 0) return null;
  return (
    <Card title={t.favourites} extra={<Typography.Text type="secondary">{t.favouritesHelp}</Typography.Text>} style={{ marginTop: 16 }} data-testid="favourites">
      {all.length === 0 ? (
        <Typography.Text type="secondary">{t.favouritesNone}</Typography.Text>
      ) : (
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {all.map((f) => (
            <li key={favouriteKey(f)} data-testid="favourite">
              {/* Underlined: a link inside a line of text is told from it by more than its colour (WCAG 1.4.1). */}
              <Link to={favouritePath(f)} translate="no" style={{ textDecoration: "underline" }}>
                {f.namespace}/{f.name}
              </Link>
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                {f.kind === "rollout" ? t.rollout : <TypeOfId type={f.type} />}
                {(f.cluster || multi) && (
                  <>
                    {" · "}
                    <Raw>{f.cluster || homeCluster()}</Raw>
                  </>
                )}
              </Typography.Text>
              <FavouriteStar {...f} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
