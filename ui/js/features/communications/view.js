// Comunicazioni: the selected contributor's threads, one opened with its messages, and the
// "Richiedi appuntamento" button per thread (disabled with its reason when not allowed).

import { communicationStatusLabel, eligibilityText, errorText, formatDate, formatDateTime } from "../../format.js";
import { t } from "../../i18n.js";
import { attr, byId, byTestId, clone, memo, setText, show, showText } from "../../views/dom.js";

export function createCommunications(ctrl) {
  const body = byId("comms-body");
  const panel = byId("thread-panel");
  const threadRequest = byTestId(panel, "thread-request-appointment");
  const changed = { table: memo(), thread: memo() };

  byTestId(document, "comms-refresh").addEventListener("click", () => ctrl.loadCommunications());
  body.addEventListener("click", (event) => {
    const open = event.target.closest("button.js-open");
    if (open) return ctrl.openThread(open.dataset.id);
    const request = event.target.closest("button.js-request");
    if (request && !request.disabled) ctrl.startWizard(request.dataset.id);
  });
  byTestId(panel, "thread-close").addEventListener("click", () => {
    const id = ctrl.state().thread.id;
    ctrl.closeThread(id ? `comm-open-${id}` : undefined);
  });
  threadRequest.addEventListener("click", () => {
    const id = ctrl.state().thread.id;
    if (id && !threadRequest.disabled) ctrl.startWizard(id);
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") byTestId(panel, "thread-close").click();
  });

  function render(state) {
    const lang = state.lang;
    const c = state.comms;
    if (changed.table(lang, c, state.thread.id, state.selected)) {
      const rows = c.items.map((item) => row(lang, item, state.thread.id));
      body.replaceChildren(...rows);
      show(byId("comms-wrap"), c.items.length > 0);
      show(byId("comms-empty"), c.status === "ready" && c.items.length === 0);
      show(byId("comms-loading"), c.status === "loading" && c.items.length === 0);
      showText(byId("comms-error"), c.status === "error" ? errorText(lang, c.error) : "");
      let meta = "";
      if (c.status === "ready") {
        meta = t(lang, c.items.length === 1 ? "comms_count_one" : "comms_count", { count: c.items.length });
        if (c.from_cache) meta += " " + t(lang, "from_cache_at", { when: formatDateTime(c.synced_at) || "—" });
      }
      setText(byId("comms-meta"), meta);
    }
    const th = state.thread;
    if (changed.thread(lang, th)) {
      show(panel, th.id !== null);
      if (th.id === null) return;
      const data = th.data;
      const summary = c.items.find((x) => x.id === th.id) || data || {};
      setText(byId("thread-heading"), summary.subject || summary.topic_label || t(lang, "thread_title"));
      setText(byId("thread-meta"), data || summary.sent_at
        ? t(lang, "thread_meta", {
          topic: summary.topic_label || summary.topic_code || "",
          sent: formatDate(summary.sent_at),
          status: communicationStatusLabel(lang, summary.status),
        })
        : "");
      show(byId("thread-loading"), th.status === "loading");
      showText(byId("thread-error"), th.status === "error" ? errorText(lang, th.error) : "");
      const messages = (data && Array.isArray(data.messages) ? data.messages : []).map((m) => {
        const li = clone("tpl-message");
        li.classList.add(m.from === "inps" ? "from-inps" : "from-user");
        li.dataset.testid = "thread-message";
        li.querySelector(".js-from").textContent = t(lang, m.from === "inps" ? "from_inps" : "from_user");
        const time = li.querySelector(".js-at");
        time.textContent = formatDateTime(m.at);
        time.dateTime = m.at || "";
        li.querySelector(".js-text").textContent = m.text || "";
        return li;
      });
      byId("thread-messages").replaceChildren(...messages);
      const req = summary.appointment_request;
      threadRequest.disabled = !(req && req.allowed);
      setText(byId("thread-request-reason"), eligibilityText(lang, summary));
    }
  }

  function row(lang, item, openId) {
    const tr = clone("tpl-comm-row");
    tr.dataset.id = item.id;
    const open = tr.querySelector(".js-open");
    open.dataset.id = item.id;
    open.id = `comm-open-${item.id}`;
    attr(open, "aria-expanded", openId === item.id ? "true" : "false");
    attr(open, "aria-controls", "thread-panel");
    tr.querySelector(".js-topic").textContent = item.topic_label || item.topic_code || "";
    tr.querySelector(".js-subject").textContent = item.subject || "";
    tr.querySelector(".js-sent").textContent = formatDate(item.sent_at);
    const status = tr.querySelector(".js-status");
    status.textContent = communicationStatusLabel(lang, item.status);
    status.dataset.status = item.status;
    status.classList.add(`comm-${item.status}`);
    tr.querySelector(".js-last").textContent = formatDateTime(item.last_message_at);
    const req = item.appointment_request || {};
    const button = tr.querySelector(".js-request");
    button.textContent = t(lang, "request_appointment");
    button.dataset.id = item.id;
    button.disabled = !req.allowed;
    const reason = tr.querySelector(".js-reason");
    reason.id = `request-reason-${item.id}`;
    reason.textContent = eligibilityText(lang, item);
    if (reason.textContent) button.setAttribute("aria-describedby", reason.id);
    if (!req.allowed) tr.classList.add("not-allowed");
    return tr;
  }

  return { render };
}
