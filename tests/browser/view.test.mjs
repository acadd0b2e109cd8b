// Headless browser test of `fsm view`: the page loads without console
// errors, an input button steps the machine, the diagram's phases and
// transitions open the detail panel, and the trace downloads in the trace
// format. Run by `cargo xtask browser` (after `cargo build -p fsm-cli`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fsm = process.env.FSM_BIN || path.join(root, "target/debug/fsm");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let server;
let base;
let browser;

before(async () => {
  server = spawn(fsm, ["view", path.join(root, "machines/interaction_stream.fsm"), "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: server.stdout });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("`fsm view` printed no URL in 20 s")), 20000);
    server.once("exit", (code) => reject(new Error(`\`fsm view\` exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^fsm view: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
    });
  });
  browser = await chromium.launch({ executablePath: browserPath, args: FLAGS, headless: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
});

test("the viewer steps a machine, shows details and downloads the trace", { timeout: 60000 }, async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  const problems = [];
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(msg.text()); });
  page.on("pageerror", (err) => problems.push(String(err)));
  // Nothing may leave the machine.
  await page.route("**/*", (route) => {
    const url = route.request().url();
    return url.startsWith(base) || url.startsWith("data:") ? route.continue() : route.abort();
  });

  await page.goto(base);
  await page.click("a[href='/m/interaction_stream']");
  await page.waitForSelector("[data-phase='Unreserved']");
  await page.waitForSelector("[data-input='Reserve']");

  // A step through the server's evaluator.
  await page.click("[data-input='Reserve']");
  await page.waitForSelector("[data-phase='Reserved']");
  assert.equal(await page.getAttribute("[data-phase]", "data-phase"), "Reserved");
  assert.equal(await page.locator("svg [data-node='Reserved'].current").count(), 1);
  assert.ok(await page.locator("svg .taken[data-transition='reserve']").count() >= 1, "the transition taken is highlighted");
  assert.match(await page.textContent("#last"), /reserve: Unreserved → Reserved/);

  // A rejection is shown with its kind.
  const complete = page.locator("[data-input='Complete']").first();
  await complete.click();
  await page.waitForSelector("#last.rejected");
  assert.match(await page.textContent("#last"), /guard_rejected/);

  // A phase of the diagram: its docs and its row of the matrix.
  await page.click("svg [data-node='Attached']");
  const phasePanel = page.locator("[data-detail-phase='Attached']");
  await phasePanel.waitFor({ state: "visible" });
  assert.match(await phasePanel.textContent(), /Complete/);

  // A transition of the diagram: its guards, printed in spec syntax.
  await page.click("svg [data-transition='attach']");
  const panel = page.locator("[data-detail-transition='attach']");
  await panel.waitFor({ state: "visible" });
  assert.match(await panel.textContent(), /not_attached/);
  assert.equal(await phasePanel.isVisible(), false);

  // The trace, downloaded.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const file = await download.path();
  const { readFile } = await import("node:fs/promises");
  const lines = (await readFile(file, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines[0].fsm_trace, 1);
  assert.equal(lines[0].machine, "InteractionStream");
  assert.equal(lines[1].step.transition, "reserve");
  assert.equal(lines[1].step.to, "Reserved");
  assert.equal(lines[2].rejected.kind, "guard_rejected");

  // Undo and reset go back.
  await page.click("#undo");
  await page.waitForFunction(() => document.querySelectorAll("#trace li").length === 1);
  await page.click("#reset");
  await page.waitForSelector("[data-phase='Unreserved']");

  assert.deepEqual(problems, [], "no console errors");
});
