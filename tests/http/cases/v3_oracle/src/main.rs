//! An oracle: InfluxDB 3's /query value decoders (iox_v1_query_api lib.rs, types.rs;
//! iox_query_params params.rs) over the same crate versions, for recording answers.
use std::collections::HashMap;
use std::io::BufRead;
use serde::Deserialize;

#[derive(Debug, Deserialize, Clone, Copy, PartialEq)]
pub enum Precision {
    #[serde(rename = "ns")] Nanoseconds,
    #[serde(rename = "u", alias = "µ")] Microseconds,
    #[serde(rename = "ms")] Milliseconds,
    #[serde(rename = "s")] Seconds,
    #[serde(rename = "m")] Minutes,
    #[serde(rename = "h")] Hours,
    #[serde(rename = "d")] Days,
    #[serde(rename = "w")] Weeks,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueryParams {
    pub chunked: Option<bool>,
    pub chunk_size: Option<usize>,
    #[serde(rename = "db")] pub database: Option<String>,
    #[serde(rename = "rp")] pub retention_policy: Option<String>,
    pub epoch: Option<Precision>,
    pub pretty: Option<bool>,
    #[serde(rename = "q")] pub query: Option<String>,
    pub params: Option<String>,
}

#[derive(Debug)]
pub struct ConvError(String);
impl std::fmt::Display for ConvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{}", self.0) }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "serde_json::Value")]
pub enum StatementParam { Null, Boolean(bool), UInt64(u64), Int64(i64), Float64(f64), String(String) }

impl TryFrom<serde_json::Value> for StatementParam {
    type Error = ConvError;
    fn try_from(value: serde_json::Value) -> Result<Self, Self::Error> {
        use serde_json::Value;
        match value {
            Value::Null => Ok(Self::Null),
            Value::Bool(b) => Ok(Self::Boolean(b)),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() { Ok(Self::UInt64(u)) }
                else if let Some(i) = n.as_i64() { Ok(Self::Int64(i)) }
                else if let Some(f) = n.as_f64() { Ok(Self::Float64(f)) }
                else { Err(ConvError(format!("Could not convert JSON number to i64 or f64: {n}"))) }
            }
            Value::String(s) => Ok(Self::String(s)),
            Value::Array(_) => Err(ConvError("JSON arrays are not supported as query parameters. Expected null, boolean, number, or string.".to_string())),
            Value::Object(_) => Err(ConvError("JSON objects are not supported as query parameters. Expected null, boolean, number, or string".to_string())),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatementParams(HashMap<String, StatementParam>);

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// handler.rs multipart_upload over the whole body at once: multer's fields with a name, each read
/// whole and checked as UTF-8 before the next is asked for.
async fn multipart(content_type: &str, body: Vec<u8>) -> String {
    let Ok(boundary) = multer::parse_boundary(content_type) else { return "NOBOUNDARY".to_string() };
    let stream = futures_util::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from(body)) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return format!("OK {}", fields.join(",")),
            Err(e) => return format!("ERR error decoding multipart file upload: {e}"),
        };
        let Some(name) = field.name().map(str::to_owned) else { continue };
        let mut value = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => value.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return format!("ERR error decoding multipart file upload: {e}"),
            }
        }
        if let Err(e) = String::from_utf8(value.clone()) {
            return format!("ERR Invalid UTF8: multipart field {e}");
        }
        fields.push(format!("{}={}", hex(name.as_bytes()), hex(&value)));
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

/// The future polled to its end on this thread (multer over a ready stream never waits).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn run(mode: &str, input: &[u8]) -> String {
    let text = || String::from_utf8(input.to_vec()).unwrap();
    match mode {
        "params" => match serde_json::from_str::<StatementParams>(&text()) {
            Ok(p) => {  // {"name": ["Kind", "value as Debug prints it"]}
                let v: std::collections::BTreeMap<String, (String, String)> = p.0.into_iter().map(|(k, v)| {
                    let (kind, value) = match v {
                        StatementParam::Null => ("Null", String::new()),
                        StatementParam::Boolean(b) => ("Boolean", b.to_string()),
                        StatementParam::UInt64(u) => ("UInt64", u.to_string()),
                        StatementParam::Int64(i) => ("Int64", i.to_string()),
                        StatementParam::Float64(f) => ("Float64", format!("{f:?}")),
                        StatementParam::String(s) => ("String", s),
                    };
                    (k, (kind.to_string(), value))
                }).collect();
                format!("OK {}", serde_json::to_string(&v).unwrap())
            }
            Err(e) => format!("ERR {e}"),
        },
        "url" => match serde_urlencoded::from_str::<QueryParams>(&text()) {
            Ok(p) => format!("OK {p:?}"), Err(e) => format!("ERR {e}"),
        },
        "form" => match serde_urlencoded::from_bytes::<QueryParams>(input) {
            Ok(p) => format!("OK {p:?}"), Err(e) => format!("ERR {e}"),
        },
        "epochjson" => match serde_json::from_str::<Precision>(text().trim()) {
            Ok(p) => format!("OK {p:?}"), Err(e) => format!("ERR {e}"),
        },
        "mime" => match text().parse::<mime::Mime>() {
            Ok(m) => format!("OK {}/{} {}", m.type_(), m.subtype(), m),
            Err(e) => format!("ERR {e}"),
        },
        "bool" => match text().trim().parse::<bool>() { Ok(b) => format!("OK {b}"), Err(e) => format!("ERR {e}") },
        "usize" => match text().trim().parse::<usize>() { Ok(b) => format!("OK {b}"), Err(e) => format!("ERR {e}") },
        "multipart" => {  // the Content-Type, a newline, the body
            let split = input.iter().position(|&b| b == b'\n').unwrap();
            block_on(multipart(std::str::from_utf8(&input[..split]).unwrap(), input[split + 1..].to_vec()))
        }
        _ => "BAD MODE".to_string(),
    }
}

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let (mode, hex) = line.split_once('\t').unwrap();
        println!("{}", serde_json::to_string(&run(mode, &unhex(hex))).unwrap());
    }
}
