// SPDX-License-Identifier: Apache-2.0
// cardkit desk agent client: an ES module, no build step.
//
//   import { CardkitAgent, patientForm } from "http://127.0.0.1:8765/cardkit-agent.js";
//   const agent = new CardkitAgent({ token: "ck_..." });      // from `cardkit agent pair ORIGIN`
//   agent.events((ev) => { if (ev.event === "identity") fill(patientForm(ev.holder)); });
//   const result = await agent.read({ key: "001090012345" });  // 12-digit ID, 6-digit CAN or MRZ key
//
// Errors are AgentError with .code ("busy", "card_removed", "wrong_key", ...), .message (English)
// and .messageVi (Vietnamese), as the agent's JSON errors give them.

export const API_VERSION = "1";

export class AgentError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `agent answered HTTP ${status}`);
    this.name = "AgentError";
    this.status = status;
    this.code = e.code || (status === 0 ? "unreachable" : "http_" + status);
    this.messageVi = e.message_vi || "Không kết nối được dịch vụ đọc thẻ trên máy này.";
    this.detail = e.detail || "";
  }
}

export class CardkitAgent {
  constructor({ baseUrl = "http://127.0.0.1:8765", token } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.token = token;
  }

  async request(path, { method = "GET", body } = {}) {
    const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let resp;
    try {
      resp = await fetch(this.baseUrl + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new AgentError(0, { error: { code: "unreachable", message: String(err) } });
    }
    const type = resp.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await resp.json() : await resp.blob();
    if (!resp.ok) throw new AgentError(resp.status, data);
    return data;
  }

  // Ask the desk to pair this page's origin (the agent inside the station shows "Cho phép <origin>
  // đọc thẻ?"): resolves when the desk approves, and keeps the token for the calls that follow.
  async pair() {
    const r = await this.request("/v1/pair/request", { method: "POST" });
    this.token = r.token;
    return r;
  }

  status() { return this.request("/v1/status"); }
  readers() { return this.request("/v1/readers"); }
  /** Read, verify, match and journal the card: {key} or {useQr: true}; optional inlineFace. */
  read({ key, useQr = false, inlineFace = false } = {}) {
    const body = {};
    if (key !== undefined) body.key = key;
    if (useQr) body.use_qr = true;
    if (inlineFace) body.inline_face = true;
    return this.request("/v1/read", { method: "POST", body });
  }
  scanQr(text) { return this.request("/v1/qr", { method: "POST", body: { text } }); }
  checkin(id) { return this.request(`/v1/checkins/${encodeURIComponent(id)}`); }
  fhir(id) { return this.request(`/v1/checkins/${encodeURIComponent(id)}/fhir`); }

  /** An object URL for the face JPEG at `path` (an <img> cannot send the token itself). */
  async faceUrl(path) { return URL.createObjectURL(await this.request(path)); }

  /** Subscribe to the event stream; returns {close()}. Reconnects after a drop. */
  events(onEvent, { onClose } = {}) {
    const wsUrl = this.baseUrl.replace(/^http/, "ws") + "/v1/events";
    let ws, closed = false;
    const open = () => {
      ws = new WebSocket(wsUrl, ["cardkit.v1", "token." + this.token]);
      ws.onmessage = (m) => onEvent(JSON.parse(m.data));
      ws.onclose = () => {
        if (onClose) onClose();
        if (!closed) setTimeout(open, 1000);
      };
    };
    open();
    return { close() { closed = true; ws.close(); } };
  }
}

/** dd/mm/yyyy, as Vietnamese forms write dates. */
export function viDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/** The registration form's fields from an identity (PersonData JSON) and the read result. */
export function patientForm(identity, result) {
  const sex = { M: "Nam", F: "Nữ" }[identity.sex] || "";
  const ins = result && result.insurance;
  return {
    ho_ten: identity.full_name || "",
    ngay_sinh: viDate(identity.date_of_birth),
    gioi_tinh: sex,
    so_dinh_danh: identity.id_number || "",
    dia_chi: identity.residence || "",
    ma_bhyt: (ins && ins.code) || "",
  };
}
