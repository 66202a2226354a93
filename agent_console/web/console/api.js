// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

const csrf = document.querySelector('meta[name="csrf-token"]').content;

// The console's JSON API: same-origin cookie, CSRF token on every change; 401 -> login.
export async function api(method, path, body) {
  const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") {
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRF-Token"] = csrf;
    options.body = JSON.stringify(body || {});
  }
  const response = await fetch(`/console/api${path}`, options);
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) { location.href = "/console/login"; }
  if (!response.ok) {
    const error = new Error(typeof data.detail === "string" ? data.detail : `Error ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}
