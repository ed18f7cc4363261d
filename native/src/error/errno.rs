//! errno → symbolic name and libuv-style description. Neither libc nor std exposes the names
//! (glibc's strerrorname_np is too new to rely on), and Node users expect libuv's wording.

/// (errno, name, description) for the errors a container engine meets.
const TABLE: &[(i32, &str, &str)] = &[
    (libc::EPERM, "EPERM", "operation not permitted"),
    (libc::ENOENT, "ENOENT", "no such file or directory"),
    (libc::ESRCH, "ESRCH", "no such process"),
    (libc::EINTR, "EINTR", "interrupted system call"),
    (libc::EIO, "EIO", "i/o error"),
    (libc::ENXIO, "ENXIO", "no such device or address"),
    (libc::E2BIG, "E2BIG", "argument list too long"),
    (libc::ENOEXEC, "ENOEXEC", "exec format error"),
    (libc::EBADF, "EBADF", "bad file descriptor"),
    (libc::ECHILD, "ECHILD", "no child processes"),
    (libc::EAGAIN, "EAGAIN", "resource temporarily unavailable"),
    (libc::ENOMEM, "ENOMEM", "not enough memory"),
    (libc::EACCES, "EACCES", "permission denied"),
    (libc::EFAULT, "EFAULT", "bad address in system call argument"),
    (libc::EBUSY, "EBUSY", "resource busy or locked"),
    (libc::EEXIST, "EEXIST", "file already exists"),
    (libc::EXDEV, "EXDEV", "cross-device link not permitted"),
    (libc::ENODEV, "ENODEV", "no such device"),
    (libc::ENOTDIR, "ENOTDIR", "not a directory"),
    (libc::EISDIR, "EISDIR", "illegal operation on a directory"),
    (libc::EINVAL, "EINVAL", "invalid argument"),
    (libc::ENFILE, "ENFILE", "file table overflow"),
    (libc::EMFILE, "EMFILE", "too many open files"),
    (libc::ENOTTY, "ENOTTY", "inappropriate ioctl for device"),
    (libc::EFBIG, "EFBIG", "file too large"),
    (libc::ENOSPC, "ENOSPC", "no space left on device"),
    (libc::EROFS, "EROFS", "read-only file system"),
    (libc::EMLINK, "EMLINK", "too many links"),
    (libc::EPIPE, "EPIPE", "broken pipe"),
    (libc::ERANGE, "ERANGE", "result too large"),
    (libc::ENAMETOOLONG, "ENAMETOOLONG", "name too long"),
    (libc::ENOSYS, "ENOSYS", "function not implemented"),
    (libc::ENOTEMPTY, "ENOTEMPTY", "directory not empty"),
    (libc::ELOOP, "ELOOP", "too many symbolic links encountered"),
    (libc::ENODATA, "ENODATA", "no data available"),
    (libc::EOPNOTSUPP, "ENOTSUP", "operation not supported"),
    (libc::EADDRINUSE, "EADDRINUSE", "address already in use"),
    (libc::EADDRNOTAVAIL, "EADDRNOTAVAIL", "address not available"),
    (libc::ENETUNREACH, "ENETUNREACH", "network is unreachable"),
    (libc::ECONNREFUSED, "ECONNREFUSED", "connection refused"),
    (libc::ETIMEDOUT, "ETIMEDOUT", "connection timed out"),
    (libc::ESTALE, "ESTALE", "stale file handle"),
];

fn lookup(errno: i32) -> Option<&'static (i32, &'static str, &'static str)> {
    TABLE.iter().find(|(n, _, _)| *n == errno)
}

/// The symbolic name, or "UNKNOWN" as libuv says for errnos it does not know.
pub fn name(errno: i32) -> &'static str {
    lookup(errno).map_or("UNKNOWN", |e| e.1)
}

/// A short lowercase description.
pub fn description(errno: i32) -> &'static str {
    lookup(errno).map_or("unknown error", |e| e.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_errnos() {
        assert_eq!(name(libc::EACCES), "EACCES");
        assert_eq!(description(libc::ENOENT), "no such file or directory");
        assert_eq!(name(100_000), "UNKNOWN");
    }

    #[test]
    fn table_has_no_duplicate_errno() {
        for (i, (n, _, _)) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|(m, _, _)| m != n), "errno {n} listed twice");
        }
    }
}
