//! One connection to shim.sock: its request line, what it became (attach, exec stream, a
//! pending wait), and the bytes queued for it. Writes never block the shim: a client that does
//! not read falls behind until [`MAX_QUEUE`], then it is dropped.

use crate::sys;

/// A client further behind than this is disconnected rather than slowing the container.
pub const MAX_QUEUE: usize = 8 << 20;

/// What a connection is for, once its request is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reading the request line.
    Request,
    /// Streaming the container's output; its input goes to the container's stdin.
    Attach { stdin_once: bool },
    /// Streaming an exec's output (by the exec's pid); its input goes to that process.
    Exec(i32),
    /// Waiting for the container to exit.
    Waiting,
    /// Answered: closed once its queue is written.
    Done,
}

/// One connection.
pub struct Client {
    pub fd: libc::c_int,
    pub mode: Mode,
    pub inbuf: Vec<u8>,
    pub out: Vec<u8>,
    /// The peer closed its sending side.
    pub read_closed: bool,
    /// Something failed: drop the connection.
    pub broken: bool,
}

impl Client {
    /// A new connection (non-blocking).
    pub fn new(fd: libc::c_int) -> Self {
        sys::set_nonblocking(fd, true);
        Client { fd, mode: Mode::Request, inbuf: Vec::new(), out: Vec::new(), read_closed: false, broken: false }
    }

    /// Queues bytes; a client too far behind is marked broken.
    pub fn queue(&mut self, data: &[u8]) {
        if self.out.len() + data.len() > MAX_QUEUE {
            self.broken = true;
            return;
        }
        self.out.extend_from_slice(data);
    }

    /// Writes what the socket takes now.
    pub fn flush(&mut self) {
        while !self.out.is_empty() {
            let n = unsafe { libc::send(self.fd, self.out.as_ptr() as *const libc::c_void, self.out.len(), libc::MSG_NOSIGNAL) };
            if n > 0 {
                self.out.drain(..n as usize);
                continue;
            }
            let e = std::io::Error::last_os_error().raw_os_error();
            if n < 0 && (e == Some(libc::EAGAIN) || e == Some(libc::EINTR)) {
                return;
            }
            self.broken = true;
            return;
        }
    }

    /// Reads what is there: Some(bytes), or None when the peer closed its side (or failed).
    pub fn read(&mut self) -> Option<Vec<u8>> {
        let mut buf = vec![0u8; 64 * 1024];
        match sys::read(self.fd, &mut buf) {
            Ok(0) => {
                self.read_closed = true;
                None
            }
            Ok(n) => {
                buf.truncate(n);
                Some(buf)
            }
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Some(Vec::new()),
            Err(_) => {
                self.read_closed = true;
                self.broken = true;
                None
            }
        }
    }

    /// Whether the connection is finished: broken, or answered and written out.
    pub fn finished(&self) -> bool {
        self.broken || (self.mode == Mode::Done && self.out.is_empty())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        sys::close(self.fd);
    }
}

/// Bytes to be written to a process's stdin without blocking the shim.
#[derive(Debug, Default)]
pub struct Sink {
    pub fd: Option<libc::c_int>,
    pub pending: Vec<u8>,
    /// Close once `pending` is written (stdin once, or the exec client ended its input).
    pub close_when_flushed: bool,
    /// The fd is a pty master owned elsewhere: never close it from here.
    pub shared: bool,
}

impl Sink {
    /// A sink over an fd, set non-blocking.
    pub fn new(fd: Option<libc::c_int>, shared: bool) -> Self {
        if let Some(fd) = fd {
            sys::set_nonblocking(fd, true);
        }
        Sink { fd, pending: Vec::new(), close_when_flushed: false, shared }
    }

    /// Queues and writes what the pipe takes.
    pub fn push(&mut self, data: &[u8]) {
        if self.fd.is_some() {
            self.pending.extend_from_slice(data);
            self.flush();
        }
    }

    /// Writes pending bytes; closes when asked to and done.
    pub fn flush(&mut self) {
        let Some(fd) = self.fd else { return };
        while !self.pending.is_empty() {
            let n = unsafe { libc::write(fd, self.pending.as_ptr() as *const libc::c_void, self.pending.len()) };
            if n > 0 {
                self.pending.drain(..n as usize);
            } else if std::io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN) {
                return;
            } else {
                // The reader is gone: nothing more can be delivered.
                self.pending.clear();
                self.close_when_flushed = true;
            }
        }
        if self.close_when_flushed {
            self.close();
        }
    }

    /// Ends the input (a pty gets ^D instead: closing the master would hang up the terminal).
    pub fn end(&mut self) {
        if self.shared {
            self.push(&[4]);
        } else {
            self.close_when_flushed = true;
            self.flush();
        }
    }

    fn close(&mut self) {
        if let Some(fd) = self.fd.take() {
            if !self.shared {
                sys::close(fd);
            }
        }
    }

    /// Forgets the fd without closing it (its owner closes it).
    pub fn detach(&mut self) {
        if self.shared {
            self.fd = None;
        } else {
            self.close();
        }
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(fd: libc::c_int) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = sys::read(fd, &mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn a_sink_writes_then_closes_on_end() {
        let (r, w) = sys::pipe().unwrap();
        let mut s = Sink::new(Some(w), false);
        s.push(b"abc");
        s.end();
        assert_eq!(s.fd, None, "closed once flushed");
        assert_eq!(read_all(r), b"abc", "data, then end of file");
        sys::close(r);
    }

    #[test]
    fn a_pty_sink_ends_input_with_eot_and_stays_open() {
        let (r, w) = sys::pipe().unwrap();
        let mut s = Sink::new(Some(w), true);
        s.push(b"x");
        s.end();
        assert_eq!(s.fd, Some(w), "the master stays with its owner");
        s.detach();
        sys::close(w);
        assert_eq!(read_all(r), b"x\x04");
        sys::close(r);
    }

    #[test]
    fn a_sink_whose_reader_left_drops_its_input() {
        let (r, w) = sys::pipe().unwrap();
        sys::close(r);
        let mut s = Sink::new(Some(w), false);
        s.push(b"lost");
        assert!(s.pending.is_empty());
        assert_eq!(s.fd, None);
    }

    #[test]
    fn clients_are_written_and_finished_and_dropped_when_too_far_behind() {
        let (a, b) = sys::socketpair().unwrap();
        let mut c = Client::new(a);
        c.queue(b"hello\n");
        c.flush();
        assert!(c.out.is_empty());
        assert!(!c.finished(), "still in request mode");
        c.mode = Mode::Done;
        assert!(c.finished());
        let mut buf = [0u8; 16];
        assert_eq!(sys::read(b, &mut buf).unwrap(), 6);
        c.queue(&vec![0u8; MAX_QUEUE + 1]);
        assert!(c.broken, "a client that cannot keep up is dropped");
        sys::close(b);
    }

    #[test]
    fn client_reads_report_data_nothing_or_the_end() {
        let (a, b) = sys::socketpair().unwrap();
        let mut c = Client::new(a);
        assert_eq!(c.read(), Some(Vec::new()), "nothing yet");
        sys::write_all(b, b"req\n").unwrap();
        assert_eq!(c.read(), Some(b"req\n".to_vec()));
        sys::close(b);
        assert_eq!(c.read(), None);
        assert!(c.read_closed);
    }
}
