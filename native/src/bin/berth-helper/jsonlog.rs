//! Docker's json-file log format: one JSON object per line,
//! `{"log":"text\n","stream":"stdout","time":"2006-01-02T15:04:05.999999999Z"}`. Output is cut at
//! newlines; a line longer than [`MAX_LINE`] is written in pieces without the newline, as dockerd's
//! copier does, and a last line without a newline is written as is when the stream ends.

use serde::Serialize;

/// dockerd's bufio size: longer lines are split into entries of at most this many bytes.
pub const MAX_LINE: usize = 16 * 1024;

#[derive(Serialize)]
struct Entry<'a> {
    log: &'a str,
    stream: &'a str,
    time: &'a str,
}

/// One json-file line (with its trailing newline) for a chunk of output.
pub fn entry(log: &[u8], stream: &str, time: &str) -> String {
    let text = String::from_utf8_lossy(log);
    let mut line = serde_json::to_string(&Entry { log: &text, stream, time }).unwrap_or_default();
    line.push('\n');
    line
}

/// Cuts a byte stream into log entries.
#[derive(Default)]
pub struct Splitter {
    pending: Vec<u8>,
}

impl Splitter {
    /// Feeds bytes; returns the complete entries (each ending in \n, or MAX_LINE bytes long).
    pub fn push(&mut self, data: &[u8]) -> Vec<Vec<u8>> {
        self.pending.extend_from_slice(data);
        let mut out = Vec::new();
        loop {
            let cut = match self.pending.iter().position(|&b| b == b'\n') {
                Some(i) if i < MAX_LINE => i + 1,
                _ if self.pending.len() >= MAX_LINE => MAX_LINE,
                _ => break,
            };
            out.push(self.pending.drain(..cut).collect());
        }
        out
    }

    /// What is left when the stream ends (a last line without a newline), if anything.
    pub fn finish(&mut self) -> Option<Vec<u8>> {
        (!self.pending.is_empty()).then(|| std::mem::take(&mut self.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_docker_json_file_lines() {
        let line = entry(b"hello \"x\"\n", "stdout", "2024-01-01T00:00:00.5Z");
        assert_eq!(line, "{\"log\":\"hello \\\"x\\\"\\n\",\"stream\":\"stdout\",\"time\":\"2024-01-01T00:00:00.5Z\"}\n");
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v["log"], "hello \"x\"\n");
    }

    #[test]
    fn invalid_utf8_is_replaced_not_dropped() {
        let line = entry(b"a\xffb\n", "stderr", "t");
        assert!(line.contains("a\u{fffd}b"));
    }

    #[test]
    fn splitter_cuts_at_newlines_across_chunks() {
        let mut s = Splitter::default();
        assert_eq!(s.push(b"one\ntw"), vec![b"one\n".to_vec()]);
        assert!(s.push(b"o").is_empty());
        assert_eq!(s.push(b"\nthree\nfo"), vec![b"two\n".to_vec(), b"three\n".to_vec()]);
        assert_eq!(s.finish(), Some(b"fo".to_vec()));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn long_lines_are_split_at_max_line() {
        let mut s = Splitter::default();
        let mut data = vec![b'x'; MAX_LINE + 10];
        data.push(b'\n');
        let out = s.push(&data);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len(), MAX_LINE);
        assert_eq!(out[1].len(), 11);
    }
}
