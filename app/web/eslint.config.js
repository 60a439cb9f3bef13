// ESLint 9 flat config for the web UI: `npm run lint` (run by `make lint`, so by `make test`).
import { defineConfig } from "eslint/config";
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import importPlugin from "eslint-plugin-import";
import globals from "globals";

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "src/api/schema.ts"] }, // schema.ts is generated (npm run gen:api)
  {
    // A disable comment that no longer silences anything is an error, so none outlives its reason.
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, import: importPlugin },
    settings: {
      "import/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".js", ".json"] } },
    },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // The UI's module boundaries: no import cycle; App.tsx is imported by main.tsx alone (the
      // state pages share is in contexts.tsx); a page imports no other page (what pages share is
      // in components/); components import no page.
      "import/no-cycle": ["error", { ignoreExternal: true }],
      "import/no-self-import": "error",
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: ["./src/!(main).tsx", "./src/*.ts", "./src/{api,components,pages}/**"], from: "./src/App.tsx", message: "App.tsx is the root: share state through src/contexts.tsx." },
            { target: "./src/pages", from: "./src/pages", message: "A page imports no other page: move what they share into src/components/." },
            { target: "./src/components", from: "./src/pages", message: "Components import no page." },
          ],
        },
      ],
    },
  },
  {
    // Node scripts and config, and the browser tests (node --test), whose page.evaluate callbacks
    // run in the page.
    files: ["scripts/**/*.mjs", "*.js", "*.ts"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["e2e/**/*.mjs"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
