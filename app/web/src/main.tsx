import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { LiveProvider } from "./live";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <BrowserRouter>
    <LiveProvider>
      <App />
    </LiveProvider>
  </BrowserRouter>,
);
