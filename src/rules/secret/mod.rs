//! Rules over any text in scope, using the shared detectors of `crate::secrets`.

pub mod no_plaintext_secret;
