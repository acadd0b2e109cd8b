use super::*;

const BASE: &str = "/// A door.
machine Door {
    phases { Closed, Open, Locked }
    initial Closed
    terminal Locked
    enum Reason { Wind, Hand }
    state {
        /// Times opened.
        opened: u8 = 0
        last: Option<Reason> = none
    }
    input Push(reason: Reason)
    input Lock
    effect Opened(count: u8)
    guards {
        few: opened < 10
    }
    transition push on Push from Closed -> Open
        guard few
    {
        opened += 1
        last = some(reason)
        emit Opened(opened)
    }
    transition lock on Lock from Closed -> Locked
    invariant bounded: opened <= 10
}
";

fn compiled(text: &str) -> Compilation {
    let c = fsm_core::compile("door.fsm", text.as_bytes());
    assert!(c.model.is_some(), "{:?}", c.diagnostics);
    c
}

fn changes(old: &str, new: &str) -> Vec<Change> {
    compare(&compiled(old), &compiled(new))
}

fn report(old: &str, new: &str) -> MachineDiff {
    let (o, n) = (compiled(old), compiled(new));
    let old = [Spec {
        path: "old.fsm",
        compilation: &o,
    }];
    let new = [Spec {
        path: "new.fsm",
        compilation: &n,
    }];
    let mut r = diff("old", "new", &old, &new, true);
    assert_eq!(r.machines.len(), 1);
    r.machines.remove(0)
}

/// `class subject op name aspect: before -> after`, one per change.
fn lines(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {:?} {}{}{}: {} -> {}",
                c.class.word(),
                c.subject,
                c.op,
                c.old_name
                    .as_ref()
                    .map_or(String::new(), |o| format!("{o}=>")),
                c.name,
                c.aspect.map_or(String::new(), |a| format!(" {}", a.word())),
                c.before.as_deref().unwrap_or("-"),
                c.after.as_deref().unwrap_or("-"),
            )
        })
        .collect()
}

#[test]
fn identical_specs_have_no_change() {
    let d = report(BASE, BASE);
    assert_eq!(d.status, Status::Unchanged);
    assert!(d.changes.is_empty());
}

#[test]
fn layout_and_comments_only_are_formatting_only() {
    let new = BASE
        .replace(
            "    initial Closed\n",
            "\n\n    initial   Closed // start here\n",
        )
        .replace("opened += 1", "opened += 1 // count");
    let d = report(BASE, &new);
    assert_eq!(d.status, Status::FormattingOnly);
    assert!(d.changes.is_empty());
    assert!(!d.status.is_semantic());
}

#[test]
fn doc_text_only_is_docs_only() {
    let new = BASE.replace("/// Times opened.", "/// How many times it opened.");
    let d = report(BASE, &new);
    assert_eq!(d.status, Status::DocsOnly);
    assert_eq!(
        lines(&d.changes),
        ["docs Field Changed opened docs: Times opened. -> How many times it opened."]
    );
}

#[test]
fn a_renamed_phase_is_one_schema_change_with_references_followed() {
    let new = BASE
        .replace("Open, Locked", "Ajar, Locked")
        .replace("-> Open", "-> Ajar");
    assert_eq!(
        lines(&changes(BASE, &new)),
        ["schema Phase Renamed Open=>Ajar: - -> -"]
    );
}

#[test]
fn a_renamed_field_input_and_transition_are_renames_only() {
    let new = BASE
        .replace("opened", "count")
        .replace("Times count.", "Times opened.")
        .replace("Push", "Shove")
        .replace("transition push", "transition shove");
    assert_eq!(
        lines(&changes(BASE, &new)),
        [
            "schema Field Renamed opened=>count: - -> -",
            "behaviour Input Renamed Push=>Shove: - -> -",
            "behaviour Transition Renamed push=>shove: - -> -",
        ]
    );
}

#[test]
fn a_changed_guard_is_reported_once_as_the_guard() {
    let new = BASE.replace("few: opened < 10", "few: opened < 5");
    assert_eq!(
        lines(&changes(BASE, &new)),
        ["behaviour Guard Changed few expression: opened < 10 -> opened < 5"]
    );
}

