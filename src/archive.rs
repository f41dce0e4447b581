//! ZIP: validated archive paths, the deterministic writer, and the strict streaming reader.

pub(crate) mod format;
pub mod path;
pub(crate) mod reader;
pub mod writer;

pub use path::ArchivePath;
pub use writer::{write_zip, WrittenFile};
