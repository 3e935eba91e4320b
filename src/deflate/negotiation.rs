//! Negotiating `permessage-deflate` (RFC 7692 §7.1): parsing offers, choosing the server's
//! answer, and checking the answer on the client.
//!
//! An offer with an unknown, repeated or out-of-range parameter is *declined* by the server (it
//! moves on to the next offer, RFC 7692 §5.1); the same fault in a response fails the client's
//! handshake (RFC 7692 §5.1, §7.1).

use alloc::string::String;
use alloc::vec::Vec;

use crate::handshake::error::{HandshakeError, Side};
use crate::handshake::extensions::{Extension, ExtensionParam};

/// The extension token (RFC 7692 §7).
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";
const SNCT: &str = "server_no_context_takeover";
const CNCT: &str = "client_no_context_takeover";
const SMWB: &str = "server_max_window_bits";
const CMWB: &str = "client_max_window_bits";

/// `client_max_window_bits` in an offer: absent, present without value, or a limit
/// (RFC 7692 §7.1.2.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub enum ClientMaxWindowBits {
    /// Not offered: the server must not limit the client's window.
    #[default]
    Absent,
    /// Offered without a value: the client supports a limit chosen by the server.
    Supported,
    /// Offered with a value: the client supports a limit and will itself use at most this.
    Limit(u8),
}

/// A `permessage-deflate` offer (RFC 7692 §7.1), as a client sends it or a server reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct DeflateOffer {
    /// Ask the server not to reuse its LZ77 window across messages (RFC 7692 §7.1.1.1).
    pub server_no_context_takeover: bool,
    /// Announce the client will not reuse its window (RFC 7692 §7.1.1.2).
    pub client_no_context_takeover: bool,
    /// Ask the server to use at most 2^n bytes of window, 8..=15 (RFC 7692 §7.1.2.1).
    pub server_max_window_bits: Option<u8>,
    /// Whether and how the client accepts a window limit (RFC 7692 §7.1.2.2).
    pub client_max_window_bits: ClientMaxWindowBits,
}

/// The parameters both ends agreed on, with defaults filled in: what the codec needs
/// (RFC 7692 §7.1). Window bits are 8..=15; 15 means "no limit" (32 KiB). Deserializable so
/// a caller can hand the handshake's result straight to a connection's `Config::deflate`;
/// missing fields take the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(ws101_serde, serde(default, rename_all = "camelCase"))]
pub struct DeflateParams {
    /// The server resets its compressor after each message (RFC 7692 §7.1.1.1).
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after each message (RFC 7692 §7.1.1.2).
    pub client_no_context_takeover: bool,
    /// The server compresses with at most this window (RFC 7692 §7.1.2.1).
    pub server_max_window_bits: u8,
    /// The client compresses with at most this window (RFC 7692 §7.1.2.2).
    pub client_max_window_bits: u8,
}

