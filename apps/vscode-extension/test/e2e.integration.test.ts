// End to end in a real VS Code: code-server 4.139.1 (VS Code 1.139.1) with the built .vsix,
// driven by playwright-core in Debian's Chromium, against the dev stack. Needs
// scripts/vscode-e2e/setup (run here in beforeAll; cached under ~/.cache/spike-ts).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createSpikeClient } from "@spike-ts/sdk";
import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const repo = join(root, "..", "..");
const reports = join(root, "reports");

let work: string;
let stack: DevStack | undefined;
let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves when `proc` prints `text` on stdout or stderr; rejects if it exits first. */
function waitForOutput(proc: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`code-server exited with ${code} before "${text}":\n${seen.slice(-2000)}`)));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "sts-e2e-"));
  const codeServer = execFileSync(join(repo, "scripts", "vscode-e2e", "setup"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .pop()!;
  // code-server's launcher runs on Node 24 (the one it was built with)
  const node24 = join(dirname(dirname(dirname(dirname(codeServer)))), "node24", "node_modules", ".bin");

  const vsix = join(work, "spike-ts-vscode.vsix");
  execFileSync(process.execPath, [join(root, "scripts", "package.mjs"), "--out", vsix], { cwd: root, stdio: "pipe" });

  stack = await startDevStack();
  const pilot = await createSpikeClient({ env: stack.pilot.env });
  try {
    await pilot.putSecret("apps/web/db", { username: "web", password: "first-password" });
    await pilot.putSecret("apps/web/db", { username: "web", password: "second-password" });
    await pilot.putSecret("apps/api/token", { token: "t" });
  } finally {
    await pilot.close();
  }

  const data = join(work, "data");
  mkdirSync(join(data, "User"), { recursive: true });
  writeFileSync(
    join(data, "User", "settings.json"),
    JSON.stringify({ "security.workspace.trust.enabled": false, "workbench.startupEditor": "none", "workbench.tips.enabled": false, "chat.disableAIFeatures": true }),
  );
  const folder = join(work, "workspace");
  mkdirSync(folder);
  writeFileSync(join(folder, "web.policy.yaml"), "name: web\nspiffeidPattern: ^spiffe://spike\\.ist/web$\npathPattern: secret\npermissions: [read, admin]\n");

  const env = { ...process.env, ...stack.pilot.env, PATH: `${node24}:${process.env.PATH}` };
  const common = ["--user-data-dir", data, "--extensions-dir", join(data, "ext"), "--config", join(work, "config.yaml")];
  execFileSync(codeServer, [...common, "--install-extension", vsix], { env, stdio: "pipe" });

  const port = await freePort();
  url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  server = spawn(
    codeServer,
    [...common, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", folder],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  await waitForOutput(server, "HTTP server listening");

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    process.kill(-server.pid, "SIGTERM");
    await exited;
  }
  await stack?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the extension in code-server", () => {
  it("shows the SPIKE Secrets tree, expands a secret to its versions, and opens and diffs versions", async () => {
    try {
      await drive();
    } catch (e) {
      mkdirSync(reports, { recursive: true });
      await page.screenshot({ path: join(reports, "e2e-failure.png") });
      console.log("list rows at failure:", JSON.stringify(await page.locator(".monaco-list-row").allTextContents()));
      throw e;
    }
  });
});

async function drive(): Promise<void> {
    await page.goto(url);
    await page.locator(".monaco-workbench").waitFor({ timeout: 120_000 });
    await page.locator('.activitybar [aria-label^="SPIKE"]').first().click({ timeout: 60_000 });

    const tree = page.getByRole("tree").filter({ has: page.getByRole("treeitem", { name: "apps" }) });
    await tree.getByRole("treeitem", { name: "apps" }).click({ timeout: 60_000 });
    await tree.getByRole("treeitem", { name: "web" }).click();
    await tree.getByRole("treeitem", { name: "db" }).click();
    const v2 = tree.locator(".monaco-list-row", { hasText: "v2 (current)" });
    await v2.waitFor({ timeout: 60_000 });
    await tree.getByText("v1", { exact: true }).waitFor();
    mkdirSync(reports, { recursive: true });
    await page.screenshot({ path: join(reports, "e2e-tree.png") });
    // no value is on screen until a version is opened
    expect(await page.locator(".monaco-workbench").innerText()).not.toContain("second-password");

    await v2.click();
    await page.locator(".monaco-editor .view-lines", { hasText: "second-password" }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(reports, "e2e-version.png") });

    // the inline action of the version row (the context menu offers the same command)
    await v2.hover();
    await v2.locator('[aria-label="Compare with Previous Version"]').click();
    const diff = page.locator(".monaco-diff-editor");
    await diff.locator(".view-lines", { hasText: "first-password" }).first().waitFor({ timeout: 60_000 });
    await diff.locator(".view-lines", { hasText: "second-password" }).first().waitFor();
    await page.screenshot({ path: join(reports, "e2e-diff.png") });

    // the policy language client: open web.policy.yaml and wait for the server's diagnostics
    await page.locator(".activitybar [aria-label^=\"Explorer\"]").first().click();
    await page.getByRole("treeitem", { name: "web.policy.yaml" }).click({ timeout: 60_000 });
    const editor = page.locator(".monaco-editor", { hasText: "pathPattern" }).first();
    await editor.locator(".squiggly-error").first().waitFor({ timeout: 60_000 });
    await page.keyboard.press("Control+Shift+M");
    const problems = page.locator(".markers-panel");
    await problems.getByText(/unknown permission "admin"/).first().waitFor({ timeout: 60_000 });
    await problems.getByText(/reserved path spike\/system\/secret/).first().waitFor();
    await page.screenshot({ path: join(reports, "e2e-policy.png") });
}
