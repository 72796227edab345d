//! A view's time filters as the slots the summary answers whole and the few instants at their
//! edges that are read from the entries.

use super::SLOT_MS;

/// Time ranges (ms, half-open) as whole slots and edges.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Spans {
    /// Slot ranges, half-open: every instant of these slots is in the ranges.
    pub whole: Vec<(i64, i64)>,
    /// Instants (ms, half-open), each range within one slot, that only part of its slot is.
    pub edges: Vec<(i64, i64)>,
}

/// The instants in both of two normalised range lists.
pub fn intersect(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if lo < hi {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `ranges` (normalised) within the slots `first..=last`, split into whole slots and edges.
pub fn split(ranges: &[(i64, i64)], first: i64, last: i64) -> Spans {
    let mut spans = Spans::default();
    let (floor, ceiling) = (first * SLOT_MS, (last + 1) * SLOT_MS);
    for &(lo, hi) in ranges {
        let (lo, hi) = (lo.max(floor), hi.min(ceiling));
        if lo >= hi {
            continue;
        }
        let starts = lo.div_euclid(SLOT_MS) + i64::from(lo.rem_euclid(SLOT_MS) != 0);
        let ends = hi.div_euclid(SLOT_MS);
        if starts > ends {
            spans.edges.push((lo, hi));
            continue;
        }
        if lo < starts * SLOT_MS {
            spans.edges.push((lo, starts * SLOT_MS));
        }
        if starts < ends {
            spans.whole.push((starts, ends));
        }
        if ends * SLOT_MS < hi {
            spans.edges.push((ends * SLOT_MS, hi));
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: i64 = SLOT_MS;

    #[test]
    fn ranges_split_into_whole_slots_and_edges() {
        let all = [(i64::MIN, i64::MAX)];
        assert_eq!(
            split(&all, 10, 20),
            Spans {
                whole: vec![(10, 21)],
                edges: vec![]
            }
        );
        assert_eq!(
            split(&[(10 * W + 5, 12 * W + 7)], 0, 100),
            Spans {
                whole: vec![(11, 12)],
                edges: vec![(10 * W + 5, 11 * W), (12 * W, 12 * W + 7)]
            }
        );
        assert_eq!(
            split(&[(10 * W + 5, 10 * W + 9)], 0, 100),
            Spans {
                whole: vec![],
                edges: vec![(10 * W + 5, 10 * W + 9)]
            }
        );
        assert_eq!(
            split(&[(10 * W + 5, 11 * W + 9)], 0, 100),
            Spans {
                whole: vec![],
                edges: vec![(10 * W + 5, 11 * W), (11 * W, 11 * W + 9)]
            }
        );
        assert_eq!(
            split(&[(0, 5 * W)], 7, 9),
            Spans::default(),
            "outside the slots held"
        );
        let before_1970 = split(&[(-W - 3, 2)], -5, 5);
        assert_eq!(before_1970.whole, vec![(-1, 0)]);
        assert_eq!(before_1970.edges, vec![(-W - 3, -W), (0, 2)]);
    }

    #[test]
    fn intersections_keep_what_both_keep() {
        let a = [(0, 10), (20, 30)];
        let b = [(5, 25), (28, 40)];
        assert_eq!(intersect(&a, &b), vec![(5, 10), (20, 25), (28, 30)]);
        assert_eq!(intersect(&a, &[]), vec![]);
    }
}
