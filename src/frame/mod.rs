//! placeholder: filled by the frame work.
