//! A process's output streams as the shim reads them, and the json-file log the container's
//! output goes to (exec output is not logged, as in Docker).

use crate::jsonlog::{self, Splitter};
use crate::logfile::{RotatingFile, Rotation};
use crate::shim::proto;
use crate::sys;

/// One output stream (stdout, stderr or a pty master).
pub struct OutStream {
    pub fd: Option<libc::c_int>,
    /// proto::STDOUT or proto::STDERR.
    pub kind: u8,
    split: Splitter,
    /// A pty master: also the stdin fd, closed by whoever closes last.
    pub pty: bool,
}

/// What one read gave.
pub enum Chunk {
    Data(Vec<u8>),
    /// End of the stream (a pty reports EIO once the last slave is closed).
    End,
    /// Nothing now.
    Again,
}

impl OutStream {
    /// A stream over an fd (made non-blocking), if there is one.
    pub fn new(fd: Option<libc::c_int>, kind: u8, pty: bool) -> Self {
        if let Some(fd) = fd {
            sys::set_nonblocking(fd, true);
        }
        OutStream { fd, kind, split: Splitter::default(), pty }
    }

    /// Reads once.
    pub fn read(&mut self) -> Chunk {
        let Some(fd) = self.fd else { return Chunk::End };
        let mut buf = vec![0u8; 64 * 1024];
        match sys::read(fd, &mut buf) {
            Ok(0) => Chunk::End,
            Ok(n) => {
                buf.truncate(n);
                Chunk::Data(buf)
            }
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Chunk::Again,
            Err(_) => Chunk::End,
        }
    }

    /// Closes the fd (a pty master is left to its owner).
    pub fn close(&mut self) {
        if let Some(fd) = self.fd.take() {
            if !self.pty {
                sys::close(fd);
            }
        }
    }

    /// Log entries for `data`.
    pub fn lines(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        self.split.push(data)
    }

    /// The last partial line, when the stream ended.
    pub fn rest(&mut self) -> Option<Vec<u8>> {
        self.split.finish()
    }
}

/// The json-file log of the container (none when the shim got no --log or the driver is `none`).
pub struct LogFile {
    file: Option<RotatingFile>,
}

impl LogFile {
    /// Opens (appending to) the log file, rotated as `rotation` says (None: no log).
    pub fn open(path: Option<&std::path::Path>, rotation: Option<Rotation>) -> crate::error::Result<Self> {
        let file = match (path, rotation) {
            (Some(p), Some(r)) => Some(RotatingFile::open(p, r)?),
            _ => None,
        };
        Ok(LogFile { file })
    }

    /// Appends entries of one stream, all stamped now.
    pub fn write(&mut self, kind: u8, entries: &[Vec<u8>]) {
        let Some(f) = self.file.as_mut() else { return };
        if entries.is_empty() {
            return;
        }
        let stream = if kind == proto::STDERR { "stderr" } else { "stdout" };
        let time = crate::clock::rfc3339_now();
        for e in entries {
            // A full disk must not stop the container: the entry is lost, the shim goes on.
            let _ = f.write_entry(jsonlog::entry(e, stream, &time).as_bytes());
        }
    }
}
