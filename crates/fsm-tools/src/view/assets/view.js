// fsm view: the page's script. It shows what the server answers and sends
// what is clicked; every step is taken by the server's evaluator.
"use strict";
(function () {
  const slug = document.body.dataset.slug;
  if (!slug) return;
  const $ = (id) => document.getElementById(id);
  const el = (tag, props, ...children) => {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const c of children) node.append(c);
    return node;
  };
  let session = null;

  // ---- details: click a phase or a transition
  function showDetail(selector) {
    const target = document.querySelector(selector);
    if (!target) return;
    for (const d of document.querySelectorAll(".detail")) d.hidden = true;
    $("details-hint").hidden = true;
    target.hidden = false;
    target.scrollIntoView({ block: "nearest" });
  }
  function selectPhase(name) {
    for (const g of document.querySelectorAll("svg .phase")) g.classList.toggle("selected", g.dataset.node === name);
    showDetail('[data-detail-phase="' + CSS.escape(name) + '"]');
  }
  function selectTransition(name) {
    showDetail('[data-detail-transition="' + CSS.escape(name) + '"]');
  }
  document.addEventListener("click", (event) => {
    const t = event.target.closest("[data-transition]");
    if (t) { event.preventDefault(); selectTransition(t.dataset.transition); return; }
    const edge = event.target.closest("[data-transitions]");
    if (edge) { event.preventDefault(); selectTransition(edge.dataset.transitions.split(" ")[0]); return; }
    const link = event.target.closest("[data-phase-link]");
    if (link) { event.preventDefault(); selectPhase(link.dataset.phaseLink); return; }
    const node = event.target.closest("[data-node]");
    if (node) { selectPhase(node.dataset.node); }
  });

  // ---- simulator
  async function call(action, body) {
    const response = await fetch("/api/" + encodeURIComponent(slug) + "/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json();
    if (!response.ok) {
      const box = $("sim-error");
      box.textContent = data.error || ("request failed (" + response.status + ")");
      box.hidden = false;
      return;
    }
    $("sim-error").hidden = true;
    render(data);
  }

  function describe(step) {
    if (step.rejected) return step.input + " — rejected (" + step.rejected.kind + "): " + step.rejected.text;
    if (step.ignored) return step.input + " — ignored in " + step.from;
    let text = step.input + " — " + step.transition + ": " + step.from + " → " + step.to;
    if (step.effects.length) text += "; emits " + step.effects.join(", ");
    return text;
  }

  function inputGroup(input) {
    const group = el("div", { className: "group" }, el("span", { className: "name" }, input.name));
    if (input.instances.length <= 6) {
      for (const inst of input.instances) {
        const b = el("button", { type: "button", title: inst.would, className: inst.fires ? "" : "would-reject" }, inst.label);
        b.dataset.input = input.name;
        b.addEventListener("click", () => call("step", { session, input: inst.input }));
        group.append(b);
      }
    } else {
      const select = el("select", {});
      input.instances.forEach((inst, i) => select.append(el("option", { value: String(i) }, inst.label + " — " + inst.would)));
      const b = el("button", { type: "button" }, "Send");
      b.dataset.input = input.name;
      b.addEventListener("click", () => call("step", { session, input: input.instances[Number(select.value)].input }));
      group.append(select, b);
      if (input.total > input.instances.length) {
        group.append(el("span", { className: "muted" }, " first " + input.instances.length + " of " + input.total + " instances"));
      }
    }
    return group;
  }

  function render(view) {
    session = view.session;
    const phase = $("phase");
    phase.textContent = view.phase;
    phase.dataset.phase = view.phase;
    $("key").textContent = view.key === null ? "" : "(key " + view.key + ")";
    for (const g of document.querySelectorAll("svg .phase")) g.classList.toggle("current", g.dataset.node === view.phase);
    for (const n of document.querySelectorAll("svg .taken")) n.classList.remove("taken");
    const last = $("last");
    last.className = "";
    if (view.last) {
      last.textContent = describe(view.last);
      if (view.last.rejected) last.className = "rejected";
      if (view.last.transition) {
        const name = view.last.transition;
        for (const n of document.querySelectorAll('svg [data-transition="' + CSS.escape(name) + '"]')) n.classList.add("taken");
        for (const g of document.querySelectorAll("svg [data-transitions]")) {
          if (g.dataset.transitions.split(" ").includes(name)) g.classList.add("taken");
        }
      }
    } else {
      last.textContent = "Initial state.";
    }
    const main = $("inputs"), other = $("inputs-other");
    main.replaceChildren();
    other.replaceChildren();
    if (view.inputs_error) main.append(el("p", { className: "bad" }, "No inputs can be offered: " + view.inputs_error));
    for (const input of view.inputs) (input.here === "transition" ? main : other).append(inputGroup(input));
    if (!main.children.length && !view.inputs_error) main.append(el("p", { className: "muted" }, "No input has a transition in this phase."));
    const table = $("state");
    table.replaceChildren();
    for (const row of view.state) {
      table.append(el("tr", {}, el("td", {}, el("code", {}, row.name + (row.derived ? " (derived)" : ""))), el("td", {}, el("code", {}, row.value))));
    }
    const trace = $("trace");
    trace.replaceChildren();
    for (const step of view.trace) trace.append(el("li", { className: step.rejected ? "rejected" : "" }, describe(step)));
    $("undo").disabled = view.trace.length === 0;
    $("download").href = "/api/" + encodeURIComponent(slug) + "/trace?session=" + encodeURIComponent(session);
    $("download").download = slug + ".trace.jsonl";
  }

  $("undo").addEventListener("click", () => call("undo", { session }));
  $("reset").addEventListener("click", () => call("reset", { session }));
  call("session", {});
})();
