//! HTTP/1.1 plumbing for the opening handshake: field grammar (RFC 9110 §5.6), ordered header
//! lists (RFC 9110 §5), reading a head with `httparse` (RFC 9112) and writing one.

pub mod authority;
pub mod error;
pub mod head;
pub mod headers;
pub mod token;
pub mod writer;

pub use authority::{parse_authority, Authority, AuthorityError};
pub use error::HttpError;
pub use head::{
    parse_request_head, parse_response_head, HeadLimits, HttpVersion, RequestHead, ResponseHead,
    Status,
};
pub use headers::{
    canonical_name, field_value_error_offset, is_valid_field_name, Header, HeaderList,
};
pub use token::{is_token, list_contains_token, parse_token_list, split_list, SyntaxError};
pub use writer::{
    check_field, reason_phrase, write_request_head, write_response, write_response_into,
};
