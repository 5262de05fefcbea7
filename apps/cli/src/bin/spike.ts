import { runCli } from "../run.js";

const controller = new AbortController();
const onSignal = (): void => controller.abort(new Error("spike: interrupted"));
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);
// A closed pipe (`spike secret list | head -1`) fails the pending write, which runCli reports;
// without a listener the stream's error event would crash the process with a stack trace.
process.stdout.on("error", () => undefined);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
process.exitCode = code;
