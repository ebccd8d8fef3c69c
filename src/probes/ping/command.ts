/** Running a command and collecting its output: directly (`runCommand`) or through the launcher. */
import { spawn } from 'node:child_process';

export type RunCommand = (
  cmd: string,
  args: string[],
  opts: { timeoutMs: number },
) => Promise<{ code: number | null; stdout: string; stderr: string }>;

export const MAX_OUTPUT = 4 * 1024 * 1024;

/** The command ran but was killed at its deadline. */
export class CommandTimeoutError extends Error {
  override name = 'CommandTimeoutError';
}

/** The real runner: spawn without a shell, collect output, kill on timeout. Rejects when the command cannot start. */
export const runCommand: RunCommand = (cmd, args, opts) =>
  new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err);
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < MAX_OUTPUT) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < MAX_OUTPUT) stderr += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) reject(new CommandTimeoutError(`${cmd} did not finish within ${opts.timeoutMs} ms (killed)`));
      else resolve({ code, stdout, stderr });
    });
  });

