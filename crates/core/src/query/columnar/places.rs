//! Where an entry is among the held columns, found from its id: keywords that match an entry's
//! own text (`events_fts`) name entries by id, the held columns by place.

/// The held entries' ids as runs of consecutive ids, each with the place it starts at: one run
/// while no entry was ever removed, one more per gap.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Places {
    runs: Vec<(i64, usize)>,
    len: usize,
}

impl Places {
    /// The entry after the last, by its id (ids only ever grow).
    pub(super) fn push(&mut self, id: i64) {
        if !self.continues(id) {
            self.runs.push((id, self.len));
        }
        self.len += 1;
    }

    /// `more`'s entries after these.
    pub(super) fn append(&mut self, more: &Places) {
        for (n, &(first, at)) in more.runs.iter().enumerate() {
            let end = more.runs.get(n + 1).map_or(more.len, |r| r.1);
            if !self.continues(first) {
                self.runs.push((first, self.len));
            }
            self.len += end - at;
        }
    }

    /// How many entries.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The place of the entry with this id; None when no held entry has it.
    pub(super) fn of(&self, id: i64) -> Option<usize> {
        let run = self.runs.partition_point(|&(first, _)| first <= id);
        let (first, at) = *self.runs.get(run.checked_sub(1)?)?;
        let end = self.runs.get(run).map_or(self.len, |r| r.1);
        let place = at + usize::try_from(id - first).ok()?;
        (place < end).then_some(place)
    }

    /// The id of the entry at `place`; None past the last.
    pub(super) fn id_at(&self, place: usize) -> Option<i64> {
        if place >= self.len {
            return None;
        }
        let run = self.runs.partition_point(|&(_, at)| at <= place);
        let (first, at) = *self.runs.get(run.checked_sub(1)?)?;
        Some(first + (place - at) as i64)
    }

    /// The runs of consecutive ids, each with the place it starts at.
    pub(super) fn runs(&self) -> &[(i64, usize)] {
        &self.runs
    }

    /// Places of these runs of `len` entries in all; None when they are not such runs (ids
    /// and places rising, each run of one entry at least).
    pub(super) fn from_runs(runs: Vec<(i64, usize)>, len: usize) -> Option<Places> {
        let rising = runs.windows(2).all(|w| {
            let ((id, at), (next_id, next_at)) = (w[0], w[1]);
            next_at > at && next_id >= id + (next_at - at) as i64
        });
        let starts = runs.first().is_none_or(|&(_, at)| at == 0);
        let ends = runs.last().is_none_or(|&(_, at)| at < len) && (!runs.is_empty() || len == 0);
        (rising && starts && ends).then_some(Places { runs, len })
    }

    fn continues(&self, id: i64) -> bool {
        self.runs
            .last()
            .is_some_and(|&(first, at)| first + (self.len - at) as i64 == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(ids: &[i64]) -> Places {
        let mut p = Places::default();
        ids.iter().for_each(|&id| p.push(id));
        p
    }

    #[test]
    fn an_entry_is_found_at_its_place_and_a_missing_one_nowhere() {
        let ids = [3, 4, 5, 9, 10, 20, 22, 23];
        let p = of(&ids);
        assert_eq!(p.runs.len(), 4);
        for (place, id) in ids.iter().enumerate() {
            assert_eq!(p.of(*id), Some(place), "id {id}");
        }
        for missing in [0, 2, 6, 8, 11, 19, 21, 24, i64::MAX, i64::MIN] {
            assert_eq!(p.of(missing), None, "id {missing}");
        }
    }

    #[test]
    fn appended_places_equal_those_pushed_one_by_one() {
        let (a, b) = ([1, 2, 3, 7], [8, 9, 12, 13, 14]);
        let mut both = of(&a);
        both.append(&of(&b));
        let all: Vec<i64> = a.iter().chain(&b).copied().collect();
        assert_eq!(both, of(&all));
        let mut gap = of(&a);
        gap.append(&of(&[10, 11]));
        assert_eq!(gap, of(&[1, 2, 3, 7, 10, 11]));
        let mut into_empty = Places::default();
        into_empty.append(&of(&b));
        assert_eq!(into_empty, of(&b));
    }
}
