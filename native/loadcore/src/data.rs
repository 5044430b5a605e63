// The data tier on the native core: PostgreSQL's extended query protocol and Redis's RESP, for
// profiles whose requests all go to one database URL (run/load/native.ts decides). What the
// JavaScript worker does with node-postgres and ioredis (run/load/data.ts), on bytes: each
// statement prepared once per connection (Parse on its first use, then Bind/Execute/Sync from a
// pre-built buffer), statement_timeout as a startup parameter, errors classified by SQLSTATE or
// by the Redis reply's code, a connection dropped only when it broke.
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct PgConf {
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    pub statement_timeout_ms: u64,
}

#[derive(Clone)]
pub struct RedisConf {
    pub user: Option<String>,
    pub password: Option<String>,
    pub db: Option<u64>,
}

#[derive(Clone)]
pub enum Proto {
    Http,
    Pg(PgConf),
    Redis(RedisConf),
}

fn decode_pct(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A database URL's parts: (user, password, host, port, path). Query strings and socket paths
/// are refused before the core starts (native.ts), so none is expected here.
pub fn parse_url(url: &str, default_port: u16) -> Result<(Option<String>, Option<String>, String, u16, String), String> {
    let rest = url.split_once("://").ok_or_else(|| format!("not a URL: {url}"))?.1;
    let (auth, hostpath) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let (user, password) = match auth {
        Some(a) => match a.split_once(':') {
            Some((u, p)) => (Some(decode_pct(u)), Some(decode_pct(p))),
            None => (Some(decode_pct(a)), None),
        },
        None => (None, None),
    };
    let (hostport, path) = match hostpath.find('/') {
        Some(i) => (&hostpath[..i], &hostpath[i + 1..]),
        None => (hostpath, ""),
    };
    let (host, port) = if let Some(h) = hostport.strip_prefix('[') {
        let (h, p) = h.split_once(']').ok_or("bad IPv6 host")?;
        (h.to_string(), p.strip_prefix(':').unwrap_or(""))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p),
            None => (hostport.to_string(), ""),
        }
    };
    let port = if port.is_empty() { default_port } else { port.parse().map_err(|_| format!("bad port in {url}"))? };
    let user = user.filter(|u| !u.is_empty());
    Ok((user, password.filter(|p| !p.is_empty()), host, port, decode_pct(path)))
}

// ---- PostgreSQL ----

fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 5);
    m.push(kind);
    m.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

/// A parameter as node-postgres sends it: text, null as SQL NULL.
fn param_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        other => Some(other.to_string()),
    }
}

/// (first use: Parse + Bind + Execute + Sync, later: Bind + Execute + Sync) for one statement.
pub fn pg_request(statement: &str, sql: &str, params: &[Value]) -> (Vec<u8>, Vec<u8>) {
    let mut parse = Vec::new();
    cstr(&mut parse, statement);
    cstr(&mut parse, sql);
    parse.extend_from_slice(&0i16.to_be_bytes()); // parameter types: inferred
    let mut bind = Vec::new();
    cstr(&mut bind, ""); // unnamed portal
    cstr(&mut bind, statement);
    bind.extend_from_slice(&0i16.to_be_bytes()); // all parameters in text
    bind.extend_from_slice(&(params.len() as i16).to_be_bytes());
    for p in params {
        match param_text(p) {
            Some(t) => {
                bind.extend_from_slice(&(t.len() as i32).to_be_bytes());
                bind.extend_from_slice(t.as_bytes());
            }
            None => bind.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    bind.extend_from_slice(&0i16.to_be_bytes()); // results in text
    let mut execute = Vec::new();
    cstr(&mut execute, "");
    execute.extend_from_slice(&0i32.to_be_bytes());
    let mut again = msg(b'B', &bind);
    again.extend(msg(b'E', &execute));
    again.extend(msg(b'S', &[]));
    let mut first = msg(b'P', &parse);
    first.extend_from_slice(&again);
    (first, again)
}

pub fn pg_startup(c: &PgConf) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608i32.to_be_bytes()); // protocol 3.0
    for (k, v) in [("user", c.user.as_str()), ("database", c.database.as_str()), ("client_encoding", "UTF8")] {
        cstr(&mut body, k);
        cstr(&mut body, v);
    }
    if c.statement_timeout_ms > 0 {
        cstr(&mut body, "statement_timeout");
        cstr(&mut body, &c.statement_timeout_ms.to_string());
    }
    body.push(0);
    let mut m = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    m.extend(body);
    m
}

