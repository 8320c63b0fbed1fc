// The one door to the server (docs/serve-api.md). The CSRF token lives here, in memory only, and
// goes with every state-changing request; a reveal reason goes as X-Reveal-Reason. A 401 on any
// call but the sign-in itself means the session ended (idle timeout, signed out elsewhere): the
// app is told through `onSignedOut` and shows the sign-in form with a message.

let csrf = null;
let signedOut = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `The server answered ${status}.`);
    this.status = status;
    this.code = (body && body.code) || String(status);
    this.body = body || {};
  }
}

export function setCsrf(token) {
  csrf = token || null;
}

export function onSignedOut(handler) {
  signedOut = handler;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

// api("GET", "/api/alerts", {params: {state: "new"}}) -> parsed JSON (null for 204).
// {raw: true} answers the Response itself (downloads); {reveal: reason} asks for identities.
export async function api(method, path, options = {}) {
  const headers = { Accept: options.accept || "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  if (method !== "GET" && method !== "HEAD" && csrf) headers["X-CSRF-Token"] = csrf;
  if (options.reveal) headers["X-Reveal-Reason"] = options.reveal;
  let response;
  try {
    response = await fetch(path + query(options.params), init);
  } catch {
    throw new ApiError(0, { error: "The server cannot be reached. Is graphrisk serve still running?", code: "offline" });
  }
  if (response.ok) {
    if (options.raw) return response;
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    return type.includes("json") ? response.json() : response.text();
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (body && Array.isArray(body.detail) && !body.error) {
    // FastAPI's own 422: name the parameters it refused
    const names = body.detail.map((d) => (d.loc || []).slice(1).join(".") + ": " + d.msg);
    body = { error: `Check the input: ${names.join("; ")}`, code: "invalid" };
  }
  if (response.status === 401 && !options.signingIn) {
    setCsrf(null);
    signedOut(body && body.error);
  }
  throw new ApiError(response.status, body);
}

export const get = (path, params, options = {}) => api("GET", path, { ...options, params });

// The file name from Content-Disposition, or a fallback.
export function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}
