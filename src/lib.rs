//! tollgate: policy-as-code compliance checks for migration SQL, env files, Dockerfiles and
//! Kubernetes manifests.

pub mod finding;
pub mod source;

// Compiled standalone until the document module lands in main; then it moves under `document`.
#[path = "document/dockerfile/mod.rs"]
pub mod dockerfile;
