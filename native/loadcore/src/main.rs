// Gauntlet's native load core: one load worker of the embedded engine as a process — one thread,
// one epoll loop — for plain HTTP/1.1 profiles. It speaks exactly what a worker thread speaks
// (src/run/load/worker.ts, protocol.ts): the worker's init as JSON on the first line of stdin,
// then `{"type":"start","startAt":…}` and `{"type":"stop"}`; the worker's messages (`ready`,
// `second`, `done`) as JSON lines on stdout. The numbers are the same numbers: HDR histograms in
// µs (1 µs – 1 h, 3 significant digits, encoded as HdrHistogram's compressed V2), latency from
// the intended send in the open model, per-second tallies by request name. The engine falls back
// to the JavaScript worker for what this core does not do (SQL/Redis requests, think time).
// HTTPS is rustls (ring): the environment's CA, client certificate and key as PEM, Mozilla's roots
// (webpki-roots, as Node bundles them) without a CA, SNI unless the host is an IP address, ALPN
// http/1.1, and no verification at all only when the environment says insecureSkipVerify.
use base64::Engine as _;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

mod data;
mod tls;

const STDIN: Token = Token(usize::MAX - 1);
const TIMER: Token = Token(usize::MAX - 2);
/// A connection's token: its slot in the low bits, its socket's number above them.
const SLOT_BITS: u32 = 24;
const SLOT_MASK: usize = (1 << SLOT_BITS) - 1;
const MS: u64 = 1_000_000;
/// Arrivals nearer than this are waited for by polling, not by the timerfd (ns).
const SPIN_NS: u64 = 5_000;

fn clock(id: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
fn now() -> u64 {
    clock(libc::CLOCK_MONOTONIC)
}

fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("histogram bounds")
}
/// ns → µs, rounded as the JavaScript worker rounds ms × 1000, at least 1.
fn us(ns: u64) -> u64 {
    ((ns + 500) / 1000).max(1)
}
fn encode(h: &Histogram<u64>) -> String {
    let mut v = Vec::new();
    V2DeflateSerializer::new().serialize(h, &mut v).expect("histogram encodes");
    base64::engine::general_purpose::STANDARD.encode(v)
}

// ---- the schedules: a port of src/run/load/schedule.ts ----

struct RateStage {
    start_ms: f64,
    duration_ms: f64,
    r0: f64,
    r1: f64,
    before: f64,
}

struct ArrivalSchedule {
    stages: Vec<RateStage>,
    total: u64,
    duration_ms: f64,
}

impl ArrivalSchedule {
    fn new(e: &Value) -> Self {
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let unit = num(e, "timeUnit").max(1e-9);
        let mut stages = Vec::new();
        if e["executor"] == "constant-arrival-rate" {
            let r = num(e, "rate") / unit;
            stages.push(RateStage { start_ms: 0.0, duration_ms: num(e, "duration"), r0: r, r1: r, before: 0.0 });
        } else {
            let (mut from, mut start, mut before) = (num(e, "startRate") / unit, 0.0, 0.0);
            for s in e["stages"].as_array().into_iter().flatten() {
                let (to, d) = (num(s, "target") / unit, num(s, "duration"));
                stages.push(RateStage { start_ms: start, duration_ms: d, r0: from, r1: to, before });
                before += (from + to) / 2.0 * d;
                start += d;
                from = to;
            }
        }
        let last = stages.last().expect("an open-model executor has a stage");
        let duration_ms = last.start_ms + last.duration_ms;
        let total = (last.before + (last.r0 + last.r1) / 2.0 * last.duration_ms + 1e-9).floor() as u64;
        ArrivalSchedule { stages, total, duration_ms }
    }

    /// When arrival j is due, ms from the start; infinity past the end.
    fn time_of(&self, j: u64) -> f64 {
        if j >= self.total {
            return f64::INFINITY;
        }
        let n = self.stages.len();
        for (i, s) in self.stages.iter().enumerate() {
            let in_stage = (s.r0 + s.r1) / 2.0 * s.duration_ms;
            if (j as f64) < s.before + in_stage - 1e-9 || i == n - 1 {
                let a = j as f64 - s.before;
                if s.r0 == s.r1 {
                    return s.start_ms + a / s.r0;
                }
                let k = (s.r1 - s.r0) / s.duration_ms;
                return s.start_ms + (-s.r0 + (s.r0 * s.r0 + 2.0 * k * a).sqrt()) / k;
            }
        }
        f64::INFINITY
    }
}

/// VUs wanted at t ms for a closed-model executor (linear ramps between stage targets, as k6).
fn vus_at(e: &Value, t_ms: f64) -> u64 {
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    if e["executor"] == "constant-vus" {
        return if t_ms < num(e, "duration") { num(e, "vus") as u64 } else { 0 };
    }
    let (mut from, mut start) = (num(e, "startVUs"), 0.0);
    for s in e["stages"].as_array().into_iter().flatten() {
        let (target, d) = (num(s, "target"), num(s, "duration"));
        if t_ms < start + d {
            return (from + (target - from) * (t_ms - start) / d).round() as u64;
        }
        start += d;
        from = target;
    }
    0
}

fn share_of(total: u64, index: u64, workers: u64) -> u64 {
    total / workers + u64::from(index < total % workers)
}

// ---- what is measured ----

#[derive(Default)]
struct Tally {
    requests: u64,
    failed: u64,
    errors: BTreeMap<String, u64>,
    statuses: BTreeMap<u16, u64>,
    bytes_in: u64,
    bytes_out: u64,
}

struct NameBucket {
    tally: Tally,
    hist: Histogram<u64>,
}

#[derive(Default)]
struct Bucket {
    by_name: Vec<Option<NameBucket>>,
    iterations: u64,
    dropped: u64,
}

struct Req {
    name: usize,
    /// What goes on the wire: the HTTP request, a Redis command, or a statement's first use
    /// (Parse + Bind + Execute + Sync).
    bytes: Vec<u8>,
    /// A prepared statement's later uses (Bind + Execute + Sync).
    again: Vec<u8>,
    /// PostgreSQL: the statement's index, for what each connection has prepared.
    stmt: Option<usize>,
    expect_body: bool,
    timeout_ns: u64,
}

struct Outcome {
    status: u16,
    error: Option<String>,
    reason: Option<String>,
    bytes_in: u64,
    /// Bytes sent for the redirects the request followed.
    redirect_out: u64,
    connect_ns: Option<u64>,
    end: u64,
}

/// k6's http_req_failed: a network error or a status outside 200–399 (protocol.ts errorClassOf).
fn error_class(status: u16, error: &Option<String>) -> Option<String> {
    if error.is_some() {
        return error.clone();
    }
    match status {
        200..=399 => None,
        429 => Some("http_429".into()),
        500..=599 => Some("http_5xx".into()),
        400..=499 => Some("http_4xx".into()),
        _ => Some("http_other".into()),
    }
}

/// A socket error as the JavaScript worker names it (http1.ts classify), with Node's wording.
fn classify(e: &io::Error, op: &str, addr: &SocketAddr) -> (&'static str, String) {
    let (cls, code) = match e.raw_os_error() {
        Some(libc::ECONNREFUSED) => ("refused", "ECONNREFUSED"),
        Some(libc::ECONNRESET) => ("reset", "ECONNRESET"),
        Some(libc::EPIPE) => ("reset", "EPIPE"),
        Some(libc::ECONNABORTED) => ("reset", "ECONNABORTED"),
        Some(libc::ETIMEDOUT) => ("timeout", "ETIMEDOUT"),
        Some(libc::EHOSTUNREACH) => ("other", "EHOSTUNREACH"),
        Some(libc::ENETUNREACH) => ("other", "ENETUNREACH"),
        Some(libc::EADDRNOTAVAIL) => ("other", "EADDRNOTAVAIL"),
        Some(libc::EMFILE) => ("other", "EMFILE"),
        _ => ("other", ""),
    };
    let reason = if code.is_empty() {
        format!("{op} {e}")
    } else if op == "connect" {
        format!("connect {code} {addr}")
    } else {
        format!("{op} {code}")
    };
    (cls, reason)
}

