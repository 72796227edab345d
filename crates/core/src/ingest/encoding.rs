//! Text encodings found in the wild: UTF-8 (with or without BOM) is read as it is; UTF-16
//! (what Excel saves as "Unicode Text") and Windows-1252 (older Excel and Windows tools, bytes
//! that are not UTF-8) are decoded into a UTF-8 copy first, and the report names the encoding
//! assumed.

use std::io::{Read, Write};
use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::{CoreError, Result};

fn refused(file: &str, reason: impl Into<String>) -> CoreError {
    CoreError::FileRefused {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

/// What a full read of the bytes learnt of them as UTF-8.
#[derive(Debug, Default, Clone, Copy)]
pub struct Utf8Look {
    /// Some bytes are not UTF-8.
    pub invalid: bool,
    /// Some characters are multi-byte UTF-8 (so the file is UTF-8 with damage, not another
    /// encoding).
    pub multibyte: bool,
    /// Leftover bytes of a character split between two reads.
    carry: usize,
}

impl Utf8Look {
    /// Looks at the next `chunk` (which starts with the carried bytes of the last one, the
    /// caller keeps them: see [`Utf8Look::carried`]).
    pub fn look(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        self.carry = 0;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.multibyte |= !s.is_ascii();
                    return;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.multibyte |= !good.is_ascii();
                    match e.error_len() {
                        None => {
                            self.carry = bad.len();
                            return;
                        }
                        Some(n) => {
                            self.invalid = true;
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
    }

    /// Bytes at the end of the last chunk that start a character the next chunk completes.
    pub fn carried(&self) -> usize {
        self.carry
    }
}

/// The encoding to decode from, when not UTF-8: by a UTF-16 byte order mark (or, without one,
/// ASCII letters each next to a zero byte), or Windows-1252 for bytes that are not UTF-8 and
/// hold no multi-byte UTF-8 character at all.
pub fn decide(head: &[u8], look: Utf8Look) -> Option<&'static Encoding> {
    match head {
        [0xFF, 0xFE, ..] => return Some(UTF_16LE),
        [0xFE, 0xFF, ..] => return Some(UTF_16BE),
        _ => {}
    }
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(64).collect();
    if pairs.len() >= 4 {
        if pairs.iter().all(|p| p[0] != 0 && p[1] == 0) {
            return Some(UTF_16LE);
        }
        if pairs.iter().all(|p| p[0] == 0 && p[1] != 0) {
            return Some(UTF_16BE);
        }
    }
    (look.invalid && !look.multibyte).then_some(WINDOWS_1252)
}

/// How an encoding is named to the user.
pub fn label(e: &'static Encoding) -> &'static str {
    if e == UTF_16LE {
        "UTF-16 LE"
    } else if e == UTF_16BE {
        "UTF-16 BE"
    } else {
        "Windows-1252"
    }
}

/// A UTF-8 copy of `path` decoded from `encoding`, in a temporary file removed when dropped.
pub fn decoded_copy(
    file: &str,
    path: &Path,
    encoding: &'static Encoding,
) -> Result<tempfile::NamedTempFile> {
    let cannot = |e: std::io::Error| refused(file, format!("cannot read the file: {e}"));
    let mut input = std::fs::File::open(path).map_err(cannot)?;
    let out = tempfile::NamedTempFile::new().map_err(cannot)?;
    let mut writer = std::io::BufWriter::new(out.as_file());
    // A BOM, if any, selects the same encoding and is dropped.
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut buf = vec![0u8; 1 << 16];
    let mut text = String::with_capacity(1 << 18);
    loop {
        let n = input.read(&mut buf).map_err(cannot)?;
        let last = n == 0;
        let mut src = &buf[..n];
        loop {
            text.clear();
            let (result, read, _) = decoder.decode_to_string(src, &mut text, last);
            writer.write_all(text.as_bytes()).map_err(cannot)?;
            src = &src[read..];
            if let encoding_rs::CoderResult::InputEmpty = result {
                break;
            }
            text.reserve(1 << 16);
        }
        if last {
            break;
        }
    }
    writer.flush().map_err(cannot)?;
    drop(writer);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(bytes: &[u8], chunk: usize) -> Utf8Look {
        let mut l = Utf8Look::default();
        let mut carried: Vec<u8> = Vec::new();
        for c in bytes.chunks(chunk) {
            let mut joined = std::mem::take(&mut carried);
            joined.extend_from_slice(c);
            l.look(&joined);
            carried = joined[joined.len() - l.carried()..].to_vec();
        }
        l
    }

    #[test]
    fn a_character_split_between_reads_is_still_utf8() {
        let text = "Pehmeämpi jälkiuuni सूती".as_bytes();
        for chunk in 1..8 {
            let l = look(text, chunk);
            assert!(!l.invalid && l.multibyte, "chunk {chunk}");
        }
    }

    #[test]
    fn latin1_bytes_are_windows_1252_and_damaged_utf8_stays_utf8() {
        let cp1252 = b"SKU-1,P\xe4rn\xe4 \x80 5\n";
        assert_eq!(decide(cp1252, look(cp1252, 4)), Some(WINDOWS_1252));
        let damaged = "ä".bytes().chain(*b"\xff").collect::<Vec<_>>();
        assert_eq!(decide(&damaged, look(&damaged, 4)), None);
        assert_eq!(decide(b"plain", look(b"plain", 4)), None);
    }
}
