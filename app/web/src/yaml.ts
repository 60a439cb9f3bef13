// A small YAML writer for the read-only object view (no dependency for a one-way dump).

const plain = /^[A-Za-z0-9_./:-][A-Za-z0-9_ ./:@-]*$/;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const s = String(v);
  const ambiguous = /^(true|false|null|yes|no|~|[0-9.+-]+)$/i.test(s) || s.includes(": ") || s.includes(" #") || s.endsWith(" ") || s.endsWith(":");
  return plain.test(s) && !ambiguous ? s : JSON.stringify(s);
}

export function toYaml(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value
      .map((item) => {
        const inner = toYaml(item, indent + "  ");
        return isBlock(item) ? `${indent}- ${inner.trimStart()}` : `${indent}- ${inner}`;
      })
      .join("\n");
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    return entries
      .map(([k, v]) => (isBlock(v) ? `${indent}${scalar(k)}:\n${toYaml(v, indent + "  ")}` : `${indent}${scalar(k)}: ${toYaml(v, indent + "  ")}`))
      .join("\n");
  }
  return scalar(value);
}

function isBlock(v: unknown): boolean {
  return (Array.isArray(v) && v.length > 0) || (!!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0);
}
