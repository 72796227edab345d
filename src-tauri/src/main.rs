//! Invlog's desktop shell: a window, its menus, the native file dialog, one IPC command that
//! hands every request to invlog-app's command table, and the task events pushed to the window.
//! No business logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;

use clap::Parser;
use invlog_app::runner::Task;
use invlog_app::{AppError, Engine, ErrorKind, Request, Response};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Emitter, Manager, State, Wry};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

#[derive(Parser)]
#[command(name = "invlog-desktop", version, about = "Invlog, the desktop app")]
struct Args {
    /// The store to open (default: invlog.db in the user's data directory).
    #[arg(long, env = "INVLOG_DB")]
    db: Option<PathBuf>,
}

/// The one IPC command: the same typed requests `invlog serve` takes over HTTP.
#[tauri::command]
async fn dispatch(engine: State<'_, Engine>, request: Request) -> Result<Response, AppError> {
    let engine = engine.inner().clone();
    // SQLite work blocks; keep it off the IPC runtime's workers.
    tauri::async_runtime::spawn_blocking(move || engine.dispatch(request))
        .await
        .map_err(|e| AppError {
            kind: ErrorKind::Internal,
            message: e.to_string(),
        })?
}

/// The native open dialog for File > Import…; None when the user cancels.
#[tauri::command]
async fn pick_import_files(app: AppHandle) -> Result<Option<Vec<String>>, String> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("Import logs")
            .add_filter("Inventory logs", &["csv", "xlsx", "json", "jsonl", "txt"])
            .add_filter("All files", &["*"])
            .blocking_pick_files()
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(picked.map(|files| {
        files
            .into_iter()
            .filter_map(|f| f.into_path().ok())
            .map(|p| p.display().to_string())
            .collect()
    }))
}

/// The native save dialog for an export; None when the user cancels.
#[tauri::command]
async fn pick_export_path(
    app: AppHandle,
    suggested: String,
    folder: Option<String>,
) -> Result<Option<String>, String> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        let dialog = app
            .dialog()
            .file()
            .set_title("Export the view")
            .set_file_name(&suggested)
            .add_filter("CSV", &["csv"])
            .add_filter("Excel workbook", &["xlsx"]);
        // The folder the last export went to (the dialog's own default otherwise).
        match folder {
            Some(f) => dialog.set_directory(f),
            None => dialog,
        }
        .blocking_save_file()
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(picked
        .and_then(|f| f.into_path().ok())
        .map(|p| p.display().to_string()))
}

/// Only files the export history names may be opened or shown: the UI cannot open arbitrary
/// paths through these.
fn exported_file(engine: &Engine, path: &str) -> Result<PathBuf, String> {
    let listed = engine
        .dispatch(Request::Exports)
        .map_err(|e| e.to_string())?;
    match listed {
        Response::Exports(list) if list.iter().any(|r| r.path == path) => Ok(PathBuf::from(path)),
        _ => Err(format!("{path} is not an export of this store")),
    }
}

/// Opens an exported file with the system's default application.
#[tauri::command]
fn open_path(app: AppHandle, engine: State<'_, Engine>, path: String) -> Result<(), String> {
    let file = exported_file(&engine, &path)?;
    app.opener()
        .open_path(file.display().to_string(), None::<&str>)
        .map_err(|e| e.to_string())
}

/// Shows an exported file in its folder (the file manager, with the file selected).
#[tauri::command]
fn reveal_path(app: AppHandle, engine: State<'_, Engine>, path: String) -> Result<(), String> {
    let file = exported_file(&engine, &path)?;
    app.opener()
        .reveal_item_in_dir(file)
        .map_err(|e| e.to_string())
}

/// Menu items the UI acts on; their ids reach it as the payload of a `menu` event.
const UI_MENU_ITEMS: &[(&str, &str, Option<&str>)] = &[
    ("import", "Import…", Some("CmdOrCtrl+O")),
    ("export", "Export…", Some("CmdOrCtrl+E")),
    ("export_history", "Export history", None),
    ("columns", "Columns…", None),
    ("kits", "Kits…", None),
    ("reset_layout", "Reset layout", None),
];

fn build_menu(app: &AppHandle) -> tauri::Result<Menu<Wry>> {
    let item = |id: &str| -> tauri::Result<MenuItem<Wry>> {
        let (id, label, accel) = UI_MENU_ITEMS
            .iter()
            .find(|(i, _, _)| *i == id)
            .copied()
            .unwrap_or((id, id, None));
        MenuItem::with_id(app, id, label, true, accel)
    };
    let quit = MenuItem::with_id(app, "quit", "Quit", true, Some("CmdOrCtrl+Q"))?;
    let file = Submenu::with_items(
        app,
        "File",
        true,
        &[
            &item("import")?,
            &item("export")?,
            &item("export_history")?,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let view = Submenu::with_items(
        app,
        "View",
        true,
        &[&item("columns")?, &item("kits")?, &item("reset_layout")?],
    )?;
    Menu::with_items(app, &[&file, &view])
}

fn main() {
    let args = Args::parse();
    let path = args.db.unwrap_or_else(Engine::default_path);
    let engine = match Engine::open(&path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("invlog-desktop: {e}");
            std::process::exit(2);
        }
    };
    // Automated exports run while the app is open.
    invlog_app::tasks::schedule::start_timer(&engine, std::time::Duration::from_secs(30));
    let tasks = engine.tasks().clone();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(engine)
        .menu(build_menu)
        .on_menu_event(|app, event| {
            let id = event.id().as_ref();
            if id == "quit" {
                app.exit(0);
            } else if let Err(e) = app.emit_to("main", "menu", id) {
                eprintln!("invlog-desktop: menu {id}: {e}");
            }
        })
        .setup(move |app| {
            if let Some(window) = app.get_webview_window("main") {
                window.set_title(&format!("Invlog — {}", path.display()))?;
            }
            // Task progress is pushed to the window as `task` events; nothing polls.
            let handle = app.handle().clone();
            tasks.listen(std::sync::Arc::new(move |t: &Task| {
                if let Err(e) = handle.emit_to("main", "task", t) {
                    eprintln!("invlog-desktop: task event: {e}");
                }
                true
            }));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            dispatch,
            pick_import_files,
            pick_export_path,
            open_path,
            reveal_path
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("invlog-desktop: {e}");
        std::process::exit(1);
    }
}
