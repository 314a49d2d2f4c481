import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A shell command started in its own process group, so stopping it stops everything it started. */
export interface ShellCommand {
  readonly child: ChildProcess;
  /** The command's standard output. */
  readonly stdout: Readable;
  /** Kills the whole group (the shell, a pipeline's every stage, their children). Idempotent. */
  kill(): void;
}

/**
 * Starts `sh -c command` as the leader of a new process group with stdout piped. Killing only the
 * shell would leave e.g. `rpicam-still … | convert …` or an ffmpeg child running and holding the
 * camera; {@link ShellCommand.kill} signals the whole group.
 * @example
 * const cmd = startShellCommand('ffmpeg -f v4l2 -i /dev/video0 -f mjpeg -', { stderr: false });
 * for await (const chunk of cmd.stdout) handle(chunk);
 * cmd.kill();
 */
export function startShellCommand(command: string, o: { stderr: boolean }): ShellCommand {
  const stderr = o.stderr ? 'pipe' : 'ignore';
  const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', stderr], detached: true });
  let killed = false;
  return {
    child,
    stdout: child.stdout as Readable, // piped above
    kill: () => {
      if (killed || child.pid === undefined) return;
      killed = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already; make sure the shell is too
      }
    },
  };
}
