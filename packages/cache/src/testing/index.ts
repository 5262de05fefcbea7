export { createManualClock } from "./manual-clock.js";
export type { ManualClock, ManualTimerHandle } from "./manual-clock.js";
