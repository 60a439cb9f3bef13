// Which namespace to show when the URL names none: the last one used, if it still exists; else the
// first namespace (in GET /namespaces order, system namespaces last) that has workloads; else the
// first namespace; else "default".

export const LAST_NAMESPACE_KEY = "kd.ns";

/** kube-system, kruise-system, local-path-storage…: they hold the cluster's own workloads. */
export const isSystemNamespace = (ns: string) => ns.startsWith("kube-") || ns.endsWith("-system") || ns === "local-path-storage";

/**
 * Chooses the namespace. namespaces is GET /namespaces (undefined when it failed); hasWorkloads
 * answers whether a namespace has any workload (false when it cannot tell). At most `limit`
 * namespaces are asked, `batch` at a time, and the first in order that has workloads wins.
 */
export async function chooseNamespace(
  last: string | null,
  namespaces: string[] | undefined,
  hasWorkloads: (ns: string) => Promise<boolean>,
  { limit = 24, batch = 4 } = {},
): Promise<string> {
  if (last && (!namespaces || namespaces.includes(last))) return last;
  if (!namespaces || namespaces.length === 0) return "default";
  const ordered = [...namespaces.filter((n) => !isSystemNamespace(n)), ...namespaces.filter(isSystemNamespace)].slice(0, limit);
  for (let i = 0; i < ordered.length; i += batch) {
    const group = ordered.slice(i, i + batch);
    const answers = await Promise.all(group.map((n) => hasWorkloads(n).catch(() => false)));
    const hit = group.find((_, j) => answers[j]);
    if (hit) return hit;
  }
  return ordered[0] ?? namespaces[0];
}
