//! The text a CSV history's reader sees: Windows line breaks (CRLF) folded into one LF and old
//! Mac ones (a CR alone) made LF, a line break after a last line that lacks one, lines no longer
//! than [`MAX_LINE_BYTES`], and whether the text has ended.
//!
//! Folding CRLF lets the rows' line numbers be counted one way for every file: the CSV reader
//! ends a CRLF record at its CR and consumes the LF only when it starts the next record, so the
//! line a record ends on would depend on the file's line breaks; and it ends a record at a CR
//! alone, which its line count (of LFs) passes over, so every row of a file of CR line breaks
//! would stand on line 1. The line break given to a last
//! line without one does the same for the last row, and shows a quote left open at the end of the
//! text: the CSV reader ends such a field with the text and no error, so `"5` would read as `5`;
//! with the line break inside it, the field holds one, as a quote left open earlier does. Knowing
//! that the text has ended then tells the one record that ended with it (a quote left open) from
//! those that ended with a line break.

use std::io::Read;

/// Longest line a history may have. A row is a few hundred bytes; bytes without a line break
/// for longer are not a CSV (a device such as /dev/zero, a binary file), and the reader would
/// otherwise gather them into one record without end.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// A reader over `R` that folds CRLF into LF and fails once a line passes [`MAX_LINE_BYTES`].
/// It measures the line a read ends in and the one it starts in; a line wholly inside one read is
/// shorter than the read, and the CSV reader reads 1 MiB at a time.
pub struct CsvText<R> {
    inner: R,
    /// Bytes handed on since the last line break.
    line_bytes: usize,
    /// A CR that ended the last read, held back until the next byte shows whether it is a CRLF.
    held_cr: bool,
    /// The last byte handed on, if any.
    last_byte: Option<u8>,
    /// Whether a read has found no more text.
    ended: bool,
}

impl<R> CsvText<R> {
    pub fn new(inner: R) -> Self {
        CsvText {
            inner,
            line_bytes: 0,
            held_cr: false,
            last_byte: None,
            ended: false,
        }
    }

    /// Whether the text has ended: a read found no more. A CSV reader reads on only when the
    /// bytes it has do not end its record, so a record it returns after the end ended with the
    /// text (a quote was left open), not with a line break.
    pub fn ended(&self) -> bool {
        self.ended
    }
}

/// Removes each CR that an LF follows from `bytes` and makes LF of each that another byte
/// follows, in place; returns the new length. A CR that ends `bytes` stays: what follows it is
/// not known yet.
fn fold_line_breaks(bytes: &mut [u8]) -> usize {
    let mut kept = 0;
    for i in 0..bytes.len() {
        let byte = match (bytes[i], bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => continue,
            (b'\r', Some(_)) => b'\n',
            (byte, _) => byte,
        };
        bytes[kept] = byte;
        kept += 1;
    }
    kept
}

impl<R: Read> Read for CsvText<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let held = usize::from(self.held_cr);
            if buf.len() == held {
                // Unreached behind the CSV reader's 1 MiB buffer; a one-byte read gets the CR
                // as it is (the reader still takes CR LF, or a CR alone, as one line break,
                // though its line count passes a CR alone over).
                buf[0] = b'\r';
                self.held_cr = false;
                return self.hand_on(buf, 1);
            }
            let read = self.inner.read(&mut buf[held..])?;
            if held == 1 {
                // The held CR: a line break of its own when the text ends behind it.
                buf[0] = if read == 0 { b'\n' } else { b'\r' };
            }
            let mut n = held + read;
            self.held_cr = false;
            if read == 0 && n == 0 && !matches!(self.last_byte, None | Some(b'\n' | b'\r')) {
                // The last line lacks a line break (a lone CR is one): it gets one.
                buf[0] = b'\n';
                return self.hand_on(buf, 1);
            }
            if read == 0 {
                self.ended = n == 0;
                return self.hand_on(buf, n);
            }
            n = if buf[..n].contains(&b'\r') {
                fold_line_breaks(&mut buf[..n])
            } else {
                n
            };
            if buf[n - 1] == b'\r' {
                self.held_cr = true;
                n -= 1;
            }
            // A read of one lone CR hands on nothing yet; 0 would mean the end of the text.
            if n > 0 {
                return self.hand_on(buf, n);
            }
        }
    }
}

