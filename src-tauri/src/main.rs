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
    /// Log files to import: the window opens its import dialog on them ("Open with Invlog").
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the man page (roff) and exit: the package's, generated from these definitions.
    #[arg(long, hide = true)]
    manpage: bool,
}

/// `files` as absolute paths, relative ones taken from `cwd` (a second launch's own folder).
fn absolute(files: &[PathBuf], cwd: &std::path::Path) -> Vec<String> {
    files
        .iter()
        .map(|f| cwd.join(f).display().to_string())
        .collect()
}

/// Files handed to the app at launch, until the window asks for them (it may not be listening
/// yet when the app starts).
#[derive(Default)]
struct LaunchFiles(std::sync::Mutex<Vec<String>>);

/// The files the app was started with; each is handed over once.
#[tauri::command]
fn launch_files(files: State<'_, LaunchFiles>) -> Vec<String> {
    files
        .0
        .lock()
        .map(|mut f| std::mem::take(&mut *f))
        .unwrap_or_default()
}

/// The D-Bus name that makes one window per store: a second launch on the same store finds
/// the first by it; a launch on another store gets its own.
fn instance_id(store: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    let canonical = store.canonicalize().unwrap_or_else(|_| store.to_owned());
    let mut h = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut h);
    format!("app.invlog.desktop.store{:016x}", h.finish())
}

/// A second launch on this store: its files go to this window's import dialog, and the
/// window comes to the front. Its `--db` is this store's (else it would not have come here).
fn second_launch(app: &AppHandle, argv: Vec<String>, cwd: String) {
    let files = match Args::try_parse_from(&argv) {
        Ok(a) => absolute(&a.files, std::path::Path::new(&cwd)),
        Err(e) => {
            eprintln!("invlog-desktop: a second launch's arguments: {e}");
            Vec::new()
        }
    };
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    if !files.is_empty() {
        if let Err(e) = app.emit_to("main", "open-files", files) {
            eprintln!("invlog-desktop: open files: {e}");
        }
    }
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
    ("failures", "Failures…", Some("CmdOrCtrl+Shift+F")),
    ("stock_check", "Stock check…", None),
    ("connections", "Connections…", None),
    ("reset_layout", "Reset layout", None),
    ("about", "About Invlog", None),
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
            &item("connections")?,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let view = Submenu::with_items(
        app,
        "View",
        true,
        &[
            &item("columns")?,
            &item("failures")?,
            &item("stock_check")?,
            &item("kits")?,
            &item("reset_layout")?,
        ],
    )?;
    let help = Submenu::with_items(app, "Help", true, &[&item("about")?])?;
    Menu::with_items(app, &[&file, &view, &help])
}

fn main() {
    let args = Args::parse();
    if args.manpage {
        use clap::CommandFactory;
        let mut page = Vec::new();
        if let Err(e) = clap_mangen::Man::new(Args::command()).render(&mut page) {
            eprintln!("invlog-desktop: cannot render the man page: {e}");
            std::process::exit(1);
        }
        use std::io::Write as _;
        let _ = std::io::stdout().write_all(&page);
        return;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let launched = absolute(&args.files, &cwd);
    let path = args.db.unwrap_or_else(Engine::default_path);
    let engine = match Engine::open(&path) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("invlog-desktop: {e}");
            std::process::exit(2);
        }
    };
    engine.warm_up();
    engine.hold_columns();
    // Automated exports run while the app is open.
    invlog_app::tasks::schedule::start_timer(&engine, std::time::Duration::from_secs(30));
    let tasks = engine.tasks().clone();
    let result = tauri::Builder::default()
        // First: a second launch on this store hands over its files and exits before the
        // rest is set up. Without a D-Bus session bus every launch simply opens its window.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(instance_id(&path))
                .callback(second_launch)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(engine)
        .manage(LaunchFiles(std::sync::Mutex::new(launched)))
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
            // Ended by a signal (a closed terminal, logging out), the app quits as from its
            // menu: through `RunEvent::Exit` below, not at once.
            let quitting = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                invlog_app::shutdown::requested().await;
                quitting.exit(0);
            });
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
            launch_files,
            open_path,
            reveal_path
        ])
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(e) => {
            eprintln!("invlog-desktop: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        // The process ends right after: the engine's connections are never closed, and the
        // write-ahead log would be left for the next start to read.
        if let tauri::RunEvent::Exit = event {
            if let Err(e) = app.state::<Engine>().close() {
                eprintln!("invlog-desktop: the store's write-ahead log was left as it is: {e}");
            }
        }
    });
}
