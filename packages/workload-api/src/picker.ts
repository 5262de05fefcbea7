import { WorkloadApiError } from "./errors.js";

/** How a source chooses its SVID when the agent sends several. */
export type SvidPick<S extends { readonly hint: string; readonly id: { toString(): string } }> =
  | { hint?: string; id?: string }
  | ((svids: readonly S[]) => S | undefined);

function describe(svids: readonly { readonly hint: string; readonly id: { toString(): string } }[]): string {
  return svids.map((s) => (s.hint ? `${s.id.toString()} (hint ${JSON.stringify(s.hint)})` : s.id.toString())).join(", ");
}

/**
 * Applies a pick to a list of SVIDs; without a pick the first one (the agent's default) wins.
 * Throws `pick_missing` naming what was asked and what arrived.
 */
export function pickSvid<S extends { readonly hint: string; readonly id: { toString(): string } }>(
  svids: readonly S[],
  pick: SvidPick<S> | undefined,
): S {
  if (svids.length === 0) throw new WorkloadApiError("pick_missing", "workload-api: the agent sent no SVIDs to pick from");
  if (pick === undefined) return svids[0] as S;
  if (typeof pick === "function") {
    const chosen = pick(svids);
    if (chosen === undefined || !svids.includes(chosen)) {
      throw new WorkloadApiError("pick_missing", `workload-api: the pick function chose no SVID among: ${describe(svids)}`);
    }
    return chosen;
  }
  const found = svids.find(
    (s) => (pick.hint === undefined || s.hint === pick.hint) && (pick.id === undefined || s.id.toString() === pick.id),
  );
  if (!found) {
    const wanted = [pick.id !== undefined ? `id ${pick.id}` : "", pick.hint !== undefined ? `hint ${JSON.stringify(pick.hint)}` : ""]
      .filter(Boolean)
      .join(" and ");
    throw new WorkloadApiError("pick_missing", `workload-api: no SVID with ${wanted} among the SVIDs the agent sent: ${describe(svids)}`);
  }
  return found;
}

/** Checks a pick option at creation time. */
export function checkPick(pick: unknown): void {
  if (pick === undefined || typeof pick === "function") return;
  if (typeof pick !== "object" || pick === null) throw new TypeError("workload-api: pick must be { hint?, id? } or a function");
  const p = pick as { hint?: unknown; id?: unknown };
  if (p.hint !== undefined && typeof p.hint !== "string") throw new TypeError("workload-api: pick.hint must be a string");
  if (p.id !== undefined && typeof p.id !== "string") throw new TypeError("workload-api: pick.id must be a string");
}