/// One complete backend message at the front of `buf`: (type, body, its length in buf).
fn pg_message(buf: &[u8]) -> Option<(u8, &[u8], usize)> {
    if buf.len() < 5 {
        return None;
    }
    let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]) as usize;
    if len < 4 || buf.len() < 1 + len {
        return None;
    }
    Some((buf[0], &buf[5..1 + len], 1 + len))
}

/// SQLSTATE and message of an ErrorResponse.
fn pg_error(body: &[u8]) -> (String, String) {
    let (mut code, mut message) = (String::new(), String::new());
    for field in body.split(|&b| b == 0) {
        if let Some((&k, v)) = field.split_first() {
            let v = String::from_utf8_lossy(v).into_owned();
            match k {
                b'C' => code = v,
                b'M' => message = v,
                _ => {}
            }
        }
    }
    (code, message)
}

/// The JavaScript worker's classes for a PostgreSQL error (run/load/data.ts dataErrorClass).
pub fn pg_class(code: &str) -> String {
    match code {
        "40001" => "db_serialization".into(),
        "40P01" => "db_deadlock".into(),
        "57014" => "timeout".into(),
        "25006" => "db_read_only".into(),
        "57P01" | "57P02" | "57P03" => "db_unavailable".into(),
        "53300" => "db_too_many_connections".into(),
        c if c.len() == 5 && c.starts_with("08") => "reset".into(),
        c if c.len() == 5 => format!("db_sqlstate_{}", &c[..2]),
        _ => "other".into(),
    }
}

/// Failures after which a connection is not reused (data.ts BROKEN).
pub fn broken(cls: &str) -> bool {
    matches!(cls, "reset" | "refused" | "timeout" | "other" | "db_unavailable")
}

pub enum Reply {
    More,
    /// The answer is complete: its error class and reason when it failed, and whether the
    /// connection may be reused; `prepared`: the statement's Parse was accepted.
    Done { error: Option<(String, String)>, prepared: bool, surplus: bool, bytes: u64 },
}

/// What a statement's answer has said so far (its messages are consumed as they arrive).
#[derive(Default)]
pub struct PgAnswer {
    error: Option<(String, String)>,
    prepared: bool,
}

/// Reads a statement's answer up to ReadyForQuery; `consumed`: the bytes of whole messages read.
pub fn pg_reply(buf: &[u8], st: &mut PgAnswer, consumed: &mut usize) -> Reply {
    while let Some((kind, body, n)) = pg_message(&buf[*consumed..]) {
        *consumed += n;
        match kind {
            b'1' => st.prepared = true,
            b'E' => {
                let (code, message) = pg_error(body);
                st.error.get_or_insert((pg_class(&code), message));
            }
            b'Z' => {
                let st = std::mem::take(st);
                let surplus = *consumed < buf.len();
                return Reply::Done { error: st.error, prepared: st.prepared, surplus, bytes: 0 };
            }
            _ => {}
        }
    }
    Reply::More
}

pub enum Handshake {
    More,
    Send(Vec<u8>),
    Ready,
    Fail(String, String),
}

/// The startup's state: what SCRAM needs between its messages.
#[derive(Default)]
pub struct PgAuth {
    nonce: String,
    first_bare: String,
    salted: Vec<u8>,
    auth_message: String,
}

