import { defineConfig } from "vite";

// No React plugin: esbuild compiles TSX with the automatic runtime, which is all the app needs.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: false, // keeps dist/.gitkeep, which lets the Go embed compile before a UI build
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      onwarn(warning, warn) {
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return; // antd's "use client" markers
        warn(warning);
      },
    },
  },
  server: { proxy: { "/api": "http://localhost:8080" } },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
