// The API client: the base URL (config.json or same origin), the session (login, refresh before expiry and on
// a 401 with one retry, logout), RFC 9457 problem documents as ApiError with per-field messages.

import { fieldMessage } from "./nl.js";

let apiBase = "";

/** Read config.json next to index.html ({"api_base_url": "https://..."}); without it the API is same origin. */
export async function loadConfig() {
  try {
    const answer = await fetch("/config.json", { cache: "no-cache", credentials: "omit" });
    if (!answer.ok) return;
    const config = await answer.json();
    if (config && typeof config.api_base_url === "string" && /^https?:\/\//.test(config.api_base_url)) {
      apiBase = config.api_base_url.replace(/\/+$/, "");
    }
  } catch {
    // No config.json (local stack, or a host without one): the API is on this origin.
  }
}

export function apiUrl(path) {
  return `${apiBase}${path}`;
}

/** Where the web app lives (for the OAuth callback's redirect and links). */
export function appOrigin() {
  return window.location.origin;
}

/** A field path as the form uses it: "lines[0].gl_account" and "body.lines.0.gl_account" -> "lines.0.gl_account". */
export function normalizeField(field) {
  return String(field || "body").replace(/\[(\d+)\]/g, ".$1").replace(/^body\./, "").replace(/^\./, "");
}

export class ApiError extends Error {
  constructor({ status = 0, code = "network_error", title = "", detail = "", errors = [], retryAfter = null, body = {} }) {
    super(detail || title || code);
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(errors) ? errors : [];
    this.retryAfter = retryAfter;
    this.body = body || {};
  }

  /** {"lines.0.gl_account": "Dutch message", ...} for the fields the API named. */
  fieldErrors() {
    const out = {};
    for (const item of this.errors) {
      if (!item || typeof item !== "object") continue;
      const field = normalizeField(item.field);
      if (!(field in out)) out[field] = fieldMessage(field, item.message);
    }
    return out;
  }
}

function retryAfterSeconds(header) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(header);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

async function problemFrom(answer) {
  let body = {};
  try {
    const text = await answer.text();
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  if (!body || typeof body !== "object") body = {};
  const code = typeof body.code === "string" ? body.code
    : answer.status === 401 ? "unauthorized" : answer.status >= 500 ? "internal_error" : "bad_request";
  return new ApiError({
    status: answer.status, code, title: body.title || "", detail: body.detail || "", errors: body.errors,
    retryAfter: retryAfterSeconds(answer.headers.get("Retry-After")), body,
  });
}

// --- the session ---------------------------------------------------------------------------------------

const SESSION_KEY = "boekstuk.session";
const REFRESH_MARGIN_MS = 120_000; // refresh this long before the access token runs out

let session = readSession();
let refreshing = null;
let refreshTimer = null;
const listeners = new Set();

function readSession() {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
    return value && value.access_token && value.office_code ? value : null;
  } catch {
    return null;
  }
}

function writeSession(next, reason = "") {
  session = next;
  if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else localStorage.removeItem(SESSION_KEY);
  scheduleRefresh();
  for (const listener of listeners) listener(session, reason);
}

/** The logged-in user ({office_code, username, ...}) or null. */
export function currentSession() {
  return session;
}

/** Call `fn(session, reason)` whenever the session starts, ends ("logout", "expired") or changes. */
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The session kept from a login's or refresh's answer: each answer names the refresh token to keep. */
function fromTokens(tokens, office_code, username) {
  return {
    office_code, username,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token || null,
    expires_at: Date.now() + Number(tokens.expires_in || 3600) * 1000,
    lifetime_ms: Number(tokens.expires_in || 3600) * 1000,
  };
}

/** Log in; throws ApiError (401 invalid_credentials, 429 too_many_attempts with retryAfter). */
export async function login(office_code, username, password) {
  const tokens = await request("POST", "/v1/sessions", { body: { office_code, username, password }, auth: false });
  writeSession(fromTokens(tokens, office_code, username), "login");
  return session;
}

/** Exchange the refresh token for a new access token; true when it worked. One refresh at a time. */
export function refreshSession() {
  if (refreshing) return refreshing;
  const current = session;
  if (!current || !current.refresh_token) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const tokens = await request("POST", "/v1/sessions/refresh",
        { body: { refresh_token: current.refresh_token }, auth: false });
      if (session && session.refresh_token === current.refresh_token) {
        writeSession(fromTokens(tokens, current.office_code, current.username), "refresh");
      }
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        return false; // the refresh token is revoked or expired: only a new login helps
      }
      throw error; // offline or the API is down: keep the session, the caller shows the error
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session || !session.refresh_token) return;
  const margin = Math.min(REFRESH_MARGIN_MS, (session.lifetime_ms || 3_600_000) / 4);
  const due = Math.max(1000, session.expires_at - Date.now() - margin);
  refreshTimer = setTimeout(() => {
    refreshSession().then((ok) => { if (!ok) expire(); }).catch(() => scheduleRetry());
  }, due);
}

