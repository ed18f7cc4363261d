//! CVE-2019-5736 class defence: the shim (and so every process it forks into a container)
//! runs from a sealed in-memory copy of the helper. /proc/PID/exe of those processes then points
//! at that memfd, which cannot be written, so a container that opens it cannot replace the
//! helper binary on the host.

use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};

use crate::error::{check, Error, Result};

/// Set in the re-executed process so it does not copy itself again; the daemon sets it too when it
/// spawns the helper straight from a sealed copy of its own (`/proc/self/fd/3`, the copy handed
/// over as fd 3).
const SEALED_ENV: &str = "_BERTH_HELPER_SEALED";

/// The seals that make a copy trustworthy: nothing can write, grow, shrink or unseal it.
const SEALS: libc::c_int = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;

/// Whether this process already runs from a sealed copy: the environment says so, and the
/// executable really is a memfd carrying every seal (a claim alone is not trusted).
pub fn is_sealed() -> bool {
    std::env::var_os(SEALED_ENV).is_some() && exe_is_sealed_memfd()
}

fn exe_is_sealed_memfd() -> bool {
    let memfd = std::fs::read_link("/proc/self/exe").map(|p| p.to_string_lossy().starts_with("/memfd:")).unwrap_or(false);
    let Ok(exe) = std::fs::File::open("/proc/self/exe") else { return false };
    let seals = unsafe { libc::fcntl(exe.as_raw_fd(), libc::F_GET_SEALS) };
    memfd && seals >= 0 && seals & SEALS == SEALS
}

/// Re-executes this process from a sealed memfd copy of its binary; returns only on failure or
/// when already sealed.
pub fn reexec_sealed() -> Result<()> {
    if is_sealed() {
        std::env::remove_var(SEALED_ENV);
        return Ok(());
    }
    let name = CString::new("berth-helper").unwrap_or_default();
    let fd = check(unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) }, || "memfd_create".into())?;
    // SAFETY: fd is a fresh memfd this function owns.
    let mut copy = unsafe { std::fs::File::from_raw_fd(fd) };
    let mut exe = std::fs::File::open("/proc/self/exe").map_err(|e| Error::io("open /proc/self/exe", &e))?;
    let mut bytes = Vec::new();
    exe.read_to_end(&mut bytes).map_err(|e| Error::io("read /proc/self/exe", &e))?;
    copy.write_all(&bytes).map_err(|e| Error::io("copy the helper to a memfd", &e))?;
    check(unsafe { libc::fcntl(copy.as_raw_fd(), libc::F_ADD_SEALS, SEALS) }, || "seal the helper memfd".into())?;
    std::env::set_var(SEALED_ENV, "1");
    let args: Vec<CString> = std::env::args_os().map(|a| CString::new(a.into_encoded_bytes()).unwrap_or_default()).collect();
    let env: Vec<CString> = std::env::vars_os()
        .map(|(k, v)| CString::new([k.into_encoded_bytes(), b"=".to_vec(), v.into_encoded_bytes()].concat()).unwrap_or_default())
        .collect();
    let argv: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).chain([std::ptr::null()]).collect();
    let envp: Vec<*const libc::c_char> = env.iter().map(|e| e.as_ptr()).chain([std::ptr::null()]).collect();
    unsafe { libc::fexecve(copy.as_raw_fd(), argv.as_ptr(), envp.as_ptr()) };
    Err(Error::last("re-exec the helper from a sealed memfd"))
}
