//! A thread's setting for the span of one call (`stops`, `turns`): set before the call, and
//! the one before it put back after, however the call ends.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs `f` with `slot` holding `value`, then puts back what it held before, even when `f`
/// panics.
pub(super) fn with<V: 'static, T>(
    slot: &'static LocalKey<RefCell<Option<V>>>,
    value: V,
    f: impl FnOnce() -> T,
) -> T {
    struct Restore<V: 'static> {
        slot: &'static LocalKey<RefCell<Option<V>>>,
        previous: Option<V>,
    }
    impl<V: 'static> Drop for Restore<V> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            self.slot.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _restore = Restore {
        slot,
        previous: slot.with(|s| s.borrow_mut().replace(value)),
    };
    f()
}
