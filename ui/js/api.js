// The only module that touches window.__TAURI__. Every call resolves with the command's
// value or rejects with {kind, message}: never a raw error, never undefined.

const FALLBACK = { kind: "internal", message: "Errore imprevisto dell'applicazione." };

function tauriInvoke() {
  const core = globalThis.window && window.__TAURI__ && window.__TAURI__.core;
  return core ? core.invoke : null;
}

/** Calls a Rust command; maps any rejection to {kind, message}. */
export async function call(command, args = {}) {
  const invoke = tauriInvoke();
  if (!invoke) {
    throw { kind: "no_backend", message: "L'interfaccia non è collegata all'applicazione." };
  }
  try {
    return await invoke(command, args);
  } catch (error) {
    throw toUiError(error);
  }
}

/** Normalises whatever the bridge rejected with into {kind, message}. */
export function toUiError(error) {
  if (error && typeof error === "object" && typeof error.kind === "string") {
    return { kind: error.kind, message: typeof error.message === "string" && error.message ? error.message : FALLBACK.message };
  }
  if (typeof error === "string" && error) {
    return { kind: "internal", message: error };
  }
  return { ...FALLBACK };
}

export const appInfo = () => call("app_info");
export const uiReady = () => call("ui_ready");
