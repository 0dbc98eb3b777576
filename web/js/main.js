// The app's entry point: configuration, routes, the top navigation and the session's lifecycle.

import { currentSession, loadConfig, logout, onSessionChange } from "./api.js";
import { h, replace } from "./dom.js";
import { location, navigate, render, route, start } from "./router.js";
import { loginView, passwordResetView } from "./views/auth.js";
import { homeView, inboxView } from "./views/inbox.js";
import {
  activateView, administrationsView, confirmView, connectedView, packageView, signupView,
} from "./views/onboarding.js";
import { reviewView } from "./views/review.js";
import {
  administrationsSettingsView, approvalSettingsView, connectionSettingsView, connectionsSettingsView, rulesSettingsView,
  settingsHome, usersSettingsView,
} from "./views/settings.js";

function renderNav() {
  const nav = document.getElementById("topnav");
  const session = currentSession();
  nav.hidden = !session;
  if (!session) {
    nav.replaceChildren();
    return;
  }
  const path = location().path;
  const current = (prefix) => (path === prefix || path.startsWith(`${prefix}/`) ? "page" : null);
  const out = h("button", { type: "button", class: "link-button logout" }, "Uitloggen");
  out.addEventListener("click", async () => {
    await logout();
    navigate("/login?loggedout=1");
  });
  replace(nav, h("ul", {},
    h("li", {}, h("a", { href: "#/", "aria-current": current("/inbox") || (path === "/" ? "page" : null) }, "Inbox")),
    h("li", {}, h("a", { href: "#/settings/administrations", "aria-current": current("/settings") }, "Instellingen")),
    h("li", { class: "who" }, h("span", { class: "visually-hidden" }, "Ingelogd als "), `${session.username} · ${session.office_code}`),
    h("li", {}, out)));
}

async function main() {
  await loadConfig();

  route("/login", loginView, { auth: false });
  route("/password-reset", passwordResetView, { auth: false });
  route("/onboarding", () => navigate("/onboarding/signup", { replace: true }), { auth: false });
  route("/onboarding/signup", signupView, { auth: false });
  route("/onboarding/confirm", confirmView, { auth: false });
  route("/onboarding/activate", activateView, { auth: false });
  route("/onboarding/package", packageView);
  route("/onboarding/connected", connectedView);
  route("/onboarding/administrations", administrationsView);
  route("/", homeView);
  route("/inbox", homeView);
  route("/inbox/:id", inboxView);
  route("/documents/:id", reviewView);
  route("/settings", settingsHome);
  route("/settings/administrations", administrationsSettingsView);
  route("/settings/approval/:id", approvalSettingsView);
  route("/settings/rules/:id", rulesSettingsView);
  route("/settings/users", usersSettingsView);
  route("/settings/connections", connectionsSettingsView);
  route("/settings/connections/:id", connectionSettingsView);

  document.addEventListener("routechange", renderNav);
  onSessionChange((session, reason) => {
    renderNav();
    if (!session && reason === "expired") {
      const here = location().full;
      navigate(`/login?expired=1&next=${encodeURIComponent(here.startsWith("/login") ? "/" : here)}`);
    } else if (!session && reason === "logout" && !location().path.startsWith("/login")) {
      navigate("/login?loggedout=1");
    }
  });

  // A file dropped next to the drop zone must not make the browser open it (and leave the app).
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  document.getElementById("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });

  renderNav();
  start();
}

main().catch((error) => {
  console.error(error);
  render();
});