// ---- one keep-alive HTTP/1.1 connection: a port of http1.ts's parser ----

#[derive(Default)]
struct Conn {
    stream: Option<TcpStream>,
    /// Which socket `stream` is (a new one on every connect): events and loops for an earlier
    /// socket of this slot are not its.
    gen: u64,
    /// The TLS session over `stream` (https targets).
    tls: Option<rustls::ClientConnection>,
    /// TCP is up; `connected` is the connection ready for requests (after the handshake over TLS).
    tcp_up: bool,
    connected: bool,
    connect_started: u64,
    busy: bool,
    req: usize,
    /// When the request's latency is timed from: the intended send (open) or the actual one (closed).
    from: u64,
    sent_at: u64,
    deadline: u64,
    paid_connect: Option<u64>,
    written: usize,
    /// The VU this connection belongs to (closed model).
    vu: usize,
    buf: Vec<u8>,
    status: u16,
    header_done: bool,
    body_left: i64,
    chunked: bool,
    until_close: bool,
    close_after: bool,
    expect_body: bool,
    bytes_in: u64,
    /// A redirect's (301, 302, 303, 307, 308) Location, as sent.
    location: Option<String>,
    /// The request in flight's redirect chain: the hop on the wire (None: the request's own
    /// bytes), hops followed, and what the hops before it took in and sent.
    hop: Option<Vec<u8>>,
    hops: u32,
    chain_in: u64,
    chain_out: u64,
    /// Data connections: the statements this connection has prepared, whether the request in
    /// flight is a prepared one's later use, and the startup's state.
    prepared: Vec<bool>,
    use_again: bool,
    pg_auth: data::PgAuth,
    pg_answer: data::PgAnswer,
    redis_want: usize,
}

impl Conn {
    fn reset_parser(&mut self) {
        self.buf.clear();
        self.pg_answer = data::PgAnswer::default();
        self.status = 0;
        self.header_done = false;
        self.body_left = -1;
        self.chunked = false;
        self.until_close = false;
        self.close_after = false;
        self.bytes_in = 0;
        self.location = None;
    }

