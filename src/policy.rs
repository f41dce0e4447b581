//! The caller's policy: is this verified release meant for this app, channel, platform and
//! native shell, newer than what is installed, and valid now? Steps 7-12 of
//! `docs/FORMAT.md` §7, in that order, then step 12a: is this install inside the signed
//! staged rollout (§3.7)?

use semver::Version;

use crate::digest::Sha256Digest;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, ROLLOUT_FULL};
use crate::timestamp::format_rfc3339_utc;

/// Default tolerance for a publisher clock ahead of the device clock (issuedAt in the future).
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 300;

/// What the app expects. One clock reading, `now`, is taken by the caller once and used for
/// every time check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub app: String,
    pub channel: String,
    pub platform: String,
    /// The installed-version floor. `None` only when nothing is installed; callers that lost
    /// their state must pass the native updater's current version instead.
    pub installed_version: Option<Version>,
    /// SHA-256 of the installed plaintext zip: an equal version is accepted only for it.
    pub installed_zip_sha256: Option<Sha256Digest>,
    /// The native shell's version; required when a release sets `minNativeVersion`.
    pub native_version: Option<Version>,
    /// Unix seconds, read once.
    pub now: i64,
    /// The last trusted time this device saw (Unix seconds); `now` below it is a rollback.
    pub last_trusted_time: Option<i64>,
    pub max_clock_skew_secs: u64,
    /// This install's rollout bucket, 0..`ROLLOUT_FULL` (exclusive): a random number drawn
    /// once per install and kept with the client's state. A release with a partial `rollout`
    /// is taken only when `bucket < rollout`; without a bucket it is refused (fail closed).
    pub rollout_bucket: Option<u32>,
}

impl Policy {
    /// A policy with no installed version, no native version and no last trusted time.
    pub fn new(app: &str, channel: &str, platform: &str, now: i64) -> Self {
        Policy {
            app: app.to_string(),
            channel: channel.to_string(),
            platform: platform.to_string(),
            installed_version: None,
            installed_zip_sha256: None,
            native_version: None,
            now,
            last_trusted_time: None,
            max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS,
            rollout_bucket: None,
        }
    }

    /// Applies the policy to a manifest whose signatures already verified.
    pub fn check(&self, m: &Manifest) -> Result<()> {
        let now = self.now;
        // 7. The clock must not run backwards past what this device already trusted.
        if let Some(last) = self.last_trusted_time {
            if now < last {
                return Err(Error::ClockRollback { last_seen: format_rfc3339_utc(last), now: format_rfc3339_utc(now) });
            }
        }
        // 8. App, channel, platform.
        if m.app != self.app {
            return Err(Error::AppMismatch { expected: self.app.clone(), found: m.app.clone() });
        }
        if m.channel != self.channel {
            return Err(Error::ChannelMismatch { expected: self.channel.clone(), found: m.channel.clone() });
        }
        if !m.platforms.contains(&self.platform) {
            return Err(Error::PlatformMismatch { expected: self.platform.clone(), found: m.platforms.clone() });
        }
        // 9. Strictly newer (SemVer precedence: build metadata does not count); equal only for
        // the identical bundle.
        if let Some(installed) = &self.installed_version {
            let newer = match m.version.cmp_precedence(installed) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => self.installed_zip_sha256 == Some(m.bundle.zip_sha256),
                std::cmp::Ordering::Less => false,
            };
            if !newer {
                return Err(Error::Downgrade { installed: installed.to_string(), found: m.version.to_string() });
            }
        }
        // 10. The native shell is new enough.
        if let Some(required) = &m.min_native_version {
            let ok =
                self.native_version.as_ref().is_some_and(|n| n.cmp_precedence(required) != std::cmp::Ordering::Less);
            if !ok {
                return Err(Error::NativeTooOld {
                    required: required.to_string(),
                    native: self.native_version.as_ref().map(Version::to_string),
                });
            }
        }
        // 11. Not issued in the future (beyond the skew allowance).
        let skew = i64::try_from(self.max_clock_skew_secs).unwrap_or(i64::MAX);
        if m.issued_at > now.saturating_add(skew) {
            return Err(Error::NotYetValid {
                issued_at: format_rfc3339_utc(m.issued_at),
                now: format_rfc3339_utc(now),
            });
        }
        // 12. Not expired.
        if now >= m.expires_at {
            return Err(Error::Expired { expires_at: format_rfc3339_utc(m.expires_at), now: format_rfc3339_utc(now) });
        }
        // 12a. Inside the signed staged rollout: bucket < rollout (parts per million). Buckets
        // are nested, so a wider rollout keeps every install a narrower one took.
        if let Some(bucket) = self.rollout_bucket {
            if bucket >= ROLLOUT_FULL {
                return Err(Error::invalid_argument(format!(
                    "rolloutBucket must be 0..{ROLLOUT_FULL} (exclusive), got {bucket}"
                )));
            }
        }
        if let Some(rollout) = m.rollout.filter(|r| *r < ROLLOUT_FULL) {
            let inside = matches!(self.rollout_bucket, Some(b) if b < rollout);
            if !inside {
                return Err(Error::RolloutExcluded { rollout, bucket: self.rollout_bucket });
            }
        }
        Ok(())
    }
}
