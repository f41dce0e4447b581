//! Where the zip reader puts file contents while a bundle is opened: the sink trait and the
//! in-memory sink. Beside the reader that calls them, so the reader does not depend on
//! `crate::open` (which drives the reader); `crate::open` re-exports them.

use crate::error::{Error, Result};

/// Receives file contents while a bundle is opened. Everything it receives is *pending*: it
/// must not be used, served or installed until `Opener::finish` returned `Ok` (stage it, e.g.
/// in a temporary directory or cache, and commit after).
pub trait FileSink {
    /// A new file begins; `size` is its signed size.
    fn start_file(&mut self, path: &str, size: u64) -> Result<()>;
    /// The next bytes of the current file.
    fn write(&mut self, data: &[u8]) -> Result<()>;
    /// The current file is complete and matched its signed size and SHA-256.
    fn end_file(&mut self) -> Result<()>;
}

/// A file held in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// Keeps files in memory; reachable only through `Opener::finish`'s result.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Vec<OpenedFile>,
}

impl MemorySink {
    pub fn new() -> Self {
        Self::default()
    }
    /// The files, in archive order.
    pub fn into_files(self) -> Vec<OpenedFile> {
        self.files
    }
}

impl FileSink for MemorySink {
    fn start_file(&mut self, path: &str, size: u64) -> Result<()> {
        // `size` is signed and capped by `Limits::max_file_bytes`, so reserving it is bounded.
        let capacity = usize::try_from(size).map_err(|_| Error::invalid_argument("file too large for memory"))?;
        self.files.push(OpenedFile { path: path.to_string(), data: Vec::with_capacity(capacity) });
        Ok(())
    }
    fn write(&mut self, data: &[u8]) -> Result<()> {
        match self.files.last_mut() {
            Some(f) => {
                f.data.extend_from_slice(data);
                Ok(())
            }
            None => Err(Error::InvalidState { reason: "write before start_file".into() }),
        }
    }
    fn end_file(&mut self) -> Result<()> {
        Ok(())
    }
}
