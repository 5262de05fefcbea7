import { spikeVitestConfig } from "@spike-ts/vitest-config";

export default spikeVitestConfig({ kind: "integration", globalSetup: ["./test/global-setup.ts"] });
