//! tollgate: policy-as-code compliance checks for migration SQL, env files, Dockerfiles and
//! Kubernetes manifests.

pub mod finding;
pub mod github;
pub mod source;
