//! mount(8)-style option strings: flag words become MS_* bits, everything else is filesystem data.

use libc::c_ulong;

use crate::error::SysError;

/// The kernel copies mount(2) data into one page; the string must fit with its NUL.
pub const MOUNT_DATA_MAX: usize = 4096;

/// Flag words mount(8) knows: (word, bits, whether the word sets or clears them).
const FLAGS: &[(&str, c_ulong, bool)] = &[
    ("ro", libc::MS_RDONLY, true),
    ("rw", libc::MS_RDONLY, false),
    ("nosuid", libc::MS_NOSUID, true),
    ("suid", libc::MS_NOSUID, false),
    ("nodev", libc::MS_NODEV, true),
    ("dev", libc::MS_NODEV, false),
    ("noexec", libc::MS_NOEXEC, true),
    ("exec", libc::MS_NOEXEC, false),
    ("sync", libc::MS_SYNCHRONOUS, true),
    ("async", libc::MS_SYNCHRONOUS, false),
    ("dirsync", libc::MS_DIRSYNC, true),
    ("noatime", libc::MS_NOATIME, true),
    ("atime", libc::MS_NOATIME, false),
    ("nodiratime", libc::MS_NODIRATIME, true),
    ("diratime", libc::MS_NODIRATIME, false),
    ("relatime", libc::MS_RELATIME, true),
    ("norelatime", libc::MS_RELATIME, false),
    ("strictatime", libc::MS_STRICTATIME, true),
    ("nostrictatime", libc::MS_STRICTATIME, false),
];

/// An option string split into mount flags and filesystem data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub flags: c_ulong,
    /// The remaining options, comma-joined in their original order.
    pub data: String,
}

/// Splits `options` at commas; later words win over earlier ones ("ro,rw" is read-write).
/// "defaults" and empty items are dropped, as mount(8) does.
pub fn parse(options: &str) -> Parsed {
    let mut flags: c_ulong = 0;
    let mut data: Vec<&str> = Vec::new();
    for item in options.split(',').map(str::trim) {
        match FLAGS.iter().find(|(word, _, _)| *word == item) {
            Some((_, bits, true)) => flags |= bits,
            Some((_, bits, false)) => flags &= !bits,
            None if item.is_empty() || item == "defaults" => {}
            None => data.push(item),
        }
    }
    Parsed {
        flags,
        data: data.join(","),
    }
}

/// Fails with E2BIG before the kernel would truncate or reject `data`.
pub fn check_data_size(data: &str, target: &str) -> Result<(), SysError> {
    if data.len() < MOUNT_DATA_MAX {
        return Ok(());
    }
    Err(
        SysError::with_errno("mount", Some(target), libc::E2BIG).explained(format!(
            "mount options are {} bytes, mount(2) takes at most {}",
            data.len(),
            MOUNT_DATA_MAX - 1
        )),
    )
}

/// Escapes a path for overlay's mount data, where ',' separates options and ':' separates layers.
pub fn escape_overlay_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '\\' | ',' | ':') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_flags_from_data() {
        let p = parse("ro,nosuid,nodev,size=64m,mode=1777");
        assert_eq!(p.flags, libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV);
        assert_eq!(p.data, "size=64m,mode=1777");
    }

    #[test]
    fn later_words_win_and_defaults_vanish() {
        let p = parse("ro,defaults,,rw,exec,noexec");
        assert_eq!(p.flags, libc::MS_NOEXEC);
        assert_eq!(p.data, "");
    }

    #[test]
    fn data_must_fit_one_page_with_its_nul() {
        assert!(check_data_size(&"a".repeat(4095), "/m").is_ok());
        let e = check_data_size(&"a".repeat(4096), "/m").unwrap_err();
        assert_eq!(e.errno, libc::E2BIG);
        assert_eq!(e.path.as_deref(), Some("/m"));
    }

    #[test]
    fn escapes_overlay_separators() {
        assert_eq!(escape_overlay_path("/a:b,c\\d"), "/a\\:b\\,c\\\\d");
        assert_eq!(escape_overlay_path("/plain/path"), "/plain/path");
    }
}
