//! placeholder: filled by the connection work.
