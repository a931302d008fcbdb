// SPDX-License-Identifier: Apache-2.0
// The demo page's script: fills the registration form from the card as it is read.
import { CardkitAgent, patientForm } from "/cardkit-agent.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get("token") || "";
if (params.get("key")) $("key").value = params.get("key");  // `cardkit agent --demo` links the demo card's ID
const agent = new CardkitAgent({ baseUrl: location.origin, token });
const FIELDS = ["ho_ten", "ngay_sinh", "gioi_tinh", "so_dinh_danh", "dia_chi", "ma_bhyt"];
let active = null, reading = false;
let armed = true;  // a card put on the reader is read once per key typed, not again on every re-insertion
$("key").addEventListener("input", () => { armed = true; });

function fill(values) { for (const k of FIELDS) if (values[k]) $(k).value = values[k]; }
function clearForm() {
  for (const k of FIELDS) $(k).value = "";
  $("photo").removeAttribute("src");
  $("verdict").textContent = "";
  document.body.dataset.state = "";
}
function fail(err) {
  clearForm();  // nothing partial is kept from a failed read
  $("message").textContent = err.messageVi;
  $("message").dataset.code = err.code;
  $("message").title = err.detail || "";  // the English developer detail, on hover
  document.body.dataset.state = "failed";
}
async function showFace(path) {
  if (!path || $("photo").dataset.path === path) return;
  $("photo").dataset.path = path;
  $("photo").src = await agent.faceUrl(path);
}

async function read() {
  if (reading) return;
  reading = true;
  armed = false;
  $("message").textContent = "";
  document.body.dataset.state = "reading";
  try {
    const r = await agent.read({ key: $("key").value });
    fill(patientForm(r.identity, r));
    await showFace(r.face_url);
    $("verdict").textContent = `Kết quả xác thực: ${r.overall} · lượt tiếp nhận #${r.seq}`;
    document.body.dataset.state = "done";
  } catch (err) {
    fail(err);
  } finally {
    reading = false;
  }
}

if (!token) {  // no token in the link: ask the desk (the agent inside the station shows the request)
  $("status").textContent = "Đang chờ quầy tiếp nhận cho phép trang này đọc thẻ…";
  try {
    await agent.pair();
  } catch (err) {
    fail(err);
    throw err;  // refused: no event stream, the message stays
  }
}

agent.events((ev) => {
  switch (ev.event) {
    case "hello":
      document.body.dataset.connected = "yes";
      $("status").textContent = ev.card_present ? "Đã có thẻ trên đầu đọc." : "Mời đặt thẻ lên đầu đọc.";
      if (armed && ev.card_present && params.get("key") && !ev.busy) read();
      break;
    case "card_inserted":
      $("status").textContent = "Đã có thẻ trên đầu đọc.";
      if (armed && $("key").value.trim()) read();
      break;
    case "card_removed": $("status").textContent = "Thẻ đã được lấy ra."; break;
    case "read_started": active = ev.checkin_id; clearForm(); document.body.dataset.state = "reading"; break;
    case "file_progress": $("progress").textContent = `${ev.file}: ${ev.state}`; break;
    case "identity": if (ev.checkin_id === active) fill(patientForm(ev.holder)); break;
    case "face": if (ev.checkin_id === active) showFace(ev.url); break;
    case "read_failed":
      if (ev.checkin_id === active) { active = null; fail({ messageVi: ev.error.message_vi, code: ev.error.code, detail: ev.error.detail }); }
      break;
  }
}, { onClose: () => { $("status").textContent = "Mất kết nối dịch vụ đọc thẻ, đang thử lại…"; } });
$("read").addEventListener("click", read);
