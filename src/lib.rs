//! otaseal: signed, optionally encrypted over-the-air web bundles for Capacitor apps.
//!
//! A release is a DSSE envelope (Ed25519, k-of-n trusted keys) around a manifest that names
//! the app, channel, platforms, version, validity window, the delivered bundle and every file.
//! The bundle is a strict zip, optionally encrypted with Tink's streaming AEAD
//! (AES-256-GCM-HKDF). The wire format and the ordered verification steps are in
//! `docs/FORMAT.md`; the threat model is `docs/SECURITY.md`.
//!
//! The whole pipeline, seal then verify → policy → stream → finish → files:
//!
//! ```
//! use otaseal::{seal, open, keys::SigningKey, limits::Limits, policy::Policy, trust::TrustRoot};
//!
//! let limits = Limits::default();
//! // Publisher (CI): one signing key, a trust root that requires it.
//! let key = SigningKey::from_seed(&[42; 32])?;
//! let trust = TrustRoot::new(1, 1, vec![key.public().clone()])?;
//! let files = seal::archive_entries(vec![("index.html".into(), b"<h1>v2</h1>".to_vec())], &limits)?;
//! let info = seal::ReleaseInfo {
//!     app: "com.example.app".into(), channel: "production".into(),
//!     platforms: vec!["ios".into(), "android".into()], version: "2.0.0".parse().unwrap(),
//!     min_native_version: None, issued_at: 1_700_000_000, expires_at: 1_800_000_000, url: None,
//!     rollout: None,
//! };
//! let sealed = seal::seal(&files, &info, None, &[&key], &limits)?;
//! let envelope_json = sealed.envelope.to_json();
//!
//! // App: verify the manifest against the pinned root and this device's policy...
//! let mut policy = Policy::new("com.example.app", "production", "ios", 1_750_000_000);
//! policy.installed_version = Some("1.0.0".parse().unwrap());
//! let release = open::verify_release(envelope_json.as_bytes(), &trust, &policy, &limits)?;
//! // ...then stream the downloaded bundle through the opener, in chunks of any size.
//! let mut opener = open::Opener::new(release, &[], &limits, open::MemorySink::new())?;
//! for chunk in sealed.bundle.chunks(1000) {
//!     opener.push(chunk)?;
//! }
//! // Only `finish` makes the files trusted.
//! let files = opener.finish()?.sink.into_files();
//! assert_eq!(files[0].path, "index.html");
//! assert_eq!(files[0].data, b"<h1>v2</h1>");
//! # Ok::<(), otaseal::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod archive;
pub mod digest;
pub mod envelope;
pub mod error;
mod json;
pub mod keys;
pub mod limits;
pub mod manifest;
pub mod open;
mod order;
pub mod policy;
mod random;
#[cfg(feature = "seal")]
pub mod seal;
pub mod stream;
pub mod timestamp;
pub mod trust;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result, ALL_CODES};
