//! The tri-state answer of every push parser (httparse's `Status`): done, or more bytes needed.

/// Outcome of feeding bytes to a push parser (an HTTP head, a frame header). `Partial` consumed
/// nothing and is never an error; `Complete` says how many bytes were used where that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// Parsed; the value says how many bytes were used where that applies.
    Complete(T),
    /// The input ends before the item does; nothing was consumed.
    Partial,
}

impl<T> Status<T> {
    /// Whether more bytes are needed.
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }
    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }
}
