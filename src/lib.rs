//! tollgate: policy-as-code compliance checks for migration SQL, env files, Dockerfiles and
//! Kubernetes manifests.
//!
//! The pipeline is data in, data out; only the ends do I/O:
//! discover → read → parse (per kind) → check (rules) → suppress → report.

pub mod baseline;
pub mod changed;
pub mod cli;
pub mod discover;
pub mod docs;
pub mod document;
pub mod engine;
pub mod finding;
pub mod fsread;
pub mod github;
pub mod outcome;
pub mod paths;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod suppress;

#[cfg(test)]
pub(crate) mod testing;
