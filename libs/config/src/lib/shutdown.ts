/**
 * Bounds a graceful shutdown: Nest's shutdown hooks close workers (they finish or hand back their
 * jobs), queues and connections; if that takes longer than the deadline, the process exits anyway
 * rather than hanging a deploy. BullMQ returns unfinished jobs to the queue when their lock lapses.
 */
export function installShutdownDeadline(service: string, deadlineMs: number): void {
  const arm = (signal: NodeJS.Signals) => {
    const timer = setTimeout(() => {
      console.error(`${service}: shutdown after ${signal} took longer than ${deadlineMs} ms; exiting now`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
