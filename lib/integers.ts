/**
 * The one decimal-integer reader of the project: scenario fields, `MEMS_*` variables and command-line
 * values all mean the same thing by "an integer". Decimal digits only, an optional leading minus where
 * the caller allows it; "1e3", "0x10", " 12", "+1", "" and anything beyond ±(2^53 - 1) are refused rather
 * than guessed at. Leading zeros are only digits ("007" is 7), as in C's reading of the same fields.
 */

/** The integer `text` spells in decimal, or undefined when it spells none (or is not a safe integer). */
export function parseDecimalInteger(text: string, allowNegative = false): number | undefined {
  const negative = allowNegative && text.charCodeAt(0) === 45; // "-"
  const start = negative ? 1 : 0;
  if (text.length === start) return undefined;
  // Digit by digit (traces have millions of fields). Past 2^53 the sum only grows, so one check at the end
  // finds every value out of range, however long the text.
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  if (value > Number.MAX_SAFE_INTEGER) return undefined;
  return negative && value !== 0 ? -value : value; // "-0" is 0, not -0
}

/**
 * True when `text` is written as a decimal integer, whatever its size: with parseDecimalInteger, it tells
 * a value out of range (written as one) from text that is no integer at all.
 */
export function isDecimalInteger(text: string, allowNegative = false): boolean {
  const start = allowNegative && text.charCodeAt(0) === 45 ? 1 : 0;
  if (text.length === start) return false;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}
