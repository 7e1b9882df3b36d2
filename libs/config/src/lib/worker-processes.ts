import cluster from 'node:cluster';
import { setPriority } from 'node:os';

/** True in the primary of a multi-process run: the process superviseWorkerProcesses makes a supervisor. */
export function isWorkerSupervisor(processes: number): boolean {
  return processes > 1 && cluster.isPrimary;
}

/**
 * Runs a worker command as `processes` processes (node:cluster): each its own event loop and its
 * own BullMQ worker on the same queue. Returns true in the primary of a multi-process run, which
 * only supervises: it replaces a worker that dies and passes SIGTERM / SIGINT on to every worker,
 * which shut down gracefully (the primary ends with the last of them). Returns false where the
 * caller should run the worker itself (one process, or a cluster worker).
 */
export function superviseWorkerProcesses(service: string, processes: number): boolean {
  if (!isWorkerSupervisor(processes)) return false;
  let stopping = false;
  for (let i = 0; i < processes; i += 1) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`${service}: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
  return true;
}

/**
 * Queue workers drain a backlog; the gateway answers partners while they wait. Where both share
 * cores (one machine, or a node without CPU limits per service) a worker runs at a lower
 * scheduling priority, so a burst of requests is accepted at full speed and queued, and the
 * workers take every cycle the gateway leaves. Alone on its cores a worker loses nothing: the
 * priority only matters when something else wants the CPU.
 */
export function lowerWorkerPriority(service: string, niceness: number): void {
  if (niceness <= 0) return;
  try {
    setPriority(0, niceness);
  } catch (error) {
    console.error(`${service}: could not lower the process priority (${error instanceof Error ? error.message : String(error)}); running at the default`);
  }
}
