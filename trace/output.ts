/**
 * What a replay's output can be compared on. Physical addresses differ from run to run, so outputs are
 * compared with them masked (as the `.expected` files are written); and some operations print what
 * depends on which HOLE a lookup chose, so only scenarios without them compare across lookups.
 */
import { Op, type Scenario } from "./format.ts";

const PHYSICAL = /Physical Address: \d+/g;

/** Every `Physical Address: <digits>` becomes `Physical Address: PHYS`, as in the `.expected` files. */
export function maskPhysical(text: string): string {
  return text.replace(PHYSICAL, "Physical Address: PHYS");
}

/** Ops whose output shows addresses or reaches blocks by address, so it depends on the HOLE chosen. */
const HOLE_DEPENDENT_OPS = new Set<number>([Op.Stats, Op.Virtual, Op.Physical, Op.PhysicalRaw, Op.FreeRaw]);

/** True when no operation of the scenario prints something that depends on which HOLE malloc chose. */
export function isHoleIndependent(scenario: Scenario): boolean {
  for (const op of scenario.ops) if (HOLE_DEPENDENT_OPS.has(op)) return false;
  return true;
}
