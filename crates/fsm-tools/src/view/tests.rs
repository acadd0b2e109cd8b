use super::*;

const DOOR: &str = "/// A door.\nmachine Door {\n    phases { Closed, Open }\n    initial Closed\n    state { opened: u8 = 0 }\n    input Push\n    input Pull(hard: bool)\n    effect Creak\n    transition push on Push from Closed -> Open {\n        opened += 1\n        emit Creak\n    }\n    transition pull on Pull from Open -> Closed\n        guard strong: hard\n}\n";

struct Files(Vec<(String, String)>);

impl Source for Files {
    fn paths(&self) -> Vec<String> {
        self.0.iter().map(|(p, _)| p.clone()).collect()
    }
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        self.0
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone().into_bytes())
            .ok_or_else(|| format!("cannot read `{path}`"))
    }
}

fn send(v: &mut Viewer, files: &Files, method: &str, url: &str, body: &str) -> Response {
    v.handle(
        files,
        &Request {
            method: method.to_owned(),
            url: url.to_owned(),
            body: body.as_bytes().to_vec(),
        },
    )
}

fn json_of(r: &Response) -> Json {
    serde_json::from_slice(&r.body).expect("a JSON answer")
}

#[test]
fn a_session_steps_rejects_undoes_and_writes_its_trace() {
    let files = Files(vec![("specs/door.fsm".to_owned(), DOOR.to_owned())]);
    let mut v = Viewer::new(7);
    let r = send(&mut v, &files, "POST", "/api/door/session", "");
    assert_eq!(r.status, 200);
    let view = json_of(&r);
    assert_eq!(view["phase"], "Closed");
    let id = view["session"].as_str().expect("an id").to_owned();
    let r = send(
        &mut v,
        &files,
        "POST",
        "/api/door/step",
        &format!(r#"{{"session":"{id}","input":"Push"}}"#),
    );
    let view = json_of(&r);
    assert_eq!(view["phase"], "Open", "{view}");
    assert_eq!(view["last"]["effects"][0], "Creak");
    let body = format!(r#"{{"session":"{id}","input":{{"Pull":{{"hard":false}}}}}}"#);
    let view = json_of(&send(&mut v, &files, "POST", "/api/door/step", &body));
    assert_eq!(view["phase"], "Open");
    assert_eq!(view["last"]["rejected"]["kind"], "guard_rejected");
    assert_eq!(view["last"]["rejected"]["guard"], "strong");
    let r = send(
        &mut v,
        &files,
        "GET",
        &format!("/api/door/trace?session={id}"),
        "",
    );
    assert_eq!(r.attachment.as_deref(), Some("door.trace.jsonl"));
    let text = String::from_utf8(r.body).expect("utf-8");
    let lines: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0], json!({"fsm_trace": 1, "machine": "Door"}));
    assert_eq!(
        lines[1],
        json!({"input": "Push", "step": {"transition": "push", "from": "Closed", "to": "Open", "effects": ["Creak"]}})
    );
    assert_eq!(
        lines[2],
        json!({"input": {"Pull": {"hard": false}}, "rejected": {"kind": "guard_rejected", "transition": "pull", "guard": "strong"}})
    );
    let view = json_of(&send(
        &mut v,
        &files,
        "POST",
        "/api/door/undo",
        &format!(r#"{{"session":"{id}"}}"#),
    ));
    assert_eq!(view["trace"].as_array().map(Vec::len), Some(1));
    let view = json_of(&send(
        &mut v,
        &files,
        "POST",
        "/api/door/reset",
        &format!(r#"{{"session":"{id}"}}"#),
    ));
    assert_eq!(view["phase"], "Closed");
    // An input outside the domains, an unknown session.
    let r = send(
        &mut v,
        &files,
        "POST",
        "/api/door/step",
        &format!(r#"{{"session":"{id}","input":"Kick"}}"#),
    );
    assert_eq!(r.status, 400);
    let r = send(
        &mut v,
        &files,
        "POST",
        "/api/door/step",
        r#"{"session":"nope","input":"Push"}"#,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn a_changed_spec_ends_its_sessions_and_errors_are_shown() {
    let mut files = Files(vec![("door.fsm".to_owned(), DOOR.to_owned())]);
    let mut v = Viewer::new(1);
    let id = json_of(&send(&mut v, &files, "POST", "/api/door/session", ""))["session"]
        .as_str()
        .expect("id")
        .to_owned();
    files.0[0].1 = DOOR.replace("opened: u8 = 0", "opened: u16 = 0");
    let r = send(
        &mut v,
        &files,
        "POST",
        "/api/door/step",
        &format!(r#"{{"session":"{id}","input":"Push"}}"#),
    );
    assert_eq!(r.status, 409);
    files.0[0].1 = "machine Broken {\n    phases { A }\n    initial B\n}\n".to_owned();
    let r = send(&mut v, &files, "GET", "/m/door", "");
    let page = String::from_utf8(r.body).expect("utf-8");
    assert!(page.contains("door.fsm:3:"), "{page}");
    let index = String::from_utf8(send(&mut v, &files, "GET", "/", "").body).expect("utf-8");
    assert!(index.contains("has errors"), "{index}");
    assert_eq!(send(&mut v, &files, "GET", "/m/window", "").status, 404);
    assert_eq!(send(&mut v, &files, "GET", "/nothing/here", "").status, 404);
}

#[test]
fn slugs_are_stems_made_unique() {
    let paths = ["a/door.fsm", "b/door.fsm", "x y.fsm"].map(String::from);
    assert_eq!(slugs(&paths), ["door", "door-2", "x_y"]);
}

#[test]
fn only_loopback_host_names_are_served() {
    assert!(host_allowed(Some("127.0.0.1:8080"), 8080));
    assert!(host_allowed(Some("localhost:8080"), 8080));
    assert!(!host_allowed(Some("evil.example:8080"), 8080));
    assert!(!host_allowed(Some("127.0.0.1:8081"), 8080));
    assert!(!host_allowed(None, 8080));
}

#[test]
fn a_parameter_without_a_domain_is_said_not_guessed() {
    let spec = "machine Counter {\n    phases { Idle }\n    initial Idle\n    state { total: u64 = 0 }\n    input Add(n: u64)\n    transition add on Add from Idle -> stay { total = n }\n}\n";
    let files = Files(vec![("counter.fsm".to_owned(), spec.to_owned())]);
    let mut v = Viewer::new(3);
    let view = json_of(&send(&mut v, &files, "POST", "/api/counter/session", ""));
    assert_eq!(view["inputs"], json!([]));
    let message = view["inputs_error"].as_str().expect("a message");
    assert!(
        message.contains("parameter `n` of input `Add`"),
        "{message}"
    );
    let id = view["session"].as_str().expect("id");
    let body = format!(r#"{{"session":"{id}","input":{{"Add":{{"n":1}}}}}}"#);
    let r = send(&mut v, &files, "POST", "/api/counter/step", &body);
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
}
