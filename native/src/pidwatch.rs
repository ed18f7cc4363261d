//! Exit notification for any process, through pidfds (issue 3). A pidfd becomes readable when its
//! process exits, whoever its parent is, so the daemon can watch shims and containers it did not
//! fork. Nothing here reaps: the parent does. One thread per [`PidWatcher`] blocks in epoll_wait on
//! every watched pidfd plus an eventfd that tells it to stop; it never touches waitpid and never
//! runs on the libuv pool. Every syscall goes through [`PidSys`].

pub mod host;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::error::{NativeError, SysError};

/// The syscalls of pid watching.
pub trait PidSys: Send + Sync + 'static {
    /// pidfd_open(2) with no flags; ESRCH when the process is gone (reaped).
    fn pidfd_open(&self, pid: i32) -> Result<OwnedFd, SysError>;
    /// epoll_create1(2), close-on-exec.
    fn epoll_create(&self) -> Result<OwnedFd, SysError>;
    /// eventfd(2), close-on-exec and non-blocking.
    fn eventfd(&self) -> Result<OwnedFd, SysError>;
    /// epoll_ctl(2) EPOLL_CTL_ADD for readability, tagged with `token`.
    fn epoll_add(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>, token: u64) -> Result<(), SysError>;
    /// epoll_ctl(2) EPOLL_CTL_DEL.
    fn epoll_del(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> Result<(), SysError>;
    /// epoll_wait(2) without timeout (EINTR retried); replaces `ready` with the ready tokens.
    fn epoll_wait(&self, epfd: BorrowedFd<'_>, ready: &mut Vec<u64>) -> Result<(), SysError>;
    /// Adds 1 to an eventfd's counter, making it readable.
    fn eventfd_signal(&self, fd: BorrowedFd<'_>) -> Result<(), SysError>;
    /// Resets an eventfd's counter (nothing to read is fine).
    fn eventfd_drain(&self, fd: BorrowedFd<'_>) -> Result<(), SysError>;
}

/// The epoll token of the wake-up eventfd; [`WatchSet`] never hands it out.
const WAKE_TOKEN: u64 = 0;

/// One watched process.
pub struct Watch<N> {
    pub pid: i32,
    /// Its pidfd; closing it (dropping the watch) also removes it from the epoll set.
    pub fd: OwnedFd,
    pub notify: N,
}

/// The watched processes by epoll token. Tokens are never reused, so an event for a watch that
/// was already taken finds nothing instead of someone else's watch.
pub struct WatchSet<N> {
    next: u64,
    entries: HashMap<u64, Watch<N>>,
}

impl<N> Default for WatchSet<N> {
    fn default() -> Self {
        WatchSet {
            next: WAKE_TOKEN + 1,
            entries: HashMap::new(),
        }
    }
}

impl<N> WatchSet<N> {
    /// Adds a watch and returns its token.
    pub fn insert(&mut self, watch: Watch<N>) -> u64 {
        let token = self.next;
        self.next += 1;
        self.entries.insert(token, watch);
        token
    }

    /// The watch's pidfd, while it is in the set.
    pub fn fd(&self, token: u64) -> Option<BorrowedFd<'_>> {
        self.entries.get(&token).map(|w| w.fd.as_fd())
    }

    /// Removes and returns the watch; None when it was already taken.
    pub fn take(&mut self, token: u64) -> Option<Watch<N>> {
        self.entries.remove(&token)
    }

    /// Removes every watch.
    pub fn drain(&mut self) -> Vec<Watch<N>> {
        self.entries.drain().map(|(_, w)| w).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Told once of the process's exit (Ok(pid)), or of the failure that ended the watch.
pub type Notify = Box<dyn FnOnce(Result<i32, NativeError>) + Send>;

struct State {
    set: WatchSet<Notify>,
    stopping: bool,
    /// Set when the thread died on an epoll error; later watches fail with it.
    failed: Option<NativeError>,
}

struct Shared<S> {
    sys: S,
    epfd: OwnedFd,
    wake: OwnedFd,
    state: Mutex<State>,
}

impl<S> Shared<S> {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Notifications run outside the lock, so a poisoned lock only means a panic in bookkeeping.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The operation named in messages about `pid`.
fn operation(pid: i32) -> String {
    format!("watch of pid {pid}")
}

/// An epoll set of pidfds and the one thread that serves it.
pub struct PidWatcher<S: PidSys> {
    shared: Arc<Shared<S>>,
    thread: Option<JoinHandle<()>>,
}

impl<S: PidSys> PidWatcher<S> {
    /// Creates the epoll set and the eventfd and starts the thread.
    pub fn start(sys: S) -> Result<Self, NativeError> {
        let begin = || -> Result<(OwnedFd, OwnedFd), SysError> {
            let epfd = sys.epoll_create()?;
            let wake = sys.eventfd()?;
            sys.epoll_add(epfd.as_fd(), wake.as_fd(), WAKE_TOKEN)?;
            Ok((epfd, wake))
        };
        let (epfd, wake) = begin().map_err(|e| NativeError::from(e).during("pid watcher start"))?;
        let shared = Arc::new(Shared {
            sys,
            epfd,
            wake,
            state: Mutex::new(State {
                set: WatchSet::default(),
                stopping: false,
                failed: None,
            }),
        });
        let served = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("berth-pidwatch".into())
            .spawn(move || serve(&served))
            .map_err(|e| {
                NativeError::from(SysError::from_io("pthread_create", None, &e)).during("pid watcher start")
            })?;
        Ok(PidWatcher {
            shared,
            thread: Some(thread),
        })
    }

    /// Watches `pid`: `notify` runs once on the watcher thread after the process exits. A process
    /// already gone (ESRCH) is notified at once, on this thread. On Err, `notify` is dropped uncalled.
    pub fn watch(&self, pid: i32, notify: Notify) -> Result<(), NativeError> {
        let sys = &self.shared.sys;
        let fd = match sys.pidfd_open(pid) {
            Ok(fd) => fd,
            Err(e) if e.errno == libc::ESRCH => {
                notify(Ok(pid));
                return Ok(());
            }
            Err(e) => return Err(NativeError::from(e).during(&operation(pid))),
        };
        let mut state = self.shared.lock();
        if let Some(err) = &state.failed {
            return Err(err.clone().during(&operation(pid)));
        }
        // Added from this thread, under the lock: epoll_ctl is safe while the watcher sits in
        // epoll_wait, and an event for the token waits for the lock, so it always finds the entry.
        let token = state.set.insert(Watch { pid, fd, notify });
        let added = match state.set.fd(token) {
            Some(fd) => sys.epoll_add(self.shared.epfd.as_fd(), fd, token),
            None => Ok(()),
        };
        if let Err(e) = added {
            drop(state.set.take(token));
            return Err(NativeError::from(e).during(&operation(pid)));
        }
        Ok(())
    }

    /// How many processes are watched.
    pub fn watching(&self) -> usize {
        self.shared.lock().set.len()
    }

    /// Stops and joins the thread; pending watches are dropped without being notified.
    pub fn stop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.shared.lock().stopping = true;
        // If the signal cannot be sent the thread would never wake; leave it rather than hang.
        if self.shared.sys.eventfd_signal(self.shared.wake.as_fd()).is_ok() {
            let _ = thread.join();
        }
        let pending = self.shared.lock().set.drain();
        drop(pending);
    }
}

impl<S: PidSys> Drop for PidWatcher<S> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The watcher thread: waits, notifies exited processes, returns when told to stop or on error.
fn serve<S: PidSys>(shared: &Shared<S>) {
    let mut ready = Vec::new();
    loop {
        if let Err(e) = shared.sys.epoll_wait(shared.epfd.as_fd(), &mut ready) {
            let err = NativeError::from(e);
            let pending = {
                let mut state = shared.lock();
                state.failed = Some(err.clone());
                state.set.drain()
            };
            for w in pending {
                (w.notify)(Err(err.clone().during(&operation(w.pid))));
            }
            return;
        }
        for &token in &ready {
            if token == WAKE_TOKEN {
                let _ = shared.sys.eventfd_drain(shared.wake.as_fd());
                if shared.lock().stopping {
                    return;
                }
                continue;
            }
            let taken = shared.lock().set.take(token);
            if let Some(w) = taken {
                // Closing the pidfd would remove it too; deleting first keeps the set exact even
                // if someone else holds a duplicate of the descriptor.
                let _ = shared.sys.epoll_del(shared.epfd.as_fd(), w.fd.as_fd());
                drop(w.fd);
                (w.notify)(Ok(w.pid));
            }
        }
    }
}
