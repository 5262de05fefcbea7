// The conformance suite against the dev Nexus of startDevStack().
import { afterAll, beforeAll, describe } from "vitest";
import { startDevStack, type DevStack } from "../src/index.js";
import { type ConformanceContext, connectTarget, defineConformanceSuite } from "./conformance/index.js";

let stack: DevStack;
let context: ConformanceContext;

beforeAll(async () => {
  stack = await startDevStack({ trustDomain: "example.org" });
  context = await connectTarget({ nexusUrl: stack.nexusUrl, pilot: stack.pilot.env, workload: stack.workload.env, memoryBackend: true });
});
afterAll(async () => {
  await context?.close();
  await stack?.close();
});

describe("conformance: dev nexus", () => {
  defineConformanceSuite(() => context);
});