#[test]
fn snapshot_enums_are_schema_and_others_behaviour() {
    let new = BASE.replace("Wind, Hand", "Wind, Hand, Foot");
    assert_eq!(
        lines(&changes(BASE, &new)),
        ["schema Enum Changed Reason variants: Wind, Hand -> Wind, Hand, Foot"]
    );
    // Without the field of type `Option<Reason>`, the enum is input-only.
    let base = BASE
        .replace("        last: Option<Reason> = none\n", "")
        .replace("        last = some(reason)\n", "");
    let new = base.replace("Wind, Hand", "Wind, Hand, Foot");
    assert_eq!(
        lines(&changes(&base, &new)),
        ["behaviour Enum Changed Reason variants: Wind, Hand -> Wind, Hand, Foot"]
    );
}

#[test]
fn field_type_and_order_are_schema_initial_value_behaviour() {
    let new = BASE.replace("opened: u8 = 0", "opened: u8 = 1");
    assert_eq!(
        lines(&changes(BASE, &new)),
        ["behaviour Field Changed opened value: 0 -> 1"]
    );
    let swapped = BASE.replace(
        "        /// Times opened.\n        opened: u8 = 0\n        last: Option<Reason> = none\n",
        "        last: Option<Reason> = none\n        /// Times opened.\n        opened: u8 = 0\n",
    );
    assert_eq!(
        lines(&changes(BASE, &swapped)),
        ["schema Field Changed  order: opened, last -> last, opened"]
    );
}

#[test]
fn transition_parts_are_reported_one_by_one() {
    let new = BASE
        .replace("from Closed -> Locked", "from Closed | Open -> Locked")
        .replace("emit Opened(opened)\n", "")
        .replace(
            "        guard few\n",
            "        guard few\n        guard windless: reason != Wind\n",
        );
    assert_eq!(
        lines(&changes(BASE, &new)),
        [
            "behaviour Transition Changed push guard: - -> reason != Wind",
            "behaviour Transition Changed push block: opened += 1\nlast = some(reason)\nemit Opened(opened) -> opened += 1\nlast = some(reason)",
            "behaviour Transition Changed push emits: Opened -> -",
            "behaviour Transition Changed lock from: Closed -> Closed | Open",
        ]
    );
}

#[test]
fn classify_decides_from_subject_op_and_aspect() {
    let change = |subject, op, aspect| Change {
        class: ChangeClass::Behaviour,
        subject,
        op,
        name: "x".into(),
        old_name: None,
        aspect,
        detail: None,
        before: None,
        after: None,
        in_snapshot: false,
    };
    use ChangeClass::*;
    let cases = [
        (Subject::Key, Op::Changed, Some(Aspect::Type), Schema),
        (
            Subject::Phase,
            Op::Changed,
            Some(Aspect::Terminal),
            Behaviour,
        ),
        (
            Subject::Phase,
            Op::Changed,
            Some(Aspect::Initial),
            Behaviour,
        ),
        (Subject::Phase, Op::Added, None, Schema),
        (Subject::Field, Op::Changed, Some(Aspect::Value), Behaviour),
        (Subject::Field, Op::Changed, Some(Aspect::Order), Schema),
        (Subject::Field, Op::Changed, Some(Aspect::Docs), Docs),
        (Subject::Enum, Op::Added, None, Behaviour),
        (Subject::Transition, Op::Removed, None, Behaviour),
        (
            Subject::Verify,
            Op::Changed,
            Some(Aspect::Setting),
            Behaviour,
        ),
        (Subject::Machine, Op::Renamed, None, Schema),
    ];
    for (subject, op, aspect, class) in cases {
        assert_eq!(
            classify(&change(subject, op, aspect)),
            class,
            "{subject:?} {op:?} {aspect:?}"
        );
    }
}

