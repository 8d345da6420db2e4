/**
 * Settings of every Heliox session, sent when it connects: no JIT compilation. PostgreSQL compiles
 * a statement whose estimated cost passes jit_above_cost, and Heliox's estimates pass it for
 * statements that take a millisecond: the running jobs' check a read makes once a minute spent
 * 215-245 ms compiling against 0.3 ms of work when nothing was due (54-120 ms when it was), and a
 * refresh's label deltas 650-840 ms. Where a statement is long, its time goes on numeric
 * arithmetic, which compiled code calls just the same: a year of the job-day rows by provider took
 * 1.2-1.6 s compiled (10-220 ms of compiling) against 1.1-1.4 s without (docs/decisions.md, "No JIT
 * compilation"). Servers built without JIT (the embedded one) ignore the setting. A DATABASE_URL
 * with `options` of its own replaces these (pg's rule: the URL wins).
 */
export const DATABASE_SESSION_OPTIONS = '-c jit=off';
