import { spikeVitestConfig } from "@spike-ts/vitest-config";

export default spikeVitestConfig({ kind: "unit" });
