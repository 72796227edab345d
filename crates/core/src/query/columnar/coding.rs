//! A column's values coded as they are read: each distinct value listed once, each entry
//! holding the place of its own.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rustc_hash::FxHashMap;

use super::{Coded, Codes, MOST_VALUES};

impl Coded {
    /// This column with `more` entries after its own; None past the values a code holds.
    pub(super) fn extended(&self, more: Coded) -> Option<Coded> {
        let mut all = Coder::of(self);
        all.append(Coder::of(&more)).then(|| all.finish())
    }
}

/// One column's values coded as they are read.
#[derive(Default)]
pub(super) struct Coder {
    integers: FxHashMap<i64, u16>,
    texts: FxHashMap<Box<[u8]>, u16>,
    /// NULL, reals (by their bits) and blobs.
    others: FxHashMap<Other, u16>,
    values: Vec<SqlValue>,
    holders: Vec<i64>,
    codes: Vec<u16>,
}

#[derive(Hash, PartialEq, Eq)]
enum Other {
    Null,
    Real(u64),
    Blob(Box<[u8]>),
}

impl Coder {
    /// A coder with room for this many entries, made once.
    pub(super) fn with_room(room: usize) -> Coder {
        Coder {
            codes: Vec::with_capacity(room),
            ..Coder::default()
        }
    }

    /// Codes one entry's value (`id` names the entry); false once the column has too many
    /// values to hold.
    pub(super) fn add(
        &mut self,
        v: ValueRef<'_>,
        id: impl FnOnce() -> rusqlite::Result<i64>,
    ) -> rusqlite::Result<bool> {
        let code = match self.code_of(v) {
            Some(code) => code,
            None => match self.new_code(id()?, v) {
                Some(code) => code,
                None => return Ok(false),
            },
        };
        self.codes.push(code);
        Ok(true)
    }

    fn code_of(&self, v: ValueRef<'_>) -> Option<u16> {
        match v {
            ValueRef::Integer(i) => self.integers.get(&i),
            ValueRef::Text(t) => self.texts.get(t),
            ValueRef::Null => self.others.get(&Other::Null),
            ValueRef::Real(f) => self.others.get(&Other::Real(f.to_bits())),
            ValueRef::Blob(b) => self.others.get(&Other::Blob(b.into())),
        }
        .copied()
    }

    fn new_code(&mut self, id: i64, v: ValueRef<'_>) -> Option<u16> {
        if self.values.len() >= MOST_VALUES {
            return None;
        }
        let code = self.values.len() as u16;
        match v {
            ValueRef::Integer(i) => self.integers.insert(i, code),
            ValueRef::Text(t) => self.texts.insert(t.into(), code),
            ValueRef::Null => self.others.insert(Other::Null, code),
            ValueRef::Real(f) => self.others.insert(Other::Real(f.to_bits()), code),
            ValueRef::Blob(b) => self.others.insert(Other::Blob(b.into()), code),
        };
        self.values.push(SqlValue::from(v));
        self.holders.push(id);
        Some(code)
    }

    /// A coded column as it was while read.
    pub(super) fn of(coded: &Coded) -> Coder {
        let mut coder = Coder::default();
        for (value, holder) in coded.values.iter().zip(&coded.holders) {
            // The values are distinct and at most MOST_VALUES: each gets its own code again.
            coder.new_code(*holder, ValueRef::from(value));
        }
        coder.codes = match &coded.codes {
            Codes::Narrow(c) => c.iter().map(|&c| u16::from(c)).collect(),
            Codes::Wide(c) => c.to_vec(),
        };
        coder
    }

    /// Appends the next share's entries (read after this one's, by id); false once the
    /// column has too many values to hold.
    pub(super) fn append(&mut self, next: Coder) -> bool {
        let mut recode = Vec::with_capacity(next.values.len());
        for (value, holder) in next.values.iter().zip(&next.holders) {
            let v = ValueRef::from(value);
            let code = match self.code_of(v) {
                Some(code) => code,
                None => match self.new_code(*holder, v) {
                    Some(code) => code,
                    None => return false,
                },
            };
            recode.push(code);
        }
        self.codes
            .extend(next.codes.iter().map(|&c| recode[usize::from(c)]));
        true
    }

    pub(super) fn finish(self) -> Coded {
        let mut counts = vec![0u64; self.values.len()];
        for &c in &self.codes {
            counts[usize::from(c)] += 1;
        }
        let codes = match self.values.len() <= 256 {
            // Every code fits a byte.
            true => Codes::Narrow(self.codes.iter().map(|&c| c as u8).collect()),
            false => Codes::Wide(self.codes.into_boxed_slice()),
        };
        Coded {
            codes,
            values: self.values,
            holders: self.holders,
            counts,
        }
    }
}