    /// Reads the status line and the framing headers; false when it is not an HTTP/1.x response.
    fn parse_head(&mut self, head: &[u8]) -> bool {
        let ok = head.len() >= 12
            && head.starts_with(b"HTTP/1.")
            && (head[7] == b'0' || head[7] == b'1')
            && head[8] == b' '
            && head[9..12].iter().all(u8::is_ascii_digit);
        if !ok {
            return false;
        }
        self.status = (head[9] - b'0') as u16 * 100 + (head[10] - b'0') as u16 * 10 + (head[11] - b'0') as u16;
        let lower = head.to_ascii_lowercase();
        let after = |name: &[u8]| -> Vec<&[u8]> {
            let mut out = Vec::new();
            let mut i = 0;
            while let Some(p) = find(&lower[i..], name) {
                out.push(&lower[i + p + name.len()..]);
                i += p + name.len();
            }
            out
        };
        let mut content_length: Option<i64> = None;
        for rest in after(b"\r\ncontent-length:") {
            let v = skip_space(rest);
            let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 {
                content_length = std::str::from_utf8(&v[..digits]).ok().and_then(|s| s.parse().ok());
                break;
            }
        }
        self.chunked = after(b"\r\ntransfer-encoding:").iter().any(|rest| {
            let line = &rest[..rest.iter().position(|&b| b == b'\r').unwrap_or(rest.len())];
            find(line, b"chunked").is_some()
        });
        self.close_after = after(b"\r\nconnection:").iter().any(|rest| skip_space(rest).starts_with(b"close"))
            || head.starts_with(b"HTTP/1.0");
        self.until_close = false;
        self.body_left = -1;
        if self.chunked {
            self.body_left = 0;
        } else if let Some(n) = content_length {
            self.body_left = n;
        } else {
            self.until_close = true;
        }
        self.location = None;
        if matches!(self.status, 301 | 302 | 303 | 307 | 308) {
            if let Some(p) = find(&lower, b"\r\nlocation:") {
                let value = &head[p + 11..];
                let value = &value[..value.iter().position(|&b| b == b'\r').unwrap_or(value.len())];
                self.location = Some(value.iter().map(|&b| b as char).collect::<String>().trim().to_string());
            }
        }
        true
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
fn skip_space(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

enum Parsed {
    More,
    Done,
    Fail(Option<String>),
}

/// Consumes a chunked body from `data`: Done when the last chunk and trailers are in.
fn consume_chunks(c: &mut Conn, data: &[u8]) -> Parsed {
    let mut buf = std::mem::take(&mut c.buf);
    buf.extend_from_slice(data);
    let mut pos = 0;
    loop {
        if c.body_left > 0 {
            let take = (c.body_left as usize).min(buf.len() - pos);
            c.body_left -= take as i64;
            pos += take;
            if c.body_left > 0 {
                return Parsed::More;
            }
        }
        let Some(line_end) = find(&buf[pos..], b"\r\n").map(|p| p + pos) else {
            c.buf = buf[pos..].to_vec();
            return Parsed::More;
        };
        let text = std::str::from_utf8(&buf[pos..line_end]).unwrap_or("");
        let hex: String = text.trim_start().chars().take_while(char::is_ascii_hexdigit).collect();
        let Ok(size) = i64::from_str_radix(&hex, 16) else {
            return Parsed::Fail(None);
        };
        if size == 0 {
            return match find(&buf[line_end..], b"\r\n\r\n") {
                Some(p) => {
                    if line_end + p + 4 < buf.len() {
                        c.close_after = true; // bytes past the end of the answer
                    }
                    Parsed::Done
                }
                None => {
                    c.buf = buf[pos..].to_vec();
                    Parsed::More
                }
            };
        }
        pos = line_end + 2;
        c.body_left = size + 2;
    }
}

/// Feeds bytes of the answer in flight to its parser.
fn on_data(c: &mut Conn, chunk: &[u8]) -> Parsed {
    c.bytes_in += chunk.len() as u64;
    let owned;
    let mut data: &[u8] = chunk;
    if !c.header_done {
        c.buf.extend_from_slice(chunk);
        loop {
            let Some(end) = find(&c.buf, b"\r\n\r\n") else { return Parsed::More };
            let head = c.buf[..end].to_vec();
            if !c.parse_head(&head) {
                let shown: String = head[..end.min(40)].iter().map(|&b| b as char).collect();
                let quoted = serde_json::to_string(&shown).unwrap_or_default();
                return Parsed::Fail(Some(format!("malformed status line: {quoted}")));
            }
            c.buf.drain(..end + 4);
            if (100..200).contains(&c.status) && c.status != 101 {
                continue; // interim 1xx answers precede the final one
            }
            c.header_done = true;
            if !c.expect_body || c.status == 204 || c.status == 304 {
                c.body_left = 0;
                c.chunked = false;
                c.until_close = false;
            }
            break;
        }
        owned = std::mem::take(&mut c.buf);
        data = &owned;
    }
    if c.until_close {
        return Parsed::More;
    }
    if c.chunked {
        return consume_chunks(c, data);
    }
    if (data.len() as i64) < c.body_left {
        c.body_left -= data.len() as i64;
        return Parsed::More;
    }
    if data.len() as i64 > c.body_left {
        c.close_after = true; // bytes past the end of the answer: the connection can't be trusted
    }
    c.body_left = 0;
    Parsed::Done
}

// ---- redirects: a port of http1.ts's redirectRequest ----

/// The target a redirect may lead back to: the same scheme, host and port.
struct Origin {
    https: bool,
    /// Lowercase, IPv6 without brackets.
    host: String,
    port: u16,
}

/// RFC 3986's remove_dot_segments, as the WHATWG URL parser applies it to a path.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    for (k, seg) in segs.iter().enumerate() {
        let last = k == segs.len() - 1;
        match *seg {
            "." | "%2e" | "%2E" => {
                if last {
                    out.push("");
                }
            }
            ".." | ".%2e" | ".%2E" | "%2e." | "%2E." | "%2e%2e" | "%2E%2E" | "%2e%2E" | "%2E%2e" => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

/// The request a redirect asks for, as Go's client (k6) makes it: 301/302/303 turn any method but
/// GET and HEAD into GET and drop the body (and its content-* headers); 307/308 repeat the method
/// and body. Only to the target's own origin; else Err with why (the JS worker's words).
fn redirect_request(request: &[u8], status: u16, location: &str, origin: &Origin) -> Result<(Vec<u8>, bool), String> {
    let head_end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    let head: String = request[..head_end].iter().map(|&b| b as char).collect();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("GET").to_string();
    let current = parts.next().unwrap_or("/");
    let not_url = || format!("a redirect to {}, which is not a URL", serde_json::to_string(location).unwrap_or_default());
    let loc = location.split('#').next().unwrap_or("").trim();
    let scheme_end = loc.find(':').filter(|&p| {
        p > 0
            && loc.as_bytes()[0].is_ascii_alphabetic()
            && loc[..p].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
    });
    let own = if origin.https { "https" } else { "http" };
    // (scheme, authority) when the Location names one, and the path with its query.
    let (scheme, authority, rest): (String, Option<&str>, String) = if let Some(p) = scheme_end {
        let scheme = loc[..p].to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err("a redirect to another origin (null), which the load engine does not follow".into());
        }
        let after = loc[p + 1..].trim_start_matches(['/', '\\']);
        let end = after.find(['/', '?', '\\']).unwrap_or(after.len());
        (scheme, Some(&after[..end]), after[end..].to_string())
    } else if loc.starts_with("//") || loc.starts_with("\\\\") {
        let after = &loc[2..];
        let end = after.find(['/', '?', '\\']).unwrap_or(after.len());
        (own.to_string(), Some(&after[..end]), after[end..].to_string())
    } else if loc.starts_with('/') {
        (own.to_string(), None, loc.to_string())
    } else if loc.is_empty() {
        (own.to_string(), None, current.to_string())
    } else if loc.starts_with('?') {
        (own.to_string(), None, format!("{}{loc}", current.split('?').next().unwrap_or("/")))
    } else {
        let path = current.split('?').next().unwrap_or("/");
        (own.to_string(), None, format!("{}{loc}", &path[..path.rfind('/').map_or(0, |k| k + 1)]))
    };
    let (path, query) = match rest.find('?') {
        Some(q) => (&rest[..q], &rest[q..]),
        None => (rest.as_str(), ""),
    };
    let path = if path.is_empty() { "/".to_string() } else { remove_dots(&path.replace('\\', "/")) };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority {
        None => (origin.host.clone(), origin.port),
        Some(a) => {
            let a = a.rsplit('@').next().unwrap_or("");
            let (host, port) = if let Some(v6) = a.strip_prefix('[') {
                let close = v6.find(']').ok_or_else(not_url)?;
                (&v6[..close], v6[close + 1..].strip_prefix(':').unwrap_or(""))
            } else {
                match a.find(':') {
                    Some(c) => (&a[..c], &a[c + 1..]),
                    None => (a, ""),
                }
            };
            if host.is_empty() {
                return Err(not_url());
            }
            let port = if port.is_empty() { default_port } else { port.parse::<u16>().map_err(|_| not_url())? };
            (host.to_ascii_lowercase(), port)
        }
    };
    if scheme != own || host != origin.host || port != origin.port {
        let shown = if host.contains(':') { format!("[{host}]") } else { host };
        let port = if port == default_port { String::new() } else { format!(":{port}") };
        return Err(format!("a redirect to another origin ({scheme}://{shown}{port}), which the load engine does not follow"));
    }
    let keep = status == 307 || status == 308;
    let next = if keep || method == "HEAD" { method.clone() } else { "GET".to_string() };
    let mut out = format!("{next} {path}{query} HTTP/1.1");
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if keep
            || !(lower.starts_with("content-length:")
                || lower.starts_with("content-type:")
                || lower.starts_with("transfer-encoding:"))
        {
            out.push_str("\r\n");
            out.push_str(line);
        }
    }
    out.push_str("\r\n\r\n");
    let mut bytes: Vec<u8> = out.chars().map(|c| c as u8).collect();
    if keep && head_end + 4 <= request.len() {
        bytes.extend_from_slice(&request[head_end + 4..]);
    }
    Ok((bytes, next != "HEAD"))
}

// ---- the generator ----

struct Core {
    poll: Poll,
    addr: SocketAddr,
    tls: Option<(Arc<rustls::ClientConfig>, rustls::pki_types::ServerName<'static>)>,
    /// What the connections speak: HTTP/1.1, or one database's protocol.
    proto: data::Proto,
    index: u64,
    workers: u64,
    scenario: Value,
    reqs: Vec<Req>,
    names: Vec<String>,
    cumulative: Vec<f64>,
    rng: u64,
    graceful_stop_ns: u64,
    /// Redirects an HTTP request follows to its final answer, and the origin they may lead to.
    max_redirects: u32,
    origin: Origin,
    /// Set while the requests still in flight at the stop are judged.
    judging_at_stop: bool,
    duration_ms: f64,
    schedule: Option<ArrivalSchedule>,
    max_conns: usize,

    conns: Vec<Conn>,
    free_slots: Vec<usize>,
    sockets: u64,
    /// Completions that happened inside `send` (a connect refused at once): handled after it, so
    /// a refusing target cannot recurse without bound.
    done: Vec<(usize, Outcome)>,
    sending: bool,
    start: u64,
    started: bool,
    stopping: bool,
    finished: bool,
    grace_deadline: u64,
    in_flight: u64,
    max_vus: u64,
    buckets: BTreeMap<u64, Bucket>,
    iteration_hist: Histogram<u64>,
    lag_hist: Histogram<u64>,
    connect_hist: Histogram<u64>,
    error_reasons: BTreeMap<String, String>,
    last_completion: u64,
    idle_ns: u64,
    // closed model
    target_vus: u64,
    active_vus: u64,
    vu_conn: Vec<Option<usize>>,
    // open model
    idle: Vec<usize>,
    allocated: usize,
    next_arrival: u64,
    out: io::BufWriter<io::Stdout>,
}

impl Core {
    fn is_data(&self) -> bool {
        !matches!(self.proto, data::Proto::Http)
    }

    fn elapsed_ms(&self, t: u64) -> f64 {
        (t as f64 - self.start as f64) / MS as f64
    }

    fn pick(&mut self) -> usize {
        if self.reqs.len() == 1 {
            return 0;
        }
        // xorshift64*: the weighted mix needs a fast draw, not a cryptographic one.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let x = (r >> 11) as f64 / (1u64 << 53) as f64 * self.cumulative[self.cumulative.len() - 1];
        self.cumulative.iter().position(|&c| c > x).unwrap_or(self.reqs.len() - 1)
    }

    fn bucket_at(&mut self, t_ms: f64) -> &mut Bucket {
        let s = t_ms.max(0.0).floor() as u64 / 1000;
        let names = self.names.len();
        self.buckets.entry(s).or_insert_with(|| Bucket {
            by_name: (0..names).map(|_| None).collect(),
            ..Default::default()
        })
    }

    fn new_conn(&mut self) -> usize {
        let c = Conn { body_left: -1, ..Default::default() };
        if let Some(i) = self.free_slots.pop() {
            self.conns[i] = c;
            i
        } else {
            self.conns.push(c);
            self.conns.len() - 1
        }
    }

    fn connect(&mut self, i: usize) -> Result<(), io::Error> {
        let mut s = TcpStream::connect(self.addr)?;
        let _ = s.set_nodelay(true);
        self.sockets += 1;
        let token = Token(i | (self.sockets as usize) << SLOT_BITS);
        self.poll.registry().register(&mut s, token, Interest::READABLE | Interest::WRITABLE)?;
        let c = &mut self.conns[i];
        c.stream = Some(s);
        c.gen = self.sockets;
        c.tcp_up = false;
        c.connected = false;
        c.tls = match &self.tls {
            Some((config, name)) => Some(
                rustls::ClientConnection::new(config.clone(), name.clone())
                    .map_err(|e| io::Error::other(e.to_string()))?,
            ),
            None => None,
        };
        c.connect_started = now();
        Ok(())
    }

    fn drop_stream(&mut self, i: usize) {
        let c = &mut self.conns[i];
        if let Some(mut s) = c.stream.take() {
            let _ = self.poll.registry().deregister(&mut s);
        }
        c.tls = None;
        c.tcp_up = false;
        c.connected = false;
        c.prepared.clear();
        c.pg_auth = data::PgAuth::default();
        c.pg_answer = data::PgAnswer::default();
        c.redis_want = 0;
        c.buf.clear();
    }

    fn release(&mut self, i: usize) {
        self.drop_stream(i);
        self.conns[i].busy = false;
        self.free_slots.push(i);
    }

    /// Sends request `r` on connection `i`, timed from `from`. Failures arrive through `done`.
    fn send(&mut self, i: usize, r: usize, from: u64) {
        self.sending = true;
        self.send_now(i, r, from);
        self.sending = false;
    }

    fn send_now(&mut self, i: usize, r: usize, from: u64) {
        let t = now();
        let c = &mut self.conns[i];
        c.busy = true;
        c.req = r;
        c.from = from;
        c.sent_at = t;
        c.deadline = t + self.reqs[r].timeout_ns;
        c.expect_body = self.reqs[r].expect_body;
        c.written = 0;
        c.paid_connect = None;
        c.hop = None;
        c.hops = 0;
        c.chain_in = 0;
        c.chain_out = 0;
        c.reset_parser();
        c.use_again = self.reqs[r].stmt.is_some_and(|k| c.prepared.get(k).copied().unwrap_or(false));
        if c.stream.is_none() {
            if let Err(e) = self.connect(i) {
                let (cls, reason) = classify(&e, "connect", &self.addr);
                self.fail(i, cls, Some(reason));
            }
        } else if c.connected {
            self.write_pending(i);
        }
    }

    fn write_pending(&mut self, i: usize) {
        let c = &mut self.conns[i];
        let req = &self.reqs[c.req];
        let bytes = match &c.hop {
            Some(hop) => hop,
            None if c.use_again => &req.again,
            None => &req.bytes,
        };
        if let Some(t) = c.tls.as_mut() {
            // Into the session's plaintext buffer; the records go out as the socket takes them.
            if c.written < bytes.len() {
                let _ = t.writer().write_all(&bytes[c.written..]);
                c.written = bytes.len();
            }
            self.flush_tls(i);
            return;
        }
        let Some(s) = c.stream.as_mut() else { return };
        while c.written < bytes.len() {
            match s.write(&bytes[c.written..]) {
                Ok(n) => c.written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let (cls, reason) = classify(&e, "write", &self.addr);
                    self.fail(i, cls, Some(reason));
                    return;
                }
            }
        }
    }

    /// Writes what the TLS session has to send (handshake, records) as far as the socket takes it.
    fn flush_tls(&mut self, i: usize) {
        let c = &mut self.conns[i];
        let (Some(t), Some(s)) = (c.tls.as_mut(), c.stream.as_mut()) else { return };
        while t.wants_write() {
            match t.write_tls(s) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let (cls, reason) = classify(&e, "write", &self.addr);
                    self.broken(i, cls, reason);
                    return;
                }
            }
        }
    }

