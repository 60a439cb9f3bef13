import { Typography } from "antd";
import { useCurrentCluster } from "../contexts";
import { useT } from "../i18n";
import { forCluster, needsClusterNote, type CommandCluster } from "./commands";
import { rawFmt } from "./raw";

/**
 * An equivalent command as it runs against its cluster (default: the page's): with --context for a
 * cluster from a kubeconfig context, else after a line saying which cluster to run it against
 * (the home cluster's as it is).
 */
export function CommandLine({ command, cluster, copyable = true, testId = "command" }: { command: string; cluster?: CommandCluster; copyable?: boolean; testId?: string }) {
  const t = useT();
  const page = useCurrentCluster();
  const c = cluster ?? page;
  return (
    <>
      {needsClusterNote(c) && (
        <div data-testid="command-cluster">
          <Typography.Text type="secondary">{rawFmt(t.commandCluster, { cluster: c.name, source: c.source || c.origin })}</Typography.Text>
        </div>
      )}
      {t.command}:{" "}
      <Typography.Text code copyable={copyable} data-testid={testId} translate="no">
        {forCluster(command, c)}
      </Typography.Text>
    </>
  );
}
