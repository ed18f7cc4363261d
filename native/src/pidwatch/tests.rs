use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::host::HostPidSys;
use super::*;

const BOUND: Duration = Duration::from_secs(5);

/// Processes are eventfds: "exiting" one makes its descriptor readable, as a pidfd would be.
/// Epoll is the real host's.
#[derive(Default)]
struct FakeSys {
    alive: Mutex<HashMap<i32, OwnedFd>>,
    fail_wait: AtomicBool,
    fail_add: AtomicBool,
}

impl FakeSys {
    fn spawn(&self, pid: i32) {
        let fd = HostPidSys.eventfd().unwrap();
        self.alive.lock().unwrap().insert(pid, fd);
    }

    fn exit(&self, pid: i32) {
        let fd = self.alive.lock().unwrap().remove(&pid).unwrap();
        HostPidSys.eventfd_signal(fd.as_fd()).unwrap();
    }
}

impl PidSys for Arc<FakeSys> {
    fn pidfd_open(&self, pid: i32) -> Result<OwnedFd, SysError> {
        if pid <= 0 {
            return Err(SysError::with_errno("pidfd_open", None, libc::EINVAL));
        }
        match self.alive.lock().unwrap().get(&pid) {
            Some(fd) => Ok(fd.try_clone().unwrap()),
            None => Err(SysError::with_errno("pidfd_open", None, libc::ESRCH)),
        }
    }
    fn epoll_create(&self) -> Result<OwnedFd, SysError> {
        HostPidSys.epoll_create()
    }
    fn eventfd(&self) -> Result<OwnedFd, SysError> {
        HostPidSys.eventfd()
    }
    fn epoll_add(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>, token: u64) -> Result<(), SysError> {
        if self.fail_add.load(Ordering::SeqCst) {
            return Err(SysError::with_errno("epoll_ctl", None, libc::ENOSPC));
        }
        HostPidSys.epoll_add(epfd, fd, token)
    }
    fn epoll_del(&self, epfd: BorrowedFd<'_>, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        HostPidSys.epoll_del(epfd, fd)
    }
    fn epoll_wait(&self, epfd: BorrowedFd<'_>, ready: &mut Vec<u64>) -> Result<(), SysError> {
        HostPidSys.epoll_wait(epfd, ready)?;
        if self.fail_wait.load(Ordering::SeqCst) {
            return Err(SysError::with_errno("epoll_wait", None, libc::EIO));
        }
        Ok(())
    }
    fn eventfd_signal(&self, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        HostPidSys.eventfd_signal(fd)
    }
    fn eventfd_drain(&self, fd: BorrowedFd<'_>) -> Result<(), SysError> {
        HostPidSys.eventfd_drain(fd)
    }
}

type Outcome = Result<i32, NativeError>;

fn channel() -> (mpsc::Sender<Outcome>, mpsc::Receiver<Outcome>) {
    mpsc::channel()
}

fn notify(tx: &mpsc::Sender<Outcome>) -> Notify {
    let tx = tx.clone();
    Box::new(move |r| {
        let _ = tx.send(r);
    })
}

fn fake() -> (Arc<FakeSys>, PidWatcher<Arc<FakeSys>>) {
    let sys = Arc::new(FakeSys::default());
    let watcher = PidWatcher::start(Arc::clone(&sys)).unwrap();
    (sys, watcher)
}

fn pid_of(o: Outcome) -> i32 {
    o.unwrap()
}

#[test]
fn watch_set_tokens_are_unique_and_never_the_wake_token() {
    let mut set: WatchSet<()> = WatchSet::default();
    let a = set.insert(Watch {
        pid: 1,
        fd: HostPidSys.eventfd().unwrap(),
        notify: (),
    });
    let b = set.insert(Watch {
        pid: 2,
        fd: HostPidSys.eventfd().unwrap(),
        notify: (),
    });
    assert_ne!(a, WAKE_TOKEN);
    assert_ne!(a, b);
    assert_eq!(set.len(), 2);
    assert_eq!(set.take(a).map(|w| w.pid), Some(1));
    assert!(set.take(a).is_none(), "a token is taken once");
    let c = set.insert(Watch {
        pid: 3,
        fd: HostPidSys.eventfd().unwrap(),
        notify: (),
    });
    assert!(c != a && c != b, "tokens are not reused");
    assert!(set.fd(c).is_some());
    assert_eq!(set.drain().len(), 2);
    assert!(set.is_empty());
    assert!(set.fd(c).is_none());
}