    /// The connection is ready for requests (TCP up, and the handshake done over TLS).
    fn on_ready(&mut self, i: usize) {
        let c = &mut self.conns[i];
        c.connected = true;
        if c.busy {
            // A redirect's hop that reconnects: the chain's connect is its first request's.
            if c.hops == 0 {
                c.paid_connect = Some(now() - c.sent_at.max(c.connect_started));
            }
            self.write_pending(i);
        }
    }

    /// The connection broke: the request in flight fails with why; an idle one is simply dropped.
    fn broken(&mut self, i: usize, cls: &str, reason: String) {
        if self.conns[i].busy {
            self.fail(i, cls, Some(reason));
        } else {
            self.drop_stream(i);
        }
    }

    /// The request in flight on `i` failed: the connection goes, the outcome is queued.
    fn fail(&mut self, i: usize, cls: &str, reason: Option<String>) {
        self.drop_stream(i);
        self.finish_request(i, 0, Some(cls.to_string()), reason);
    }

    fn finish_request(&mut self, i: usize, status: u16, mut error: Option<String>, mut reason: Option<String>) {
        if !self.conns[i].busy {
            return;
        }
        // An answer that redirects is followed (on this connection, within the first request's
        // timeout) and the final answer judged, as k6 judges it: the chain is one request, timed
        // from its first send to its final answer. A redirect past maxRedirects, elsewhere than
        // the target, or to a Location that is no URL fails as http_other with its 3xx status.
        if error.is_none() && self.max_redirects > 0 && self.conns[i].location.is_some() && !self.is_data() {
            let c = &mut self.conns[i];
            let location = c.location.take().unwrap_or_default();
            let next = if c.hops >= self.max_redirects {
                Err(format!("more than {} redirects (maxRedirects)", self.max_redirects))
            } else {
                let req = &self.reqs[c.req];
                redirect_request(c.hop.as_deref().unwrap_or(&req.bytes), status, &location, &self.origin)
            };
            match next {
                Ok((bytes, expect_body)) => return self.follow(i, bytes, expect_body),
                Err(why) => {
                    error = Some("http_other".into());
                    reason = Some(why);
                }
            }
        }
        let c = &mut self.conns[i];
        c.busy = false;
        let o = Outcome {
            status,
            error,
            reason,
            bytes_in: c.bytes_in + c.chain_in,
            redirect_out: c.chain_out,
            connect_ns: c.paid_connect.take(),
            end: now(),
        };
        if self.sending {
            self.done.push((i, o));
        } else {
            // At once, as a worker thread's callback does: the VU's next request goes out now, not
            // after the rest of this batch of events — time no iteration would account for.
            self.complete(i, o);
        }
    }

    /// Sends a redirect's next hop for the request in flight on `i`: on its connection, or a new one
    /// when the server closed it.
    fn follow(&mut self, i: usize, bytes: Vec<u8>, expect_body: bool) {
        let c = &mut self.conns[i];
        c.hops += 1;
        c.chain_in += c.bytes_in;
        c.chain_out += bytes.len() as u64;
        c.hop = Some(bytes);
        c.expect_body = expect_body;
        c.use_again = false;
        c.written = 0;
        c.sent_at = now();
        c.reset_parser();
        if c.stream.is_none() {
            if let Err(e) = self.connect(i) {
                let (cls, reason) = classify(&e, "connect", &self.addr);
                self.fail(i, cls, Some(reason));
            }
        } else if c.connected {
            self.write_pending(i);
        }
    }

    fn on_writable(&mut self, i: usize) {
        let c = &mut self.conns[i];
        let Some(s) = c.stream.as_ref() else { return };
        if !c.tcp_up {
            let err = match s.take_error() {
                Ok(Some(e)) | Err(e) => Some(e),
                Ok(None) => match s.peer_addr() {
                    Ok(_) => None,
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => return, // still connecting
                    Err(e) => Some(e),
                },
            };
            if let Some(e) = err {
                let (cls, reason) = classify(&e, "connect", &self.addr);
                self.broken(i, cls, reason);
                return;
            }
            c.tcp_up = true;
            if c.tls.is_none() {
                return self.on_tcp_up(i);
            }
        }
        if self.conns[i].tls.is_some() {
            self.flush_tls(i);
        } else if self.conns[i].busy && self.conns[i].connected {
            self.write_pending(i);
        }
    }

