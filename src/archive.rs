//! ZIP: validated archive paths, the deterministic writer, the strict streaming reader, and the
//! tolerant reader of the publisher's input zips.

pub(crate) mod case_fold;
mod crc32;
#[rustfmt::skip]
mod fold_tables;
pub(crate) mod format;
pub mod input;
pub mod path;
pub(crate) mod reader;
pub mod sink;
pub(crate) mod unicode;
#[rustfmt::skip]
mod unicode_tables;
#[cfg(test)]
mod tables_gen;
pub mod writer;

pub use input::{read_input_zip, InputZip};
pub use path::{check_file_set, ArchivePath};
pub use writer::{write_zip, WrittenFile};
