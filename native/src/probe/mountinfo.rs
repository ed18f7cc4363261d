//! /proc/self/mountinfo, reduced to the fields cgroup detection needs.

/// One mount: where, what filesystem type, and its superblock options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub mount_point: String,
    pub fstype: String,
    pub super_options: Vec<String>,
}

/// Parses mountinfo text, in file order (later lines are later mounts). Malformed lines are skipped:
/// the kernel does not write them, and one odd line should not hide every other mount.
pub fn parse(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

// Layout (proc(5)): id parent maj:min root mount_point options [optional...] - fstype source super_options
fn parse_line(line: &str) -> Option<Mount> {
    let (left, right) = line.split_once(" - ")?;
    let mount_point = left.split(' ').nth(4)?;
    let mut tail = right.split(' ');
    let fstype = tail.next()?;
    let super_options = tail.nth(1).unwrap_or("");
    Some(Mount {
        mount_point: unescape_octal(mount_point),
        fstype: fstype.to_string(),
        super_options: super_options.split(',').map(str::to_string).collect(),
    })
}

/// The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes.
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match octal_at(bytes, i) {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn octal_at(bytes: &[u8], i: usize) -> Option<u8> {
    let digits = bytes.get(i + 1..i + 4)?;
    if bytes[i] != b'\\' || !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
        return None;
    }
    let value = digits.iter().fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_line_with_optional_fields() {
        let line =
            "35 25 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 master:1 - cgroup cgroup rw,cpu,cpuacct";
        let m = parse(line);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
        assert_eq!(m[0].fstype, "cgroup");
        assert_eq!(m[0].super_options, vec!["rw", "cpu", "cpuacct"]);
    }

    #[test]
    fn parses_line_without_optional_fields() {
        let m = parse("30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate");
        assert_eq!(m[0].fstype, "cgroup2");
        assert_eq!(m[0].super_options, vec!["rw", "nsdelegate"]);
    }

    #[test]
    fn unescapes_octal_in_mount_point() {
        let m = parse(r"40 25 0:50 / /mnt/with\040space\134x rw - tmpfs tmpfs rw");
        assert_eq!(m[0].mount_point, r"/mnt/with space\x");
    }

    #[test]
    fn skips_malformed_lines() {
        assert!(parse("garbage\n\n1 2 3\n").is_empty());
    }
}
