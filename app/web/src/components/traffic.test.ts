import { expect, it } from "vitest";
import { matchText } from "./TrafficPanel";

// How the traffic panel writes a match rule of a step or of what the controller wrote.
it("writes header, regular-expression, path and query matches", () => {
  expect(matchText({ headers: [{ name: "x-canary", type: "Exact", value: "beta" }], queryParams: [] })).toBe("x-canary: beta");
  expect(matchText({ headers: [{ name: "user", type: "RegularExpression", value: "^(a|b)$" }], queryParams: [] })).toBe("user ~ ^(a|b)$");
  expect(
    matchText({
      path: { type: "PathPrefix", value: "/api" },
      headers: [{ name: "x-canary", type: "Exact", value: "beta" }],
      queryParams: [{ name: "v", type: "Exact", value: "2" }],
    }),
  ).toBe("path /api & x-canary: beta & ?v: 2");
});
