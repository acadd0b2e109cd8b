//! End-to-end tests of `fsm view`: the real binary on a free port, spoken
//! to over HTTP.

mod support;

use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::TempDir;

const DOOR: &str = "/// A door.\nmachine Door {\n    phases { Closed, Open }\n    initial Closed\n    state { opened: u8 = 0 }\n    input Push\n    input Pull(hard: bool)\n    effect Creak\n    transition push on Push from Closed -> Open {\n        opened += 1\n        emit Creak\n    }\n    transition pull on Pull from Open -> Closed\n        guard strong: hard\n}\n";

const BROKEN: &str = "machine Broken {\n    phases { A }\n    initial B\n}\n";

/// A running `fsm view`, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(paths: &[&std::path::Path]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fsm"))
            .arg("view")
            .args(paths)
            .args(["--port", "0", "--color=never"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run fsm view");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the first line");
        let port = first
            .trim()
            .strip_prefix("fsm view: http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        Server { child, port }
    }

    /// One request; (status, headers, body).
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, String, String) {
        self.request_as(&format!("127.0.0.1:{}", self.port), method, path, body)
    }

    fn request_as(
        &self,
        host: &str,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read the answer");
        let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        (status, head.to_owned(), body.to_owned())
    }

    fn api(&self, path: &str, body: &str) -> (u16, Json) {
        let (status, _, body) = self.request("POST", path, body);
        (status, serde_json::from_str(&body).expect("a JSON answer"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn pages_and_the_simulator_over_http() {
    let dir = TempDir::new("view");
    let door = dir.write("door.fsm", DOOR);
    let server = Server::start(&[&door]);

    let (status, _, index) = server.request("GET", "/", "");
    assert_eq!(status, 200);
    assert!(index.contains("<a href=\"/m/door\">Door</a>"), "{index}");

    let (status, head, page) = server.request("GET", "/m/door", "");
    assert_eq!(status, 200);
    assert!(head.contains("text/html"), "{head}");
    assert!(page.contains("data-phase=\"\""), "{page}");
    assert!(page.contains("data-node=\"Closed\""), "{page}");
    assert!(page.contains("data-transition=\"push\""), "{page}");
    assert!(
        page.contains("<code>strong</code>: <code>hard</code>"),
        "{page}"
    );
    let (status, _, js) = server.request("GET", "/assets/view.js", "");
    assert_eq!(status, 200);
    assert!(js.contains("dataset.input"), "the script sets data-input");

    let (status, view) = server.api("/api/door/session", "");
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["phase"], "Closed");
    let id = view["session"].as_str().expect("a session id").to_owned();
    let push = &view["inputs"][0];
    assert_eq!(push["name"], "Push");
    assert_eq!(push["here"], "transition");
    assert_eq!(push["instances"][0]["would"], "fires push");

    let (status, view) = server.api(
        "/api/door/step",
        &format!(r#"{{"session":"{id}","input":"Push"}}"#),
    );
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["phase"], "Open");
    assert_eq!(view["last"]["transition"], "push");
    assert_eq!(view["state"][0]["value"], "1");

    let (status, view) = server.api(
        "/api/door/step",
        &format!(r#"{{"session":"{id}","input":{{"Pull":{{"hard":false}}}}}}"#),
    );
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["phase"], "Open");
    assert_eq!(view["last"]["rejected"]["kind"], "guard_rejected");
    assert_eq!(view["last"]["rejected"]["guard"], "strong");

    let (status, head, trace) = server.request("GET", &format!("/api/door/trace?session={id}"), "");
    assert_eq!(status, 200);
    assert!(
        head.contains("attachment; filename=\"door.trace.jsonl\""),
        "{head}"
    );
    let lines: Vec<Json> = trace
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{trace}");
    assert_eq!(
        lines[0],
        serde_json::json!({"fsm_trace": 1, "machine": "Door"})
    );
    assert_eq!(lines[1]["step"]["effects"], serde_json::json!(["Creak"]));
    assert_eq!(lines[2]["rejected"]["transition"], "pull");

    let (_, view) = server.api("/api/door/undo", &format!(r#"{{"session":"{id}"}}"#));
    assert_eq!(view["trace"].as_array().map(Vec::len), Some(1));

    // Bad requests.
    let (status, view) = server.api("/api/door/step", r#"{"session":"x","input":"Push"}"#);
    assert_eq!(status, 404, "{view}");
    let (status, _) = server.api("/api/door/step", "not json");
    assert_eq!(status, 400);
    let (status, _, _) = server.request("GET", "/m/window", "");
    assert_eq!(status, 404);
    let (status, _, _) = server.request_as("attacker.example", "GET", "/", "");
    assert_eq!(status, 403);
}

#[test]
fn edits_show_on_reload_and_errors_are_shown() {
    let dir = TempDir::new("view-edit");
    let door = dir.write("door.fsm", DOOR);
    let server = Server::start(&[dir.path()]);
    let (_, _, page) = server.request("GET", "/m/door", "");
    assert!(page.contains("data-node=\"Open\""), "{page}");

    std::fs::write(&door, DOOR.replace("Open", "Ajar")).expect("edit");
    let (_, _, page) = server.request("GET", "/m/door", "");
    assert!(page.contains("data-node=\"Ajar\""), "{page}");

    std::fs::write(&door, BROKEN).expect("break");
    let (status, _, page) = server.request("GET", "/m/door", "");
    assert_eq!(status, 200);
    assert!(page.contains("door.fsm:3:"), "{page}");
    assert!(page.contains("error["), "{page}");
    let (_, _, index) = server.request("GET", "/", "");
    assert!(index.contains("has errors"), "{index}");
    let (status, view) = server.api("/api/door/session", "");
    assert_eq!(status, 409, "{view}");

    // The server still runs, and a new file under the folder shows up.
    dir.write("lamp.fsm", DOOR.replace("Door", "Lamp"));
    let (_, _, index) = server.request("GET", "/", "");
    assert!(index.contains("<a href=\"/m/lamp\">Lamp</a>"), "{index}");
}

#[test]
fn a_missing_file_is_trouble() {
    let out = Command::new(env!("CARGO_BIN_EXE_fsm"))
        .args(["view", "/nonexistent/x.fsm", "--port", "0", "--color=never"])
        .output()
        .expect("run fsm view");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read `/nonexistent/x.fsm`"),
        "{stderr}"
    );
}
