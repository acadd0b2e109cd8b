//! The one way a spec file is read, shared by the `fsm` CLI, the
//! `machine!` / `#[fsm::implement]` proc-macros and xtask.
//!
//! A spec must be a regular file (a symbolic link is followed to its
//! target), and no more than [`fsm_core::MAX_SOURCE_LEN`] bytes are read:
//! a FIFO, a device such as `/dev/zero` or a huge file is refused without
//! blocking and without reading more than the limit plus one byte.
//!
//! `fsm-core` does no I/O; this crate is where the file is opened.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why a spec could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The path names a folder, a FIFO, a socket or a device.
    NotRegular,
    /// The file holds more than the limit.
    TooLarge { limit: usize },
    /// The operating system refused (no such file, permission denied, …).
    Io(io::Error),
}

impl ReadError {
    /// The message for a spec shown as `name`: "`x` is not a regular file",
    /// "`x` is larger than 4 MiB", "cannot read `x`: no such file or
    /// directory".
    pub fn message(&self, name: &str) -> String {
        match self {
            ReadError::NotRegular => format!("`{name}` is not a regular file"),
            ReadError::TooLarge { limit } => {
                format!("`{name}` is larger than {}", size(*limit))
            }
            ReadError::Io(err) => format!("cannot read `{name}`: {}", io_message(err)),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "larger than {}", size(*limit)),
            ReadError::Io(err) => f.write_str(&io_message(err)),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads the spec at `path`: a regular file (links followed) of at most
/// [`fsm_core::MAX_SOURCE_LEN`] bytes.
pub fn read_spec(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_regular(path, fsm_core::MAX_SOURCE_LEN)
}

/// Reads another input file of the tools (a trace, a script) as specs are
/// read: a regular file (links followed), opened without blocking, of at
/// most `limit` bytes.
pub fn read_regular(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    read_bounded(file, limit)
}

/// Reads everything `reader` holds, or fails with [`ReadError::TooLarge`]
/// as soon as it holds more than `limit` bytes: at most `limit + 1` bytes
/// are read, whatever the reader.
pub fn read_bounded(reader: impl Read, limit: usize) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens for reading without blocking: on Unix with `O_NONBLOCK`, so that
/// opening a FIFO with no writer returns at once (its metadata then refuses
/// it). Reads from a regular file are not affected by the flag.
fn open(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// `4 MiB`, `512 KiB`, `100 bytes`.
fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// An I/O error as a lowercase message without the `(os error N)` suffix.
pub fn io_message(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("fsm-read-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(std::fs::create_dir_all(&dir).is_ok());
        dir
    }

    #[test]
    fn reads_a_regular_file() {
        let dir = temp_dir("regular");
        let path = dir.join("a.fsm");
        assert!(std::fs::write(&path, "machine A {}\n").is_ok());
        assert_eq!(
            read_spec(&path).ok().as_deref(),
            Some(&b"machine A {}\n"[..])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bounded_read_stops_one_byte_past_the_limit() {
        // An endless reader: only `limit + 1` bytes may be pulled from it.
        let mut endless = io::repeat(b' ');
        let result = read_bounded(&mut endless, 10);
        assert!(matches!(result, Err(ReadError::TooLarge { limit: 10 })));
        assert_eq!(
            read_bounded(&b"0123456789"[..], 10).ok().map(|b| b.len()),
            Some(10)
        );
        let message = ReadError::TooLarge {
            limit: fsm_core::MAX_SOURCE_LEN,
        }
        .message("x.fsm");
        assert_eq!(message, "`x.fsm` is larger than 4 MiB");
    }

    #[test]
    fn too_large_files_are_refused() {
        let dir = temp_dir("large");
        let path = dir.join("big.fsm");
        assert!(std::fs::write(&path, vec![b' '; fsm_core::MAX_SOURCE_LEN + 1]).is_ok());
        assert!(matches!(read_spec(&path), Err(ReadError::TooLarge { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn folders_are_refused() {
        let dir = temp_dir("folder");
        let result = read_spec(&dir);
        // Opening a folder for reading works on Unix; its metadata refuses it.
        assert!(
            matches!(result, Err(ReadError::NotRegular | ReadError::Io(_))),
            "{result:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = temp_dir("fifo");
        let path = dir.join("pipe.fsm");
        let status = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(status.is_ok_and(|s| s.success()), "mkfifo failed");
        let result = read_spec(&path);
        assert!(matches!(result, Err(ReadError::NotRegular)), "{result:?}");
        assert_eq!(
            result.err().map(|e| e.message("pipe.fsm")).as_deref(),
            Some("`pipe.fsm` is not a regular file")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_dev_zero_is_refused() {
        let dir = temp_dir("zero");
        let path = dir.join("zero.fsm");
        assert!(std::os::unix::fs::symlink("/dev/zero", &path).is_ok());
        let result = read_spec(&path);
        assert!(matches!(result, Err(ReadError::NotRegular)), "{result:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_files_are_io_errors() {
        let result = read_spec(Path::new("/nonexistent/fsm-read/x.fsm"));
        let message = result.err().map(|e| e.message("x.fsm"));
        assert_eq!(
            message.as_deref(),
            Some("cannot read `x.fsm`: no such file or directory")
        );
    }
}
