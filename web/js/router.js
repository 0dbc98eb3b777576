// Hash routing (#/inbox/<id>), so any static host serves the app: one index.html, no server rewrites.

import { currentSession } from "./api.js";
import { h, replace } from "./dom.js";

const routes = [];
let active = null; // {controller, cleanup}
let renderSeq = 0;

/** Register a route: route("/documents/:id", handler, {auth: true}). */
export function route(pattern, handler, { auth = true } = {}) {
  const names = [];
  const source = pattern.replace(/:([a-z_]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}$`), names, handler, auth });
}

/** The current hash as {path, query}. */
export function location() {
  const raw = window.location.hash.startsWith("#/") ? window.location.hash.slice(1) : "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", query: new URLSearchParams(search), full: raw };
}

/** Go to a hash route ("/inbox/abc"); `replace` keeps the back button where it was. */
export function navigate(path, { replace: replaceEntry = false } = {}) {
  const target = `#${path}`;
  if (window.location.hash === target) {
    render();
  } else if (replaceEntry) {
    window.history.replaceState(null, "", target);
    render();
  } else {
    window.location.hash = target;
  }
}

/** The page's <main>, its title and focus: every screen starts with one h1 that receives focus. */
function setTitle(text) {
  document.title = `${text} · boekstuk`;
}

export function render() {
  const { path, query, full } = location();
  const main = document.getElementById("main");
  if (active) {
    active.controller.abort();
    if (typeof active.cleanup === "function") active.cleanup();
    active = null;
  }
  const seq = ++renderSeq;
  for (const item of routes) {
    const match = item.regex.exec(path);
    if (!match) continue;
    if (item.auth && !currentSession()) {
      navigate(`/login?next=${encodeURIComponent(full)}`, { replace: true });
      return;
    }
    const params = {};
    item.names.forEach((name, index) => { params[name] = decodeURIComponent(match[index + 1]); });
    const controller = new AbortController();
    active = { controller, cleanup: null };
    const ctx = { params, query, main, signal: controller.signal, setTitle, path, full,
      isCurrent: () => seq === renderSeq };
    main.replaceChildren();
    document.dispatchEvent(new CustomEvent("routechange", { detail: { path } }));
    Promise.resolve(item.handler(ctx)).then((cleanup) => {
      if (active && active.controller === controller) active.cleanup = cleanup;
      else if (typeof cleanup === "function") cleanup();
    }).catch((error) => {
      if (error && error.name === "AbortError") return;
      console.error(error);
      replace(main, h("h1", { tabindex: "-1" }, "Er ging iets mis"),
        h("p", {}, "Deze pagina kon niet worden geladen. Probeer het opnieuw."));
    });
    return;
  }
  setTitle("Niet gevonden");
  replace(main, h("h1", { tabindex: "-1" }, "Deze pagina bestaat niet"),
    h("p", {}, h("a", { href: "#/" }, "Naar het begin")));
  focusHeading();
}

/** Move focus to the screen's h1 after a route change (screen readers hear where they are). */
export function focusHeading() {
  const heading = document.querySelector("#main h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}

export function start() {
  window.addEventListener("hashchange", () => {
    if (window.location.hash.startsWith("#/") || window.location.hash === "") render();
  });
  render();
}