    fn on_readable(&mut self, i: usize, scratch: &mut [u8]) {
        if self.conns[i].tls.is_some() {
            return self.on_readable_tls(i, scratch);
        }
        loop {
            let c = &mut self.conns[i];
            let Some(s) = c.stream.as_mut() else { return };
            match s.read(scratch) {
                Ok(0) => return self.on_eof(i),
                Ok(n) => {
                    if !self.on_plain(i, &scratch[..n]) {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let (cls, reason) = classify(&e, "read", &self.addr);
                    self.broken(i, cls, reason);
                    return;
                }
            }
        }
    }

    /// TLS records in, plaintext out to the same parser; the handshake's end makes it ready.
    fn on_readable_tls(&mut self, i: usize, scratch: &mut [u8]) {
        loop {
            let c = &mut self.conns[i];
            let (Some(t), Some(s)) = (c.tls.as_mut(), c.stream.as_mut()) else { return };
            let eof = match t.read_tls(s) {
                Ok(0) => true,
                Ok(_) => false,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return self.flush_tls(i),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let (cls, reason) = classify(&e, "read", &self.addr);
                    self.broken(i, cls, reason);
                    return;
                }
            };
            if let Err(e) = t.process_new_packets() {
                // A refused certificate, a protocol error: the alert goes out, the connection goes.
                let _ = t.write_tls(s);
                let reason = tls::reason(&e);
                self.broken(i, "tls", reason);
                return;
            }
            if !c.connected && !t.is_handshaking() {
                self.on_ready(i);
            }
            // Plaintext: as much as the records carried.
            loop {
                let c = &mut self.conns[i];
                let Some(t) = c.tls.as_mut() else { return };
                match t.reader().read(scratch) {
                    Ok(0) => return self.on_eof(i), // close_notify
                    Ok(n) => {
                        if !self.on_plain(i, &scratch[..n]) {
                            return;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => return self.on_eof(i), // closed without close_notify
                }
            }
            if eof {
                return self.on_eof(i);
            }
        }
    }

    /// The server closed: an answer framed by the close is complete; else the request in flight
    /// was cut off. An idle connection is simply gone.
    fn on_eof(&mut self, i: usize) {
        let c = &self.conns[i];
        let (done, status) = (c.busy && c.until_close && c.header_done, c.status);
        self.drop_stream(i);
        if done {
            self.finish_request(i, status, None, None);
        } else {
            self.finish_request(i, 0, Some("reset".into()), None);
        }
    }

    /// TCP is up: HTTP is ready; a database first hears the startup (and authentication).
    fn on_tcp_up(&mut self, i: usize) {
        let hello = match &self.proto {
            data::Proto::Http => None,
            data::Proto::Pg(conf) => Some(data::pg_startup(conf)),
            data::Proto::Redis(conf) => data::redis_hello(conf).map(|(bytes, n)| {
                self.conns[i].redis_want = n;
                bytes
            }),
        };
        match hello {
            None => self.on_ready(i),
            Some(bytes) => self.raw_write(i, &bytes),
        }
    }

    /// A handshake message: small, on a fresh socket, so written at once or the connection fails.
    fn raw_write(&mut self, i: usize, bytes: &[u8]) {
        let Some(s) = self.conns[i].stream.as_mut() else { return };
        match s.write(bytes) {
            Ok(n) if n == bytes.len() => {}
            Ok(_) => self.broken(i, "other", "the startup message did not fit the socket buffer".into()),
            Err(e) => {
                let (cls, reason) = classify(&e, "write", &self.addr);
                self.broken(i, cls, reason);
            }
        }
    }

    /// Startup replies from a database: authentication answered, ready at its end.
    fn on_handshake(&mut self, i: usize, bytes: &[u8]) -> bool {
        let c = &mut self.conns[i];
        c.buf.extend_from_slice(bytes);
        let mut consumed = 0;
        let step = match &self.proto {
            data::Proto::Pg(conf) => data::pg_handshake(&c.buf, conf, &mut c.pg_auth, &mut consumed),
            data::Proto::Redis(_) => data::redis_handshake(&c.buf, &mut c.redis_want, &mut consumed),
            data::Proto::Http => data::Handshake::Ready,
        };
        c.buf.drain(..consumed.min(c.buf.len()));
        match step {
            data::Handshake::More => true,
            data::Handshake::Send(out) => {
                self.raw_write(i, &out);
                self.conns[i].stream.is_some()
            }
            data::Handshake::Ready => {
                self.conns[i].buf.clear();
                self.on_ready(i);
                self.conns[i].stream.is_some()
            }
            data::Handshake::Fail(cls, reason) => {
                self.broken(i, &cls, reason);
                false
            }
        }
    }

    /// Bytes of a database's answer: complete at ReadyForQuery (PostgreSQL) or one reply (Redis).
    fn on_data_reply(&mut self, i: usize, bytes: &[u8]) -> bool {
        let c = &mut self.conns[i];
        c.buf.extend_from_slice(bytes);
        let reply = match self.proto {
            data::Proto::Pg(_) => {
                // Whole messages are read once and dropped: a large result is not scanned again.
                let mut consumed = 0;
                let r = data::pg_reply(&c.buf, &mut c.pg_answer, &mut consumed);
                if matches!(r, data::Reply::More) {
                    c.buf.drain(..consumed);
                }
                Ok(r)
            }
            _ => data::redis_reply(&c.buf),
        };
        match reply {
            Ok(data::Reply::More) => true,
            Ok(data::Reply::Done { error, prepared, surplus, bytes }) => {
                if let (true, Some(k)) = (prepared, self.reqs[c.req].stmt) {
                    if c.prepared.len() <= k {
                        c.prepared.resize(k + 1, false);
                    }
                    c.prepared[k] = true;
                }
                c.buf.clear();
                c.bytes_in = bytes;
                // A statement's own error keeps the connection; a broken one goes. Bytes past the
                // answer were not asked for: the connection cannot be trusted.
                let drop = surplus || error.as_ref().is_some_and(|(cls, _)| data::broken(cls));
                if drop {
                    self.drop_stream(i);
                }
                let (cls, reason) = error.map_or((None, None), |(c, r)| (Some(c), Some(r)));
                self.finish_request(i, 0, cls, reason);
                self.conns[i].stream.is_some()
            }
            Err(reason) => {
                self.fail(i, "other", Some(reason));
                false
            }
        }
    }

    /// Bytes of an answer; false when the connection is gone after them.
    fn on_plain(&mut self, i: usize, bytes: &[u8]) -> bool {
        let gen = self.conns[i].gen;
        self.on_bytes(i, bytes) && self.conns[i].stream.is_some() && self.conns[i].gen == gen
    }

    fn on_bytes(&mut self, i: usize, bytes: &[u8]) -> bool {
        let is_data = self.is_data();
        let c = &mut self.conns[i];
        if c.tcp_up && !c.connected && is_data {
            return self.on_handshake(i, bytes);
        }
        if is_data && c.busy {
            return self.on_data_reply(i, bytes);
        }
        if !c.busy {
            // Bytes nobody asked for (a server speaking out of turn): not to be trusted.
            self.drop_stream(i);
            return false;
        }
        match on_data(c, bytes) {
            Parsed::More => true,
            Parsed::Done => {
                let status = c.status;
                if c.close_after {
                    self.drop_stream(i);
                }
                self.finish_request(i, status, None, None);
                self.conns[i].stream.is_some()
            }
            Parsed::Fail(reason) => {
                self.fail(i, "other", reason);
                false
            }
        }
    }

    /// `from`: the intended send (open model) or the actual one (closed model). In the closed
    /// model a request that had to open its connection is timed from when it was up, as k6 times
    /// http_req_duration; the connect goes in its own histogram.
    fn record(&mut self, r: usize, mut from: u64, o: &Outcome) {
        if let Some(c) = o.connect_ns {
            self.connect_hist.saturating_record(us(c));
            if self.schedule.is_none() {
                from += c;
            }
        }
        // A request judged at the stop did not complete: the measured window ends at the last answer.
        if !self.judging_at_stop {
            self.last_completion = o.end;
        }
        // As the JS worker counts them: a data request's bytes out are not counted (its request
        // has no serialised form there).
        let is_data = self.is_data();
        let out = if is_data { 0 } else { self.reqs[r].bytes.len() as u64 + o.redirect_out };
        let name = self.reqs[r].name;
        let t_ms = self.elapsed_ms(o.end);
        let b = self.bucket_at(t_ms);
        let n = b.by_name[name].get_or_insert_with(|| NameBucket { tally: Tally::default(), hist: new_hist() });
        let t = &mut n.tally;
        t.requests += 1;
        t.bytes_in += o.bytes_in;
        t.bytes_out += out;
        // A data request has no status: its outcome's class is the whole verdict.
        let cls = if is_data { o.error.clone() } else { error_class(o.status, &o.error) };
        if let Some(cls) = &cls {
            t.failed += 1;
            *t.errors.entry(cls.clone()).or_default() += 1;
        }
        if o.status > 0 {
            *t.statuses.entry(o.status).or_default() += 1;
        }
        // Every request is timed, a failed one at its time to error or timeout.
        n.hist.saturating_record(us(o.end.saturating_sub(from)));
        if let (Some(cls), Some(reason)) = (cls, &o.reason) {
            self.error_reasons.entry(cls).or_insert_with(|| reason.clone());
        }
    }

    fn end_iteration(&mut self, from: u64, end: u64) {
        let t_ms = self.elapsed_ms(end);
        self.bucket_at(t_ms).iterations += 1;
        self.iteration_hist.saturating_record(us(end.saturating_sub(from)));
    }

    /// Completions queued by the event handlers: record them, then the VU's next request or the
    /// connection back to the idle pool.
    /// One batch at a time: a connection refused at once would otherwise loop here unbounded,
    /// past the timers that stop the run.
    fn drain_done(&mut self) {
        for (i, o) in std::mem::take(&mut self.done) {
            self.complete(i, o);
        }
    }

    fn complete(&mut self, i: usize, o: Outcome) {
        self.in_flight -= 1;
        if self.finished {
            return;
        }
        let (r, from) = (self.conns[i].req, self.conns[i].from);
        self.record(r, from, &o);
        self.end_iteration(from, o.end);
        if self.schedule.is_some() {
            self.idle.push(i);
        } else {
            self.vu_next(self.conns[i].vu);
        }
        self.check_drained();
    }

    // ---- closed model ----
    fn vu_next(&mut self, id: usize) {
        let Some(i) = self.vu_conn[id] else { return };
        if self.stopping || id as u64 >= self.target_vus {
            self.active_vus -= 1;
            self.release(i);
            self.vu_conn[id] = None;
            return;
        }
        let r = self.pick();
        self.in_flight += 1;
        self.send(i, r, now());
    }

    fn control_vus(&mut self) {
        if self.stopping {
            return;
        }
        let t = self.elapsed_ms(now());
        self.target_vus = share_of(vus_at(&self.scenario, t), self.index, self.workers);
        if self.vu_conn.len() < self.target_vus as usize {
            self.vu_conn.resize(self.target_vus as usize, None);
        }
        for id in 0..self.target_vus as usize {
            if self.vu_conn[id].is_none() {
                let i = self.new_conn();
                self.conns[i].vu = id;
                self.vu_conn[id] = Some(i);
                self.active_vus += 1;
                self.max_vus = self.max_vus.max(self.active_vus);
                self.vu_next(id);
            }
        }
        if t >= self.duration_ms {
            self.begin_stop();
        }
    }

    // ---- open model ----
    fn dispatch_due(&mut self) {
        let t = self.elapsed_ms(now());
        loop {
            let due = self.schedule.as_ref().unwrap().time_of(self.next_arrival);
            if due > t {
                break;
            }
            self.next_arrival += self.workers;
            let conn = match self.idle.pop() {
                Some(c) => Some(c),
                None if self.allocated < self.max_conns => {
                    self.allocated += 1;
                    Some(self.new_conn())
                }
                None => None,
            };
            let intended = self.start + (due * MS as f64) as u64;
            // A dropped arrival's lag is how late the loop got to it: a loop on time that finds no
            // free connection drops at once (the target's), a loop behind drops late (its own).
            self.lag_hist.saturating_record(now().saturating_sub(intended) / 1000);
            let Some(i) = conn else {
                self.bucket_at(due).dropped += 1;
                continue;
            };
            let r = self.pick();
            self.in_flight += 1;
            self.max_vus = self.max_vus.max((self.allocated - self.idle.len()) as u64);
            self.send(i, r, intended);
        }
    }

    fn next_due_ns(&self) -> Option<u64> {
        let s = self.schedule.as_ref()?;
        let due = s.time_of(self.next_arrival);
        due.is_finite().then(|| self.start + (due * MS as f64) as u64)
    }

    // ---- shared ----
    fn sweep_timeouts(&mut self) {
        let t = now();
        for i in 0..self.conns.len() {
            if self.conns[i].busy && self.conns[i].deadline < t {
                self.drop_stream(i);
                // The JS worker's data links say why; its HTTP connection does not.
                let why = self.is_data().then(|| "no answer within the request timeout".to_string());
                self.finish_request(i, 0, Some("timeout".into()), why);
            }
        }
    }

    fn begin_stop(&mut self) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        self.grace_deadline = now() + self.graceful_stop_ns;
        self.check_drained();
    }

    fn check_drained(&mut self) {
        if self.stopping && self.in_flight == 0 && !self.finished {
            self.finish("");
        }
    }

    fn flush(&mut self, all: bool) {
        let current = (self.elapsed_ms(now()).max(0.0) / 1000.0).floor() as u64;
        let vus = if self.schedule.is_some() { (self.allocated - self.idle.len()) as u64 } else { self.active_vus };
        let seconds: Vec<u64> = self.buckets.keys().copied().filter(|&s| all || s < current).collect();
        for s in seconds {
            let b = self.buckets.remove(&s).unwrap();
            let mut by_name = Map::new();
            for (k, n) in b.by_name.iter().enumerate() {
                let Some(n) = n else { continue };
                let t = &n.tally;
                let statuses: Map<String, Value> = t.statuses.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                let errors: Map<String, Value> = t.errors.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
                by_name.insert(
                    self.names[k].clone(),
                    json!({
                        "tally": { "requests": t.requests, "failed": t.failed, "errors": errors, "statuses": statuses,
                                   "bytesIn": t.bytes_in, "bytesOut": t.bytes_out },
                        "hist": encode(&n.hist),
                    }),
                );
            }
            let msg = json!({ "type": "second", "second": s, "byName": by_name, "vus": vus,
                              "dropped": b.dropped, "iterations": b.iterations });
            self.emit(&msg);
        }
    }

    fn emit(&mut self, v: &Value) {
        let _ = serde_json::to_writer(&mut self.out, v);
        let _ = self.out.write_all(b"\n");
    }

    /// The end: at the end of gracefulStop, or when the engine stops the run (an abort, a
    /// threshold's abortOnFail, a capacity step's saturation, an interrupt). Every request still in
    /// flight is judged now — failed as `timeout` (why: `stopped_why`), timed to this instant, in
    /// this second — never simply absent: a hang that outlasts the run is a failure, not a missing
    /// sample. Completions queued inside a send are answers, recorded as they came.
    fn finish(&mut self, stopped_why: &str) {
        if self.finished {
            return;
        }
        let interrupted = self.in_flight;
        self.judging_at_stop = true;
        for (i, o) in std::mem::take(&mut self.done) {
            self.in_flight = self.in_flight.saturating_sub(1);
            let (r, from) = (self.conns[i].req, self.conns[i].from);
            self.record(r, from, &o);
        }
        let t = now();
        for i in 0..self.conns.len() {
            let c = &mut self.conns[i];
            if !c.busy {
                continue;
            }
            c.busy = false;
            let o = Outcome {
                status: 0,
                error: Some("timeout".into()),
                reason: Some(stopped_why.to_string()),
                bytes_in: c.bytes_in + c.chain_in,
                redirect_out: c.chain_out,
                connect_ns: c.paid_connect.take(),
                end: t,
            };
            let (r, from) = (c.req, c.from);
            self.in_flight = self.in_flight.saturating_sub(1);
            self.record(r, from, &o);
        }
        self.finished = true;
        for i in 0..self.conns.len() {
            self.drop_stream(i);
        }
        self.flush(true);
        let total = now().saturating_sub(self.start) as f64;
        let elu = if total > 0.0 { (1.0 - self.idle_ns as f64 / total).clamp(0.0, 1.0) } else { 0.0 };
        let mut done = json!({
            "type": "done",
            "iterationHist": encode(&self.iteration_hist),
            "errorReasons": self.error_reasons,
            "connectHist": encode(&self.connect_hist),
            "interrupted": interrupted,
            "maxVus": self.max_vus,
            "lastCompletionMs": self.elapsed_ms(self.last_completion).max(0.0),
            "elu": elu,
        });
        if self.schedule.is_some() {
            done["lagHist"] = json!(encode(&self.lag_hist));
            done["connectionLimit"] = json!(self.max_conns);
        }
        self.emit(&done);
        let _ = self.out.flush();
    }
}

/// Arms the timerfd at an absolute CLOCK_MONOTONIC instant (ns).
fn arm(fd: RawFd, at: u64) {
    let spec = libc::itimerspec {
        it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
        it_value: libc::timespec { tv_sec: (at / 1_000_000_000) as i64, tv_nsec: (at % 1_000_000_000) as i64 },
    };
    unsafe { libc::timerfd_settime(fd, libc::TFD_TIMER_ABSTIME, &spec, std::ptr::null_mut()) };
}

fn fatal(msg: &str) -> ! {
    eprintln!("gauntlet-loadcore: {msg}");
    std::process::exit(2);
}

fn main() {
    let mut stdin_buf = Vec::new();
    // The init: one JSON line (the worker's WireInit plus what the engine computed for this core).
    let init: Value = {
        let mut line = String::new();
        io::stdin().read_line(&mut line).unwrap_or_else(|e| fatal(&format!("reading the init: {e}")));
        serde_json::from_str(&line).unwrap_or_else(|e| fatal(&format!("the init is not JSON: {e}")))
    };
    let num = |k: &str| init.get(k).and_then(Value::as_f64).unwrap_or_else(|| fatal(&format!("init.{k} missing")));
    // A profile of one database's requests connects there (native.ts sends no mixed profile).
    let first_data = init["requests"].as_array().and_then(|rs| rs.iter().find_map(|r| r.get("data")));
    let (proto, data_host) = match first_data {
        None => (data::Proto::Http, None),
        Some(d) => {
            let kind = d["kind"].as_str().unwrap_or("");
            let url = d["url"].as_str().unwrap_or("");
            let default_port = if kind == "postgres" { 5432 } else { 6379 };
            let (user, password, host, port, path) =
                data::parse_url(url, default_port).unwrap_or_else(|e| fatal(&e));
            let proto = if kind == "postgres" {
                let user = user.unwrap_or_else(|| fatal("the PostgreSQL URL has no user"));
                data::Proto::Pg(data::PgConf {
                    database: if path.is_empty() { user.clone() } else { path },
                    user,
                    password,
                    statement_timeout_ms: d["serverTimeoutMs"].as_u64().unwrap_or(0),
                })
            } else {
                data::Proto::Redis(data::RedisConf { user, password, db: path.parse().ok() })
            };
            (proto, Some((host, port)))
        }
    };
    let (host, port) = match &data_host {
        Some((h, p)) => (h.as_str(), *p),
        None => (init["host"].as_str().unwrap_or_else(|| fatal("init.host missing")), num("port") as u16),
    };
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| fatal(&format!("cannot resolve {host}")));
    let timeout_ms = num("timeoutMs");
    let tls_config = init.get("tls").filter(|t| t.is_object()).map(|t| {
        tls::client(t, host).unwrap_or_else(|e| fatal(&format!("tls: {e}")))
    });
    let mut names: Vec<String> = Vec::new();
    let mut statements: Vec<String> = Vec::new();
    let mut reqs = Vec::new();
    let mut cumulative = Vec::new();
    for r in init["requests"].as_array().unwrap_or_else(|| fatal("init.requests missing")) {
        let name = r["name"].as_str().unwrap_or("").to_string();
        let idx = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name.clone());
            names.len() - 1
        });
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(r["bytes"].as_str().unwrap_or(""))
            .unwrap_or_else(|_| fatal("a request's bytes are not base64"));
        let timeout = r.get("timeoutMs").and_then(Value::as_f64).unwrap_or(timeout_ms);
        let (mut bytes, mut again, mut stmt) = (bytes, Vec::new(), None);
        if let Some(d) = r.get("data") {
            if d["kind"] == "postgres" {
                let name = d["statement"].as_str().unwrap_or("").to_string();
                let params = d["params"].as_array().cloned().unwrap_or_default();
                (bytes, again) = data::pg_request(&name, d["sql"].as_str().unwrap_or(""), &params);
                stmt = Some(statements.iter().position(|n| *n == name).unwrap_or_else(|| {
                    statements.push(name);
                    statements.len() - 1
                }));
            } else {
                let args: Vec<String> = d["command"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                    .collect();
                bytes = data::resp(&args);
            }
        }
        reqs.push(Req {
            name: idx,
            bytes,
            again,
            stmt,
            expect_body: r["expectBody"].as_bool().unwrap_or(true),
            timeout_ns: (timeout * MS as f64) as u64,
        });
        cumulative.push(cumulative.last().copied().unwrap_or(0.0) + r["weight"].as_f64().unwrap_or(1.0));
    }
    let scenario = init["scenario"].clone();
    let open = scenario["executor"].as_str().is_some_and(|e| e.ends_with("arrival-rate"));
    let native = &init["native"];
    let poll = Poll::new().unwrap_or_else(|e| fatal(&format!("epoll: {e}")));
    let index = num("index") as u64;
    let mut core = Core {
        poll,
        addr,
        tls: tls_config,
        proto,
        index,
        workers: num("workers") as u64,
        scenario: scenario.clone(),
        reqs,
        names,
        cumulative,
        rng: now() | 1,
        graceful_stop_ns: (num("gracefulStopMs") * MS as f64) as u64,
        max_redirects: init.get("maxRedirects").and_then(Value::as_u64).unwrap_or(10) as u32,
        origin: Origin {
            https: init.get("tls").is_some_and(Value::is_object),
            host: init["host"].as_str().unwrap_or("").trim_matches(|c| c == '[' || c == ']').to_ascii_lowercase(),
            port: init.get("port").and_then(Value::as_u64).unwrap_or(0) as u16,
        },
        judging_at_stop: false,
        duration_ms: native["durationMs"].as_f64().unwrap_or(0.0),
        schedule: open.then(|| ArrivalSchedule::new(&scenario)),
        max_conns: native["maxConns"].as_u64().unwrap_or(0) as usize,
        conns: Vec::new(),
        free_slots: Vec::new(),
        sockets: 0,
        done: Vec::new(),
        sending: false,
        start: u64::MAX,
        started: false,
        stopping: false,
        finished: false,
        grace_deadline: u64::MAX,
        in_flight: 0,
        max_vus: 0,
        buckets: BTreeMap::new(),
        iteration_hist: new_hist(),
        lag_hist: new_hist(),
        connect_hist: new_hist(),
        error_reasons: BTreeMap::new(),
        last_completion: 0,
        idle_ns: 0,
        target_vus: 0,
        active_vus: 0,
        vu_conn: Vec::new(),
        idle: Vec::new(),
        allocated: 0,
        next_arrival: index,
        out: io::BufWriter::with_capacity(1 << 16, io::stdout()),
    };

    let stdin_fd = io::stdin().as_raw_fd();
    unsafe {
        let fl = libc::fcntl(stdin_fd, libc::F_GETFL);
        libc::fcntl(stdin_fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
    let tfd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
    if tfd < 0 {
        fatal("timerfd_create failed");
    }
    let reg = core.poll.registry();
    reg.register(&mut SourceFd(&stdin_fd), STDIN, Interest::READABLE).unwrap_or_else(|e| fatal(&e.to_string()));
    reg.register(&mut SourceFd(&tfd), TIMER, Interest::READABLE).unwrap_or_else(|e| fatal(&e.to_string()));

    // The open model's pre-allocated connections are opened before the clock starts.
    let pre = native["preAllocated"].as_u64().unwrap_or(0) as usize;
    for _ in 0..pre.min(core.max_conns) {
        let i = core.new_conn();
        let _ = core.connect(i);
        core.idle.push(i);
        core.allocated += 1;
    }
    let preconnect_until = now() + (timeout_ms.min(5000.0) * MS as f64) as u64;

    let mut events = Events::with_capacity(1024);
    let mut scratch = vec![0u8; 64 * 1024];
    let mut ready = false;
    let mut start_at: Option<u64> = None;
    let (mut next_sweep, mut next_flush, mut next_control) = (0u64, 0u64, 0u64);
    let mut armed = 0u64;
    loop {
        let t = now();
        if !ready {
            let pending = core.idle.iter().any(|&i| core.conns[i].stream.is_some() && !core.conns[i].connected);
            if !pending || t >= preconnect_until {
                ready = true;
                core.emit(&json!({ "type": "ready" }));
                let _ = core.out.flush();
            }
        }
        if let Some(at) = start_at {
            if !core.started && t >= at {
                core.started = true;
                core.start = at;
                core.idle_ns = 0;
                next_sweep = t + 50 * MS;
                next_flush = t + 250 * MS;
                next_control = t;
            }
        }
        if core.started && !core.finished {
            if core.schedule.is_some() {
                if !core.stopping {
                    core.dispatch_due();
                    if core.elapsed_ms(now()) >= core.schedule.as_ref().unwrap().duration_ms {
                        // Arrivals that fell due while the last ones went out go now, late — their
                        // lag recorded — never silently uncounted.
                        core.dispatch_due();
                        core.begin_stop();
                    }
                }
            } else if t >= next_control {
                core.control_vus();
                next_control = t + 100 * MS;
            }
            if t >= next_sweep {
                core.sweep_timeouts();
                next_sweep = t + 50 * MS;
            }
            if t >= next_flush {
                core.flush(false);
                next_flush = t + 250 * MS;
            }
            core.drain_done();
            if core.stopping && now() >= core.grace_deadline {
                let why = format!(
                    "no answer by the end of gracefulStop ({} ms after the load's end)",
                    core.graceful_stop_ns / MS
                );
                core.finish(&why);
            }
        }
        if core.finished {
            break;
        }
        let _ = core.out.flush();

        // Sleep until the next thing due: an arrival (to the µs, by the timerfd), a tick, or I/O.
        let mut wake = t + 100 * MS;
        if core.started {
            wake = wake.min(next_sweep).min(next_flush).min(core.grace_deadline);
            if core.schedule.is_none() {
                wake = wake.min(next_control);
            } else if !core.stopping {
                if let Some(d) = core.next_due_ns() {
                    wake = wake.min(d);
                }
            }
        } else if let Some(at) = start_at {
            wake = wake.min(at);
        }
        let before = now();
        // An arrival due within SPIN_NS is not worth a timer (arm, wake, read: three syscalls
        // per arrival at high rates): the loop polls for I/O without blocking until it is due.
        // Only then — below that gap the worker is busy with arrivals anyway.
        let spin = wake.saturating_sub(before) < SPIN_NS;
        if wake != armed && !spin {
            arm(tfd, wake.max(1));
            armed = wake;
        }
        if before < wake && core.done.is_empty() && !spin {
            if let Err(e) = core.poll.poll(&mut events, None) {
                if e.kind() != io::ErrorKind::Interrupted {
                    fatal(&format!("epoll: {e}"));
                }
            }
        } else {
            let _ = core.poll.poll(&mut events, Some(std::time::Duration::ZERO));
        }
        if core.started {
            core.idle_ns += now() - before;
        }
        for ev in events.iter() {
            match ev.token() {
                // Not read: arming it again (timerfd_settime) clears the expiry, so the next one
                // is a new edge — one syscall fewer per timed arrival.
                TIMER => armed = 0,
                STDIN => loop {
                    let mut b = [0u8; 4096];
                    match io::stdin().lock().read(&mut b) {
                        Ok(0) => {
                            // The engine is gone: nobody to report to.
                            core.stopping = true;
                            core.finish("no answer before the run was stopped");
                            std::process::exit(0);
                        }
                        Ok(n) => stdin_buf.extend_from_slice(&b[..n]),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => std::process::exit(0),
                    }
                },
                Token(t) => {
                    // The token names the slot and which of its sockets: an event for a socket
                    // since replaced (in this same batch) is not the new one's.
                    let (i, gen) = (t & SLOT_MASK, (t >> SLOT_BITS) as u64);
                    let live = |core: &Core| core.conns.get(i).is_some_and(|c| c.gen == gen && c.stream.is_some());
                    if (ev.is_writable() || ev.is_error()) && live(&core) {
                        core.on_writable(i);
                    }
                    if (ev.is_readable() || ev.is_read_closed() || ev.is_error()) && live(&core) {
                        core.on_readable(i, &mut scratch);
                    }
                }
            }
        }
        while let Some(p) = stdin_buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = stdin_buf.drain(..=p).collect();
            let Ok(m) = serde_json::from_slice::<Value>(&line) else { continue };
            match m["type"].as_str() {
                Some("start") => {
                    let at_ms = m["startAt"].as_f64().unwrap_or(0.0);
                    let (mono, real) = (now() as f64, clock(libc::CLOCK_REALTIME) as f64);
                    start_at = Some((mono + at_ms * MS as f64 - real).max(0.0) as u64);
                }
                Some("stop") => {
                    core.stopping = true;
                    core.finish("no answer before the run was stopped");
                }
                _ => {}
            }
        }
        if core.finished {
            break;
        }
        if core.started {
            core.drain_done();
        }
    }
    let _ = core.out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: fn() -> Origin = || Origin { https: false, host: "127.0.0.1".into(), port: 8080 };
    const POST: &[u8] = b"POST /app/login?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\na: b\r\ncontent-length: 7\r\n\r\n{\"u\":1}";

    fn text(r: Result<(Vec<u8>, bool), String>) -> String {
        r.map_or_else(|e| e, |(b, _)| String::from_utf8(b).unwrap())
    }

    // The same cases as http1.test.ts's redirectRequest tests: both cores make the same hop.
    #[test]
    fn redirects_as_the_js_worker_makes_them() {
        for status in [301, 302, 303] {
            assert_eq!(
                text(redirect_request(POST, status, "/error", &ORIGIN())),
                "GET /error HTTP/1.1\r\nhost: 127.0.0.1:8080\r\na: b\r\n\r\n"
            );
        }
        assert_eq!(
            text(redirect_request(POST, 307, "next?y=2#frag", &ORIGIN())),
            "POST /app/next?y=2 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\na: b\r\ncontent-length: 7\r\n\r\n{\"u\":1}"
        );
        let head = b"HEAD / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n";
        let r = redirect_request(head, 302, "http://127.0.0.1:8080/a/../b", &ORIGIN()).unwrap();
        assert!(!r.1);
        assert!(r.0.starts_with(b"HEAD /b HTTP/1.1\r\n"));
        let get = b"GET / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n\r\n";
        assert_eq!(
            text(redirect_request(get, 302, "http://example.com/x", &ORIGIN())),
            "a redirect to another origin (http://example.com), which the load engine does not follow"
        );
        assert!(text(redirect_request(get, 302, "https://127.0.0.1:8080/", &ORIGIN())).contains("another origin"));
        assert!(text(redirect_request(get, 302, "//127.0.0.1:9/", &ORIGIN())).contains("another origin"));
        assert_eq!(
            text(redirect_request(get, 302, "http://127.0.0.1:99999/", &ORIGIN())),
            "a redirect to \"http://127.0.0.1:99999/\", which is not a URL"
        );
        assert!(text(redirect_request(get, 301, "HTTP://127.0.0.1:8080/same", &ORIGIN())).starts_with("GET /same HTTP"));
    }
}
