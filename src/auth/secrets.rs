//! Random tokens, their stored hashes, and the server's own signing key.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh random token: 32 bytes, base64url, with a readable prefix.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a token, hex-encoded; what the database stores. Tokens have 256 bits of
/// entropy, so a fast hash is enough.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The server's secret key, generated on first run and kept in the data folder.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(***)")
    }
}

impl ServerKey {
    const FILE: &'static str = "secret.key";

    /// Loads the key from `data_dir`, creating it (mode 0600) on first run.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<ServerKey> {
        let path = data_dir.join(Self::FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let bytes = URL_SAFE_NO_PAD
                .decode(text.trim())
                .with_context(|| format!("{} is not a valid key file", path.display()))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes", path.display()))?;
            return Ok(ServerKey(key));
        }
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&path)
            .with_context(|| format!("Failed to create {}", path.display()))?;
        file.write_all(URL_SAFE_NO_PAD.encode(key).as_bytes())
            .with_context(|| format!("Failed to write {}", path.display()))?;
        Ok(ServerKey(key))
    }

    /// An HMAC-SHA256 of `data` for one `purpose`, base64url.
    pub fn sign(&self, purpose: &str, data: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(data.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_prefixed() {
        let a = new_token("tdo_");
        let b = new_token("tdo_");
        assert!(a.starts_with("tdo_"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
    }

    #[test]
    fn hash_is_stable_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_exactly() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }

    #[test]
    fn key_survives_a_reload_and_signatures_depend_on_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let k1 = ServerKey::load_or_create(dir.path()).unwrap();
        let k2 = ServerKey::load_or_create(dir.path()).unwrap();
        assert_eq!(k1.sign("csrf", "x"), k2.sign("csrf", "x"));
        assert_ne!(k1.sign("csrf", "x"), k1.sign("flash", "x"));
    }
}
