//! A real SMTP listener on a random loopback port that keeps every message it receives.
//!
//! It speaks just enough SMTP for a client such as balcao's `SmtpMailer`: EHLO/HELO,
//! MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, NOOP and QUIT, several
//! messages per connection (pooled clients reuse connections), no TLS and no AUTH.
//! Point the app at it with `BALCAO_SMTP_URL` set to [`SmtpSink::url`].

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// One message as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The raw RFC 5322 message (CRLF line ends, dots unstuffed, without the final `.`).
    pub data: String,
}

impl Received {
    /// The first top-level header named `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut fields: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            match (line.starts_with([' ', '\t']), fields.last_mut()) {
                (true, Some(last)) => last.push_str(line),
                _ => fields.push(line.to_owned()),
            }
        }
        fields.into_iter().find_map(|field| {
            let (key, value) = field.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
        })
    }
}

#[derive(Default)]
struct Inbox {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
}

impl Inbox {
    fn snapshot(&self) -> Vec<Received> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn push(&self, message: Received) {
        self.messages.lock().unwrap_or_else(|e| e.into_inner()).push(message);
        self.arrived.notify_waiters();
    }
}

/// An SMTP server for one test; stops (with its connections) when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    inbox: Arc<Inbox>,
    task: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts listening on `127.0.0.1:0`.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("SMTP sink address");
        let inbox = Arc::new(Inbox::default());
        let shared = inbox.clone();
        let task = tokio::spawn(async move {
            // Connections live in the set, so stopping the sink ends them too.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            connections.spawn(serve(stream, shared.clone()));
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    },
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        SmtpSink { addr, inbox, task }
    }

    /// `smtp://127.0.0.1:PORT` (plain SMTP, no credentials).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every message received so far, oldest first.
    pub async fn messages(&self) -> Vec<Received> {
        self.inbox.snapshot()
    }

    /// Waits until at least `count` messages have arrived and returns them all;
    /// panics, listing what did arrive, when `timeout` passes first.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.inbox.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let messages = self.inbox.snapshot();
            if messages.len() >= count {
                return messages;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let messages = self.inbox.snapshot();
                if messages.len() >= count {
                    return messages;
                }
                panic!("expected {count} messages within {timeout:?}, got {}: {messages:#?}", messages.len());
            }
        }
    }
}

impl SmtpSink {
    /// The messages received so far for `recipient`, oldest first.
    pub async fn messages_to(&self, recipient: &str) -> Vec<Received> {
        self.inbox.snapshot().into_iter().filter(|m| m.to.iter().any(|to| to == recipient)).collect()
    }

    /// Waits until at least `count` messages for `recipient` have arrived and returns those
    /// (others, such as the verification emails of test users, are left out).
    pub async fn wait_for_to(&self, recipient: &str, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.inbox.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let messages = self.messages_to(recipient).await;
            if messages.len() >= count {
                return messages;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let messages = self.messages_to(recipient).await;
                if messages.len() >= count {
                    return messages;
                }
                panic!(
                    "expected {count} messages to {recipient} within {timeout:?}, got {}: {messages:#?}",
                    messages.len()
                );
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The longest line accepted (RFC 5321 allows 1000 octets; be generous).
const MAX_LINE: usize = 64 * 1024;

/// One client connection: a sequence of transactions until QUIT or disconnect.
async fn serve(stream: TcpStream, inbox: Arc<Inbox>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write.write_all(b"220 balcao-tests ESMTP ready\r\n").await.is_err() {
        return;
    }
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) if line.len() > MAX_LINE => {
                let _ = write.write_all(b"500 Line too long\r\n").await;
                return;
            }
            Ok(_) => {}
        }
        let command = String::from_utf8_lossy(&line).trim_end_matches(['\r', '\n']).to_owned();
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-balcao-tests\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n",
            "HELO" => b"250 balcao-tests\r\n",
            "MAIL" => match path(&command, "MAIL FROM:") {
                Some(sender) => {
                    from = Some(sender);
                    to.clear();
                    b"250 OK\r\n"
                }
                None => b"501 Syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match (&from, path(&command, "RCPT TO:")) {
                (None, _) => b"503 MAIL first\r\n",
                (Some(_), Some(recipient)) => {
                    to.push(recipient);
                    b"250 OK\r\n"
                }
                (Some(_), None) => b"501 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if from.is_none() || to.is_empty() => b"503 RCPT first\r\n",
            "DATA" => {
                if write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                    return;
                }
                let Some(data) = read_data(&mut reader).await else { return };
                let sender = from.take().unwrap_or_default();
                inbox.push(Received { from: sender, to: std::mem::take(&mut to), data });
                b"250 OK: queued\r\n"
            }
            "RSET" => {
                from = None;
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            }
            _ => b"502 Command not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// The address in `MAIL FROM:<a> PARAMS` or `RCPT TO:<a> PARAMS` (the prefix matched case-insensitively).
fn path(command: &str, prefix: &str) -> Option<String> {
    let head = command.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = command[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// Reads the DATA section up to the lone `.` line, undoing dot-stuffing.
async fn read_data<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Option<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(String::from_utf8_lossy(&data).into_owned());
        }
        let unstuffed = if line.starts_with(b".") { &line[1..] } else { &line[..] };
        data.extend_from_slice(unstuffed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_extracted() {
        assert_eq!(path("MAIL FROM:<a@b.c> BODY=8BITMIME", "MAIL FROM:").as_deref(), Some("a@b.c"));
        assert_eq!(path("rcpt to: <x@y.z>", "RCPT TO:").as_deref(), Some("x@y.z"));
        assert_eq!(path("MAIL FROM:<>", "MAIL FROM:").as_deref(), Some(""));
        assert_eq!(path("MAIL FROM a@b.c", "MAIL FROM:"), None);
    }

    #[tokio::test]
    async fn data_is_unstuffed() {
        let mut input: &[u8] = b"Subject: x\r\n\r\n..leading dot\r\nplain\r\n.\r\n";
        let data = read_data(&mut input).await;
        assert_eq!(data.as_deref(), Some("Subject: x\r\n\r\n.leading dot\r\nplain\r\n"));
    }

    #[test]
    fn headers_are_unfolded() {
        let received = Received {
            from: String::new(),
            to: vec![],
            data: "Subject: a\r\n b\r\nX-Tag: 1\r\n\r\nX-Tag: body\r\n".into(),
        };
        assert_eq!(received.header("subject").as_deref(), Some("a b"));
        assert_eq!(received.header("X-TAG").as_deref(), Some("1"));
        assert_eq!(received.header("missing"), None);
    }
}