impl Default for DeflateParams {
    fn default() -> Self {
        DeflateParams {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

/// What a server is willing to do for `permessage-deflate` (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
pub struct DeflateConfig {
    /// Always answer with `server_no_context_takeover` (RFC 7692 §7.1.1.1 allows it unrequested).
    pub server_no_context_takeover: bool,
    /// Always answer with `client_no_context_takeover` (RFC 7692 §7.1.1.2).
    pub client_no_context_takeover: bool,
    /// Largest window the server compresses with, 8..=15 (RFC 7692 §7.1.2.1).
    pub server_max_window_bits: u8,
    /// Limit asked of clients that support one, 8..=15; 15 asks nothing (RFC 7692 §7.1.2.2).
    pub client_max_window_bits: u8,
}

impl Default for DeflateConfig {
    fn default() -> Self {
        DeflateConfig {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }
}

fn param_error(
    side: Side,
    param: &str,
    value: Option<&str>,
    reason: &'static str,
) -> HandshakeError {
    HandshakeError::InvalidDeflateParam {
        param: String::from(param),
        value: value.map(String::from),
        reason,
        side,
    }
}

/// Parses window bits: a decimal 8..=15 without leading zeros (RFC 7692 §7.1.2.1, §7.1.2.2).
pub fn parse_window_bits(value: &str) -> Option<u8> {
    match value.as_bytes() {
        [d @ b'8'..=b'9'] => Some(d - b'0'),
        [b'1', d @ b'0'..=b'5'] => Some(10 + (d - b'0')),
        _ => None,
    }
}

fn no_value(side: Side, p: &ExtensionParam) -> Result<(), HandshakeError> {
    match &p.value {
        None => Ok(()),
        Some(v) => Err(param_error(
            side,
            &p.name,
            Some(v),
            "this parameter takes no value",
        )),
    }
}

/// Reads the parameters of one `permessage-deflate` element (RFC 7692 §7.1): the one loop for
/// a client's offer (`Side::Request`) and a server's answer (`Side::Response`, where
/// `client_max_window_bits` needs a value, §7.1.2.2). Every fault, in order.
fn read_params(ext: &Extension, side: Side) -> (DeflateOffer, Vec<HandshakeError>) {
    let mut params = DeflateOffer::default();
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for p in &ext.params {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(&p.name)) {
            errors.push(param_error(
                side,
                &p.name,
                p.value.as_deref(),
                "the parameter appears twice",
            ));
            continue;
        }
        seen.push(&p.name);
        let bits = || {
            p.value
                .as_deref()
                .and_then(parse_window_bits)
                .ok_or_else(|| {
                    param_error(
                        side,
                        &p.name,
                        p.value.as_deref(),
                        "the value must be 8 to 15 without leading zeros",
                    )
                })
        };
        let result = match p.name.as_str() {
            SNCT => no_value(side, p).map(|_| params.server_no_context_takeover = true),
            CNCT => no_value(side, p).map(|_| params.client_no_context_takeover = true),
            SMWB => bits().map(|b| params.server_max_window_bits = Some(b)),
            CMWB if side == Side::Request && p.value.is_none() => {
                params.client_max_window_bits = ClientMaxWindowBits::Supported;
                Ok(())
            }
            CMWB => bits().map(|b| params.client_max_window_bits = ClientMaxWindowBits::Limit(b)),
            _ => Err(param_error(
                side,
                &p.name,
                p.value.as_deref(),
                "unknown parameter",
            )),
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    (params, errors)
}

impl DeflateOffer {
    /// Reads an offer from a parsed extension element (RFC 7692 §7.1). An error (the first
    /// fault) means the server must decline this offer.
    pub fn from_extension(ext: &Extension) -> Result<Self, HandshakeError> {
        let (offer, errors) = read_params(ext, Side::Request);
        match errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(offer),
        }
    }

    /// The offer as an extension element (RFC 7692 §7.1).
    pub fn to_extension(&self) -> Extension {
        let mut ext = Extension::new(PERMESSAGE_DEFLATE);
        if self.server_no_context_takeover {
            ext = ext.with_param(SNCT, None);
        }
        if self.client_no_context_takeover {
            ext = ext.with_param(CNCT, None);
        }
        if let Some(bits) = self.server_max_window_bits {
            ext = ext.with_param(SMWB, Some(&alloc::format!("{bits}")));
        }
        match self.client_max_window_bits {
            ClientMaxWindowBits::Absent => {}
            ClientMaxWindowBits::Supported => ext = ext.with_param(CMWB, None),
            ClientMaxWindowBits::Limit(bits) => {
                ext = ext.with_param(CMWB, Some(&alloc::format!("{bits}")))
            }
        }
        ext
    }

    /// Checks the caller's own offer before sending it (window bits 8..=15) (RFC 7692 §7.1.2).
    pub fn validate(&self) -> Result<(), HandshakeError> {
        let ok = |b: u8| (8..=15).contains(&b);
        if let Some(b) = self.server_max_window_bits.filter(|b| !ok(*b)) {
            return Err(param_error(
                Side::Request,
                SMWB,
                Some(&alloc::format!("{b}")),
                "the value must be 8 to 15",
            ));
        }
        if let ClientMaxWindowBits::Limit(b) = self.client_max_window_bits {
            if !ok(b) {
                return Err(param_error(
                    Side::Request,
                    CMWB,
                    Some(&alloc::format!("{b}")),
                    "the value must be 8 to 15",
                ));
            }
        }
        Ok(())
    }
}

/// The server's choice: agreed parameters and the extension element to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(ws101_serde, derive(serde::Serialize))]
#[cfg_attr(ws101_serde, serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct DeflateAgreement {
    /// What the codec uses.
    pub params: DeflateParams,
    /// The `permessage-deflate; …` element for the response.
    pub response: Extension,
}

/// Server side: accepts the first acceptable `permessage-deflate` offer among `offers`
/// (RFC 7692 §5.1, §7.1). Returns the agreement (if any) and the offers declined with why.
pub fn negotiate_deflate(
    offers: &[Extension],
    config: &DeflateConfig,
) -> (Option<DeflateAgreement>, Vec<HandshakeError>) {
    let mut declined = Vec::new();
    let server_cap = config.server_max_window_bits.clamp(8, 15);
    let client_cap = config.client_max_window_bits.clamp(8, 15);
    for ext in offers
        .iter()
        .filter(|e| e.name.eq_ignore_ascii_case(PERMESSAGE_DEFLATE))
    {
        let offer = match DeflateOffer::from_extension(ext) {
            Ok(offer) => offer,
            Err(e) => {
                declined.push(e);
                continue;
            }
        };
        let mut params = DeflateParams {
            server_no_context_takeover: offer.server_no_context_takeover
                || config.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover
                || config.client_no_context_takeover,
            ..DeflateParams::default()
        };
        let mut response = Extension::new(PERMESSAGE_DEFLATE);
        if params.server_no_context_takeover {
            response = response.with_param(SNCT, None);
        }
        if params.client_no_context_takeover {
            response = response.with_param(CNCT, None);
        }
        // §7.1.2.1: answer with the same or a smaller value; may also be sent unrequested.
        let server_bits = offer
            .server_max_window_bits
            .map_or(server_cap, |b| b.min(server_cap));
        if offer.server_max_window_bits.is_some() || server_bits < 15 {
            params.server_max_window_bits = server_bits;
            response = response.with_param(SMWB, Some(&alloc::format!("{server_bits}")));
        }
        // §7.1.2.2: only when offered; a value in the offer already bounds the client.
        let client_bits = match offer.client_max_window_bits {
            ClientMaxWindowBits::Absent => 15,
            ClientMaxWindowBits::Supported => client_cap,
            ClientMaxWindowBits::Limit(b) => b.min(client_cap),
        };
        params.client_max_window_bits = client_bits;
        if client_bits < 15 {
            response = response.with_param(CMWB, Some(&alloc::format!("{client_bits}")));
        }
        return (Some(DeflateAgreement { params, response }), declined);
    }
    (None, declined)
}

/// A `permessage-deflate` response element, parsed and range-checked (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct DeflateAnswer {
    snct: bool,
    cnct: bool,
    smwb: Option<u8>,
    cmwb: Option<u8>,
}

fn parse_answer(ext: &Extension) -> Result<DeflateAnswer, Vec<HandshakeError>> {
    let (read, errors) = read_params(ext, Side::Response);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DeflateAnswer {
        snct: read.server_no_context_takeover,
        cnct: read.client_no_context_takeover,
        smwb: read.server_max_window_bits,
        cmwb: match read.client_max_window_bits {
            ClientMaxWindowBits::Limit(b) => Some(b),
            ClientMaxWindowBits::Absent | ClientMaxWindowBits::Supported => None,
        },
    })
}

fn answer_matches(a: &DeflateAnswer, offer: &DeflateOffer) -> Vec<HandshakeError> {
    let side = Side::Response;
    let mut errors = Vec::new();
    let bits = |b: u8| alloc::format!("{b}");
    if let Some(b) = a.cmwb {
        match offer.client_max_window_bits {
            ClientMaxWindowBits::Absent => errors.push(param_error(
                side,
                CMWB,
                Some(&bits(b)),
                "the client did not offer client_max_window_bits",
            )),
            ClientMaxWindowBits::Limit(max) if b > max => errors.push(param_error(
                side,
                CMWB,
                Some(&bits(b)),
                "the value is larger than the client offered",
            )),
            _ => {}
        }
    }
    if let Some(max) = offer.server_max_window_bits {
        match a.smwb {
            None => errors.push(param_error(
                side,
                SMWB,
                None,
                "the client asked for server_max_window_bits and the response does not confirm it",
            )),
            Some(b) if b > max => errors.push(param_error(
                side,
                SMWB,
                Some(&bits(b)),
                "the value is larger than the client offered",
            )),
            _ => {}
        }
    }
    if offer.server_no_context_takeover && !a.snct {
        errors.push(param_error(
            side,
            SNCT,
            None,
            "the client asked for server_no_context_takeover and the response does not confirm it",
        ));
    }
    errors
}

/// Client side: checks the server's `permessage-deflate` element against the offers sent and
/// returns the agreed parameters (RFC 7692 §7.1). Accepted when it answers any one offer.
pub fn check_deflate_response(
    ext: &Extension,
    offers: &[DeflateOffer],
) -> Result<DeflateParams, Vec<HandshakeError>> {
    let answer = parse_answer(ext)?;
    let mut first_errors = None;
    for offer in offers {
        let errors = answer_matches(&answer, offer);
        if errors.is_empty() {
            let client_bits = match (answer.cmwb, offer.client_max_window_bits) {
                (Some(b), _) => b,
                (None, ClientMaxWindowBits::Limit(b)) => b,
                (None, _) => 15,
            };
            return Ok(DeflateParams {
                server_no_context_takeover: answer.snct,
                client_no_context_takeover: answer.cnct || offer.client_no_context_takeover,
                server_max_window_bits: answer.smwb.unwrap_or(15),
                client_max_window_bits: client_bits,
            });
        }
        first_errors.get_or_insert(errors);
    }
    Err(first_errors.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;
    use crate::handshake::extensions::parse_extensions;

    fn one(v: &str) -> Extension {
        parse_extensions(v).unwrap().remove(0)
    }

    #[test]
    fn window_bits() {
        assert_eq!(parse_window_bits("8"), Some(8));
        assert_eq!(parse_window_bits("15"), Some(15));
        for bad in ["7", "16", "08", "", "1", "150", "+9"] {
            assert_eq!(parse_window_bits(bad), None, "{bad}");
        }
    }

    #[test]
    fn offers() {
        let o = DeflateOffer::from_extension(&one("permessage-deflate; client_max_window_bits"))
            .unwrap();
        assert_eq!(o.client_max_window_bits, ClientMaxWindowBits::Supported);
        let o =
            DeflateOffer::from_extension(&one("permessage-deflate; client_max_window_bits=\"10\""))
                .unwrap();
        assert_eq!(o.client_max_window_bits, ClientMaxWindowBits::Limit(10));
        for bad in [
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; foo",
        ] {
            assert_eq!(
                DeflateOffer::from_extension(&one(bad)).unwrap_err().code(),
                "invalid-deflate-param",
                "{bad}"
            );
        }
        let o = DeflateOffer {
            server_max_window_bits: Some(10),
            client_max_window_bits: ClientMaxWindowBits::Supported,
            ..Default::default()
        };
        assert_eq!(DeflateOffer::from_extension(&o.to_extension()).unwrap(), o);
    }

    #[test]
    fn negotiation_declines_bad_offer_and_takes_next() {
        let offers = parse_extensions("permessage-deflate; server_max_window_bits=16, permessage-deflate; client_max_window_bits").unwrap();
        let config = DeflateConfig {
            client_max_window_bits: 12,
            ..Default::default()
        };
        let (agreed, declined) = negotiate_deflate(&offers, &config);
        let agreed = agreed.unwrap();
        assert_eq!(declined.len(), 1);
        assert_eq!(agreed.params.client_max_window_bits, 12);
        assert_eq!(
            crate::handshake::extensions::format_extensions(&[agreed.response]),
            "permessage-deflate; client_max_window_bits=12"
        );
    }

    #[test]
    fn negotiation_echoes_requests() {
        let offers = parse_extensions(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
        )
        .unwrap();
        let (agreed, _) = negotiate_deflate(&offers, &DeflateConfig::default());
        let agreed = agreed.unwrap();
        assert!(agreed.params.server_no_context_takeover);
        assert_eq!(agreed.params.server_max_window_bits, 10);
        assert_eq!(
            crate::handshake::extensions::format_extensions(&[agreed.response]),
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
        );
        let (none, _) = negotiate_deflate(
            &parse_extensions("x-foo").unwrap(),
            &DeflateConfig::default(),
        );
        assert!(none.is_none());
    }

    #[test]
    fn client_checks_response() {
        let offer = DeflateOffer {
            client_max_window_bits: ClientMaxWindowBits::Supported,
            ..Default::default()
        };
        let p = check_deflate_response(
            &one("permessage-deflate; client_max_window_bits=10"),
            &[offer],
        )
        .unwrap();
        assert_eq!(p.client_max_window_bits, 10);
        let plain = DeflateOffer::default();
        let e = check_deflate_response(
            &one("permessage-deflate; client_max_window_bits=10"),
            &[plain],
        )
        .unwrap_err();
        assert_eq!(e[0].code(), "invalid-deflate-param");
        let e = check_deflate_response(
            &one("permessage-deflate; server_max_window_bits=16"),
            &[plain],
        )
        .unwrap_err();
        assert_eq!(e[0].code(), "invalid-deflate-param");
        let e = check_deflate_response(
            &one("permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
            &[plain],
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        let asked = DeflateOffer {
            server_no_context_takeover: true,
            ..Default::default()
        };
        assert!(check_deflate_response(&one("permessage-deflate"), &[asked]).is_err());
        assert!(check_deflate_response(&one("permessage-deflate"), &[asked, plain]).is_ok());
    }
}
