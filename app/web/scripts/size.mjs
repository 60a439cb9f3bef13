// Prints the compressed size of the script the first route loads: the module scripts and
// modulepreloads dist/index.html names, with every chunk they import statically, and, with
// --route=<module>, a route's lazily loaded chunk (matched by its file name's prefix) with its own
// static imports. Sizes are gzip at level 9 (what the binary serves: app/web/web.go) and brotli
// (quality 11, for a proxy that serves it). Run by `npm run build` after `vite build`.
import { readFileSync, existsSync } from "node:fs";
import { join, dirname, posix } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const dist = join(dirname(new URL(import.meta.url).pathname), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
const tags = [...html.matchAll(/<(script|link)\b[^>]*>/g)].map((m) => m[0]);
const entries = tags
  .filter((t) => (t.startsWith("<script") && attr(t, "type") === "module") || (t.startsWith("<link") && attr(t, "rel") === "modulepreload"))
  .map((t) => attr(t, "src") ?? attr(t, "href"))
  .filter((src) => src && src.startsWith("/"))
  .map((src) => src.slice(1));
if (entries.length === 0) {
  console.error("size: no module script in dist/index.html");
  process.exit(1);
}

// A chunk's static imports: import ... from "./x.js" and import "./x.js" (Vite's relative names).
const staticImports = (file) => {
  const code = readFileSync(join(dist, file), "utf8");
  const out = new Set();
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) out.add(posix.join(posix.dirname(file), m[1]));
  return [...out];
};
const closure = (files, seen = new Set()) => {
  for (const f of files) {
    if (seen.has(f) || !existsSync(join(dist, f))) continue;
    seen.add(f);
    closure(staticImports(f), seen);
  }
  return seen;
};

const kB = (n) => `${(n / 1000).toFixed(2)} kB`; // as vite prints them
const measure = (files) => {
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const b = readFileSync(join(dist, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    br += brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length;
  }
  return { raw, gz, br };
};
const line = (label, files) => {
  const s = measure(files);
  console.log(`${label}: ${kB(s.gz)} gzip, ${kB(s.br)} brotli (${kB(s.raw)} raw; ${[...files].join(", ")})`);
  return s;
};

const first = closure(entries);
line("first script (index.html's, with its static imports)", first);
const route = process.argv.find((a) => a.startsWith("--route="))?.slice("--route=".length);
if (route) {
  // The chunk the first script imports dynamically (dist may hold older builds' chunks too).
  const name = new RegExp(`["'](\\.\\/${route}-[\\w-]+\\.js)["']`);
  const found = [...first].map((f) => [f, readFileSync(join(dist, f), "utf8").match(name)?.[1]]).find(([, m]) => m);
  if (!found) {
    console.error(`size: no chunk ${route}-*.js is imported by the first script`);
    process.exit(1);
  }
  {
    const extra = [...closure([posix.join(posix.dirname(found[0]), found[1])])].filter((f) => !first.has(f));
    line(`  + route ${route} (lazy)`, extra);
    line(`first route in all`, new Set([...first, ...extra]));
  }
}
