//! A file's fingerprint: its SHA-256, by which a file imported before is known, and whether
//! all of it reads as UTF-8. A file whose first bytes are plain UTF-8 has it read on a thread of
//! its own while its rows are imported: read first, it held every import up by a pass over the
//! whole file (0.13-0.24 s of a 1M-row import, a tenth of sqlite3's time for the same file).
//! A file under 2 MB waits for it before its transaction (`ingest::READ_BESIDE_FROM`); a larger
//! import looks at it as it goes and at its end, and a file imported before, or one that turns
//! out to need decoding, is rolled back then.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::{Scope, ScopedJoinHandle};

use sha2::{Digest, Sha256};

use super::encoding::{self, Utf8Look};
use super::{hex, open, refused};
use crate::error::{CoreError, Result};

/// What is known of a file's bytes: its SHA-256 (hex) and what they look like as UTF-8.
pub(super) type Bytes = (String, Utf8Look);

pub(super) struct Fingerprint<'s> {
    /// The path as given, for messages.
    file: String,
    state: Mutex<State<'s>>,
    /// The file's first bytes, which with the whole file's look decide its encoding.
    head: Vec<u8>,
}

enum State<'s> {
    Reading(ScopedJoinHandle<'s, Result<Bytes>>),
    Read(Bytes),
    /// The read failed; its error was handed out.
    Failed,
}

impl<'s> Fingerprint<'s> {
    /// Reads the whole file now.
    pub(super) fn read_first(file: &str, path: &Path, head: Vec<u8>) -> Result<Self> {
        let read = sha256_of(file, path, None)?;
        Ok(Fingerprint {
            file: file.to_owned(),
            state: Mutex::new(State::Read(read)),
            head,
        })
    }

    /// Reads the whole file on a thread of `scope`, stopped early by `cancel`.
    pub(super) fn alongside<'e>(
        scope: &'s Scope<'s, 'e>,
        file: &'s str,
        path: &'s Path,
        cancel: Option<&'s AtomicBool>,
        head: Vec<u8>,
    ) -> Self {
        let reading = scope.spawn(move || sha256_of(file, path, cancel));
        Fingerprint {
            file: file.to_owned(),
            state: Mutex::new(State::Reading(reading)),
            head,
        }
    }

    /// The same fingerprint, known, for another import of the file.
    pub(super) fn read_again(&self) -> Result<Fingerprint<'static>> {
        let read = self
            .get(true)?
            .ok_or_else(|| refused(&self.file, "the file could not be read"))?;
        Ok(Fingerprint {
            file: self.file.clone(),
            state: Mutex::new(State::Read(read)),
            head: self.head.clone(),
        })
    }

    /// The fingerprint, once read (`wait`: waiting for it); None while it is being read.
    pub(super) fn get(&self, wait: bool) -> Result<Option<Bytes>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let State::Reading(reading) = &*state {
            if !wait && !reading.is_finished() {
                return Ok(None);
            }
            let State::Reading(reading) = std::mem::replace(&mut *state, State::Failed) else {
                unreachable!("matched above");
            };
            let read = reading
                .join()
                .unwrap_or_else(|_| Err(refused(&self.file, "the file could not be read")))?;
            *state = State::Read(read);
        }
        match &*state {
            State::Read(read) => Ok(Some(read.clone())),
            _ => Err(refused(&self.file, "the file could not be read")),
        }
    }

    /// Whether the file, read whole, must be decoded to UTF-8 before its rows are read: its
    /// first bytes said it need not be, and it was imported as it is.
    pub(super) fn needs_decoding(&self) -> bool {
        self.get(true)
            .ok()
            .flatten()
            .is_some_and(|(_, look)| encoding::decide(&self.head, look).is_some())
    }
}

/// The bytes' SHA-256, and what they look like as UTF-8 (one read for both).
pub(super) fn sha256_of(file: &str, path: &Path, cancel: Option<&AtomicBool>) -> Result<Bytes> {
    let mut f = open(file, path)?;
    let mut hasher = Sha256::new();
    let mut look = Utf8Look::default();
    // A few bytes of a character split between reads are carried to the next.
    const CARRY: usize = 4;
    let mut buf = vec![0u8; (1 << 20) + CARRY];
    let mut carried = 0;
    loop {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(CoreError::Cancelled {
                file: file.to_owned(),
            });
        }
        let n = f
            .read(&mut buf[carried..])
            .map_err(|e| refused(file, format!("cannot read the file: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[carried..carried + n]);
        let filled = carried + n;
        look.look(&buf[..filled]);
        carried = look.carried().min(CARRY);
        buf.copy_within(filled - carried..filled, 0);
    }
    Ok((hex(&hasher.finalize()), look))
}
