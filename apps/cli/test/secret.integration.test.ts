import { startDevStack, type DevStack } from "@spike-ts/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSpike } from "./run-spike.js";

let stack: DevStack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startDevStack();
  env = { ...stack.pilot.env };
});
afterAll(async () => {
  await stack?.close();
});

describe("spike secret", () => {
  it("puts, gets, lists and reads metadata", async () => {
    const put = await runSpike(["secret", "put", "tenants/demo/db", "username=app", "password=s3=cr3t"], { env });
    expect(put).toMatchObject({ code: 0, stdout: "OK\n", stderr: "" });

    const get = await runSpike(["secret", "get", "tenants/demo/db"], { env });
    expect(get).toMatchObject({ code: 0, stdout: "password: s3=cr3t\nusername: app\n", stderr: "" });
  });
});
