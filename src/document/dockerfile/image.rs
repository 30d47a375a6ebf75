//! Image references as written after `FROM`: `[registry/]repository[:tag][@digest]`.

/// A parsed image reference. `name` keeps the registry and repository as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    pub fn parse(reference: &str) -> Self {
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (reference, None),
        };
        // A `:` before the last `/` is a registry port, not a tag.
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        Self {
            name: name.to_string(),
            tag,
            digest,
        }
    }

    /// `scratch` is the empty image: no filesystem, no user database.
    pub fn is_scratch(&self) -> bool {
        self.name.eq_ignore_ascii_case("scratch") && self.tag.is_none() && self.digest.is_none()
    }

    /// `name:tag` (or `name`), the form image patterns are matched against.
    pub fn name_and_tag(&self) -> String {
        match &self.tag {
            Some(tag) => format!("{}:{tag}", self.name),
            None => self.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags_digests_and_ports() {
        let r = ImageRef::parse("registry.local:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.name, "registry.local:5000/team/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("registry.local:5000/app");
        assert_eq!((r.name.as_str(), r.tag), ("registry.local:5000/app", None));
        assert_eq!(
            ImageRef::parse("gcr.io/distroless/static:nonroot").name_and_tag(),
            "gcr.io/distroless/static:nonroot"
        );
        assert!(ImageRef::parse("SCRATCH").is_scratch());
        assert_eq!(ImageRef::parse("").name, "");
        assert_eq!(ImageRef::parse(":").tag.as_deref(), Some(""));
    }
}
