import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill();
    await exited;
  }
  child = undefined;
});

/** Speaks LSP base protocol (Content-Length framing) to a child process. */
function lsp(proc: ChildProcess) {
  let buffer = Buffer.alloc(0);
  const waiting: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  proc.stdout!.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const head = buffer.indexOf("\r\n\r\n");
      if (head < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())?.[1]);
      if (buffer.length < head + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString());
      buffer = buffer.subarray(head + 4 + length);
      for (const w of [...waiting]) if (w.match(msg)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(msg); }
    }
  });
  return {
    send(msg: object) {
      const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...msg }));
      proc.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
      proc.stdin!.write(body);
    },
    next: (match: (m: any) => boolean) => new Promise<any>((resolve) => waiting.push({ match, resolve })),
  };
}

describe("dist/server.cjs", () => {
  it("runs as a stdio language server and publishes diagnostics from the bundled rules", async () => {
    child = spawn(process.execPath, [join(root, "dist", "server.cjs"), "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
    const c = lsp(child);
    const init = c.next((m) => m.id === 1);
    c.send({ id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
    expect((await init).result.serverInfo).toEqual({ name: "spike-policy-language-server" });
    c.send({ method: "initialized", params: {} });
    const diags = c.next((m) => m.method === "textDocument/publishDiagnostics");
    c.send({
      method: "textDocument/didOpen",
      params: { textDocument: { uri: "file:///x.policy.yaml", languageId: "spike-policy", version: 1, text: "name: x\nspiffeidPattern: ^spiffe://a$\npathPattern: (a\npermissions: [read]\n" } },
    });
    const published = (await diags).params;
    expect(published.diagnostics.map((d: { code: string; range: { start: { line: number } } }) => [d.code, d.range.start.line])).toEqual([["regex_invalid", 2]]);
  });
});