#[test]
fn machines_are_paired_by_name_and_added_or_removed() {
    let other = BASE.replace("machine Door", "machine Gate");
    let (a, b) = (compiled(BASE), compiled(&other));
    let old = [Spec {
        path: "door.fsm",
        compilation: &a,
    }];
    let new = [Spec {
        path: "gate.fsm",
        compilation: &b,
    }];
    let r = diff("old", "new", &old, &new, false);
    let statuses: Vec<(&str, Status)> = r
        .machines
        .iter()
        .map(|m| (m.machine.as_str(), m.status))
        .collect();
    assert_eq!(
        statuses,
        [("Door", Status::Removed), ("Gate", Status::Added)]
    );
    assert!(r.semantic);
    // Two single files: the same machine, renamed.
    let r = diff("old", "new", &old, &new, true);
    assert_eq!(
        lines(&r.machines[0].changes),
        ["schema Machine Renamed Door=>Gate: - -> -"]
    );
}

#[test]
fn a_removed_machine_guard_is_reported_once_with_its_users() {
    let new = BASE
        .replace("    guards {\n        few: opened < 10\n    }\n", "")
        .replace("        guard few\n", "");
    let c = changes(BASE, &new);
    assert_eq!(lines(&c), ["behaviour Guard Removed few: opened < 10 -> -"]);
    assert_eq!(c[0].detail.as_deref(), Some("push"));
}

#[test]
fn a_transition_naming_another_guard_with_the_same_condition_is_a_guard_rename() {
    let new = BASE
        .replace(
            "few: opened < 10\n",
            "few: opened < 10\n        under_ten: opened < 10\n",
        )
        .replace("        guard few\n", "        guard under_ten\n");
    assert_eq!(
        lines(&changes(BASE, &new)),
        [
            "behaviour Guard Added under_ten: - -> opened < 10",
            "behaviour Transition Changed push guard name: few -> under_ten",
        ]
    );
}

#[test]
fn an_enum_removed_with_the_field_holding_it_is_schema() {
    let new = BASE
        .replace("        last: Option<Reason> = none\n", "")
        .replace("        last = some(reason)\n", "")
        .replace("    enum Reason { Wind, Hand }\n", "")
        .replace("input Push(reason: Reason)", "input Push");
    let c = lines(&changes(BASE, &new));
    assert!(
        c.contains(&"schema Enum Removed Reason: Wind, Hand -> -".to_owned()),
        "{c:#?}"
    );
    assert!(
        c.contains(&"schema Field Removed last: Option<Reason> = none -> -".to_owned()),
        "{c:#?}"
    );
}

#[test]
fn initial_terminal_and_phase_order() {
    let new = BASE
        .replace("Closed, Open, Locked", "Open, Closed, Locked")
        .replace("initial Closed", "initial Open")
        .replace("terminal Locked\n", "");
    assert_eq!(
        lines(&changes(BASE, &new)),
        [
            "schema Phase Changed  order: Closed, Open, Locked -> Open, Closed, Locked",
            "behaviour Phase Changed  initial phase: Closed -> Open",
            "behaviour Phase Changed Locked terminal: terminal -> not terminal",
        ]
    );
}

#[test]
fn a_key_renamed_and_retyped() {
    let keyed = BASE.replace("    phases {", "    key id: u64\n    phases {");
    let new = keyed.replace("key id: u64", "key door: u32");
    assert_eq!(
        lines(&changes(&keyed, &new)),
        [
            "schema Key Renamed id=>door: - -> -",
            "schema Key Changed door type: u64 -> u32",
        ]
    );
}

#[test]
fn bounds_and_always_possible_properties_are_verify_settings() {
    let with = |settings: &str| {
        BASE.replace(
            "    invariant bounded",
            &format!("    verify {{\n{settings}    }}\n    invariant bounded"),
        )
    };
    let old =
        with("        bound opened <= 3\n        always_possible closable: phase == Closed\n");
    let new =
        with("        bound opened <= 4\n        always_possible lockable: phase == Locked\n");
    let found = lines(&changes(&old, &new));
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found
            .iter()
            .any(|l| l.ends_with(": opened <= 3 -> opened <= 4") && l.contains("bound")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|l| l.contains("always_possible closable") && l.ends_with("phase == Closed -> -")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|l| l.contains("always_possible lockable") && l.ends_with("-> phase == Locked")),
        "{found:?}"
    );
}
