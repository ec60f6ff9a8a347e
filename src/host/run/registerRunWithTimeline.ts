/**
 * Run with Timeline: runs the learner's entry file under labkit's recorder, with no checks, in a terminal
 * of its own (Ctrl+C, closing it or Stop ends the whole process tree), then hands the timeline to
 * `showTrace`. The process part is core/runScript.ts.
 */
import * as vscode from 'vscode';
import { Lab } from '../../core/catalog';
import { versionText } from '../../core/python';
import { ScriptRun, runScript } from '../../core/runScript';
import { LabArgument, pickLab } from '../labs/pickLab';
import { ShowTrace, freshTracePath } from './labTraces';
import { Refusal, RunDeps, prepareRun } from '../safety/prepareRun';

export const RUN_WITH_TIMELINE_COMMAND = 'concurrencyLabs.runWithTimeline';
/** What a run keeps of the program's output for its caller; the terminal shows all of it. */
const KEPT_OUTPUT = 200_000;

export interface RunDepsWithTrace extends RunDeps {
  /** Where this run's timeline goes (asked at each run: the labs folder can change). */
  readonly traceDir: () => string;
  readonly showTrace?: ShowTrace;
}

export type RunOutcome = (ScriptRun & { readonly kind: 'ran'; readonly output: string }) | Refusal;

/** A terminal that shows what the program prints; text written before it opens is kept until it does. */
class ProgramTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.written.event;
  private pending: string[] | undefined = [];

  constructor(private readonly stop: () => void) {}

  open(): void {
    for (const text of this.pending ?? []) {
      this.written.fire(text);
    }
    this.pending = undefined;
  }

  close(): void {
    this.stop();
    this.written.dispose();
  }

  handleInput(data: string): void {
    // The program has no stdin; Ctrl+C is the one key that means something: stop it.
    if (data === '\x03') {
      this.stop();
    }
  }

  write(text: string): void {
    const converted = text.replace(/\r?\n/g, '\r\n');
    if (this.pending) {
      this.pending.push(converted);
    } else {
      this.written.fire(converted);
    }
  }
}

function ending(run: ScriptRun, limit: number): string {
  switch (run.status) {
    case 'exited':
      return run.exitCode === 0 ? `✓ finished in ${(run.durationMs / 1000).toFixed(2)} s` : `✗ exited with code ${run.exitCode} after ${(run.durationMs / 1000).toFixed(2)} s`;
    case 'timedOut':
      return `⧗ timed out after the lab's limit of ${limit} s — possible deadlock or infinite loop; the stacks above show where each thread was`;
    case 'cancelled':
      return '■ stopped';
    case 'failedToStart':
      return `✗ could not start: ${run.problem ?? 'unknown problem'}`;
  }
}

async function runWithTimeline(deps: RunDepsWithTrace, terminals: Map<string, vscode.Terminal>, lab: Lab): Promise<RunOutcome> {
  const prepared = await prepareRun(deps, lab, 'run');
  if (prepared.kind === 'refused') {
    return prepared;
  }
  const { manifest } = lab;
  const { active, learnerDir, python } = prepared;
  try {
    terminals.get(manifest.id)?.dispose();
    const pty = new ProgramTerminal(() => active.controller.abort());
    const terminal = vscode.window.createTerminal({ name: `Run: ${manifest.title}`, pty, iconPath: new vscode.ThemeIcon('debug-alt') });
    terminals.set(manifest.id, terminal);
    terminal.show(true);
    pty.write(`▶ python ${manifest.entry}   (Python ${versionText(python.version)}, time limit ${manifest.timeLimitSeconds} s; Ctrl+C or Stop ends it)\n\n`);
    let output = '';
    const run = await runScript({
      manifest,
      workDir: learnerDir,
      labsRoot: deps.labs.labsRoot,
      pythonExecutable: python.executable,
      tracePath: freshTracePath(deps.traceDir(), manifest.id, 'run'),
      signal: active.controller.signal,
      onOutput: (text) => {
        pty.write(text);
        if (output.length < KEPT_OUTPUT) {
          output += text;
        }
      },
    });
    pty.write(`\n${ending(run, manifest.timeLimitSeconds)}\n`);
    deps.output.line(`Run with Timeline of ${manifest.id}: ${run.status}${run.exitCode !== null ? ` (exit code ${run.exitCode})` : ''}`);
    if (run.status === 'failedToStart') {
      void vscode.window.showErrorMessage(`"${manifest.title}" could not be run: ${run.problem ?? 'see the terminal'}`);
    } else if (run.status !== 'cancelled') {
      if (run.tracePath && deps.showTrace) {
        try {
          await deps.showTrace(lab, run.tracePath);
        } catch (error) {
          deps.output.line(`The timeline could not be shown: ${(error as Error).message}`);
        }
      } else if (!run.tracePath) {
        void vscode.window.showWarningMessage(`"${manifest.title}" ran, but no timeline was recorded. The terminal shows the program's output and any message from the recorder.`);
      }
    }
    return { kind: 'ran', ...run, output };
  } finally {
    deps.registry.end(active);
  }
}

export function registerRunWithTimeline(context: vscode.ExtensionContext, deps: RunDepsWithTrace): void {
  const terminals = new Map<string, vscode.Terminal>();
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_WITH_TIMELINE_COMMAND, async (argument: LabArgument) => {
      const lab = await pickLab(deps.labs, argument, 'Run which lab with the timeline?', true);
      return lab ? runWithTimeline(deps, terminals, lab) : undefined;
    }),
    vscode.window.onDidCloseTerminal((closed) => {
      for (const [labId, terminal] of terminals) {
        if (terminal === closed) {
          terminals.delete(labId);
        }
      }
    }),
    new vscode.Disposable(() => {
      for (const terminal of terminals.values()) {
        terminal.dispose();
      }
    }),
  );
}
