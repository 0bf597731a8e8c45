/**
 * Whether `promise` settles (either way) within `ms`: true as soon as it does, false once `ms` have
 * passed. For a wait that must not hang on something outside (a broker that does not answer).
 */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}