impl<R> CsvText<R> {
    /// Counts the `n` bytes at the start of `buf` as handed on; `Err` when a line passes
    /// [`MAX_LINE_BYTES`].
    fn hand_on(&mut self, buf: &[u8], n: usize) -> std::io::Result<usize> {
        let chunk = &buf[..n];
        if let Some(&last) = chunk.last() {
            self.last_byte = Some(last);
        }
        let too_long = match chunk.iter().position(|&b| b == b'\n') {
            None => {
                self.line_bytes += n;
                self.line_bytes > MAX_LINE_BYTES
            }
            Some(first_break) => {
                let ended = self.line_bytes + first_break;
                let last_break = chunk
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .unwrap_or(first_break);
                self.line_bytes = n - last_break - 1;
                ended > MAX_LINE_BYTES
            }
        };
        if too_long {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "a line longer than {} MiB: not a CSV file",
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a read, so that CRLFs fall across reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn through(text: &[u8], step: usize, buf_len: usize) -> (Vec<u8>, CsvText<Trickle<'_>>) {
        let mut reader = CsvText::new(Trickle { bytes: text, step });
        let mut out = Vec::new();
        let mut buf = vec![0; buf_len];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                return (out, reader);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn crlf_and_a_lone_cr_become_one_lf_wherever_the_reads_split_them() {
        let text = b"a,b\r\n1,2\r\n\r\n3,\"x\ry\"\r\n\r4\r";
        for step in 1..=text.len() {
            for buf_len in [2, 3, 64] {
                let (out, reader) = through(text, step, buf_len);
                assert_eq!(
                    out, b"a,b\n1,2\n\n3,\"x\ny\"\n\n4\n",
                    "step {step}, buffer {buf_len}"
                );
                assert!(reader.ended());
            }
        }
    }

    #[test]
    fn the_text_has_ended_only_once_a_read_finds_no_more() {
        let mut reader = CsvText::new(Trickle {
            bytes: b"units\r\n1\r",
            step: 64,
        });
        let mut buf = [0; 64];
        assert_eq!(reader.read(&mut buf).unwrap(), 7);
        assert_eq!(&buf[..7], b"units\n1");
        assert!(!reader.ended());
        // The held CR comes out at the end, an LF, and only the read after it finds no more.
        assert_eq!(reader.read(&mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'\n');
        assert!(!reader.ended());
        assert_eq!(reader.read(&mut buf).unwrap(), 0);
        assert!(reader.ended());
    }

    #[test]
    fn a_last_line_without_a_line_break_gets_one() {
        for step in 1..=8 {
            for buf_len in [2, 3, 64] {
                let (out, reader) = through(b"units\r\n1\r\n\"5", step, buf_len);
                assert_eq!(out, b"units\n1\n\"5\n", "step {step}, buffer {buf_len}");
                assert!(reader.ended());
                // A last line break, LF or a lone CR (made LF), is not doubled; no text stays
                // empty.
                assert_eq!(through(b"units\n1\n", step, buf_len).0, b"units\n1\n");
                assert_eq!(through(b"units\r1\r", step, buf_len).0, b"units\n1\n");
                assert_eq!(through(b"", step, buf_len).0, b"");
            }
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_refused() {
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        let mut reader = CsvText::new(Trickle {
            bytes: &long,
            step: 1 << 20,
        });
        let mut buf = vec![0; 1 << 20];
        let error = loop {
            match reader.read(&mut buf) {
                Ok(0) => panic!("the long line was read whole"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_eq!(
            error.to_string(),
            "a line longer than 16 MiB: not a CSV file"
        );
    }
}