function scheduleRetry() {
  // The refresh failed on the network: try again soon (the access token may still be valid for a while).
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refreshSession().then((ok) => { if (!ok) expire(); }).catch(scheduleRetry), 15_000);
}

function expire() {
  if (session) writeSession(null, "expired");
}

async function ensureFresh() {
  if (!session) return;
  const margin = Math.min(REFRESH_MARGIN_MS, (session.lifetime_ms || 3_600_000) / 4);
  if (session.expires_at - Date.now() < margin) {
    try {
      if (!(await refreshSession())) expire();
    } catch {
      // Offline: try the request with the token we have.
    }
  }
}

// Timers sleep in background tabs and laptops: check the token as soon as the page is visible again.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") ensureFresh();
});

// Another tab logged out or in: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== SESSION_KEY) return;
  const next = readSession();
  const reason = next ? "refresh" : "logout";
  session = next;
  scheduleRefresh();
  for (const listener of listeners) listener(session, reason);
});

/**
 * Log out: forget the session here, and revoke its refresh token at the API (DELETE /v1/sessions: holding the
 * refresh token is what counts, so an access token that ran out does not stop it).
 */
export async function logout() {
  const current = session;
  writeSession(null, "logout");
  if (!current || !current.refresh_token) return;
  try {
    await request("DELETE", "/v1/sessions", { body: { refresh_token: current.refresh_token }, auth: false });
  } catch {
    // Offline or refused: the refresh token stays valid at the API until it expires; nothing else to do here.
  }
}

// --- requests ------------------------------------------------------------------------------------------

function buildUrl(path, query) {
  const url = apiUrl(path);
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${url}?${text}` : url;
}

async function send(method, url, body, auth, signal) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && session) headers.Authorization = `Bearer ${session.access_token}`;
  try {
    return await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: "omit",
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "network_error" });
  }
}

/**
 * Call the API: JSON in and out, problems thrown as ApiError. With `auth` the access token is refreshed before
 * it runs out, and a 401 refreshes it and retries the request once; only a refused refresh ends the session.
 */
export async function request(method, path, { body, query, auth = true, signal } = {}) {
  if (auth) {
    if (!session) throw new ApiError({ status: 401, code: "session_expired" });
    await ensureFresh();
  }
  const url = buildUrl(path, query);
  let answer = await send(method, url, body, auth, signal);
  if (answer.status === 401 && auth && session) {
    let refreshed = false;
    try {
      refreshed = await refreshSession();
    } catch {
      throw new ApiError({ status: 0, code: "network_error" });
    }
    if (!refreshed) {
      expire();
      throw new ApiError({ status: 401, code: "session_expired" });
    }
    answer = await send(method, url, body, auth, signal);
  }
  if (!answer.ok) throw await problemFrom(answer);
  if (answer.status === 204) return null;
  const text = await answer.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError({ status: answer.status, code: "internal_error" });
  }
}

/** The path of an office-scoped resource: office("documents") -> "/v1/offices/<office>/documents". */
export function office(path = "") {
  if (!session) throw new ApiError({ status: 401, code: "session_expired" });
  return `/v1/offices/${encodeURIComponent(session.office_code)}${path ? `/${path}` : ""}`;
}

/**
 * The bytes of a document's original: GET .../content answers 302 to a short-lived presigned URL (served as an
 * attachment); fetch follows it and the app renders the bytes itself. Returns a Blob.
 */
export async function documentContent(documentId, signal) {
  await ensureFresh();
  const url = apiUrl(`${office("documents")}/${encodeURIComponent(documentId)}/content`);
  const get = () => fetch(url, {
    headers: { Authorization: `Bearer ${session ? session.access_token : ""}` }, redirect: "follow", signal,
    credentials: "omit",
  });
  let answer;
  try {
    answer = await get();
    if (answer.status === 401 && (await refreshSession())) answer = await get();
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError({ status: 0, code: "network_error" });
  }
  if (!answer.ok) throw await problemFrom(answer);
  return answer.blob();
}
