//! placeholder: filled by the message work.
