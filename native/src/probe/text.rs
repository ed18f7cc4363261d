//! Parsers for the small key/value files the probe reads. Pure functions over text.

/// The value of `key` in an os-release(5) file, unquoted; None when absent.
/// The last assignment wins, as when a shell sources the file.
pub fn os_release_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .rev()
        .filter_map(|line| line.trim().split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| unquote(v.trim()))
}

/// Shell-style unquoting as os-release(5) allows: one pair of quotes, backslash escapes inside "".
fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    let quoted = bytes.len() >= 2 && (bytes[0] == b'"' || bytes[0] == b'\'') && bytes[0] == bytes[bytes.len() - 1];
    if !quoted {
        return value.to_string();
    }
    let inner = &value[1..value.len() - 1];
    if bytes[0] == b'\'' {
        return inner.to_string();
    }
    unescape(inner)
}

fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}

/// The operating system's display name: PRETTY_NAME, else NAME, else os-release(5)'s default.
pub fn pretty_name(os_release: Option<&str>) -> String {
    let text = os_release.unwrap_or("");
    os_release_value(text, "PRETTY_NAME")
        .or_else(|| os_release_value(text, "NAME"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Linux".to_string())
}

/// MemTotal from /proc/meminfo, in bytes (the file says kB, meaning KiB).
pub fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut fields = line["MemTotal:".len()..].split_whitespace();
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// Whether /proc/filesystems lists `fstype` (each line is an optional "nodev" then the name).
pub fn has_filesystem(filesystems: &str, fstype: &str) -> bool {
    filesystems
        .lines()
        .any(|line| line.split_whitespace().last() == Some(fstype))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBIAN: &str =
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";

    #[test]
    fn pretty_name_from_debian() {
        assert_eq!(pretty_name(Some(DEBIAN)), "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn pretty_name_falls_back_to_name_then_linux() {
        assert_eq!(pretty_name(Some("NAME=Alpine\n")), "Alpine");
        assert_eq!(pretty_name(Some("# only a comment\n")), "Linux");
        assert_eq!(pretty_name(None), "Linux");
    }

    #[test]
    fn os_release_unquotes_and_unescapes() {
        assert_eq!(
            os_release_value("A='single \"q\"'", "A").as_deref(),
            Some("single \"q\"")
        );
        assert_eq!(
            os_release_value(r#"A="say \"hi\" \$5""#, "A").as_deref(),
            Some("say \"hi\" $5")
        );
        assert_eq!(os_release_value("A=bare", "A").as_deref(), Some("bare"));
        assert_eq!(os_release_value("AB=x", "A"), None);
    }

    #[test]
    fn meminfo_total_in_bytes() {
        let text = "MemTotal:       16314856 kB\nMemFree:         1234 kB\n";
        assert_eq!(mem_total_bytes(text), Some(16314856 * 1024));
    }

    #[test]
    fn meminfo_without_total_or_garbled() {
        assert_eq!(mem_total_bytes("MemFree: 1 kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: lots kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: 5 MB\n"), None);
    }

    #[test]
    fn filesystems_lists_overlay() {
        let text = "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\toverlay\n";
        assert!(has_filesystem(text, "overlay"));
        assert!(has_filesystem(text, "ext4"));
        assert!(!has_filesystem(text, "btrfs"));
        assert!(!has_filesystem("nodev\toverlayfs\n", "overlay"));
    }
}
