//! Syslog over TCP, RFC 6587: each message is either octet-counted (`LEN SP
//! MSG`, as RFC 5425 and rsyslog's `TCP_Framing="octet-counted"` send it) or
//! ends at a newline (non-transparent framing, what most senders do). A frame
//! that starts with a digit is counted; any other runs to the next LF.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

/// The longest frame taken: a message of 64 KiB and its header, with room.
pub const MAX_FRAME: usize = 128 * 1024;

/// Why a connection's stream cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum FramingError {
    #[error("an octet count must be digits and a space, at most {MAX_FRAME}")]
    BadCount,
    #[error("a frame is longer than {MAX_FRAME} bytes")]
    TooLong,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The next frame into `frame` (cleared first): `Ok(false)` at the end of the
/// stream. Empty lines are skipped.
pub async fn next_frame<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    frame: &mut Vec<u8>,
) -> Result<bool, FramingError> {
    loop {
        frame.clear();
        let Some(&first) = reader.fill_buf().await?.first() else {
            return Ok(false);
        };
        if first.is_ascii_digit() {
            let length = octet_count(reader).await?;
            frame.resize(length, 0);
            reader.read_exact(frame).await?;
            return Ok(true);
        }
        let read = (&mut *reader)
            .take(MAX_FRAME as u64 + 1)
            .read_until(b'\n', frame)
            .await?;
        if read == 0 {
            return Ok(false);
        }
        if frame.last() != Some(&b'\n') && frame.len() > MAX_FRAME {
            return Err(FramingError::TooLong);
        }
        while matches!(frame.last(), Some(b'\n' | b'\r')) {
            frame.pop();
        }
        if !frame.is_empty() {
            return Ok(true);
        }
    }
}

async fn octet_count<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<usize, FramingError> {
    let mut length: usize = 0;
    for _ in 0..8 {
        match reader.read_u8().await? {
            digit @ b'0'..=b'9' => length = length * 10 + usize::from(digit - b'0'),
            b' ' if length > 0 && length <= MAX_FRAME => return Ok(length),
            b' ' => return Err(FramingError::TooLong),
            _ => return Err(FramingError::BadCount),
        }
    }
    Err(FramingError::BadCount)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> (Vec<String>, Option<String>) {
        let mut reader = tokio::io::BufReader::new(input);
        let mut frame = Vec::new();
        let mut seen = Vec::new();
        loop {
            match next_frame(&mut reader, &mut frame).await {
                Ok(true) => seen.push(String::from_utf8_lossy(&frame).into_owned()),
                Ok(false) => return (seen, None),
                Err(error) => return (seen, Some(error.to_string())),
            }
        }
    }

    #[tokio::test]
    async fn counted_and_newline_frames_mix_on_one_stream() {
        let (seen, error) = frames(b"11 <14>1 a\nb c\n<13>plain line\r\n\n5 <1>xy").await;
        assert_eq!(seen, ["<14>1 a\nb c", "<13>plain line", "<1>xy"]);
        assert_eq!(error, None);
    }

    #[tokio::test]
    async fn a_bad_count_or_an_endless_line_ends_the_stream() {
        let (seen, error) = frames(b"<13>ok\n12x <13>bad").await;
        assert_eq!(seen, ["<13>ok"]);
        assert!(error.unwrap().starts_with("an octet count"));
        let (_, error) = frames(b"99999999 x").await;
        assert!(error.is_some());
        let endless = vec![b'a'; MAX_FRAME + 10];
        let (seen, error) = frames(&endless).await;
        assert!(seen.is_empty());
        assert!(error.unwrap().contains("longer than"));
    }
}
