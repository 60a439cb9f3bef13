import { afterEach, describe, expect, it } from "vitest";
import { ApiError, REMEMBERED_ANSWERS, forgetAnswers, setFetch } from "./http";
import { listNamespaces } from "./namespace";
import { getWorkload } from "./workload";
import { logout } from "./auth";

interface Sent {
  method: string;
  url: string;
  ifNoneMatch: string | null;
}

/**
 * A fake server: GETs answer data with the ETag "v<version>" (304 when If-None-Match names it),
 * or status when set; every request is recorded.
 */
function server() {
  const s = { version: 1, status: 0, etag: true, sent: [] as Sent[] };
  setFetch(async (input, init) => {
    const ifNoneMatch = new Headers(init?.headers).get("If-None-Match");
    s.sent.push({ method: init?.method ?? "GET", url: String(input), ifNoneMatch });
    if (s.status) return new Response(JSON.stringify({ trace_id: "t", message: "sign in first", code: "UNAUTHORIZED" }), { status: s.status });
    const etag = `"v${s.version}"`;
    const headers: Record<string, string> = s.etag ? { ETag: etag } : {};
    if (ifNoneMatch === etag) return new Response(null, { status: 304, headers });
    return new Response(JSON.stringify({ data: { url: String(input), version: s.version } }), { status: 200, headers });
  });
  return s;
}

afterEach(() => {
  forgetAnswers();
  setFetch((...args) => fetch(...args));
});

describe("GET answers are kept in memory and revalidated", () => {
  it("sends If-None-Match with the kept ETag and takes a 304 as the kept body", async () => {
    const s = server();
    const first = await listNamespaces();
    const again = await listNamespaces();
    expect(again).toEqual(first);
    expect(s.sent.map((x) => x.ifNoneMatch)).toEqual([null, '"v1"']);
    // A changed answer (200, new ETag) replaces the kept one.
    s.version = 2;
    await expect(listNamespaces()).resolves.toEqual({ url: "/api/v1/namespaces", version: 2 });
    await expect(listNamespaces()).resolves.toEqual({ url: "/api/v1/namespaces", version: 2 });
    expect(s.sent.map((x) => x.ifNoneMatch)).toEqual([null, '"v1"', '"v1"', '"v2"']);
  });

  it("keys by URL: another path or query is another answer", async () => {
    const s = server();
    await getWorkload("demo", "cloneset", "a");
    await getWorkload("demo", "cloneset", "b");
    await getWorkload("demo", "cloneset", "a");
    expect(s.sent.map((x) => [x.url, x.ifNoneMatch])).toEqual([
      ["/api/v1/workload/demo/cloneset/a", null],
      ["/api/v1/workload/demo/cloneset/b", null],
      ["/api/v1/workload/demo/cloneset/a", '"v1"'],
    ]);
  });

  it("a 401 forgets everything", async () => {
    const s = server();
    await listNamespaces();
    s.status = 401;
    const err = await getWorkload("demo", "cloneset", "a").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    s.status = 0;
    await listNamespaces();
    expect(s.sent.at(-1)?.ifNoneMatch).toBeNull();
  });

  it("signing out forgets everything", async () => {
    const s = server();
    await listNamespaces();
    await logout().catch(() => undefined);
    await listNamespaces();
    expect(s.sent.map((x) => [x.method, x.ifNoneMatch])).toEqual([
      ["GET", null],
      ["POST", null],
      ["GET", null],
    ]);
  });

  it("an answer without an ETag is not kept", async () => {
    const s = server();
    s.etag = false;
    await listNamespaces();
    await listNamespaces();
    expect(s.sent.map((x) => x.ifNoneMatch)).toEqual([null, null]);
  });

  it("is bounded: the least recently used answer goes first", async () => {
    const s = server();
    await getWorkload("demo", "cloneset", "first");
    for (let i = 0; i < REMEMBERED_ANSWERS; i++) await getWorkload("demo", "cloneset", `w${i}`);
    await getWorkload("demo", "cloneset", "first");
    expect(s.sent.at(-1)).toMatchObject({ url: "/api/v1/workload/demo/cloneset/first", ifNoneMatch: null });
    await getWorkload("demo", "cloneset", `w${REMEMBERED_ANSWERS - 1}`);
    expect(s.sent.at(-1)?.ifNoneMatch).toBe('"v1"');
  });
});