type HmacSha = Hmac<Sha256>;
fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha::new_from_slice(key).expect("hmac takes any key");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// Consumes startup replies from `buf` (returns how much), answering authentication requests.
pub fn pg_handshake(buf: &[u8], c: &PgConf, st: &mut PgAuth, consumed: &mut usize) -> Handshake {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let no_password = || Handshake::Fail("other".into(), "the server asks for a password and the URL has none".into());
    while let Some((kind, body, n)) = pg_message(&buf[*consumed..]) {
        *consumed += n;
        match kind {
            b'E' => {
                let (code, message) = pg_error(body);
                return Handshake::Fail(pg_class(&code), message);
            }
            b'Z' => return Handshake::Ready,
            b'R' if body.len() >= 4 => {
                let code = i32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                let data = &body[4..];
                match code {
                    0 => {}
                    3 => {
                        let Some(p) = &c.password else { return no_password() };
                        let mut b = Vec::new();
                        cstr(&mut b, p);
                        return Handshake::Send(msg(b'p', &b));
                    }
                    5 => {
                        let Some(p) = &c.password else { return no_password() };
                        let inner = format!("{:x}", md5::compute(format!("{p}{}", c.user)));
                        let mut salted = inner.into_bytes();
                        salted.extend_from_slice(&data[..4.min(data.len())]);
                        let mut b = Vec::new();
                        cstr(&mut b, &format!("md5{:x}", md5::compute(salted)));
                        return Handshake::Send(msg(b'p', &b));
                    }
                    10 => {
                        if c.password.is_none() {
                            return no_password();
                        }
                        let mechs = String::from_utf8_lossy(data);
                        if !mechs.split('\0').any(|m| m == "SCRAM-SHA-256") {
                            return Handshake::Fail("other".into(), format!("unsupported SASL mechanisms: {mechs}"));
                        }
                        let raw: [u8; 18] = std::array::from_fn(|_| fastrand_byte());
                        st.nonce = b64.encode(raw);
                        st.first_bare = format!("n=*,r={}", st.nonce);
                        let first = format!("n,,{}", st.first_bare);
                        let mut b = Vec::new();
                        cstr(&mut b, "SCRAM-SHA-256");
                        b.extend_from_slice(&(first.len() as i32).to_be_bytes());
                        b.extend_from_slice(first.as_bytes());
                        return Handshake::Send(msg(b'p', &b));
                    }
                    11 => {
                        let server_first = String::from_utf8_lossy(data).into_owned();
                        let get = |k: &str| {
                            server_first.split(',').find_map(|f| f.strip_prefix(k)).unwrap_or("").to_string()
                        };
                        let (nonce, salt, iters) = (get("r="), get("s="), get("i=").parse::<u32>().unwrap_or(0));
                        if !nonce.starts_with(&st.nonce) || iters == 0 {
                            return Handshake::Fail("other".into(), "SCRAM: the server's first message is invalid".into());
                        }
                        let Ok(salt) = b64.decode(salt) else {
                            return Handshake::Fail("other".into(), "SCRAM: the salt is not base64".into());
                        };
                        let salted = salted_password(c.password.as_deref().unwrap_or(""), &salt, iters);
                        let client_key = hmac(&salted, b"Client Key");
                        let stored = Sha256::digest(&client_key);
                        let without_proof = format!("c=biws,r={nonce}");
                        st.auth_message = format!("{},{server_first},{without_proof}", st.first_bare);
                        let sig = hmac(&stored, st.auth_message.as_bytes());
                        let proof: Vec<u8> = client_key.iter().zip(sig).map(|(a, b)| a ^ b).collect();
                        st.salted = salted.to_vec();
                        let last = format!("{without_proof},p={}", b64.encode(proof));
                        return Handshake::Send(msg(b'p', last.as_bytes()));
                    }
                    12 => {
                        let server_final = String::from_utf8_lossy(data);
                        let server_key = hmac(&st.salted, b"Server Key");
                        let expected = b64.encode(hmac(&server_key, st.auth_message.as_bytes()));
                        if server_final.strip_prefix("v=") != Some(expected.as_str()) {
                            return Handshake::Fail("other".into(), "SCRAM: the server's signature does not match".into());
                        }
                    }
                    other => {
                        return Handshake::Fail("other".into(), format!("unsupported authentication request {other}"))
                    }
                }
            }
            _ => {} // ParameterStatus, BackendKeyData, notices
        }
    }
    Handshake::More
}

/// SCRAM's SaltedPassword, computed once per (salt, iterations): the server keeps both per role,
/// so every connection of a run derives the same key — thousands of PBKDF2 rounds that would
/// otherwise stall the loop (and every arrival behind it) on each reconnect.
fn salted_password(password: &str, salt: &[u8], iters: u32) -> [u8; 32] {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local!(static CACHE: RefCell<HashMap<(Vec<u8>, u32), [u8; 32]>> = RefCell::new(HashMap::new()));
    CACHE.with(|c| {
        *c.borrow_mut().entry((salt.to_vec(), iters)).or_insert_with(|| {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iters, &mut out);
            out
        })
    })
}

