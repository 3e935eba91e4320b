//! placeholder: filled by the http work.
