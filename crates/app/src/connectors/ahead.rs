//! The next page fetched while the last one is stored. A connector walks its API on a thread of
//! its own and hands each page over a channel that holds one; the pull's writer stores them in
//! order on the task's thread. The wait for the host (network, the server's own work) and the
//! store's writing overlap instead of adding up, and at most three pages are in memory: one
//! being stored, one waiting, one being fetched.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};

use invlog_core::ingest::pull::Page;
use serde_json::Value;

use super::{ConnectorError, PageWriter, Result};

/// Pages handed over before the writer takes them: one, so the fetch of the page after it is
/// the only work ahead of the writer.
const WAITING: usize = 1;

/// What crosses to the writer.
enum Handed {
    Page {
        label: String,
        page: Page,
        body: Vec<u8>,
        cursor: Value,
    },
    Expect(u64),
}

/// The connector's side: each page goes over the channel; once the writer has stopped, the
/// walk is told it was cancelled.
struct HandOver {
    to_writer: SyncSender<Handed>,
}

impl PageWriter for HandOver {
    fn page(&mut self, label: &str, page: &Page, body: &[u8], cursor: &Value) -> Result<()> {
        let handed = Handed::Page {
            label: label.to_owned(),
            page: page.clone(),
            body: body.to_vec(),
            cursor: cursor.clone(),
        };
        self.to_writer
            .send(handed)
            .map_err(|_| ConnectorError::Cancelled)
    }

    fn expect(&mut self, total: u64) {
        let _ = self.to_writer.send(Handed::Expect(total));
    }
}

/// Runs `walk` on a thread of its own and stores what it fetches through `out`, in the order
/// fetched. `walk` gets the pages' way to the writer and a flag set when the writer has
/// stopped (a page it could not store): its session's cancel should heed it, so a fetch under
/// way or a retry's wait ends early. The writer's error comes first; otherwise the walk's.
pub fn fetch_ahead<W>(walk: W, out: &mut dyn PageWriter) -> Result<()>
where
    W: FnOnce(&mut dyn PageWriter, &AtomicBool) -> Result<()> + Send,
{
    let stopped = AtomicBool::new(false);
    let (to_writer, handed) = sync_channel(WAITING);
    std::thread::scope(|scope| {
        let stopped = &stopped;
        let fetcher = std::thread::Builder::new()
            .name("invlog-fetch".into())
            .spawn_scoped(scope, move || walk(&mut HandOver { to_writer }, stopped))
            .map_err(|e| ConnectorError::Network {
                page: "the pull".into(),
                reason: format!("could not start fetching: {e}"),
            })?;
        let mut stored = Ok(());
        for next in &handed {
            let done = match next {
                Handed::Page {
                    label,
                    page,
                    body,
                    cursor,
                } => out.page(&label, &page, &body, &cursor),
                Handed::Expect(total) => {
                    out.expect(total);
                    Ok(())
                }
            };
            if let Err(e) = done {
                stored = Err(e);
                break;
            }
        }
        if stored.is_err() {
            stopped.store(true, Ordering::Relaxed);
        }
        // A fetcher waiting to hand a page over is let go.
        drop(handed);
        let walked = fetcher
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        stored.and(walked)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{channel, Sender};
    use std::time::Duration;

    use super::*;

    /// Records what reaches the writer; fails the page labelled `fail_at`; on the page
    /// labelled `wait_at`, waits for word that the walk has fetched further.
    #[derive(Default)]
    struct Writer {
        stored: Vec<(String, Value)>,
        expected: Option<u64>,
        fail_at: Option<&'static str>,
        wait_at: Option<(&'static str, std::sync::mpsc::Receiver<()>)>,
    }

    impl PageWriter for Writer {
        fn page(&mut self, label: &str, _: &Page, _: &[u8], cursor: &Value) -> Result<()> {
            if self.fail_at == Some(label) {
                return Err(ConnectorError::Malformed {
                    page: label.to_owned(),
                    reason: "no products list in the answer".into(),
                });
            }
            if let Some((at, word)) = &self.wait_at {
                if *at == label {
                    word.recv_timeout(Duration::from_secs(20)).map_err(|_| {
                        ConnectorError::Network {
                            page: label.to_owned(),
                            reason: "the next page was not fetched while this one was stored"
                                .into(),
                        }
                    })?;
                }
            }
            self.stored.push((label.to_owned(), cursor.clone()));
            Ok(())
        }

        fn expect(&mut self, total: u64) {
            self.expected = Some(total);
        }
    }

    fn pages(
        out: &mut dyn PageWriter,
        from: u64,
        to: u64,
        fetched: Option<&Sender<u64>>,
    ) -> Result<()> {
        for n in from..=to {
            out.page(
                &format!("page {n}"),
                &Page::LogitrailProducts,
                b"{}",
                &serde_json::json!({ "offset": n }),
            )?;
            if let Some(f) = fetched {
                let _ = f.send(n);
            }
        }
        Ok(())
    }

    #[test]
    fn the_next_page_is_fetched_while_the_last_is_stored_and_all_arrive_in_order() {
        let (word, heard) = channel();
        let mut out = Writer {
            wait_at: Some(("page 1", heard)),
            ..Writer::default()
        };
        let walked = fetch_ahead(
            |w, _| {
                w.expect(3);
                pages(w, 1, 2, None)?;
                // Page 2 is handed over while page 1 is still being stored.
                let _ = word.send(());
                pages(w, 3, 3, None)
            },
            &mut out,
        );
        walked.unwrap();
        let labels: Vec<&str> = out.stored.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["page 1", "page 2", "page 3"]);
        assert_eq!(out.stored[2].1, serde_json::json!({ "offset": 3 }));
        assert_eq!(out.expected, Some(3));
    }

    #[test]
    fn a_page_the_writer_refuses_stops_the_walk_and_its_error_is_said() {
        let mut out = Writer {
            fail_at: Some("page 2"),
            ..Writer::default()
        };
        let (fetched, count) = channel();
        let saw_stop = AtomicBool::new(false);
        let walked = fetch_ahead(
            |w, stopped| {
                let walked = pages(w, 1, 1000, Some(&fetched));
                saw_stop.store(stopped.load(Ordering::Relaxed), Ordering::Relaxed);
                walked
            },
            &mut out,
        );
        let e = walked.unwrap_err().to_string();
        assert!(
            e.contains("page 2") && e.contains("no products list"),
            "{e}"
        );
        assert_eq!(out.stored.len(), 1);
        // Stopped within the pages already in hand, not at the end of the listing.
        assert!(count.try_iter().count() < 5);
        assert!(saw_stop.load(Ordering::Relaxed));
    }

    #[test]
    fn a_walk_that_fails_keeps_the_pages_before_it_stored() {
        let mut out = Writer::default();
        let walked = fetch_ahead(
            |w, _| {
                pages(w, 1, 2, None)?;
                Err(ConnectorError::Network {
                    page: "page 3".into(),
                    reason: "connection reset".into(),
                })
            },
            &mut out,
        );
        assert!(walked.unwrap_err().to_string().contains("connection reset"));
        assert_eq!(out.stored.len(), 2);
    }
}
