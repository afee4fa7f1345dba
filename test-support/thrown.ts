/** The error of class `type` that `action` throws. Any other error is thrown on; no error at all fails. */
export function thrown<E extends Error>(action: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`no ${type.name} was thrown`);
}
