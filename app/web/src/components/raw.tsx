// The one mark of a value shown as it is (ARCHITECTURE.md, The web UI): its own module, so every
// component may use it.

/**
 * A value shown as the API or the user wrote it, not in the page's language: a name, an image, a
 * namespace, YAML, a command. Marked translate="no" (ARCHITECTURE.md, The web UI), which the
 * browser tests' zh-CN scan skips and translation tools leave alone.
 */
export function Raw({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <span translate="no" data-testid={testId}>
      {children}
    </span>
  );
}

/**
 * A message with its {placeholders} filled (as fmt does), each value marked Raw: the words are the
 * page's language, the names in them are not.
 */
export function rawFmt(message: string, values: Record<string, string | number>): React.ReactNode {
  const parts = message.split(/\{(\w+)\}/); // odd indexes are placeholder names
  return <>{parts.map((p, i) => (i % 2 === 0 ? p : p in values ? <Raw key={i}>{String(values[p])}</Raw> : `{${p}}`))}</>;
}
