// Data several screens share, fetched once per session and refreshed on demand.

import { office, onSessionChange, request } from "./api.js";

let cache = {};
onSessionChange((session, reason) => {
  if (reason !== "refresh") cache = {};
});

function cached(key, load, fresh = false) {
  if (fresh || !cache[key]) {
    cache[key] = load().catch((error) => {
      delete cache[key];
      throw error;
    });
  }
  return cache[key];
}

/** The office's administrations (with inbox_email when the API has it). */
export function administrations({ fresh = false } = {}) {
  return cached("administrations", async () => (await request("GET", office("administrations"))).administrations, fresh);
}

/** The calling user: {username, role, is_admin, ...}. */
export function me() {
  return cached("me", () => request("GET", "/v1/me"));
}

export function users({ fresh = false } = {}) {
  return cached("users", async () => (await request("GET", office("users"))).users, fresh);
}

export function glAccounts(administrationId) {
  return cached(`gl:${administrationId}`, async () =>
    (await request("GET", office(`administrations/${encodeURIComponent(administrationId)}/gl-accounts`))).gl_accounts);
}

export function vatCodes(administrationId) {
  return cached(`vat:${administrationId}`, async () =>
    (await request("GET", office(`administrations/${encodeURIComponent(administrationId)}/vat-codes`))).vat_codes);
}

/** Suppliers of an administration, searched by the API (`q`); not cached (they change with each sync). */
export async function suppliers(administrationId, q = "", { limit = 20, signal } = {}) {
  const answer = await request("GET", office(`administrations/${encodeURIComponent(administrationId)}/suppliers`),
    { query: { q, limit }, signal });
  return answer.suppliers;
}

/** The last administration the user worked in (the start page opens its inbox). */
export function lastAdministration(value) {
  const key = "boekstuk.lastAdministration";
  if (value) localStorage.setItem(key, value);
  return localStorage.getItem(key);
}
