/** The default clock: the system time. Every factory takes `now` to replace it. */
export function systemNow(): Date {
  return new Date();
}
