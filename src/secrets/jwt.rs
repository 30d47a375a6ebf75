//! Unverified JWT decoding: enough to read the `role` a Supabase key grants.

use serde_json::{Map, Value};

/// The decoded header and claims of a compact JWT. The signature is not checked: we only need to
/// know what the token claims to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

impl Jwt {
    pub fn decode(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let header = parts.next()?;
        let claims = parts.next()?;
        let _signature = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let header = json_object(&base64url_decode(header)?)?;
        let claims = json_object(&base64url_decode(claims)?)?;
        if !header.contains_key("alg") && !header.contains_key("typ") {
            return None;
        }
        Some(Jwt { header, claims })
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Supabase's `role` claim: `anon` keys are public by design, `service_role` bypasses RLS.
    pub fn role(&self) -> Option<&str> {
        self.claim_str("role")
    }

    /// Tokens that are published on purpose: Supabase's local-development demo keys and the
    /// jwt.io sample token that documentation copies.
    pub fn is_documented_sample(&self) -> bool {
        self.claim_str("iss") == Some("supabase-demo")
            || (self.claim_str("sub") == Some("1234567890")
                && self.claim_str("name") == Some("John Doe"))
    }
}

fn json_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Decodes base64url or standard base64, padded or not. Returns `None` on any invalid input.
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        })
    }
    let trimmed = input.trim_end_matches('=');
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in trimmed.as_bytes() {
        acc = (acc << 6) | sextet(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Encodes bytes as unpadded base64url (used by tests and the corpus generator's Rust twin).
pub fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for input in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xff, 0xfe, 0x00],
        ] {
            assert_eq!(
                base64url_decode(&base64url_encode(input)).as_deref(),
                Some(input)
            );
        }
        assert_eq!(base64url_decode("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("ab!c"), None);
    }

    #[test]
    fn decodes_supabase_roles() {
        let header = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let anon = base64url_encode(
            br#"{"iss":"supabase","ref":"abcdefghijklmnop","role":"anon","iat":1700000000}"#,
        );
        let jwt = Jwt::decode(&format!("{header}.{anon}.c2lnbmF0dXJlc2lnbmF0dXJl")).unwrap();
        assert_eq!(jwt.role(), Some("anon"));
        assert!(!jwt.is_documented_sample());
        assert!(Jwt::decode("eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln").is_none());
        assert!(Jwt::decode("a.b").is_none());
    }
}
