//! The shell builds on Tauri's mock runtime with the real config and capabilities, and its
//! commands answer through the real IPC path (permission checks included).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

/// The origin the app's own pages are served from by the custom protocol.
const APP_ORIGIN: &str = if cfg!(any(windows, target_os = "android")) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    origin: &str,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<serde_json::Value>().unwrap())
}

#[test]
fn the_shell_answers_app_info_through_its_capability() {
    let app = cassetto_agenda::build_app(mock_builder())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the app builds on the mock runtime");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    let info = invoke(&webview, "app_info", APP_ORIGIN).expect("app_info is allowed");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["environment"]["mode"], "embedded_sandbox");
}

#[test]
fn a_command_the_app_does_not_have_is_refused() {
    let app = cassetto_agenda::build_app(mock_builder())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    assert!(invoke(&webview, "plugin:fs|read_file", APP_ORIGIN).is_err());
}

#[test]
fn a_remote_page_cannot_call_the_app() {
    let app = cassetto_agenda::build_app(mock_builder())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    assert!(invoke(&webview, "app_info", "https://example.org").is_err());
}

#[test]
fn the_bundle_embeds_the_runtime_ui_only() {
    let context: tauri::Context<tauri::Wry> = tauri::generate_context!("../tauri.conf.json");
    let mut embedded: Vec<String> = context
        .assets()
        .iter()
        .map(|(path, _)| path.into_owned())
        .collect();
    embedded.sort();
    assert!(embedded.iter().any(|p| p == "/index.html"), "{embedded:?}");
    assert!(embedded.iter().any(|p| p == "/js/main.js"), "{embedded:?}");
    assert!(embedded.iter().any(|p| p == "/css/app.css"), "{embedded:?}");
    for path in &embedded {
        let runtime = path == "/index.html"
            || path.starts_with("/js/")
            || path.starts_with("/css/")
            || path.starts_with("/assets/");
        assert!(
            runtime,
            "not a runtime file of the UI: {path} (all: {embedded:?})"
        );
        assert!(
            !path.contains("test") && !path.contains("fixture"),
            "{path}"
        );
    }
}