#[test]
fn exit_is_notified_on_the_watcher_thread() {
    let (sys, watcher) = fake();
    sys.spawn(100);
    let (tx, rx) = channel();
    let me = std::thread::current().id();
    let seen = Arc::new(Mutex::new(None));
    let seen2 = Arc::clone(&seen);
    let tx2 = tx.clone();
    watcher
        .watch(
            100,
            Box::new(move |r| {
                *seen2.lock().unwrap() = Some(std::thread::current().id());
                let _ = tx2.send(r);
            }),
        )
        .unwrap();
    assert_eq!(watcher.watching(), 1);
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(50)).unwrap_err(),
        RecvTimeoutError::Timeout
    );
    sys.exit(100);
    assert_eq!(pid_of(rx.recv_timeout(BOUND).unwrap()), 100);
    assert_ne!(seen.lock().unwrap().unwrap(), me);
    assert_eq!(watcher.watching(), 0);
}

#[test]
fn gone_process_is_notified_at_once_without_a_watch() {
    let (_sys, watcher) = fake();
    let (tx, rx) = channel();
    watcher.watch(200, notify(&tx)).unwrap();
    assert_eq!(pid_of(rx.try_recv().unwrap()), 200, "notified before watch returned");
    assert_eq!(watcher.watching(), 0);
}

#[test]
fn invalid_pid_fails_naming_the_pid_and_drops_notify() {
    let (_sys, watcher) = fake();
    let (tx, rx) = channel();
    let err = watcher.watch(0, notify(&tx)).unwrap_err();
    drop(tx);
    assert_eq!(err.code(), "EINVAL");
    assert_eq!(
        err.to_string(),
        "watch of pid 0 failed: EINVAL: invalid argument, pidfd_open"
    );
    assert_eq!(rx.recv_timeout(BOUND).unwrap_err(), RecvTimeoutError::Disconnected);
}

#[test]
fn many_watches_each_notified_once() {
    let (sys, watcher) = fake();
    let (tx, rx) = channel();
    for pid in 1..=20 {
        sys.spawn(pid);
        watcher.watch(pid, notify(&tx)).unwrap();
    }
    // The same process twice is two watches.
    watcher.watch(7, notify(&tx)).unwrap();
    assert_eq!(watcher.watching(), 21);
    for pid in (1..=20).rev() {
        sys.exit(pid);
    }
    drop(tx);
    let mut got: Vec<i32> = rx.iter().take(21).map(pid_of).collect();
    got.sort_unstable();
    let mut want: Vec<i32> = (1..=20).collect();
    want.push(7);
    want.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(watcher.watching(), 0);
}

#[test]
fn stop_drops_pending_watches_uncalled() {
    let (sys, mut watcher) = fake();
    sys.spawn(300);
    let (tx, rx) = channel();
    watcher.watch(300, notify(&tx)).unwrap();
    drop(tx);
    watcher.stop();
    assert_eq!(rx.recv_timeout(BOUND).unwrap_err(), RecvTimeoutError::Disconnected);
    watcher.stop();
}

#[test]
fn epoll_add_failure_is_an_error_and_leaves_nothing_watched() {
    let (sys, watcher) = fake();
    sys.spawn(400);
    sys.fail_add.store(true, Ordering::SeqCst);
    let (tx, _rx) = channel();
    let err = watcher.watch(400, notify(&tx)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "watch of pid 400 failed: ENOSPC: no space left on device, epoll_ctl"
    );
    assert_eq!(watcher.watching(), 0);
}

#[test]
fn thread_failure_reaches_every_watch_and_later_ones() {
    let (sys, watcher) = fake();
    sys.spawn(1);
    sys.spawn(2);
    let (tx, rx) = channel();
    watcher.watch(1, notify(&tx)).unwrap();
    watcher.watch(2, notify(&tx)).unwrap();
    sys.fail_wait.store(true, Ordering::SeqCst);
    sys.exit(2);
    for _ in 0..2 {
        let err = rx.recv_timeout(BOUND).unwrap().unwrap_err();
        assert_eq!(err.code(), "EIO");
        assert!(err.to_string().starts_with("watch of pid "), "{err}");
    }
    let err = watcher.watch(1, notify(&tx)).unwrap_err();
    assert_eq!(err.to_string(), "watch of pid 1 failed: EIO: i/o error, epoll_wait");
}

#[test]
fn real_child_exit_is_seen_without_waiting_on_it() {
    let mut child = std::process::Command::new("sleep").arg("0.2").spawn().unwrap();
    let watcher = PidWatcher::start(HostPidSys).unwrap();
    let (tx, rx) = channel();
    let pid = child.id() as i32;
    watcher.watch(pid, notify(&tx)).unwrap();
    assert_eq!(pid_of(rx.recv_timeout(BOUND).unwrap()), pid);
    // Not reaped by the watcher: the zombie is still ours to wait for.
    assert!(child.wait().unwrap().success());
}

#[test]
fn real_negative_pid_is_einval() {
    let watcher = PidWatcher::start(HostPidSys).unwrap();
    let err = watcher.watch(-1, Box::new(|_| {})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "watch of pid -1 failed: EINVAL: invalid argument, pidfd_open"
    );
}
