// The booking wizard: options, choices, contacts, the draft's save, Prenota and the hold.
// This feature's part of the state's update (see `update` in ../../state.js).

import { draftStep, draftWith, emptyWizard, withFocus, WIZARD_STAGES, wizardWith } from "../../state.js";

/** The next state for `action`, or undefined when this feature does not handle it. */
export function reduce(state, action) {
  switch (action.type) {
    case "wizard_open": {
      const stage = action.stage || "argomento";
      const wizard = emptyWizard({ ...action.draft }, stage);
      if (action.draft.phone || action.draft.notes) {
        wizard.contact = { ...wizard.contact, touched: { phone: Boolean(action.draft.phone), notes: Boolean(action.draft.notes) } };
      }
      if (action.problem) {
        wizard.booking = { busy: false, error: action.problem, alternatives: action.problem.alternatives || [] };
      }
      if (action.appointment) wizard.appointment = action.appointment;
      return withFocus({ ...state, route: "prenotazione", wizard }, "wizard-heading");
    }
    case "wizard_options_done": {
      if (!state.wizard) return state;
      const data = action.data || {};
      const points = Array.isArray(data.points) ? data.points : [];
      const d = state.wizard.draft;
      let kind = state.wizard.point_kind;
      if (!kind && d.consultation_point) {
        // A resumed draft holds a struttura's own point: find its kind by code, else by channel.
        const same = points.find((p) => p.code === d.consultation_point);
        const byChannel = points.filter((p) => p.channel === d.channel);
        kind = same ? same.code : byChannel.length === 1 ? byChannel[0].code : null;
      }
      return wizardWith(state, { point_kind: kind, options: { status: "ready", data: { ...data, points }, error: null } });
    }
    case "wizard_options_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { options: { status: "error", data: null, error: action.error } });
    case "wizard_choose_point": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      if (state.wizard.point_kind === action.code) return state;
      const next = draftWith(state, { consultation_point: action.code, channel: action.channel || "", office_code: "", slot_start: "" });
      return wizardWith(next, {
        point_kind: action.code,
        offices: { ...emptyWizard(d, "").offices },
        slots: { ...emptyWizard(d, "").slots },
      });
    }
    case "wizard_choose_office": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      const point = action.point_code || d.consultation_point;
      if (d.office_code === action.code && d.consultation_point === point) return state;
      const next = draftWith(state, { office_code: action.code, consultation_point: point, slot_start: "" });
      return wizardWith(next, { slots: { ...emptyWizard(next.wizard.draft, "").slots } });
    }
    case "wizard_choose_slot": {
      if (!state.wizard) return state;
      const next = draftWith(state, { slot_start: action.start });
      return wizardWith(next, { booking: { ...next.wizard.booking, error: null, alternatives: [] } });
    }
    case "wizard_stage": {
      if (!state.wizard || !WIZARD_STAGES.includes(action.stage)) return state;
      const wizard = { ...state.wizard, stage: action.stage };
      wizard.draft = { ...wizard.draft, step: draftStep(wizard, action.stage) };
      return withFocus({ ...state, wizard }, "wizard-heading");
    }
    case "wizard_close":
      return withFocus({ ...state, wizard: null, route: action.route || "comunicazioni" }, "page-title");

    case "offices_start":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, status: "loading", error: null } });
    case "offices_done": {
      if (!state.wizard) return state;
      const items = Array.isArray(action.items) ? action.items : [];
      return wizardWith(state, { offices: { ...state.wizard.offices, status: "ready", items, error: null } });
    }
    case "offices_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, status: "error", error: action.error } });
    case "offices_filter":
      if (!state.wizard) return state;
      return wizardWith(state, { offices: { ...state.wizard.offices, filter: action.text } });

    case "slots_start":
      if (!state.wizard) return state;
      return wizardWith(state, {
        slots: { ...state.wizard.slots, status: "loading", week: action.week, error: null,
          first_week: state.wizard.slots.first_week || action.first_week || action.week },
      });
    case "slots_done": {
      if (!state.wizard || state.wizard.slots.week !== action.week) return state;
      const items = Array.isArray(action.items) ? action.items : [];
      return wizardWith(state, { slots: { ...state.wizard.slots, status: "ready", items, error: null } });
    }
    case "slots_failed":
      if (!state.wizard || state.wizard.slots.week !== action.week) return state;
      return wizardWith(state, { slots: { ...state.wizard.slots, status: "error", error: action.error } });

    case "contact_edit": {
      if (!state.wizard || !["phone", "notes", "case_ref"].includes(action.field)) return state;
      const next = draftWith(state, { [action.field]: String(action.value ?? "") });
      const touched = { ...next.wizard.contact.touched, [action.field]: true };
      return wizardWith(next, { contact: { ...next.wizard.contact, touched } });
    }
    case "contact_touch": {
      if (!state.wizard) return state;
      const touched = { ...state.wizard.contact.touched, [action.field]: true };
      return wizardWith(state, { contact: { ...state.wizard.contact, touched } });
    }
    case "contact_validated": {
      if (!state.wizard) return state;
      const d = state.wizard.draft;
      if (d.phone !== action.phone || d.notes !== action.notes) return state; // stale answer
      const contact = { ...state.wizard.contact, validation: action.result, checked_phone: action.phone, checked_notes: action.notes };
      const wizard = { ...state.wizard, contact };
      wizard.draft = { ...wizard.draft, step: draftStep(wizard, wizard.stage) };
      return { ...state, wizard };
    }

    case "draft_saving":
      if (!state.wizard) return state;
      return wizardWith(state, { saving: true });
    case "draft_saved": {
      if (!state.wizard) return state;
      const draft = { ...state.wizard.draft, id: action.id };
      return wizardWith(state, { draft, saving: false, saved_at: action.saved_at || null, save_error: null });
    }
    case "draft_save_failed":
      if (!state.wizard) return state;
      return wizardWith(state, { saving: false, save_error: action.error });

    case "book_start":
      if (!state.wizard) return state;
      return wizardWith(state, { booking: { busy: true, error: null, alternatives: [] } });
    case "book_done": {
      if (!state.wizard) return state;
      const r = action.result || {};
      if (r.outcome === "booked" && r.appointment && r.appointment.status === "confermato") {
        // Already confirmed (a replayed booking): straight to the outcome.
        const next = wizardWith(state, {
          booking: { busy: false, error: null, alternatives: [] },
          appointment: r.appointment, stage: "esito", outcome: { result: "confirmed", appointment: r.appointment },
        });
        return withFocus(next, "wizard-heading");
      }
      if (r.outcome === "booked" && r.appointment) {
        const next = wizardWith(state, {
          booking: { busy: false, error: null, alternatives: [] },
          appointment: r.appointment, stage: "attesa", hold: { busy: null, error: null },
        });
        return withFocus(next, "wizard-heading");
      }
      const next = wizardWith(state, {
        booking: { busy: false, error: null, alternatives: [] },
        stage: "esito", outcome: { result: "queued" },
      });
      return withFocus(next, "wizard-heading");
    }
    case "book_failed": {
      if (!state.wizard) return state;
      const e = action.error || {};
      if (e.kind === "offline") {
        const next = wizardWith(state, { booking: { busy: false, error: null, alternatives: [] }, stage: "esito", outcome: { result: "queued", error: e } });
        return withFocus(next, "wizard-heading");
      }
      const alternatives = e.kind === "slot_taken" && Array.isArray(e.details && e.details.alternatives) ? e.details.alternatives : [];
      let next = wizardWith(state, { booking: { busy: false, error: e, alternatives } });
      if (e.kind === "invalid_phone" || e.kind === "notes_required" || e.kind === "notes_too_long" || e.kind === "invalid_notes") {
        const field = e.kind === "invalid_phone" ? "phone" : "notes";
        const v = next.wizard.contact.validation || { phone: { ok: true, message: "" }, notes: { ok: true, message: "", length: 0, max: state.app.limits.notes_max_chars } };
        const validation = { ...v, [field]: { ...v[field], ok: false, message: e.message } };
        next = wizardWith(next, { contact: { ...next.wizard.contact, validation, touched: { phone: true, notes: true } } });
        return withFocus(next, field === "phone" ? "contact-phone" : "contact-notes");
      }
      return withFocus(next, "booking-error");
    }

    case "hold_start":
      if (!state.wizard) return state;
      return wizardWith(state, { hold: { busy: action.op, error: null } });
    case "hold_done": {
      if (!state.wizard) return state;
      const result = action.op === "confirm" ? "confirmed" : "cancelled";
      const next = wizardWith(state, {
        appointment: action.appointment, hold: { busy: null, error: null },
        stage: "esito", outcome: { result, appointment: action.appointment },
      });
      return withFocus({ ...next, history: { ...next.history, status: "stale" } }, "wizard-heading");
    }
    case "hold_failed": {
      if (!state.wizard) return state;
      const e = action.error || {};
      if (e.kind === "hold_expired" || e.kind === "invalid_state" || e.kind === "not_found") {
        const next = wizardWith(state, { hold: { busy: null, error: null }, stage: "esito", outcome: { result: "failed", error: e, appointment: state.wizard.appointment } });
        return withFocus(next, "wizard-heading");
      }
      return withFocus(wizardWith(state, { hold: { busy: null, error: e } }), "hold-error");
    }

    default:
      return undefined;
  }
}
