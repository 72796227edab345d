fn main() {
    // Only the app's own commands, each granted to the main window by capabilities/.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "dispatch",
            "pick_import_files",
            "pick_export_path",
            "launch_files",
            "open_path",
            "reveal_path",
        ]),
    ))
    .expect("tauri build script");
}
