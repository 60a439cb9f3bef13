import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { LiveProvider } from "./live";
import "./styles.css";

// A route's chunk that fails to load (the binary was upgraded while this tab was open, so the old
// chunk names are gone) reloads the page, once, for the new build's index.html and chunks.
window.addEventListener("vite:preloadError", () => {
  const key = "kd.chunkReload";
  const last = Number(sessionStorage.getItem(key)) || 0;
  if (Date.now() - last < 10_000) return; // just reloaded for this: the error stands
  sessionStorage.setItem(key, String(Date.now()));
  location.reload();
});

createRoot(document.getElementById("root")!).render(
  <BrowserRouter>
    <LiveProvider>
      <App />
    </LiveProvider>
  </BrowserRouter>,
);