fn fastrand_byte() -> u8 {
    use std::cell::Cell;
    thread_local!(static S: Cell<u64> = Cell::new({
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
        (ts.tv_nsec as u64 ^ (ts.tv_sec as u64) << 20 ^ std::process::id() as u64) | 1
    }));
    S.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 24) as u8
    })
}

// ---- Redis ----

pub fn resp(args: &[String]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|p| from + p)
}

/// One RESP value at `pos`: (end, the error line when it is an error, a bulk string's length).
fn resp_value(buf: &[u8], pos: usize) -> Result<Option<(usize, Option<String>, u64)>, String> {
    let Some(&t) = buf.get(pos) else { return Ok(None) };
    let Some(le) = line_end(buf, pos + 1) else { return Ok(None) };
    let line = std::str::from_utf8(&buf[pos + 1..le]).map_err(|_| "reply is not text".to_string())?;
    match t {
        // A status reply counts its text, as ioredis hands it over ("OK": 2 bytes).
        b'+' => Ok(Some((le + 2, None, line.len() as u64))),
        b':' | b',' | b'#' | b'(' | b'_' => Ok(Some((le + 2, None, 0))),
        b'-' => Ok(Some((le + 2, Some(line.to_string()), 0))),
        b'$' | b'=' | b'!' => {
            let n: i64 = line.parse().map_err(|_| format!("bad bulk length {line:?}"))?;
            if n < 0 {
                return Ok(Some((le + 2, None, 0)));
            }
            let end = le + 2 + n as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            let err = (t == b'!').then(|| String::from_utf8_lossy(&buf[le + 2..end - 2]).into_owned());
            Ok(Some((end, err, n as u64)))
        }
        b'*' | b'~' | b'>' | b'%' => {
            let n: i64 = line.parse().map_err(|_| format!("bad aggregate length {line:?}"))?;
            let mut at = le + 2;
            for _ in 0..(if t == b'%' { n * 2 } else { n }).max(0) {
                match resp_value(buf, at)? {
                    Some((end, _, _)) => at = end,
                    None => return Ok(None),
                }
            }
            Ok(Some((at, None, 0)))
        }
        other => Err(format!("unexpected reply type {:?}", other as char)),
    }
}

/// The class of a Redis error reply: its code, as data.ts names it (`redis_wrongtype`, …).
pub fn redis_class(line: &str) -> String {
    let code: String = line.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    if code.is_empty() { "other".into() } else { format!("redis_{}", code.to_lowercase()) }
}

pub fn redis_reply(buf: &[u8]) -> Result<Reply, String> {
    Ok(match resp_value(buf, 0)? {
        None => Reply::More,
        Some((end, err, bytes)) => Reply::Done {
            error: err.map(|e| (redis_class(&e), e)),
            prepared: false,
            surplus: end < buf.len(),
            bytes,
        },
    })
}

/// AUTH and SELECT, pipelined, when the URL asks for them.
pub fn redis_hello(c: &RedisConf) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut n = 0;
    if let Some(p) = &c.password {
        let mut args = vec!["AUTH".to_string()];
        if let Some(u) = &c.user {
            args.push(u.clone());
        }
        args.push(p.clone());
        out.extend(resp(&args));
        n += 1;
    }
    if let Some(db) = c.db.filter(|&d| d != 0) {
        out.extend(resp(&["SELECT".into(), db.to_string()]));
        n += 1;
    }
    (n > 0).then_some((out, n))
}

/// Consumes the replies to AUTH/SELECT: Ready after `want` of them, Fail on the first error.
pub fn redis_handshake(buf: &[u8], want: &mut usize, consumed: &mut usize) -> Handshake {
    while *want > 0 {
        match resp_value(buf, *consumed) {
            Err(e) => return Handshake::Fail("other".into(), e),
            Ok(None) => return Handshake::More,
            Ok(Some((end, err, _))) => {
                *consumed = end;
                if let Some(e) = err {
                    return Handshake::Fail(redis_class(&e), e);
                }
                *want -= 1;
            }
        }
    }
    Handshake::Ready
}
