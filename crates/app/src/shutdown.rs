//! How a shell learns it is to end: Ctrl-C, `kill` or a closed terminal alike. `invlog serve`
//! then stops taking requests and the desktop app closes its window, each ending cleanly
//! (`Engine::close`) where the default action of the signal would end the process at once.

/// Resolves at the first SIGINT, SIGTERM or SIGHUP (Ctrl-C elsewhere). Inside a Tokio runtime.
pub async fn requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let hup = signal(SignalKind::hangup());
        if let (Ok(mut term), Ok(mut hup)) = (term, hup) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
