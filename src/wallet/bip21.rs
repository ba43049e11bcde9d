//! BIP21 payment URIs: `bitcoin:ADDRESS?amount=…&label=…&message=…`, the
//! text a payment QR code carries.

use bitcoin::address::NetworkUnchecked;
use bitcoin::{Address, Amount, Denomination};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in a parameter value: RFC 3986 "unreserved".
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a payment URI was not built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Bip21Error {
    #[error("the address is not a valid Bitcoin address")]
    InvalidAddress,
    #[error("the amount is not a number of bitcoin with at most 8 decimals: {0}")]
    InvalidAmount(String),
    #[error("the amount must be more than zero")]
    ZeroAmount,
    #[error("the amount is more than 21 million bitcoin")]
    TooLarge,
}

/// Builds a payment URI. The amount is in BTC as typed (`0.001`, `1.5`,
/// at most 8 decimals) and is written back in canonical form; empty
/// optional parts are left out; label and message are percent-encoded.
pub fn uri(
    address: &str,
    amount_btc: Option<&str>,
    label: Option<&str>,
    message: Option<&str>,
) -> Result<String, Bip21Error> {
    let address = address.trim();
    address
        .parse::<Address<NetworkUnchecked>>()
        .map_err(|_| Bip21Error::InvalidAddress)?;

    let mut params = Vec::new();
    if let Some(amount) = non_empty(amount_btc) {
        params.push(format!("amount={}", parse_amount(amount)?));
    }
    if let Some(label) = non_empty(label) {
        params.push(format!("label={}", utf8_percent_encode(label, VALUE)));
    }
    if let Some(message) = non_empty(message) {
        params.push(format!("message={}", utf8_percent_encode(message, VALUE)));
    }

    let mut uri = format!("bitcoin:{address}");
    if !params.is_empty() {
        uri.push('?');
        uri.push_str(&params.join("&"));
    }
    Ok(uri)
}

/// The text a QR code should carry for a Bitcoin address or payment URI.
///
/// A bare address becomes a `bitcoin:` URI, so that wallets scanning it know
/// what it is. A bech32 or bech32m address (`bc1…`, `tb1…`, `bcrt1…`) is
/// case-insensitive, so it and the scheme are upper-cased: QR codes store
/// upper-case letters and digits in their compact alphanumeric mode, which
/// gives a smaller code that is easier to scan. A base58 address (`1…`,
/// `3…`) keeps its exact case, and so do the URI's parameters. Text that is
/// neither an address nor a `bitcoin:` URI is returned unchanged.
pub fn qr_payload(text: &str) -> String {
    let text = text.trim();
    let (address, query) = match text.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bitcoin") => rest
            .split_once('?')
            .map_or((rest, None), |(a, q)| (a, Some(q))),
        Some(_) => return text.to_owned(),
        None => (text, None),
    };
    if address.parse::<Address<NetworkUnchecked>>().is_err() {
        return text.to_owned();
    }
    let lower = address.to_ascii_lowercase();
    let bech32 = ["bc1", "tb1", "bcrt1"]
        .iter()
        .any(|hrp| lower.starts_with(hrp));
    let mut payload = if bech32 {
        format!("BITCOIN:{}", address.to_ascii_uppercase())
    } else {
        format!("bitcoin:{address}")
    };
    if let Some(query) = query {
        payload.push('?');
        payload.push_str(query);
    }
    payload
}

/// A BTC amount, checked and written in canonical decimal form.
fn parse_amount(text: &str) -> Result<String, Bip21Error> {
    let amount = Amount::from_str_in(text, Denomination::Bitcoin)
        .map_err(|err| Bip21Error::InvalidAmount(err.to_string()))?;
    if amount == Amount::ZERO {
        return Err(Bip21Error::ZeroAmount);
    }
    if amount > Amount::MAX_MONEY {
        return Err(Bip21Error::TooLarge);
    }
    Ok(amount.to_string_in(Denomination::Bitcoin))
}

fn non_empty(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: &str = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu";

    #[test]
    fn an_address_alone_is_a_bare_uri() {
        assert_eq!(
            uri(ADDRESS, None, Some(""), None).expect("valid"),
            format!("bitcoin:{ADDRESS}")
        );
    }

    #[test]
    fn amount_label_and_message_are_encoded() {
        let built = uri(
            ADDRESS,
            Some("0.00100000"),
            Some("Luke-Jr"),
            Some("Donation for project xyz & co"),
        )
        .expect("valid");
        assert_eq!(
            built,
            format!(
                "bitcoin:{ADDRESS}?amount=0.001&label=Luke-Jr&\
                 message=Donation%20for%20project%20xyz%20%26%20co"
            )
        );
    }

    #[test]
    fn bad_amounts_and_addresses_are_refused() {
        assert_eq!(
            uri("bc1qnot", None, None, None),
            Err(Bip21Error::InvalidAddress)
        );
        assert_eq!(
            uri(ADDRESS, Some("0"), None, None),
            Err(Bip21Error::ZeroAmount)
        );
        assert_eq!(
            uri(ADDRESS, Some("21000001"), None, None),
            Err(Bip21Error::TooLarge)
        );
        for bad in ["-1", "1.000000001", "1,5", "abc"] {
            assert!(matches!(
                uri(ADDRESS, Some(bad), None, None),
                Err(Bip21Error::InvalidAmount(_))
            ));
        }
    }
}
