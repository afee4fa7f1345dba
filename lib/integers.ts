/**
 * The one decimal-integer reader of the project: scenario fields, `MEMS_*` variables and command-line
 * values all mean the same thing by "an integer". Decimal digits only, an optional leading minus where
 * the caller allows it; "1e3", "0x10", " 12", "+1", "" and anything beyond ±(2^53 - 1) are refused rather
 * than guessed at.
 */

/** The integer `text` spells in decimal, or undefined when it spells none (or is not a safe integer). */
export function parseDecimalInteger(text: string, allowNegative = false): number | undefined {
  const negative = allowNegative && text.charCodeAt(0) === 45; // "-"
  const start = negative ? 1 : 0;
  if (text.length === start || text.length - start > 16) return undefined;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  if (!Number.isSafeInteger(value)) return undefined;
  return negative ? -value : value;
}
