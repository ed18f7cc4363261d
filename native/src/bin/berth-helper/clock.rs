//! RFC 3339 timestamps with nanoseconds, as Go's time.RFC3339Nano prints them in UTC (trailing
//! zeros of the fraction dropped), without a date crate.

/// The current time as seconds and nanoseconds since the epoch.
pub fn now() -> (i64, u32) {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (d.as_secs() as i64, d.subsec_nanos())
}

/// The current time in RFC 3339 with nanoseconds.
pub fn rfc3339_now() -> String {
    let (s, n) = now();
    rfc3339(s, n)
}

/// Formats a UTC instant like Go's RFC3339Nano: `2006-01-02T15:04:05.999999999Z`.
pub fn rfc3339(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60);
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's civil_from_days algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go_rfc3339nano() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_136_214_245, 999_999_999), "2006-01-02T15:04:05.999999999Z");
        assert_eq!(rfc3339(1_136_214_245, 500_000_000), "2006-01-02T15:04:05.5Z");
        assert_eq!(rfc3339(951_782_400, 1_000), "2000-02-29T00:00:00.000001Z");
        assert_eq!(rfc3339(4_107_542_399, 0), "2100-02-28T23:59:59Z");
    }
}
